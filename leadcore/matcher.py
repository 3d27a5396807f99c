"""The one path by which leads enter the database: validate, match, merge or insert (SPEC §5).

Manual create, CSV import and discovery all call :func:`save_batch`. Matching is batch-wise: keys are
normalized in Python, existing leads are looked up in one query per batch, and new rows are inserted
with ``ON CONFLICT DO NOTHING`` so the team-scoped unique indexes settle races between writers.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import func, select, text, union
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from leadcore import dbfaults, events
from leadcore.actors import Actor
from leadcore.candidates import TEXT_FIELDS, LeadCandidate
from leadcore.coltypes import JSONDoc
from leadcore.config import settings
from leadcore.db import begin_write
from leadcore.dedupe import MatchKeys, cluster, match_keys
from leadcore.models import Lead
from leadcore.scoring import ScoreContext, Weights, context_from_query, load_weights, score_lead
from leadcore.validation import validate_candidate

log = logging.getLogger(__name__)

NEW = "new"
DUPLICATE_IN_BATCH = "duplicate_in_file"
DUPLICATE_EXISTING = "duplicate_existing"
INVALID = "invalid"

_LOOKUP_CHUNK = 500


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
    keys: MatchKeys


_LOOKUP_COLUMNS = (Lead.id, Lead.type, Lead.email_norm, Lead.linkedin_norm, Lead.domain, Lead.name_key)


def _lookup_query(team_id: int, keys: list[MatchKeys], types: list[str]) -> Any:
    """One statement finding every lead of the team that shares a key with ``keys``, ordered by id.

    A UNION of one lookup per key kind rather than one OR: each part is an equality search in its own
    ``(team_id, key)`` index on both engines, where SQLite would otherwise scan the whole team for the OR."""
    emails = {k.email_norm for k in keys if k.email_norm}
    links = {k.linkedin_norm for k in keys if k.linkedin_norm}
    domains = {k.domain for k, t in zip(keys, types, strict=True) if k.domain and t == "COMPANY"}
    names = {k.name_key for k in keys if k.name_key}
    team = Lead.team_id == team_id
    parts: list[Any] = []
    if emails:
        parts.append(select(*_LOOKUP_COLUMNS).where(team, Lead.email_norm.in_(emails)))
    if links:
        parts.append(select(*_LOOKUP_COLUMNS).where(team, Lead.linkedin_norm.in_(links)))
    if domains:
        parts.append(select(*_LOOKUP_COLUMNS).where(team, Lead.type == "COMPANY", Lead.domain.in_(domains)))
    if names:
        parts.append(select(*_LOOKUP_COLUMNS).where(team, Lead.name_key.in_(names)))
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0].order_by(Lead.id)
    found = union(*parts).subquery()
    return select(found).order_by(found.c.id)


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


def _load_existing(session: Session, team_id: int, rows: list[_Row]) -> _Index:
    index = _Index()
    for start in range(0, len(rows), _LOOKUP_CHUNK):
        chunk = rows[start : start + _LOOKUP_CHUNK]
        q = _lookup_query(team_id, [r.keys for r in chunk], [r.candidate.type for r in chunk])
        if q is None:
            continue
        for row in session.execute(q):
            index.add(_Existing(*row))
    return index


def plan_batch(
    session: Session, team_id: int, candidates: list[LeadCandidate]
) -> tuple[list[RowPlan], list[_Row], _Index]:
    """Decide every row's outcome without writing: invalid, duplicate in batch, duplicate of a lead, or new."""
    plans: list[RowPlan] = []
    valid: list[_Row] = []
    region = settings().default_phone_region or None
    for i, c in enumerate(candidates):
        reason = validate_candidate(c)
        if reason:
            plans.append(RowPlan(index=i, outcome=INVALID, reason=reason))
            continue
        plans.append(RowPlan(index=i, outcome=NEW))
        valid.append(_Row(index=i, candidate=c, keys=match_keys(c, default_region=region)))
    clusters = cluster([(r.candidate.type, r.keys) for r in valid])
    existing = _load_existing(session, team_id, valid)
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


