"""``deactivate-user``, ``activate-user`` and ``apply-rules`` as an operator runs them (real subprocesses)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from leadcore.db.models import Lead, User
from leadcore.db.runtime import Database
from leadcore.work import assignment

ROOT = Path(__file__).resolve().parents[2]


def cli(backend: Any, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "leadcore", *args], cwd=ROOT, env=backend.env(),
                          capture_output=True, text=True, timeout=120)


def test_deactivate_activate_and_apply_rules(backend: Any, db: Database, make: Any) -> None:
    boss, ana = make.user("manager"), make.user("rep", email="ana@example.com", name="Ana")
    make.lead(boss)
    make.lead(boss)
    assignment.create_rule(db.uow(), boss, {"name": "All", "strategy": "round_robin", "assignee_ids": [ana.user_id]})
    p = cli(backend, "deactivate-user", "--email", "ANA@example.com")
    assert p.returncode == 0, p.stderr
    assert "deactivated" in p.stdout
    with db.uow() as uow:
        assert uow.session.scalar(select(User.is_active).where(User.id == ana.user_id)) is False
    assert cli(backend, "apply-rules", "--dry-run").stdout.strip() == "would assign 0; 2 match no rule"
    assert cli(backend, "activate-user", "--email", "ana@example.com").returncode == 0
    assert cli(backend, "apply-rules", "--dry-run").stdout.strip() == "would assign 2: Ana 2"
    with db.uow() as uow:
        assert set(uow.session.scalars(select(Lead.owner_id))) == {None}
    assert cli(backend, "apply-rules").stdout.strip() == "assigned 2: Ana 2"
    with db.uow() as uow:
        assert set(uow.session.scalars(select(Lead.owner_id))) == {ana.user_id}
    missing = cli(backend, "activate-user", "--email", "nobody@example.com")
    assert missing.returncode == 1 and "nobody@example.com" in missing.stderr
