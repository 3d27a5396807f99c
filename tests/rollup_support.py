"""The analytics rollups checked against a recount from the leads and events (used by every test of a write path
that must keep them: tests/analytics/test_rollups.py, backup and restore, migrations, team merge)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, text

# A lead's UTC day as each engine computes it (SQLite: leadcore's stored UTC text).
DAY = {"postgresql": "(created_at AT TIME ZONE 'UTC')::date", "sqlite": "substr(created_at, 1, 10)"}


def recounts(dialect: str) -> dict[str, str]:
    """Per rollup table, its counters recomputed from the leads and events."""
    day = DAY[dialect]
    return {
        "lead_rollup": (
            f"SELECT team_id, {day} AS day, coalesce(owner_id, 0) AS owner_id, type, status, imported, "
            "coalesce(search_query, '') AS search_query, count(*) AS n, sum(lead_score) AS score_sum "
            "FROM leads WHERE is_active GROUP BY 1, 2, 3, 4, 5, 6, 7"
        ),
        "lead_score_rollup": (
            f"SELECT team_id, {day} AS day, coalesce(owner_id, 0) AS owner_id, type, lead_score AS score, "
            "count(*) AS n, status FROM leads WHERE is_active GROUP BY 1, 2, 3, 4, 5, 7"  # status: 0023, last column
        ),
        "event_rollup": (
            f"SELECT team_id, {day} AS day, user_id, kind, count(*) AS n "
            "FROM lead_events WHERE user_id IS NOT NULL GROUP BY 1, 2, 3, 4"
        ),
    }


ROLLUP_SCORE = {"lead_rollup": "score_sum"}


def _rows(conn: Connection, sql: str) -> set[tuple[Any, ...]]:
    return {tuple(r) for r in conn.execute(text(sql))}


def rollup_differences(engine: Engine) -> dict[str, tuple[set[Any], set[Any]]]:
    """Per rollup table: (rows only in the rollup, rows only in the recount); empty when they agree. Keys whose count
    went back to zero are left in the table by design and ignored here (the recounts list columns in table order)."""
    out = {}
    with engine.connect() as conn:
        for table, recount in recounts(engine.dialect.name).items():
            actual = _rows(conn, f"SELECT * FROM {table} WHERE n <> 0")
            actual |= _rows(conn, f"SELECT * FROM {table} WHERE n = 0 AND {ROLLUP_SCORE.get(table, 'n')} <> 0")
            expected = _rows(conn, recount)
            if actual != expected:
                out[table] = (actual - expected, expected - actual)
    return out
