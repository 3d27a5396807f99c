"""``EXPLAIN (ANALYZE, BUFFERS)`` of the hot queries, captured from leadcore's own calls (PostgreSQL only).

Each scenario runs a leadcore function once while the engine records the SQL it sends; every SELECT recorded is
then explained with the same parameters, so the plans are those of the application's real statements.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest.mock import patch

from sqlalchemy import event

from benchmarks.database import BenchDatabase
from benchmarks.dataset import LeadStream
from leadcore.accounts.actors import Actor
from leadcore.analytics import dashboard
from leadcore.db import prepared
from leadcore.grid import search
from leadcore.grid.filters import LeadFilters
from leadcore.grid.listing import list_leads
from leadcore.intake.matcher import plan_batch


def _capture(bench: BenchDatabase, fn: Callable[[], object]) -> list[tuple[str, Any]]:
    """The SELECTs ``fn`` sends: through SQLAlchemy (its engine event) and on the driver's cursor (the grid's
    prepared statements, leadcore.db.prepared.driver_rows, which SQLAlchemy's events do not see)."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and not many:
            seen.append((statement, parameters))

    real = prepared.driver_rows

    def driver_rows(session: Any, sql: str, params: dict[str, Any]) -> list[Any]:
        record(None, None, sql, params, None, False)
        return real(session, sql, params)

    event.listen(bench.engine, "before_cursor_execute", record)
    with patch.object(prepared, "driver_rows", driver_rows), patch.object(search, "driver_rows", driver_rows):
        try:
            fn()
        finally:
            event.remove(bench.engine, "before_cursor_execute", record)
    return seen


def _explain(bench: BenchDatabase, statement: str, parameters: Any) -> str:
    raw = bench.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        plan = "\n".join(r[0] for r in cur.fetchall())
        raw.rollback()
        return plan
    finally:
        raw.close()


def explain_hot_queries(bench: BenchDatabase, actor: Actor, cursor: str) -> str:
    """Markdown with the plan of every query behind the benchmark's figures."""
    uow = bench.db.uow
    candidates = list(LeadStream(500, seed=99))

    def lookup() -> None:
        with uow() as u:
            plan_batch(u.session, actor.team_id, candidates)

    scenarios: list[tuple[str, Callable[[], object]]] = [
        ("Grid: first page and its capped total", lambda: list_leads(uow(), actor)),
        ("Grid: keyset page in the middle", lambda: list_leads(uow(), actor, cursor=cursor)),
        ("Grid: filtered page (status, type, score range) and its total",
         lambda: list_leads(uow(), actor, LeadFilters(statuses=("CONTACTED", "QUALIFIED"), types=("INDIVIDUAL",),
                                                      score_min=50, score_max=100))),
        ("Grid: search for a name (trigram indexes)", lambda: list_leads(uow(), actor, LeadFilters(q="kowalski"))),
        ("Grid: search for a common term", lambda: list_leads(uow(), actor, LeadFilters(q="gmail"))),
        ("Analytics page (every query)",
         lambda: dashboard.dashboard(uow(), actor, dashboard.AnalyticsFilters())),
        ("Save: the matcher's one lookup for a 500-row batch", lookup),
    ]
    out = []
    for title, fn in scenarios:
        out.append(f"### {title}\n")
        for statement, parameters in _capture(bench, fn):
            first = " ".join(statement.split())[:160]
            out.append(f"`{first}…`\n\n```\n{_explain(bench, statement, parameters)}\n```\n")
    return "\n".join(out)