def _fill_empty(target: LeadCandidate, other: LeadCandidate) -> None:
    for name in TEXT_FIELDS:
        if getattr(target, name) is None and getattr(other, name) is not None:
            setattr(target, name, getattr(other, name))
    if target.lead_score is None and other.lead_score is not None:
        target.lead_score = other.lead_score
    for tag in other.tags:
        if tag not in target.tags:
            target.tags.append(tag)


def _lead_values(
    actor: Actor, c: LeadCandidate, keys: MatchKeys, ctx: SearchContext, weights: Weights, score_ctx: ScoreContext
) -> dict[str, Any]:
    score, breakdown = c.lead_score, None
    if score is None:
        computed = score_lead(c, context=score_ctx, weights=weights)
        score, breakdown = computed.value, computed.breakdown()
    now = datetime.now(UTC)
    values: dict[str, Any] = {name: getattr(c, name) for name in TEXT_FIELDS}
    values.update(
        team_id=actor.team_id,
        type=c.type,
        status=c.status or "NEW",
        lead_score=score,
        score_breakdown=breakdown,
        notes=c.notes,
        tags=list(c.tags),
        raw_data=c.raw_data,
        search_query=ctx.query,
        search_mode=ctx.mode,
        search_location=ctx.location,
        search_industry=ctx.industry,
        search_tech_stack=ctx.tech_stack,
        search_id=ctx.search_id,
        source=ctx.source,
        owner_id=None,
        is_active=True,
        imported=False,
        duplicate_count=0,
        version=1,
        created_at=now,
        updated_at=now,
        email_norm=keys.email_norm,
        linkedin_norm=keys.linkedin_norm,
        domain=keys.domain,
        phone_norm=keys.phone_norm,
        name_key=keys.name_key,
    )
    return values


def _insert_ignoring_conflicts(session: Session, rows: list[dict[str, Any]]) -> list[int | None]:
    """Insert new leads in one go, in the given order; each row's new id, or None where a unique key already
    exists (another writer got there first)."""
    if not rows:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return _insert_postgresql(session, rows)
    return _insert_sqlite(session, rows)


_JSON_COLUMNS = frozenset(c.name for c in Lead.__table__.columns if isinstance(c.type, JSONDoc))
# Per connection, emptied at every commit. LIKE copies the id default, so staged rows draw their ids from the
# leads sequence and each row's fate can be told by id (rows with no match key at all are told apart too).
_STAGING_DDL = (
    "CREATE TEMP TABLE IF NOT EXISTS lead_staging (LIKE leads INCLUDING DEFAULTS, ord integer NOT NULL) "
    "ON COMMIT DELETE ROWS"
)


def _insert_postgresql(session: Session, rows: list[dict[str, Any]]) -> list[int | None]:
    """COPY the rows into a temp staging table, then move them with one INSERT … SELECT … ON CONFLICT DO NOTHING:
    a handful of round trips per batch instead of one per row, and the unique indexes still settle races."""
    columns = list(rows[0])
    names = ", ".join(columns)
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(_STAGING_DDL)
        json_at = [i for i, c in enumerate(columns, start=1) if c in _JSON_COLUMNS]
        with cursor.copy(f"COPY lead_staging (ord, {names}) FROM STDIN") as copy:
            for n, row in enumerate(rows):
                values = [n, *map(row.__getitem__, columns)]
                for i in json_at:
                    if values[i] is not None:
                        values[i] = Jsonb(values[i])
                copy.write_row(values)
        # Staging order is the callers' (stable key) order, so concurrent writers take row locks in the same order.
        cursor.execute(
            f"WITH staged AS (DELETE FROM lead_staging RETURNING *), "
            f"inserted AS (INSERT INTO leads (id, {names}) SELECT id, {names} FROM staged ORDER BY ord "
            f"ON CONFLICT DO NOTHING RETURNING id) "
            f"SELECT staged.ord, inserted.id FROM staged LEFT JOIN inserted ON inserted.id = staged.id"
        )
        ids: list[int | None] = [None] * len(rows)
        for n, lead_id in cursor.fetchall():
            ids[n] = lead_id
        return ids
    finally:
        cursor.close()


