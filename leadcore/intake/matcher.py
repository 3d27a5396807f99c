"""The one path by which leads enter the database: validate, match, merge or insert (SPEC §5).

Manual create, CSV import and discovery all call :func:`save_batch`. The batch is planned first (``plan``:
keys normalized in Python, the team's leads that share one looked up in one query per chunk, ``lookup``), the
duplicates are merged by the fill policy (``merging``), and the rows go in through the engine's bulk writer
(``writes``); the team-scoped unique indexes settle races between writers.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from leadcore import events
from leadcore.accounts.actors import Actor
from leadcore.config import settings
from leadcore.db import faults
from leadcore.db.engine import begin_write
from leadcore.intake import lookup, merging, writes
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.merging import FILL_FIELDS
from leadcore.intake.plan import (
    DUPLICATE_EXISTING,
    DUPLICATE_IN_BATCH,
    INVALID,
    NEW,
    Outcome,
    Row,
    RowPlan,
    SaveResult,
    SearchContext,
    plan_batch,
)
from leadcore.scoring.rules import Weights, context_from_query
from leadcore.scoring.scorer import Scorer, load_weights
from leadcore.work.routing import Router

__all__ = [
    "DUPLICATE_EXISTING",
    "DUPLICATE_IN_BATCH",
    "FILL_FIELDS",
    "INVALID",
    "NEW",
    "IntakeRules",
    "Outcome",
    "RowPlan",
    "SaveResult",
    "SearchContext",
    "plan_batch",
    "save_batch",
]

log = logging.getLogger(__name__)

_DEADLOCK_ATTEMPTS = 5
# First key of the two-key advisory lock that serializes save_batch per team (the second is the team id).
_SAVE_LOCK = 0x1EAD


@dataclass(frozen=True)
class IntakeRules:
    """The settings a batch is saved by: the scoring weights and the region a phone without a country code is in."""

    weights: Weights
    phone_region: str | None = None

    @classmethod
    def from_settings(cls, weights: Weights | None = None) -> IntakeRules:
        s = settings()
        return cls(weights or load_weights(s.scoring_weights_file or None), s.default_phone_region or None)


def save_batch(
    session: Session,
    actor: Actor,
    candidates: list[LeadCandidate],
    ctx: SearchContext,
    *,
    weights: Weights | None = None,
    rules: IntakeRules | None = None,
) -> SaveResult:
    """Save candidates inside the caller's transaction (the caller commits). See the module docstring. ``rules``
    default to the settings (``weights`` replaces just the scoring weights).

    On PostgreSQL, writers of one team take turns: the batch waits for the team's save lock (held until the
    caller's transaction ends), so it plans against everything saved before it. Without that, two writers whose
    batches hold the same people in different spellings (one knows an email, the other the LinkedIn of the same
    person) wait on each other's new keys and deadlock again and again. The unique indexes still back this up:
    the batch is first written the quick way (COPY straight into leads), and one that meets a key taken since its
    lookup (by an edit, which does not take the save lock) rolls back to its savepoint and runs again the careful
    way (ON CONFLICT). A batch that loses a deadlock anyway (against an edit holding a lead) runs again too. The
    caller never sees either.
    """
    rules = rules or IntakeRules.from_settings(weights)
    if not writes.is_postgresql(session):
        # SQLite has one writer at a time. Starting the transaction as a writer (BEGIN IMMEDIATE) makes this batch
        # wait its turn; a reader that turns writer after someone else wrote fails at once instead ("database is
        # locked"), and only the caller's retry of the whole transaction helps then.
        begin_write(session)
        return _save_batch_once(session, actor, candidates, ctx, rules, quick=False)
    session.execute(text("SELECT pg_advisory_xact_lock(:space, :team)"), {"space": _SAVE_LOCK, "team": actor.team_id})
    quick, attempt = True, 1
    while True:
        try:
            with session.begin_nested():
                return _save_batch_once(session, actor, candidates, ctx, rules, quick=quick)
        except _KeyTaken:
            log.info("a key of a batch of %d rows was taken since its lookup; saving it the careful way",
                     len(candidates))
            quick = False
        except (DBAPIError, psycopg.Error) as e:
            if attempt == _DEADLOCK_ATTEMPTS or not faults.is_locked(e):
                raise
            log.info("batch of %d rows lost a deadlock (attempt %d); planning it again", len(candidates), attempt)
            time.sleep(random.uniform(0.0, 0.05) * attempt)
            attempt += 1


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
    session: Session, actor: Actor, candidates: list[LeadCandidate], ctx: SearchContext, rules: IntakeRules,
    *, quick: bool,
) -> SaveResult:
    region = rules.phone_region
    scorer = Scorer(rules.weights, context_from_query(ctx.query, ctx.industry, ctx.location))
    plans, valid, index = plan_batch(session, actor.team_id, candidates)
    by_index = {r.index: r for r in valid}
    result = SaveResult(search_id=ctx.search_id, rows=plans)
    # Merge in-batch duplicates into their representative before anything is written.
    for plan in plans:
        if plan.outcome == DUPLICATE_IN_BATCH and plan.representative is not None:
            merging.fill_empty(by_index[plan.representative].candidate, by_index[plan.index].candidate)
    log_event = _Events(actor, ctx)
    # Insert new leads in a stable key order so concurrent writers take row locks in the same order.
    new_rows = sorted(
        (by_index[p.index] for p in plans if p.outcome == NEW),
        key=lambda r: (r.keys.email_norm or "", r.keys.linkedin_norm or "", r.keys.domain or "", r.keys.name_key or ""),
    )
    # A lead seen twice in one batch counts its copies like any later duplicate (and gets an event for each).
    copies = Counter(p.representative for p in plans if p.outcome == DUPLICATE_IN_BATCH)
    enc = writes.Encoder(session.get_bind().dialect, datetime.now(UTC))
    made = (writes.lead_row(actor.team_id, row.candidate, row.with_phone(region), ctx, scorer, enc, copies[row.index])
            for row in new_rows)
    router = Router.load_for(session, actor.team_id)  # the assignment rules' seam: an owner per new lead as it is made
    if router:
        made = (writes.routed(router, row.index, row.candidate, ctx, values)
                for row, values in zip(new_rows, made, strict=True))
    batch = _Batch(plans, by_index, index, region, log_event, result, ctx.source)
    if quick:
        states = _write_quickly(session, batch, new_rows, made)
    else:
        states = _write_carefully(session, actor, batch, new_rows, made)
    if ctx.search_id is not None:
        writes.record_fills(session, ctx.search_id, merging.fill_records(states.values()))
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
    by_index: dict[int, Row]
    index: lookup.Index
    region: str | None
    log_event: _Events
    result: SaveResult
    source: str

    def created(self, row: Row, lead_id: int) -> None:
        self.plans[row.index].lead_id = lead_id
        k = row.keys
        self.index.add(lookup.Existing(lead_id, row.candidate.type, k.email_norm, k.linkedin_norm, k.domain,
                                       k.name_key))
        self.log_event.add(lead_id, "created", {"source": self.source})

    def merges(self) -> tuple[list[tuple[RowPlan, Row]], set[int]]:
        """The rows to merge into an existing lead, and those that are a second copy of a lead this batch creates.
        Run once every new row has its id."""
        merges: list[tuple[RowPlan, Row]] = []
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


def _write_quickly(
    session: Session, batch: _Batch, new_rows: list[Row], made: Iterator[tuple[Any, ...]]
) -> dict[int, merging.LeadState]:
    """PostgreSQL's common case in as few round trips as the work allows: ids for the new leads from the sequence,
    the leads to merge into read and locked, the new leads COPYed straight into leads, then the merges written.
    While the server still inserts the rows in flight, the merges are worked out in memory. Each new row is made
    (scored, encoded) just before it is written, so the server inserts while the next rows are made.

    COPY knows no ON CONFLICT: a unique key taken since the lookup (by an edit, which does not take the team's save
    lock) fails it and raises _KeyTaken, and save_batch runs the batch again the careful way."""
    cursor = writes.driver_cursor(session)
    try:
        ids = writes.next_ids(cursor, len(new_rows)) if new_rows else []
        for row, lead_id in zip(new_rows, ids, strict=True):
            batch.created(row, lead_id)
        merges, in_batch = batch.merges()
        states = merging.lock_states(session, merges)

        def merge() -> dict[int, dict[str, Any]]:
            return merging.merge_in_memory(states, merges, batch.index)

        if ids:
            try:
                fills = writes.copy_leads(cursor, ids, made, merge)
            except psycopg.errors.UniqueViolation as e:
                raise _KeyTaken from e
        else:
            fills = merge()
    finally:
        cursor.close()
    batch.account(in_batch, merging.write_merged(session, merges, batch.index, states, fills))
    return states


def _write_carefully(
    session: Session, actor: Actor, batch: _Batch, new_rows: list[Row], made: Iterator[tuple[Any, ...]]
) -> dict[int, merging.LeadState]:
    """Every row settled by the unique indexes: a new lead that lost a race to a writer who saved it since the
    lookup becomes a duplicate of that lead, and a merge that hits a key taken meanwhile is redone lead by lead."""
    plans, index = batch.plans, batch.index
    new_ids = writes.insert_ignoring_conflicts(session, len(new_rows), made)
    for row, lead_id in zip(new_rows, new_ids, strict=True):
        if lead_id is not None:
            batch.created(row, lead_id)
            continue
        # Lost a race: someone else saved this lead since we looked. It is a duplicate after all.
        fresh = lookup.load_existing(session, actor.team_id, [[row]])
        hit = fresh.find(row.candidate.type, row.keys)
        if hit is None:
            raise RuntimeError("insert conflicted but no matching lead was found")  # pragma: no cover
        index.add(hit)
        plans[row.index].outcome, plans[row.index].lead_id = DUPLICATE_EXISTING, hit.id
    merges, in_batch = batch.merges()
    states = merging.lock_states(session, merges)
    fills = merging.merge_in_memory(states, merges, index)
    batch.account(in_batch, merging.write_merged(session, merges, index, states, fills))
    return states
