"""The one path by which leads enter the database: validate, match, merge or insert (SPEC §5).

Manual create, CSV import and discovery all call :func:`save_batch`. Matching is batch-wise: keys are
normalized in Python, existing leads are looked up in one query per batch, and new rows are inserted
with ``ON CONFLICT DO NOTHING`` so the team-scoped unique indexes settle races between writers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leadcore import events
from leadcore.actors import Actor
from leadcore.candidates import TEXT_FIELDS, LeadCandidate
from leadcore.config import settings
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


def _keys_filter(team_id: int, keys: list[MatchKeys], types: list[str]) -> Any:
    emails = {k.email_norm for k in keys if k.email_norm}
    links = {k.linkedin_norm for k in keys if k.linkedin_norm}
    domains = {k.domain for k, t in zip(keys, types, strict=True) if k.domain and t == "COMPANY"}
    names = {k.name_key for k in keys if k.name_key}
    clauses = []
    if emails:
        clauses.append(Lead.email_norm.in_(emails))
    if links:
        clauses.append(Lead.linkedin_norm.in_(links))
    if domains:
        clauses.append((Lead.type == "COMPANY") & Lead.domain.in_(domains))
    if names:
        clauses.append(Lead.name_key.in_(names))
    if not clauses:
        return None
    return (Lead.team_id == team_id) & or_(*clauses)


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
        where = _keys_filter(team_id, [r.keys for r in chunk], [r.candidate.type for r in chunk])
        if where is None:
            continue
        q = select(Lead.id, Lead.type, Lead.email_norm, Lead.linkedin_norm, Lead.domain, Lead.name_key).where(where)
        for row in session.execute(q.order_by(Lead.id)):
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


def _insert_ignoring_conflicts(session: Session, values: dict[str, Any]) -> int | None:
    """Insert one lead; None when a unique key already exists (another writer got there first)."""
    dialect = session.get_bind().dialect.name
    table = Lead.__table__
    ins = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    # One statement shape for every row, so SQLAlchemy compiles it once and reuses it.
    stmt = ins.on_conflict_do_nothing().returning(table.c.id)
    return session.connection().execute(stmt, values).scalar_one_or_none()


def _merge_into(
    session: Session, lead_id: int, c: LeadCandidate, keys: MatchKeys, index: _Index
) -> dict[str, Any]:
    """Fill the existing lead's empty fields from ``c``; user-edited values always win. Returns what changed."""
    lead = session.get(Lead, lead_id, with_for_update=session.get_bind().dialect.name == "postgresql")
    assert lead is not None
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
    lead.duplicate_count = (lead.duplicate_count or 0) + 1
    if filled:
        try:
            with session.begin_nested():
                for name, value in filled.items():
                    setattr(lead, name, value)
                lead.version += 1
                lead.updated_at = datetime.now(UTC)
                session.flush()
        except IntegrityError:
            # A concurrent writer took one of the keys meanwhile: keep the visible values only.
            session.refresh(lead)
            lead.duplicate_count = (lead.duplicate_count or 0) + 1
            filled = {}
    session.flush()
    return {k: v for k, v in filled.items() if k in TEXT_FIELDS}


def save_batch(
    session: Session,
    actor: Actor,
    candidates: list[LeadCandidate],
    ctx: SearchContext,
    *,
    weights: Weights | None = None,
) -> SaveResult:
    """Save candidates inside the caller's transaction (the caller commits). See the module docstring."""
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
    for row in new_rows:
        plan = plans[row.index]
        lead_id = _insert_ignoring_conflicts(
            session, _lead_values(actor, row.candidate, row.keys, ctx, weights, score_ctx)
        )
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
    for plan in plans:
        if plan.outcome == DUPLICATE_IN_BATCH and plan.representative is not None:
            plan.lead_id = plans[plan.representative].lead_id
            if plan.lead_id is not None and plans[plan.representative].outcome == NEW:
                event(plan.lead_id, "duplicate_seen", {"source": ctx.source, "in_batch": True})
                result.duplicates += 1
                continue
            plan.outcome = DUPLICATE_EXISTING
        if plan.outcome == DUPLICATE_EXISTING and plan.lead_id is not None:
            row = by_index[plan.index]
            filled = _merge_into(session, plan.lead_id, row.candidate, row.keys, index)
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

