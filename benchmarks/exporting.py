"""The export figures: leadcore's streamed CSV export (in a child process, for its peak memory) and the
database's own ceiling for reading the same rows out."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

from benchmarks.database import BenchDatabase
from leadcore.accounts.actors import Actor
from leadcore.leads.views import LEAD_COLUMNS


def export_through_leadcore(bench: BenchDatabase, actor: Actor) -> dict[str, Any]:
    """Run ``leadcore.grid.export.export_csv`` over the whole team in a fresh process; returns its report."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.export_probe", bench.url, bench.schema or "", str(actor.team_id),
         str(actor.user_id)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _export_select(team_id: int) -> str:
    cols = ", ".join(f"l.{c}" for c in LEAD_COLUMNS)
    return (f"SELECT {cols}, u.display_name FROM leads l LEFT JOIN users u ON u.id = l.owner_id "
            f"WHERE l.team_id = {int(team_id)} AND l.is_active ORDER BY l.id")


def copy_out(bench: BenchDatabase, actor: Actor) -> tuple[int, float]:
    """The same rows and columns straight out of the database: PostgreSQL ``COPY (SELECT …) TO STDOUT`` as
    CSV, SQLite a bare ``SELECT`` loop. Returns (rows, seconds)."""
    raw = bench.engine.raw_connection()
    try:
        cur = raw.cursor()
        rows = 0
        t0 = time.perf_counter()
        if bench.dialect == "postgresql":
            with cur.copy(f"COPY ({_export_select(actor.team_id)}) TO STDOUT WITH (FORMAT csv, HEADER)") as cp:
                for block in cp:
                    rows += bytes(block).count(b"\n")
            rows -= 1
        else:
            for _ in cur.execute(_export_select(actor.team_id)):
                rows += 1
        seconds = time.perf_counter() - t0
        raw.rollback()
        return rows, seconds
    finally:
        raw.close()
