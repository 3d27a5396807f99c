"""The matcher's write plumbing, per engine: new leads in bulk (PostgreSQL: COPY, or COPY into a staging table and
one INSERT … ON CONFLICT DO NOTHING; SQLite: one executemany) and the merged leads in one statement (PostgreSQL:
UPDATE … FROM a JSON array; SQLite: one executemany per set of written columns). Values are encoded as SQLAlchemy
would bind them, so every path stores the same bytes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any, Protocol, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from leadcore.db.coltypes import bind_processor
from leadcore.db.models import IntakeFill, Lead
from leadcore.intake.candidates import TEXT_FIELDS, LeadCandidate, Status
from leadcore.intake.dedupe import MatchKeys
from leadcore.intake.lookup import driver_connection
from leadcore.intake.plan import SearchContext
from leadcore.scoring.scorer import Scorer
from leadcore.work.routing import LeadFacts, Router


class LeadState(Protocol):
    """A merged lead as ``merging`` leaves it: its id, the columns it changed, and every column by name."""

    id: int
    changed: set[str]

# The columns a new lead is inserted with, in the order lead_row gives them (the id comes first, separately).
INSERT_COLUMNS = (
    *TEXT_FIELDS, "team_id", "type", "status", "lead_score", "score_breakdown", "notes", "tags", "raw_data",
    "search_query", "search_mode", "search_location", "search_industry", "search_tech_stack", "search_id", "source",
    "owner_id", "is_active", "imported", "duplicate_count", "version", "created_at", "updated_at",
    "email_norm", "linkedin_norm", "domain", "phone_norm", "name_key",
)
_INSERT_NAMES = ", ".join(INSERT_COLUMNS)
_text_of = attrgetter(*TEXT_FIELDS)
_OWNER_AT, _SCORE_AT = INSERT_COLUMNS.index("owner_id"), INSERT_COLUMNS.index("lead_score")


def leads_table() -> Table:
    return cast(Table, Lead.__table__)


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


class Encoder:
    """Column values as the driver takes them, the same as SQLAlchemy would bind them: JSON documents as text,
    the tag list as an array (PostgreSQL) or JSON text (SQLite), timestamps as SQLite's DATETIME text."""

    def __init__(self, dialect: Dialect, now: datetime) -> None:
        self.postgresql = dialect.name == "postgresql"
        table = leads_table()
        if self.postgresql:
            self.now: Any = now
            self.json: Any = _json_or_none
            self.tags: Any = _pg_text_array
        else:
            self.now = bind_processor(dialect, table.c.created_at)(now)
            self.json = bind_processor(dialect, table.c.raw_data)
            self.tags = bind_processor(dialect, table.c.tags)


def _pg_text_array(value: list[str] | None) -> str:
    """The tags as PostgreSQL's text[] input, every element quoted: what TagList binds, without psycopg's per-element
    array dumping (the costliest column of a row in COPY)."""
    if not value:
        return "{}"
    return "{" + ",".join('"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"' for t in value) + "}"