def _insert_sqlite(session: Session, rows: list[dict[str, Any]]) -> list[int | None]:
    """One executemany with ids given up front. SQLite has one writer at a time and refuses to turn this read
    transaction into a write one if anybody wrote since it began, so the ids after max(id) are ours."""
    conn = session.connection()
    first = int(conn.scalar(select(func.coalesce(func.max(Lead.id), 0))) or 0) + 1
    staged = [{**row, "id": first + n} for n, row in enumerate(rows)]
    result = conn.execute(sqlite.insert(Lead).on_conflict_do_nothing(), staged)
    ids = [row["id"] for row in staged]
    if result.rowcount == len(staged):
        return list(ids)
    present = set(conn.scalars(select(Lead.id).where(Lead.id.in_(ids))))
    return [lead_id if lead_id in present else None for lead_id in ids]


def _fills(lead: Lead, c: LeadCandidate, keys: MatchKeys, index: _Index) -> dict[str, Any]:
    """What merging ``c`` into ``lead`` would fill: its empty fields only; user-edited values always win."""
    filled: dict[str, Any] = {}
    for name in TEXT_FIELDS:
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
    return {k: v for k, v in filled.items() if k in TEXT_FIELDS}


def _merge_all(session: Session, merges: list[tuple[RowPlan, _Row]], index: _Index) -> dict[int, dict[str, Any]]:
    """Merge every duplicate row into its lead, in row order; returns the text fields filled, by row index.

    The leads are loaded (and on PostgreSQL locked) in one statement in id order, and merged in one savepoint;
    only when that hits a unique key a concurrent writer took meanwhile is it redone lead by lead, each in its
    own savepoint, exactly as :func:`_merge_into` always does."""
    if not merges:
        return {}
    ids = sorted({plan.lead_id for plan, _ in merges if plan.lead_id is not None})
    q = select(Lead).where(Lead.id.in_(ids)).order_by(Lead.id).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    leads = {lead.id: lead for lead in session.scalars(q)}
    out: dict[int, dict[str, Any]] = {}
    try:
        with session.begin_nested():
            for plan, row in merges:
                lead = leads[plan.lead_id]  # type: ignore[index]
                filled = _fills(lead, row.candidate, row.keys, index)
                lead.duplicate_count = (lead.duplicate_count or 0) + 1
                _apply_fills(lead, filled)
                out[plan.index] = {k: v for k, v in filled.items() if k in TEXT_FIELDS}
            session.flush()
    except IntegrityError:
        out = {
            plan.index: _merge_into(session, leads[plan.lead_id], row.candidate, row.keys, index)  # type: ignore[index]
            for plan, row in merges
        }
    return out


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
    person) wait on each other's new keys and deadlock again and again. The unique indexes still back this up,
    and a batch that loses a deadlock anyway (against an edit holding a lead) rolls back to its savepoint and
    runs again. The caller never sees either.
    """
    if session.get_bind().dialect.name != "postgresql":
        # SQLite has one writer at a time. Starting the transaction as a writer (BEGIN IMMEDIATE) makes this batch
        # wait its turn; a reader that turns writer after someone else wrote fails at once instead ("database is
        # locked"), and only the caller's retry of the whole transaction helps then.
        begin_write(session)
        return _save_batch_once(session, actor, candidates, ctx, weights=weights)
    session.execute(text("SELECT pg_advisory_xact_lock(:space, :team)"), {"space": _SAVE_LOCK, "team": actor.team_id})
    for attempt in range(1, _DEADLOCK_ATTEMPTS + 1):
        try:
            with session.begin_nested():
                return _save_batch_once(session, actor, candidates, ctx, weights=weights)
        except (DBAPIError, psycopg.Error) as e:
            if attempt == _DEADLOCK_ATTEMPTS or not dbfaults.is_locked(e):
                raise
            log.info("batch of %d rows lost a deadlock (attempt %d); planning it again", len(candidates), attempt)
            time.sleep(random.uniform(0.0, 0.05) * attempt)
    raise AssertionError("unreachable")  # pragma: no cover


_DEADLOCK_ATTEMPTS = 5
# First key of the two-key advisory lock that serializes save_batch per team (the second is the team id).
_SAVE_LOCK = 0x1EAD


def _save_batch_once(
    session: Session,
    actor: Actor,
    candidates: list[LeadCandidate],
    ctx: SearchContext,
    *,
    weights: Weights | None = None,
) -> SaveResult:
    weights = weights or load_weights(settings().scoring_weights_file or None)
    score_ctx = context_from_query(ctx.query, ctx.industry, ctx.location)
    plans, valid, index = plan_batch(session, actor.team_id, candidates)
    by_index = {r.index: r for r in valid}
    result = SaveResult(search_id=ctx.search_id, rows=plans)
    # Merge in-batch duplicates into their representative before anything is written.
    for plan in plans:
        if plan.outcome == DUPLICATE_IN_BATCH and plan.representative is not None:
            _fill_empty(by_index[plan.representative].candidate, by_index[plan.index].candidate)
    event_rows: list[dict[str, Any]] = []

    def event(lead_id: int, kind: str, data: dict[str, Any] | None = None) -> None:
        event_rows.append(
            {
                "lead_id": lead_id,
                "team_id": actor.team_id,
                "user_id": actor.user_id,
                "kind": kind,
                "search_id": ctx.search_id,
                "data": data or {},
            }
        )

    # Insert new leads in a stable key order so concurrent writers take row locks in the same order.
    new_rows = sorted(
        (by_index[p.index] for p in plans if p.outcome == NEW),
        key=lambda r: (r.keys.email_norm or "", r.keys.linkedin_norm or "", r.keys.domain or "", r.keys.name_key or ""),
    )
    # A lead seen twice in one batch counts its copies like any later duplicate (and gets an event for each).
    copies = Counter(p.representative for p in plans if p.outcome == DUPLICATE_IN_BATCH)
    new_ids = _insert_ignoring_conflicts(
        session,
        [
            _lead_values(actor, row.candidate, row.keys, ctx, weights, score_ctx)
            | {"duplicate_count": copies[row.index]}
            for row in new_rows
        ],
    )
    for row, lead_id in zip(new_rows, new_ids, strict=True):
        plan = plans[row.index]
        if lead_id is not None:
            plan.lead_id = lead_id
            index.add(
                _Existing(lead_id, row.candidate.type, row.keys.email_norm, row.keys.linkedin_norm, row.keys.domain,
                          row.keys.name_key)
            )
            event(lead_id, "created", {"source": ctx.source})
            continue
        # Lost a race: someone else saved this lead since we looked. It is a duplicate after all.
        fresh = _load_existing(session, actor.team_id, [row])
        hit = fresh.find(row.candidate.type, row.keys)
        if hit is None:
            raise RuntimeError("insert conflicted but no matching lead was found")  # pragma: no cover
        index.add(hit)
        plan.outcome, plan.lead_id = DUPLICATE_EXISTING, hit.id
    merges: list[tuple[RowPlan, _Row]] = []
    in_batch: set[int] = set()
    for plan in plans:
        if plan.outcome == DUPLICATE_IN_BATCH and plan.representative is not None:
            plan.lead_id = plans[plan.representative].lead_id
            if plan.lead_id is not None and plans[plan.representative].outcome == NEW:
                in_batch.add(plan.index)
                continue
            plan.outcome = DUPLICATE_EXISTING
        if plan.outcome == DUPLICATE_EXISTING and plan.lead_id is not None:
            merges.append((plan, by_index[plan.index]))
    fills = _merge_all(session, merges, index)
    for plan in plans:
        if plan.index in in_batch and plan.lead_id is not None:
            event(plan.lead_id, "duplicate_seen", {"source": ctx.source, "in_batch": True})
            result.duplicates += 1
            continue
        if plan.outcome == DUPLICATE_EXISTING and plan.lead_id is not None:
            filled = fills[plan.index]
            data: dict[str, Any] = {"source": ctx.source}
            if filled:
                data["filled"] = sorted(filled)
            event(plan.lead_id, "duplicate_seen", data)
            result.duplicates += 1
        elif plan.outcome == NEW:
            result.saved += 1
        elif plan.outcome == INVALID:
            result.invalid += 1
    events.record_many(session, event_rows)
    session.flush()
    return result

