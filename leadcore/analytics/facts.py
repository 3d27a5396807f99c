"""Where the Analytics page's counts come from: the rollups on PostgreSQL, the leads themselves on SQLite.

Both give the same columns, already narrowed to the actor's team and the page's filters, with a count ``n`` per
row, so every analytics query is written once as sums over them:

- ``leads``: ``day`` (UTC day created), ``owner_id`` (0 = unassigned), ``type``, ``status``, ``imported``,
  ``search_query`` ('' = none), ``n`` and ``score_sum``;
- ``scores``: ``score`` and ``n``;
- ``events``: ``user_id``, ``kind`` and ``n`` for events users recorded from ``since`` (a UTC day) on.

On PostgreSQL these read ``lead_rollup``, ``lead_score_rollup`` and ``event_rollup``, which triggers keep up to date
in the writing transaction (migration 0003): a few thousand rows per team instead of every lead, so the page costs
the same at a million leads as at a thousand. On SQLite (the single-user default, 100,000 leads at most) a pass
over the grid's covering index is fast enough and needs no triggers on every write; the rows there are the leads,
each with ``n`` = 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Date, and_, func, literal, or_, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery
from sqlalchemy.sql.elements import ColumnElement

from leadcore.accounts.actors import Actor
from leadcore.db.models import EventRollup, Lead, LeadEvent, LeadRollup, LeadScoreRollup
from leadcore.grid.clauses import filter_clause
from leadcore.grid.filters import UNASSIGNED, LeadFilters


@dataclass(frozen=True)
class Facts:
    """The filtered sources of one analytics read (see the module docstring)."""

    leads: Subquery
    scores: Subquery
    where: ColumnElement[bool]  # the grid's clause for the same leads (reads that need lead columns)
    team_id: int
    rollups: bool

    def events(self, session: Session, since: date) -> Subquery:
        if self.rollups:
            r = EventRollup
            return select(r.user_id, r.kind, r.n).where(r.team_id == self.team_id, r.day >= since).subquery()
        e = LeadEvent
        start = datetime.combine(since, time.min, tzinfo=UTC)
        return (
            select(e.user_id, e.kind, literal(1).label("n"))
            .where(e.team_id == self.team_id, e.created_at >= start, e.user_id.is_not(None))
            .subquery()
        )


def facts(session: Session, actor: Actor, f: LeadFilters) -> Facts:
    """The sources for ``f`` (created range, owners and types; the grid's validated filter)."""
    if f != LeadFilters(created_from=f.created_from, created_to=f.created_to, owner_ids=f.owner_ids, types=f.types):
        raise ValueError("analytics filter only by created range, owners and types")  # all the rollups can key
    where = filter_clause(session, actor, f)
    if session.get_bind().dialect.name == "postgresql":
        return Facts(leads=_rollup(LeadRollup, actor, f, LeadRollup.search_query, LeadRollup.status,
                                   LeadRollup.imported, LeadRollup.n, LeadRollup.score_sum),
                     scores=_rollup(LeadScoreRollup, actor, f, LeadScoreRollup.score, LeadScoreRollup.n),
                     where=where, team_id=actor.team_id, rollups=True)
    day = type_coerce(func.substr(Lead.created_at, 1, 10), Date)  # leadcore writes UTC "YYYY-MM-DD HH:MM:SS…"
    rows = select(
        day.label("day"),
        func.coalesce(Lead.owner_id, UNASSIGNED).label("owner_id"),
        Lead.type,
        Lead.status,
        Lead.imported,
        func.coalesce(Lead.search_query, "").label("search_query"),
        # "+ 0": grouping by the bare column would make SQLite walk ix_leads_team_score and read every lead's row
        # instead of the covering grid index.
        (Lead.lead_score + 0).label("score"),
        Lead.lead_score.label("score_sum"),
        literal(1).label("n"),
    ).where(where).subquery()
    return Facts(leads=rows, scores=rows, where=where, team_id=actor.team_id, rollups=False)


def _rollup(table: Any, actor: Actor, f: LeadFilters, *columns: Any) -> Subquery:
    conds: list[ColumnElement[bool]] = [table.team_id == actor.team_id]
    if f.created_from:
        conds.append(table.day >= f.created_from)
    if f.created_to:
        conds.append(table.day <= f.created_to)
    if f.owner_ids:
        conds.append(table.owner_id.in_(f.owner_ids))  # 0 is stored for unassigned, as the filter spells it
    if f.types:
        conds.append(table.type.in_(f.types))
    return select(table.day, table.owner_id, table.type, *columns).where(and_(*conds)).subquery()


def no_query(column: Any) -> ColumnElement[bool]:
    """True for leads found without a search query ('' in the sources)."""
    return or_(column == "", column.is_(None))