def _json_or_none(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def lead_row(
    team_id: int, c: LeadCandidate, keys: MatchKeys, ctx: SearchContext, scorer: Scorer, enc: Encoder, copies: int
) -> tuple[Any, ...]:
    """A new lead's values in INSERT_COLUMNS order, encoded for the driver."""
    score, breakdown = c.lead_score, None
    if score is None:
        computed = scorer.score(c)
        score, breakdown = computed.value, scorer.breakdown_json(computed)  # what enc.json(computed.breakdown()) gives
    return (
        *_text_of(c), team_id, c.type, c.status or Status.NEW.value, score, breakdown, c.notes, enc.tags(c.tags),
        enc.json(c.raw_data), ctx.query, ctx.mode, ctx.location, ctx.industry, ctx.tech_stack, ctx.search_id,
        ctx.source, None, True, False, copies, 1, enc.now, enc.now,
        keys.email_norm, keys.linkedin_norm, keys.domain, keys.phone_norm, keys.name_key,
    )


def routed(router: Router, key: int, c: LeadCandidate, ctx: SearchContext, values: tuple[Any, ...]) -> tuple[Any, ...]:
    """A new lead's row with the owner the team's assignment rules give it (unchanged when none does)."""
    owner = router.pick(key, LeadFacts(c.type, c.industry, c.location, values[_SCORE_AT], tuple(c.tags), ctx.query,
                                       ctx.source, ctx.search_id))
    return values if owner is None else (*values[:_OWNER_AT], owner, *values[_OWNER_AT + 1:])


# Per connection, emptied at every commit. Staged rows carry the ids drawn for them, so each row's fate can be told
# by id (rows with no match key at all are told apart too).
_STAGING_DDL = (
    "CREATE TEMP TABLE IF NOT EXISTS lead_staging (LIKE leads INCLUDING DEFAULTS, ord integer NOT NULL) "
    "ON COMMIT DELETE ROWS"
)
_NEXT_IDS = "SELECT nextval(pg_get_serial_sequence('leads', 'id')) FROM generate_series(1, %s)"
_COPY_LEADS = f"COPY leads (id, {_INSERT_NAMES}) FROM STDIN"


def driver_cursor(session: Session) -> Any:
    return driver_connection(session).cursor()


def next_ids(cursor: Any, count: int) -> list[int]:
    cursor.execute(_NEXT_IDS, (count,))
    return [lead_id for (lead_id,) in cursor.fetchall()]


def copy_leads(cursor: Any, ids: list[int], rows: Iterator[tuple[Any, ...]], meanwhile: Callable[[], Any]) -> Any:
    """PostgreSQL: COPY the new leads straight into leads (one row made per id, just before it is sent), then run
    ``meanwhile`` while the server still inserts; returns what ``meanwhile`` returned. A unique key taken meanwhile
    fails the COPY with psycopg's UniqueViolation."""
    with cursor.copy(_COPY_LEADS) as copy:
        for lead_id in ids:
            copy.write_row((lead_id, *next(rows)))
        return meanwhile()


def insert_ignoring_conflicts(session: Session, count: int, rows: Iterator[tuple[Any, ...]]) -> list[int | None]:
    """Insert ``count`` new leads in one go, in the given order; each row's new id, or None where a unique key
    already exists (another writer got there first). PostgreSQL: COPY into a temp staging table, then one
    INSERT … SELECT … ON CONFLICT DO NOTHING, where the unique indexes settle who wins row by row, in the callers'
    (stable key) order, so concurrent writers take row locks in the same order. SQLite: one executemany."""
    if not count:
        return []
    if is_postgresql(session):
        cursor = driver_cursor(session)
        try:
            return insert_postgresql_staged(cursor, next_ids(cursor, count), list(rows))
        finally:
            cursor.close()
    return _insert_sqlite(session, list(rows))


def insert_postgresql_staged(cursor: Any, ids: list[int], rows: list[tuple[Any, ...]]) -> list[int | None]:
    cursor.execute(_STAGING_DDL)
    with cursor.copy(f"COPY lead_staging (ord, id, {_INSERT_NAMES}) FROM STDIN") as copy:
        for n, (lead_id, row) in enumerate(zip(ids, rows, strict=True)):
            copy.write_row((n, lead_id, *row))
    cursor.execute(
        f"WITH staged AS (DELETE FROM lead_staging RETURNING *), "
        f"inserted AS (INSERT INTO leads (id, {_INSERT_NAMES}) SELECT id, {_INSERT_NAMES} FROM staged ORDER BY ord "
        f"ON CONFLICT DO NOTHING RETURNING id) "
        f"SELECT staged.ord, inserted.id FROM staged LEFT JOIN inserted ON inserted.id = staged.id"
    )
    out: list[int | None] = [None] * len(rows)
    for n, lead_id in cursor.fetchall():
        out[n] = lead_id
    return out


_SQLITE_INSERT = (
    f"INSERT INTO leads (id, {_INSERT_NAMES}) VALUES ({', '.join('?' * (len(INSERT_COLUMNS) + 1))}) "
    "ON CONFLICT DO NOTHING"
)
# The search index (FTS5) takes the batch in one statement: its insert trigger skips the id range named in
# leads_search_bulk (migration 0005), which is emptied again before the transaction ends.
_SQLITE_BULK_SEARCH = (
    "INSERT INTO leads_search_bulk (first_id, last_id) VALUES (?, ?)",
    "INSERT INTO leads_search (rowid, lead_name, email, company, job_title, location, industry) "
    "SELECT id, lead_name, email, company, job_title, location, industry FROM leads WHERE id BETWEEN ? AND ?",
    "DELETE FROM leads_search_bulk",
)


def _insert_sqlite(session: Session, rows: list[tuple[Any, ...]]) -> list[int | None]:
    """One executemany with ids given up front. SQLite has one writer at a time and refuses to turn this read
    transaction into a write one if anybody wrote since it began, so the ids after max(id) are ours. The rows enter
    the search index together afterwards (one statement instead of one trigger call each: a quarter of the cost)."""
    conn = session.connection()
    first = int(conn.scalar(select(func.coalesce(func.max(Lead.id), 0))) or 0) + 1
    ids = list(range(first, first + len(rows)))
    mark, index_range, unmark = _SQLITE_BULK_SEARCH
    conn.exec_driver_sql(mark, (first, ids[-1]))
    result = conn.exec_driver_sql(_SQLITE_INSERT, [(lead_id, *row) for lead_id, row in zip(ids, rows, strict=True)])
    conn.exec_driver_sql(index_range, (first, ids[-1]))
    conn.exec_driver_sql(unmark)
    if result.rowcount == len(rows):
        return list(ids)
    present = set(conn.scalars(select(Lead.id).where(Lead.id.in_(ids))))
    return [lead_id if lead_id in present else None for lead_id in ids]


def update_leads(session: Session, states: list[LeadState]) -> None:
    """Write merged leads: one UPDATE … FROM a JSON array on PostgreSQL (the statement-level triggers on leads fire
    once per batch), one executemany per set of changed columns on SQLite. The leads are locked already."""
    now = datetime.now(UTC)
    if is_postgresql(session):
        _update_postgresql(session, states, now)
    else:
        _update_sqlite(session, states, now)
    # Lead objects this session may hold (loaded before the batch) no longer tell the truth.
    for st in states:
        obj = session.identity_map.get(session.identity_key(Lead, st.id))
        if obj is not None:
            session.expire(obj)


def _written(st: LeadState) -> tuple[str, ...]:
    """The columns a merge writes to the lead: the counter, and what it filled with the version and time."""
    return ("duplicate_count", *sorted(st.changed), "version", "updated_at") if st.changed else ("duplicate_count",)


def _update_sqlite(session: Session, states: list[LeadState], now: datetime) -> None:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for st in states:
        columns = _written(st)
        groups.setdefault(columns, []).append(
            {"v_id": st.id, **{f"v_{c}": now if c == "updated_at" else getattr(st, c) for c in columns}}
        )
    table = leads_table()
    for columns, params_list in groups.items():
        stmt = update(table).where(table.c.id == bindparam("v_id")).values({c: bindparam(f"v_{c}") for c in columns})
        session.execute(stmt, params_list)


# What a merge may write, with its PostgreSQL type for jsonb_to_recordset. Every column but the counter is only
# ever filled, never cleared, so a lead's JSON object carries just what it writes and the rest stays (COALESCE).
_PG_MERGE_TYPES = {
    **dict.fromkeys((*TEXT_FIELDS, "notes"), "text"), "email_norm": "text", "linkedin_norm": "text",
    "domain": "text", "phone_norm": "text", "raw_data": "jsonb", "version": "integer", "updated_at": "timestamptz",
}
_PG_MERGE = (
    "UPDATE leads SET duplicate_count = x.duplicate_count, "
    + ", ".join(f"{c} = coalesce(x.{c}, leads.{c})" for c in _PG_MERGE_TYPES)
    + " FROM jsonb_to_recordset(CAST(%s AS jsonb)) AS x(id integer, duplicate_count integer, "
    + ", ".join(f"{c} {t}" for c, t in _PG_MERGE_TYPES.items())
    + ") WHERE leads.id = x.id"
)


def _update_postgresql(session: Session, states: list[LeadState], now: datetime) -> None:
    stamp = now.isoformat()
    doc = json.dumps([
        {"id": st.id, **{c: stamp if c == "updated_at" else getattr(st, c) for c in _written(st)}} for st in states
    ])
    session.connection().exec_driver_sql(_PG_MERGE, (doc,))


def record_fills(session: Session, search_id: int, records: Iterable[tuple[int, dict[str, Any]]]) -> None:
    """Keep what a run's merges changed on existing leads, as it was before (undo reads it back)."""
    rows = [{"search_id": search_id, "lead_id": lead_id, "before": before} for lead_id, before in records]
    if rows:
        session.execute(insert(IntakeFill), rows)
