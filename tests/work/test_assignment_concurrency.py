"""Done when #1: a round robin stays fair when four ``import-csv`` processes save at the same moment (PostgreSQL)."""

from __future__ import annotations

import csv
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from leadcore.accounts.users import create_user, set_active_by_email
from leadcore.db.models import Lead, LeadEvent
from leadcore.db.runtime import Database
from leadcore.work import assignment

ROOT = Path(__file__).resolve().parents[2]


def start_together(files: list[Path], env: dict[str, str]) -> list[subprocess.CompletedProcess[str]]:
    """One ``import-csv`` per file; each says it is ready (a file) and waits for the go file, so they start at once."""
    run = files[0].parent / f"start-{uuid.uuid4().hex}"
    run.mkdir()
    go = run / "go"
    code = (
        "import os, sys, time\n"
        "from leadcore.cli import app\n"
        "open(sys.argv.pop(1), 'w').close()\n"
        f"while not os.path.exists({str(go)!r}): time.sleep(0.005)\n"
        "sys.argv = ['leadcore', *sys.argv[1:]]\n"
        "app(prog_name='python -m leadcore')\n"
    )
    ready = [run / f"ready-{i}" for i in range(len(files))]
    procs = [subprocess.Popen([sys.executable, "-c", code, str(r), "import-csv", str(f)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for r, f in zip(ready, files, strict=True)]
    deadline = time.monotonic() + 120
    while not all(r.exists() for r in ready) and time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            break
        time.sleep(0.01)
    go.touch()
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=300)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


@pytest.mark.slow  # four interpreters
def test_four_concurrent_imports_spread_leads_evenly_and_skip_the_deactivated_rep(
        pg_backend: Any, pg_db: Database, tmp_path: Path) -> None:
    manager = create_user(pg_db.uow(), None, email="boss@example.com", password="correct horse battery",
                          role="manager", team_name="Default").actor()
    reps = [create_user(pg_db.uow(), None, email=f"rep{i}@example.com", password="correct horse battery",
                        role="rep", team_name="Default").actor() for i in range(4)]
    assignment.create_rule(pg_db.uow(), manager, {"name": "Spread", "strategy": "round_robin",
                                                   "assignee_ids": [r.user_id for r in reps]})
    set_active_by_email(pg_db.uow(), "rep2@example.com", False)
    files = []
    for p in range(4):
        files.append(tmp_path / f"part{p}.csv")
        with open(files[-1], "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["name", "email", "company"])
            w.writerows([f"Person {p}-{i}", f"p{p}x{i}@firm{p}-{i}.com", f"Firm {p}-{i}"] for i in range(300))
    procs = start_together(files, pg_backend.env())
    for proc in procs:
        assert proc.returncode == 0, proc.stderr
    with pg_db.uow() as uow:
        got = Counter(uow.session.scalars(select(Lead.owner_id)))
        assigned_events = uow.session.scalar(select(LeadEvent.id).where(LeadEvent.kind == "assigned").limit(1))
    assert sum(got.values()) == 1200
    assert reps[2].user_id not in got and None not in got
    counts = [got[r.user_id] for r in (reps[0], reps[1], reps[3])]
    assert max(counts) - min(counts) <= 1 and all(399 <= c <= 401 for c in counts), counts
    assert assigned_events is not None
