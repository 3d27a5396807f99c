"""Where the Analytics page's counts come from: the rollups, counters kept by triggers on both engines.

Each source has the same columns, already narrowed to the actor's team and the page's filters, with a count ``n`` per
row, so every analytics query is written once as sums over them:

- ``leads``: ``day`` (UTC day created), ``owner_id`` (0 = unassigned), ``type``, ``status``, ``imported``,
  ``search_query`` ('' = none), ``n`` and ``score_sum``;
- ``scores``: ``score`` and ``n``;
- ``events``: ``user_id``, ``kind`` and ``n`` for events users recorded from ``since`` (a UTC day) on.

They read ``lead_rollup``, ``lead_score_rollup`` and ``event_rollup``, which triggers keep up to date in the writing
transaction (PostgreSQL: statement triggers, migration 0003; SQLite: row triggers, migration 0025): a few thousand
rows per team instead of every lead, so the page costs about the same at a hundred thousand leads as at a thousand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery
from sqlalchemy.sql.elements import ColumnElement

from leadcore.accounts.actors import Actor
from leadcore.db.models import EventRollup, LeadRollup, LeadScoreRollup
from leadcore.grid.clauses import filter_clause
from leadcore.grid.filters import LeadFilters


@dataclass(frozen=True)
class Facts:
    """The filtered sources of one analytics read (see the module docstring)."""

    leads: Subquery
    scores: Subquery
    where: ColumnElement[bool]  # the grid's clause for the same leads (reads that need lead columns)
    team_id: int

    def events(self, session: Session, since: date) -> Subquery:
        r = EventRollup
        return select(r.user_id, r.kind, r.n).where(r.team_id == self.team_id, r.day >= since).subquery()


def facts(session: Session, actor: Actor, f: LeadFilters) -> Facts:
    """The sources for ``f`` (created range, owners and types; the grid's validated filter)."""
    if f != LeadFilters(created_from=f.created_from, created_to=f.created_to, owner_ids=f.owner_ids, types=f.types):
        raise ValueError("analytics filter only by created range, owners and types")  # all the rollups can key
    return Facts(leads=_rollup(LeadRollup, actor, f, LeadRollup.search_query, LeadRollup.status,
                               LeadRollup.imported, LeadRollup.n, LeadRollup.score_sum),
                 scores=_rollup(LeadScoreRollup, actor, f, LeadScoreRollup.score, LeadScoreRollup.n),
                 where=filter_clause(session, actor, f), team_id=actor.team_id)


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
