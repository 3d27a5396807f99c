"""``import-csv`` with the team's saved mapping for the file's columns, and ``--save-mapping``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select

from leadcore.accounts.users import team_actor
from leadcore.db.models import Lead
from leadcore.db.runtime import Database
from leadcore.fileimport.saved_mappings import find_for

ROOT = Path(__file__).resolve().parents[2]


def cli(backend: Any, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "leadcore", *args], cwd=ROOT, env=backend.env(),
                          capture_output=True, text=True, timeout=120)


def last_line(out: str) -> str:
    return out.strip().splitlines()[-1]

CSV = "Who,Mail,Firm,Stage\nAnn Lee,ann@acme.io,Acme,Hot\nBob Stone,bob@beta.io,Beta,Cold\n"


def leads(db: Database) -> dict[str, tuple[str, str | None]]:
    with db.uow() as uow:
        return {r.email: (r.status, r.lead_name) for r in uow.session.scalars(select(Lead))}


def test_saved_mapping_is_used_and_saved(backend: Any, db: Database, tmp_path: Path) -> None:
    path = tmp_path / "fair.csv"
    path.write_text(CSV, encoding="utf-8")
    p = cli(backend, "import-csv", str(path), "--team", "Sales", "--map", "Who=lead_name", "--map", "Stage=status",
            "--status-map", "Hot=QUALIFIED", "--save-mapping", "Trade fair")
    assert p.returncode == 0, p.stderr
    assert 'saved the mapping "Trade fair"' in p.stderr and "using the saved mapping" not in p.stderr
    saved = find_for(db.uow(), team_actor(db.uow(), "Sales"), ["who", "MAIL", "firm", "stage"])
    assert saved is not None and saved.mapping["Stage"] == "status" and saved.status_map == {"Hot": "QUALIFIED"}

    # The same columns in another order: no --map needed; an explicit --status-map still wins.
    again = tmp_path / "again.csv"
    again.write_text("stage,firm,mail,who\nHot,Gamma,cy@gamma.io,Cy Lo\nCold,Delta,di@delta.io,Di Ng\n",
                     encoding="utf-8")
    p = cli(backend, "import-csv", str(again), "--team", "Sales", "--status-map", "Cold=REJECTED", "--json")
    assert p.returncode == 0, p.stderr
    assert 'using the saved mapping "Trade fair" for these columns' in p.stderr
    out = json.loads(last_line(p.stdout))
    assert (out["saved"], out["saved_mapping"]) == (2, "Trade fair")
    got = leads(db)
    assert got["cy@gamma.io"] == ("QUALIFIED", "Cy Lo") and got["di@delta.io"] == ("REJECTED", "Di Ng")


def test_a_bad_mapping_name_costs_nothing(backend: Any, db: Database, tmp_path: Path) -> None:
    path = tmp_path / "fair.csv"
    path.write_text(CSV, encoding="utf-8")
    p = cli(backend, "import-csv", str(path), "--map", "Who=lead_name", "--save-mapping", " ")
    assert p.returncode == 1 and "Give the mapping a name" in p.stderr
    assert leads(db) == {}
