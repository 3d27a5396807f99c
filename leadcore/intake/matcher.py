"""The one path by which leads enter the database: validate, match, merge or insert (SPEC §5).

Manual create, CSV import and discovery all call :func:`save_batch`. Matching is batch-wise: keys are
normalized in Python, existing leads are looked up in one query per batch, and new rows are inserted
with ``ON CONFLICT DO NOTHING`` so the team-scoped unique indexes settle races between writers.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from operator import attrgetter
from typing import Any, cast

import psycopg
from sqlalchemy import Table, bindparam, func, select, text, update
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from leadcore import events
from leadcore.accounts.actors import Actor
from leadcore.config import settings
from leadcore.db import faults
from leadcore.db.coltypes import bind_processor
from leadcore.db.engine import begin_write
from leadcore.db.models import Lead
from leadcore.intake.candidates import TEXT_FIELDS, LeadCandidate
from leadcore.intake.dedupe import MatchKeys, cluster, match_keys, phone_norm
from leadcore.intake.validation import validate_candidate
from leadcore.scoring.rules import Weights, context_from_query
from leadcore.scoring.scorer import Scorer, load_weights
from leadcore.work.routing import LeadFacts, Router

log = logging.getLogger(__name__)

NEW = "new"
DUPLICATE_IN_BATCH = "duplicate_in_file"
DUPLICATE_EXISTING = "duplicate_existing"
INVALID = "invalid"

# Rows per lookup query: small enough that on PostgreSQL the server looks up one chunk while the next is keyed.
_LOOKUP_CHUNK = 128


@dataclass(frozen=True)
class SearchContext:
    """Where a batch came from; copied onto every lead it creates."""

    search_id: int | None = None
    source: str = "manual"
    query: str | None = None
    mode: str | None = None
    location: str | None = None
    industry: str | None = None
    tech_stack: str | None = None


@dataclass
class RowPlan:
    """What happens to one input row. ``cluster`` is the row index of its representative, or the lead id."""

    index: int
    outcome: str
    reason: str | None = None
    lead_id: int | None = None
    representative: int | None = None


@dataclass
class SaveResult:
    saved: int = 0
    duplicates: int = 0
    invalid: int = 0
    search_id: int | None = None
    rows: list[RowPlan] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.saved + self.duplicates + self.invalid

    @property
    def lead_ids(self) -> list[int]:
        """The lead each valid row ended up as, in input order (new and duplicates alike)."""
        return [r.lead_id for r in self.rows if r.lead_id is not None]

    @property
    def invalid_rows(self) -> list[tuple[int, str]]:
        return [(r.index, r.reason or "") for r in self.rows if r.outcome == INVALID]

    def add(self, other: SaveResult, *, offset: int = 0) -> None:
        self.saved += other.saved
        self.duplicates += other.duplicates
        self.invalid += other.invalid
        for r in other.rows:
            r.index += offset
            if r.representative is not None and r.outcome == DUPLICATE_IN_BATCH:
                r.representative += offset
            self.rows.append(r)


@dataclass
class _Row:
    index: int
    candidate: LeadCandidate
    keys: MatchKeys  # phone_norm is None until with_phone: planning needs only the keys that match
    phone: str | None  # as given, before an in-batch duplicate may fill it in

    def with_phone(self, region: str | None) -> MatchKeys:
        """The keys with the normalized phone, for a row the batch writes; parsed only then, so a new lead's number
        is parsed while COPY streams the rows before it."""
        k = self.keys
        self.keys = MatchKeys(k.email_norm, k.linkedin_norm, k.domain, phone_norm(self.phone, region), k.name_key)
        return self.keys


# One lookup per key kind, UNIONed: each part is an equality search in its own (team_id, key) index on both engines,
# where SQLite would otherwise scan the whole team for an OR. The keys of each kind travel as one JSON array: a handful
# of text parameters whatever the batch size (no per-element quoting on the way), and one statement text to plan.
# PostgreSQL's goes straight to psycopg's cursor (pipeline mode, see _load_existing), SQLite's through SQLAlchemy:
# each is written in its driver's parameter style.
_LOOKUP_SELECT = {
    dialect: f"SELECT id, type, email_norm, linkedin_norm, domain, name_key FROM leads WHERE team_id = {team} AND "
    for dialect, team in (("postgresql", "%(team)s"), ("sqlite", ":team"))
}
_LOOKUP_PARTS = {
    "postgresql": {
        "emails": "email_norm = ANY(ARRAY(SELECT jsonb_array_elements_text(CAST(%(emails)s AS jsonb))))",
        "links": "linkedin_norm = ANY(ARRAY(SELECT jsonb_array_elements_text(CAST(%(links)s AS jsonb))))",
        "domains": "type = 'COMPANY' AND "
        "domain = ANY(ARRAY(SELECT jsonb_array_elements_text(CAST(%(domains)s AS jsonb))))",
        "names": "name_key = ANY(ARRAY(SELECT jsonb_array_elements_text(CAST(%(names)s AS jsonb))))",
    },
    "sqlite": {
        "emails": "email_norm IN (SELECT value FROM json_each(:emails))",
        "links": "linkedin_norm IN (SELECT value FROM json_each(:links))",
        "domains": "type = 'COMPANY' AND domain IN (SELECT value FROM json_each(:domains))",
        "names": "name_key IN (SELECT value FROM json_each(:names))",
    },
}


def _lookup_query(
    dialect: str, team_id: int, keys: list[MatchKeys], types: list[str]
) -> tuple[str | None, dict[str, Any]]:
    """One statement (in the driver's parameter style) finding every lead of the team that shares a key with
    ``keys``, ordered by id (None when the keys hold nothing to look up), and its parameters."""
    wanted = {
        "emails": {k.email_norm for k in keys if k.email_norm},
        "links": {k.linkedin_norm for k in keys if k.linkedin_norm},
        "domains": {k.domain for k, t in zip(keys, types, strict=True) if k.domain and t == "COMPANY"},
        "names": {k.name_key for k in keys if k.name_key},
    }
    engine = "postgresql" if dialect == "postgresql" else "sqlite"
    select_, parts = _LOOKUP_SELECT[engine], _LOOKUP_PARTS[engine]
    sql: list[str] = []
    params: dict[str, Any] = {"team": team_id}
    for kind, values in wanted.items():
        if values:
            sql.append(select_ + parts[kind])
            params[kind] = json.dumps(sorted(values))  # one text parameter: no per-element array quoting
    if not sql:
        return None, params
    return " UNION ".join(sql) + " ORDER BY id", params


@dataclass(frozen=True)
class _Existing:
    id: int
    type: str
    email_norm: str | None
    linkedin_norm: str | None
    domain: str | None
    name_key: str | None

    @property
    def has_strong_key(self) -> bool:
        return bool(self.email_norm or self.linkedin_norm or (self.type == "COMPANY" and self.domain))


class _Index:
    """Existing leads of the team, indexed by each match key."""

    def __init__(self) -> None:
        self.by: dict[tuple[str, str], _Existing] = {}
        self.by_name: dict[str, list[_Existing]] = {}

    def add(self, e: _Existing) -> None:
        for kind, value in (("email", e.email_norm), ("linkedin", e.linkedin_norm)):
            if value:
                self.by.setdefault((kind, value), e)
        if e.type == "COMPANY" and e.domain:
            self.by.setdefault(("domain", e.domain), e)
        if e.name_key:
            self.by_name.setdefault(e.name_key, []).append(e)

    def find(self, lead_type: str, keys: MatchKeys) -> _Existing | None:
        strong = keys.strong(lead_type)
        for key in strong:
            hit = self.by.get(key)
            if hit is not None:
                return hit
        if keys.name_key:
            for e in self.by_name.get(keys.name_key, []):
                # Name + company decides only when one side has no strong key to disagree with.
                if e.type == lead_type and (not strong or not e.has_strong_key):
                    return e
        return None


def _load_existing(
    session: Session, team_id: int, chunks: Iterable[list[_Row]], meanwhile: Callable[[], None] | None = None
) -> _Index:
    """The team's leads that share a key with the rows, which arrive in chunks, one query each. On PostgreSQL each
    chunk's query goes out as soon as the chunk arrives (pipeline mode) and the answers are read at the end, so the
    server looks up while the caller makes the next chunk and then runs ``meanwhile``."""
    index = _Index()
    seen: set[int] = set()

    def add(found: Iterable[Any]) -> None:
        for row in found:
            if row[0] not in seen:  # chunks are looked up one by one: a lead two of them share comes back twice
                seen.add(row[0])
                index.add(_Existing(*row))

    dialect = session.get_bind().dialect.name
    queries = (_lookup_query(dialect, team_id, [r.keys for r in c], [r.candidate.type for r in c]) for c in chunks)
    if dialect != "postgresql":
        for q, params in queries:
            if q is not None:
                add(session.execute(text(q), params))
        if meanwhile is not None:
            meanwhile()
        return index
    conn = _driver_connection(session)
    cursors: list[Any] = []
    try:
        with conn.pipeline():
            for q, params in queries:
                if q is not None:
                    cursors.append(conn.cursor())
                    cursors[-1].execute(q, params)
            if meanwhile is not None:
                meanwhile()
            for cursor in cursors:
                add(cursor.fetchall())
    finally:
        for cursor in cursors:
            cursor.close()
    return index


def plan_batch(
    session: Session, team_id: int, candidates: list[LeadCandidate]
) -> tuple[list[RowPlan], list[_Row], _Index]:
    """Decide every row's outcome without writing: invalid, duplicate in batch, duplicate of a lead, or new."""
    plans: list[RowPlan] = []
    valid: list[_Row] = []

    def keyed_chunks() -> Iterator[list[_Row]]:
        # Validated and keyed a chunk at a time: the lookup sends a chunk's query before the next one is keyed.
        for start in range(0, len(candidates), _LOOKUP_CHUNK):
            first = len(valid)
            for i, c in enumerate(candidates[start : start + _LOOKUP_CHUNK], start):
                reason = validate_candidate(c)
                if reason:
                    plans.append(RowPlan(index=i, outcome=INVALID, reason=reason))
                    continue
                plans.append(RowPlan(index=i, outcome=NEW))
                valid.append(_Row(index=i, candidate=c, keys=match_keys(c, phone=False), phone=c.phone))
            yield valid[first:]

    clusters: list[int] = []

    def cluster_rows() -> None:
        clusters.extend(cluster([(r.candidate.type, r.keys) for r in valid]))

    existing = _load_existing(session, team_id, keyed_chunks(), meanwhile=cluster_rows)
    first_of_cluster: dict[int, _Row] = {}
    for row, cl in zip(valid, clusters, strict=True):
        plan = plans[row.index]
        rep = first_of_cluster.get(cl)
        hit = existing.find(row.candidate.type, row.keys)
        if hit is not None:
            plan.outcome, plan.lead_id = DUPLICATE_EXISTING, hit.id
            if rep is None:
                first_of_cluster[cl] = row
            elif plans[rep.index].lead_id is None:
                plans[rep.index].outcome, plans[rep.index].lead_id = DUPLICATE_EXISTING, hit.id
        elif rep is not None:
            rep_plan = plans[rep.index]
            if rep_plan.outcome == DUPLICATE_EXISTING:
                plan.outcome, plan.lead_id = DUPLICATE_EXISTING, rep_plan.lead_id
            else:
                plan.outcome, plan.representative = DUPLICATE_IN_BATCH, rep.index
        else:
            first_of_cluster[cl] = row
    return plans, valid, existing


# What a duplicate fills in the lead it matches (when empty there): the text fields and the notes.
FILL_FIELDS = (*TEXT_FIELDS, "notes")


def _fill_empty(target: LeadCandidate, other: LeadCandidate) -> None:
    for name in FILL_FIELDS:
        if getattr(target, name) is None and getattr(other, name) is not None:
            setattr(target, name, getattr(other, name))
    if target.lead_score is None and other.lead_score is not None:
        target.lead_score = other.lead_score
    for tag in other.tags:
        if tag not in target.tags:
            target.tags.append(tag)


# The columns a new lead is inserted with, in the order _lead_row gives them (the id comes first, separately).
_INSERT_COLUMNS = (
    *TEXT_FIELDS, "team_id", "type", "status", "lead_score", "score_breakdown", "notes", "tags", "raw_data",
    "search_query", "search_mode", "search_location", "search_industry", "search_tech_stack", "search_id", "source",
    "owner_id", "is_active", "imported", "duplicate_count", "version", "created_at", "updated_at",
    "email_norm", "linkedin_norm", "domain", "phone_norm", "name_key",
)
_INSERT_NAMES = ", ".join(_INSERT_COLUMNS)
_text_of = attrgetter(*TEXT_FIELDS)


class _Encoder:
    """Column values as the driver takes them, the same as SQLAlchemy would bind them: JSON documents as text,
    the tag list as an array (PostgreSQL) or JSON text (SQLite), timestamps as SQLite's DATETIME text."""

    def __init__(self, dialect: Dialect, now: datetime) -> None:
        self.postgresql = dialect.name == "postgresql"
        table = _leads_table()
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


def _lead_row(
    actor: Actor, c: LeadCandidate, keys: MatchKeys, ctx: SearchContext, scorer: Scorer, enc: _Encoder, copies: int
) -> tuple[Any, ...]:
    """A new lead's values in _INSERT_COLUMNS order, encoded for the driver."""
    score, breakdown = c.lead_score, None
    if score is None:
        computed = scorer.score(c)
        score, breakdown = computed.value, scorer.breakdown_json(computed)  # what enc.json(computed.breakdown()) gives
    return (
        *_text_of(c), actor.team_id, c.type, c.status or "NEW", score, breakdown, c.notes, enc.tags(c.tags),
        enc.json(c.raw_data), ctx.query, ctx.mode, ctx.location, ctx.industry, ctx.tech_stack, ctx.search_id,
        ctx.source, None, True, False, copies, 1, enc.now, enc.now,
        keys.email_norm, keys.linkedin_norm, keys.domain, keys.phone_norm, keys.name_key,
    )


_OWNER_AT, _SCORE_AT = _INSERT_COLUMNS.index("owner_id"), _INSERT_COLUMNS.index("lead_score")


def _routed(router: Router, key: int, c: LeadCandidate, ctx: SearchContext, values: tuple[Any, ...]) -> tuple[Any, ...]:
    """A new lead's row with the owner the team's assignment rules give it (unchanged when none does)."""
    owner = router.pick(key, LeadFacts(c.type, c.industry, c.location, values[_SCORE_AT], tuple(c.tags), ctx.query,
                                       ctx.source, ctx.search_id))
    return values if owner is None else (*values[:_OWNER_AT], owner, *values[_OWNER_AT + 1:])


def _insert_ignoring_conflicts(session: Session, count: int, rows: Iterator[tuple[Any, ...]]) -> list[int | None]:
    """Insert ``count`` new leads in one go, in the given order; each row's new id, or None where a unique key
    already exists (another writer got there first). PostgreSQL: COPY into a temp staging table, then one
    INSERT … SELECT … ON CONFLICT DO NOTHING, where the unique indexes settle who wins row by row, in the callers'
    (stable key) order, so concurrent writers take row locks in the same order. SQLite: one executemany. (The
    common case on PostgreSQL, COPY straight into leads, is :func:`_write_optimistically`.)"""
    if not count:
        return []
    if _is_postgresql(session):
        cursor = _driver_cursor(session)
        try:
            return _insert_postgresql_staged(cursor, _next_ids(cursor, count), list(rows))
        finally:
            cursor.close()
    return _insert_sqlite(session, list(rows))


# Per connection, emptied at every commit. Staged rows carry the ids drawn for them, so each row's fate can be told
# by id (rows with no match key at all are told apart too).
_STAGING_DDL = (
    "CREATE TEMP TABLE IF NOT EXISTS lead_staging (LIKE leads INCLUDING DEFAULTS, ord integer NOT NULL) "
    "ON COMMIT DELETE ROWS"
)
_NEXT_IDS = "SELECT nextval(pg_get_serial_sequence('leads', 'id')) FROM generate_series(1, %s)"
_COPY_LEADS = f"COPY leads (id, {_INSERT_NAMES}) FROM STDIN"


def _driver_connection(session: Session) -> Any:
    """psycopg's connection under the session's: the matcher's bulk statements run on it directly (its errors are
    psycopg's own, which save_batch and dbfaults both understand)."""
    return session.connection().connection.driver_connection


def _driver_cursor(session: Session) -> Any:
    return _driver_connection(session).cursor()


def _next_ids(cursor: Any, count: int) -> list[int]:
    cursor.execute(_NEXT_IDS, (count,))
    return [lead_id for (lead_id,) in cursor.fetchall()]


def _pg_copy_value(column: str, value: Any) -> Any:
    """The value COPY sends for ``column`` (already encoded by _lead_row): the seam where the fault tests cut the
    connection in the middle of the stream."""
    return value


def _insert_postgresql_staged(cursor: Any, ids: list[int], rows: list[tuple[Any, ...]]) -> list[int | None]:
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
    f"INSERT INTO leads (id, {_INSERT_NAMES}) VALUES ({', '.join('?' * (len(_INSERT_COLUMNS) + 1))}) "
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


def _fills(lead: Lead | _LeadState, c: LeadCandidate, keys: MatchKeys, index: _Index) -> dict[str, Any]:
    """What merging ``c`` into ``lead`` would fill: its empty fields only; user-edited values always win."""
    filled: dict[str, Any] = {}
    for name in FILL_FIELDS:
        new = getattr(c, name)
        if new is not None and getattr(lead, name) in (None, ""):
            filled[name] = new
    # A filled key column must not steal a key another lead already holds.
    key_fill = {
        "email_norm": (keys.email_norm, "email"),
        "linkedin_norm": (keys.linkedin_norm, "linkedin"),
    }
    for column, (value, kind) in key_fill.items():
        if value and getattr(lead, column) is None:
            other = index.by.get((kind, value))
            if other is None or other.id == lead.id:
                filled[column] = value
    if lead.domain is None and keys.domain:
        other = index.by.get(("domain", keys.domain))
        if lead.type != "COMPANY" or other is None or other.id == lead.id:
            filled["domain"] = keys.domain
    if lead.phone_norm is None and keys.phone_norm:
        filled["phone_norm"] = keys.phone_norm
    if lead.raw_data is None and c.raw_data is not None:
        filled["raw_data"] = c.raw_data
    return filled


def _apply_fills(lead: Lead, filled: dict[str, Any]) -> None:
    if filled:
        for name, value in filled.items():
            setattr(lead, name, value)
        lead.version += 1
        lead.updated_at = datetime.now(UTC)


# Fills that write a unique match key: the one a concurrent writer can take from under us.
_KEYED_FILLS = frozenset({"email", "email_norm", "linkedin_url", "linkedin_norm", "website", "domain"})


def _merge_into(session: Session, lead: Lead, c: LeadCandidate, keys: MatchKeys, index: _Index) -> dict[str, Any]:
    """Fill the existing lead's empty fields from ``c``, in a savepoint of its own. Returns what changed."""
    filled = _fills(lead, c, keys, index)
    lead.duplicate_count = (lead.duplicate_count or 0) + 1
    if filled:
        try:
            with session.begin_nested():
                _apply_fills(lead, filled)
                session.flush()
        except IntegrityError:
            # A concurrent writer took one of the keys meanwhile (it holds that lead now): fill everything else,
            # but neither the key nor the value it comes from. The counter was flushed before the savepoint
            # began, so the refreshed lead already counts this duplicate.
            session.refresh(lead)
            filled = {k: v for k, v in filled.items() if k not in _KEYED_FILLS}
            _apply_fills(lead, filled)
    session.flush()
    return {k: v for k, v in filled.items() if k in FILL_FIELDS}


class _LeadState:
    """The columns of an existing lead that merging reads and writes, by the same names as on :class:`Lead`, so
    :func:`_fills` reads either. ``raw_data`` is only told apart as present (_PRESENT) or None."""

    __slots__ = ("id", "type", *FILL_FIELDS, "email_norm", "linkedin_norm", "domain", "phone_norm", "raw_data",
                 "duplicate_count", "version", "changed")
    id: int
    type: str
    email_norm: str | None
    linkedin_norm: str | None
    domain: str | None
    phone_norm: str | None
    raw_data: Any
    duplicate_count: int | None
    version: int
    changed: set[str]

    def __init__(self, row: Any) -> None:
        for name, value in zip(_STATE_NAMES, row, strict=True):
            setattr(self, name, value)
        self.raw_data = _PRESENT if self.raw_data else None
        self.changed = set()


_PRESENT = object()
_STATE_NAMES = ("id", "type", *FILL_FIELDS, "email_norm", "linkedin_norm", "domain", "phone_norm", "raw_data",
                "duplicate_count", "version")


@lru_cache(maxsize=2)
def _state_query(lock: bool) -> Any:
    """The merge columns of the leads whose ids are bound as ``ids``, in id order (locked when ``lock``): built once,
    since building the statement cost a small batch more than running it."""
    table = _leads_table()
    columns = [table.c[n] if n != "raw_data" else table.c.raw_data.is_not(None) for n in _STATE_NAMES]
    q = select(*columns).where(table.c.id.in_(bindparam("ids", expanding=True))).order_by(table.c.id)
    return q.with_for_update() if lock else q


def _leads_table() -> Table:
    return cast(Table, Lead.__table__)


def _merge_all(session: Session, merges: list[tuple[RowPlan, _Row]], index: _Index) -> dict[int, dict[str, Any]]:
    """Merge every duplicate row into its lead, in row order; returns the text fields filled, by row index.

    The leads' merge columns are read (and on PostgreSQL locked) in one statement in id order, merged in memory,
    and written back in one savepoint (:func:`_write_merges`). Only when that hits a unique key a concurrent writer
    took meanwhile is it redone lead by lead, each in its own savepoint, exactly as :func:`_merge_into` always does."""
    states = _lock_states(session, merges)
    return _write_merged(session, merges, index, states, _merge_in_memory(states, merges, index))


def _write_merged(
    session: Session,
    merges: list[tuple[RowPlan, _Row]],
    index: _Index,
    states: dict[int, _LeadState],
    fills: dict[int, dict[str, Any]],
) -> dict[int, dict[str, Any]]:
    """Write the merged leads in a savepoint; when that hits a key a concurrent writer took meanwhile, redo the
    merges lead by lead. Returns the fills that were written."""
    if not states:
        return fills
    try:
        with session.begin_nested():
            _write_merges(session, states)
    except IntegrityError:
        return _merge_one_by_one(session, merges, index, sorted(states), postgresql=_is_postgresql(session))
    return fills


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _lock_states(session: Session, merges: list[tuple[RowPlan, _Row]]) -> dict[int, _LeadState]:
    """The merge columns of the leads ``merges`` go into, read in id order (and locked, on PostgreSQL)."""
    if not merges:
        return {}
    ids = sorted({plan.lead_id for plan, _ in merges if plan.lead_id is not None})
    return {row[0]: _LeadState(row) for row in session.execute(_state_query(_is_postgresql(session)), {"ids": ids})}


def _merge_in_memory(
    states: dict[int, _LeadState], merges: list[tuple[RowPlan, _Row]], index: _Index
) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for plan, row in merges:
        st = states[plan.lead_id]  # type: ignore[index]
        filled = _fills(st, row.candidate, row.keys, index)
        st.duplicate_count = (st.duplicate_count or 0) + 1
        if filled:
            for name, value in filled.items():
                setattr(st, name, value)
            st.version += 1
            st.changed.update(filled)
        out[plan.index] = {k: v for k, v in filled.items() if k in FILL_FIELDS}
    return out


def _write_merges(session: Session, states: dict[int, _LeadState]) -> None:
    """One UPDATE … FROM a JSON array of the leads on PostgreSQL (the statement-level triggers on leads fire once
    per batch), one executemany per set of changed columns on SQLite."""
    now = datetime.now(UTC)
    if _is_postgresql(session):
        _update_postgresql(session, list(states.values()), now)
    else:
        _update_sqlite(session, list(states.values()), now)
    # Lead objects this session may hold (loaded before the batch) no longer tell the truth.
    for lead_id in states:
        obj = session.identity_map.get(session.identity_key(Lead, lead_id))
        if obj is not None:
            session.expire(obj)


def _written(st: _LeadState) -> tuple[str, ...]:
    """The columns a merge writes to the lead: the counter, and what it filled with the version and time."""
    return ("duplicate_count", *sorted(st.changed), "version", "updated_at") if st.changed else ("duplicate_count",)


def _update_sqlite(session: Session, states: list[_LeadState], now: datetime) -> None:
    """One executemany per set of written columns."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for st in states:
        columns = _written(st)
        groups.setdefault(columns, []).append(
            {"v_id": st.id, **{f"v_{c}": now if c == "updated_at" else getattr(st, c) for c in columns}}
        )
    table = _leads_table()
    for columns, params_list in groups.items():
        stmt = update(table).where(table.c.id == bindparam("v_id")).values({c: bindparam(f"v_{c}") for c in columns})
        session.execute(stmt, params_list)


# What a merge may write, with its PostgreSQL type for jsonb_to_recordset. Every column but the counter is only
# ever filled, never cleared, so a lead's JSON object carries just what it writes and the rest stays (COALESCE).
_PG_MERGE_TYPES = {
    **dict.fromkeys(FILL_FIELDS, "text"), "email_norm": "text", "linkedin_norm": "text", "domain": "text",
    "phone_norm": "text", "raw_data": "jsonb", "version": "integer", "updated_at": "timestamptz",
}
_PG_MERGE = (
    "UPDATE leads SET duplicate_count = x.duplicate_count, "
    + ", ".join(f"{c} = coalesce(x.{c}, leads.{c})" for c in _PG_MERGE_TYPES)
    + " FROM jsonb_to_recordset(CAST(%s AS jsonb)) AS x(id integer, duplicate_count integer, "
    + ", ".join(f"{c} {t}" for c, t in _PG_MERGE_TYPES.items())
    + ") WHERE leads.id = x.id"
)


def _update_postgresql(session: Session, states: list[_LeadState], now: datetime) -> None:
    """UPDATE every merged lead in one statement, so the statement-level triggers on leads run once per batch (the
    leads are locked already)."""
    stamp = now.isoformat()
    doc = json.dumps([
        {"id": st.id, **{c: stamp if c == "updated_at" else getattr(st, c) for c in _written(st)}} for st in states
    ])
    session.connection().exec_driver_sql(_PG_MERGE, (doc,))


def _merge_one_by_one(
    session: Session, merges: list[tuple[RowPlan, _Row]], index: _Index, ids: list[int], *, postgresql: bool
) -> dict[int, dict[str, Any]]:
    q = select(Lead).where(Lead.id.in_(ids)).order_by(Lead.id).execution_options(populate_existing=True)
    if postgresql:
        q = q.with_for_update()
    leads = {lead.id: lead for lead in session.scalars(q)}
    return {
        plan.index: _merge_into(session, leads[plan.lead_id], row.candidate, row.keys, index)  # type: ignore[index]
        for plan, row in merges
    }


def save_batch(
    session: Session,
    actor: Actor,
    candidates: list[LeadCandidate],
    ctx: SearchContext,
    *,
    weights: Weights | None = None,
) -> SaveResult:
    """Save candidates inside the caller's transaction (the caller commits). See the module docstring.

    On PostgreSQL, writers of one team take turns: the batch waits for the team's save lock (held until the
    caller's transaction ends), so it plans against everything saved before it. Without that, two writers whose
    batches hold the same people in different spellings (one knows an email, the other the LinkedIn of the same
    person) wait on each other's new keys and deadlock again and again. The unique indexes still back this up:
    the batch is first written the quick way (:func:`_write_optimistically`), and one that meets a key taken since
    its lookup (by an edit, which does not take the save lock) rolls back to its savepoint and runs again the
    careful way. A batch that loses a deadlock anyway (against an edit holding a lead) runs again too. The caller
    never sees either.
    """
    if not _is_postgresql(session):
        # SQLite has one writer at a time. Starting the transaction as a writer (BEGIN IMMEDIATE) makes this batch
        # wait its turn; a reader that turns writer after someone else wrote fails at once instead ("database is
        # locked"), and only the caller's retry of the whole transaction helps then.
        begin_write(session)
        return _save_batch_once(session, actor, candidates, ctx, weights=weights, optimistic=False)
    session.execute(text("SELECT pg_advisory_xact_lock(:space, :team)"), {"space": _SAVE_LOCK, "team": actor.team_id})
    optimistic, attempt = OPTIMISTIC_WRITES, 1
    while True:
        try:
            with session.begin_nested():
                return _save_batch_once(session, actor, candidates, ctx, weights=weights, optimistic=optimistic)
        except _KeyTaken:
            log.info("a key of a batch of %d rows was taken since its lookup; saving it the careful way",
                     len(candidates))
            optimistic = False
        except (DBAPIError, psycopg.Error) as e:
            if attempt == _DEADLOCK_ATTEMPTS or not faults.is_locked(e):
                raise
            log.info("batch of %d rows lost a deadlock (attempt %d); planning it again", len(candidates), attempt)
            time.sleep(random.uniform(0.0, 0.05) * attempt)
            attempt += 1


_DEADLOCK_ATTEMPTS = 5
# First key of the two-key advisory lock that serializes save_batch per team (the second is the team id).
_SAVE_LOCK = 0x1EAD
# PostgreSQL writes a batch the quick way first (see save_batch); the tests turn this off to compare with the careful
# way, which gives the same leads and events.
OPTIMISTIC_WRITES = True


class _KeyTaken(Exception):
    """The quick write of a batch met a unique key that a writer outside the team's save lock took since the
    batch's lookup."""


class _Events:
    """The batch's timeline events, in the order they happen."""

    def __init__(self, actor: Actor, ctx: SearchContext) -> None:
        self.rows: list[dict[str, Any]] = []
        self.team_id, self.user_id, self.search_id = actor.team_id, actor.user_id, ctx.search_id

    def add(self, lead_id: int, kind: str, data: dict[str, Any]) -> None:
        self.rows.append({"lead_id": lead_id, "team_id": self.team_id, "user_id": self.user_id, "kind": kind,
                          "search_id": self.search_id, "data": data})


def _save_batch_once(
    session: Session,
    actor: Actor,
    candidates: list[LeadCandidate],
    ctx: SearchContext,
    *,
    weights: Weights | None,
    optimistic: bool,
) -> SaveResult:
    weights = weights or load_weights(settings().scoring_weights_file or None)
    region = settings().default_phone_region or None
    scorer = Scorer(weights, context_from_query(ctx.query, ctx.industry, ctx.location))
    plans, valid, index = plan_batch(session, actor.team_id, candidates)
    by_index = {r.index: r for r in valid}
    result = SaveResult(search_id=ctx.search_id, rows=plans)
    # Merge in-batch duplicates into their representative before anything is written.
    for plan in plans:
        if plan.outcome == DUPLICATE_IN_BATCH and plan.representative is not None:
            _fill_empty(by_index[plan.representative].candidate, by_index[plan.index].candidate)
    log_event = _Events(actor, ctx)
    # Insert new leads in a stable key order so concurrent writers take row locks in the same order.
    new_rows = sorted(
        (by_index[p.index] for p in plans if p.outcome == NEW),
        key=lambda r: (r.keys.email_norm or "", r.keys.linkedin_norm or "", r.keys.domain or "", r.keys.name_key or ""),
    )
    # A lead seen twice in one batch counts its copies like any later duplicate (and gets an event for each).
    copies = Counter(p.representative for p in plans if p.outcome == DUPLICATE_IN_BATCH)
    enc = _Encoder(session.get_bind().dialect, datetime.now(UTC))
    made = (_lead_row(actor, row.candidate, row.with_phone(region), ctx, scorer, enc, copies[row.index])
            for row in new_rows)
    router = Router.load_for(session, actor.team_id)  # the assignment rules' seam: an owner per new lead as it is made
    if router:
        made = (_routed(router, row.index, row.candidate, ctx, values)
                for row, values in zip(new_rows, made, strict=True))
    batch = _Batch(plans, by_index, index, region, log_event, result, ctx.source)
    if optimistic:
        _write_optimistically(session, batch, new_rows, made)
    else:
        _write_carefully(session, actor, batch, new_rows, made)
    if router:
        router.record(((p.index, p.lead_id) for p in plans if p.outcome == NEW and p.lead_id is not None),
                      log_event.add)
        router.save(session)
    events.record_many(session, log_event.rows)
    session.flush()
    return result


@dataclass
class _Batch:
    """A planned batch on its way in: what the write steps read and fill."""

    plans: list[RowPlan]
    by_index: dict[int, _Row]
    index: _Index
    region: str | None
    log_event: _Events
    result: SaveResult
    source: str

    def created(self, row: _Row, lead_id: int) -> None:
        self.plans[row.index].lead_id = lead_id
        k = row.keys
        self.index.add(_Existing(lead_id, row.candidate.type, k.email_norm, k.linkedin_norm, k.domain, k.name_key))
        self.log_event.add(lead_id, "created", {"source": self.source})

    def merges(self) -> tuple[list[tuple[RowPlan, _Row]], set[int]]:
        """The rows to merge into an existing lead, and those that are a second copy of a lead this batch creates.
        Run once every new row has its id."""
        merges: list[tuple[RowPlan, _Row]] = []
        in_batch: set[int] = set()
        plans = self.plans
        for plan in plans:
            if plan.outcome == DUPLICATE_IN_BATCH and plan.representative is not None:
                plan.lead_id = plans[plan.representative].lead_id
                if plan.lead_id is not None and plans[plan.representative].outcome == NEW:
                    in_batch.add(plan.index)
                    continue
                plan.outcome = DUPLICATE_EXISTING
            if plan.outcome == DUPLICATE_EXISTING and plan.lead_id is not None:
                row = self.by_index[plan.index]
                row.with_phone(self.region)
                merges.append((plan, row))
        return merges, in_batch

    def account(self, in_batch: set[int], fills: dict[int, dict[str, Any]]) -> None:
        """Count every row's outcome and log the duplicates' events, in row order."""
        result, source = self.result, self.source
        for plan in self.plans:
            if plan.index in in_batch and plan.lead_id is not None:
                self.log_event.add(plan.lead_id, "duplicate_seen", {"source": source, "in_batch": True})
                result.duplicates += 1
            elif plan.outcome == DUPLICATE_EXISTING and plan.lead_id is not None:
                filled = fills[plan.index]
                data: dict[str, Any] = {"source": source}
                if filled:
                    data["filled"] = sorted(filled)
                self.log_event.add(plan.lead_id, "duplicate_seen", data)
                result.duplicates += 1
            elif plan.outcome == NEW:
                result.saved += 1
            elif plan.outcome == INVALID:
                result.invalid += 1


def _write_optimistically(
    session: Session, batch: _Batch, new_rows: list[_Row], made: Iterator[tuple[Any, ...]]
) -> None:
    """PostgreSQL's common case in as few round trips as the work allows: ids for the new leads from the sequence,
    the leads to merge into read and locked, the new leads COPYed straight into leads, then the merges written (see
    :func:`_merge_all`). While the server still inserts the rows in flight, the merges are worked out in memory.
    Each new row is made (scored, encoded) just before it is written, so the server inserts while the next rows are
    made.

    COPY knows no ON CONFLICT: a unique key taken since the lookup (by an edit, which does not take the team's save
    lock) fails it and raises _KeyTaken, and save_batch runs the batch again the careful way."""
    cursor = _driver_cursor(session)
    try:
        ids = _next_ids(cursor, len(new_rows)) if new_rows else []
        for row, lead_id in zip(new_rows, ids, strict=True):
            batch.created(row, lead_id)
        merges, in_batch = batch.merges()
        states = _lock_states(session, merges)
        if ids:
            try:
                with cursor.copy(_COPY_LEADS) as copy:
                    for lead_id in ids:
                        copy.write_row((lead_id, *map(_pg_copy_value, _INSERT_COLUMNS, next(made))))
                    fills = _merge_in_memory(states, merges, batch.index)
            except psycopg.errors.UniqueViolation as e:
                raise _KeyTaken from e
        else:
            fills = _merge_in_memory(states, merges, batch.index)
    finally:
        cursor.close()
    batch.account(in_batch, _write_merged(session, merges, batch.index, states, fills))


def _write_carefully(
    session: Session, actor: Actor, batch: _Batch, new_rows: list[_Row], made: Iterator[tuple[Any, ...]]
) -> None:
    """Every row settled by the unique indexes: a new lead that lost a race to a writer who saved it since the
    lookup becomes a duplicate of that lead, and a merge that hits a key taken meanwhile is redone lead by lead."""
    plans, index = batch.plans, batch.index
    new_ids = _insert_ignoring_conflicts(session, len(new_rows), made)
    for row, lead_id in zip(new_rows, new_ids, strict=True):
        if lead_id is not None:
            batch.created(row, lead_id)
            continue
        # Lost a race: someone else saved this lead since we looked. It is a duplicate after all.
        fresh = _load_existing(session, actor.team_id, [[row]])
        hit = fresh.find(row.candidate.type, row.keys)
        if hit is None:
            raise RuntimeError("insert conflicted but no matching lead was found")  # pragma: no cover
        index.add(hit)
        plans[row.index].outcome, plans[row.index].lead_id = DUPLICATE_EXISTING, hit.id
    merges, in_batch = batch.merges()
    batch.account(in_batch, _merge_all(session, merges, index))
