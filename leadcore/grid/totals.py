"""How many leads a grid filter matches: exact whenever that is cheap, otherwise "about N" from a real estimate.

In order of cost:

1. The page's own statement counts up to ``PAGE_COUNT`` matches in the same snapshot (``count_upto``): a small
   team's or a narrow filter's total costs nothing extra.
2. A filter the analytics rollups key (status, type, owner, created days, imported, source query;
   or status, type, owner, created days and a score range) is summed from ``lead_rollup`` or ``lead_score_rollup``,
   which triggers keep exact in every writing transaction (on both engines): exact at any size.
3. On PostgreSQL, any other filter is counted exactly up to ``EXACT_BUDGET`` matches (an index-only count,
   bounded); a free-text search up to ``SEARCH_BUDGET`` (each match is a row to recheck), and only when it is
   expected to stay under it (``grid.search.search_total``).
4. Past that, PostgreSQL's planner estimate ("about 480,000"), or for a common search term a fixed sample of the
   team's leads: never a fixed cap. SQLite (the single-user default) has no such estimate: past the page's own
   count it counts every match of a filter the rollups do not key at once (a search's first page counts them in
   its own statement).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from leadcore.db.models import Lead, LeadRollup, LeadScoreRollup
from leadcore.grid.filters import LeadFilters

PAGE_COUNT = 1_000
EXACT_BUDGET = 100_000
SEARCH_BUDGET = 5_000  # PostgreSQL free-text search: each match costs a trigram recheck, so a smaller budget


def count_upto(where: ColumnElement[bool], cap: int) -> Select[Any]:
    """The number of matches, counting stops after ``cap + 1``."""
    hits = select(literal(1)).select_from(Lead).where(where).limit(cap + 1).subquery()
    return select(func.count()).select_from(hits)


def capped(n: int, cap: int) -> tuple[int, bool]:
    """``(n, False)``, or ``(cap, True)`` when ``n`` went past the cap."""
    return (cap, True) if n > cap else (n, False)


def capped_count(session: Session, where: ColumnElement[bool], cap: int) -> tuple[int, bool]:
    return capped(int(session.connection().scalar(count_upto(where, cap)) or 0), cap)


def _rollup_for(f: LeadFilters) -> Any:
    """The rollup that holds the exact count of ``f``, or None: ``lead_rollup`` counts active leads by status, type,
    owner, created day, imported and source query; ``lead_score_rollup`` by status, type, owner, created day and
    score (migration 0023), so a score range is exact there when no import or source filter is set."""
    if f.deleted or f.tags or f.q or f.search_id is not None:
        return None
    if f.score_min is None and f.score_max is None:
        return LeadRollup
    return LeadScoreRollup if f.imported is None and not f.search_query else None


def rollup_keyed(f: LeadFilters) -> bool:
    """Whether a rollup holds the exact count of ``f``."""
    return _rollup_for(f) is not None


def rollup_total(session: Session, team_id: int, f: LeadFilters) -> int:
    """The exact number of active leads matching a rollup-keyed ``f``."""
    r = _rollup_for(f)
    conds: list[ColumnElement[bool]] = [r.team_id == team_id]
    if f.statuses:
        conds.append(r.status.in_(f.statuses))
    if f.types:
        conds.append(r.type.in_(f.types))
    if f.owner_ids:
        conds.append(r.owner_id.in_(f.owner_ids))  # 0 is stored for unassigned, as the filter spells it
    if f.created_from:
        conds.append(r.day >= f.created_from)
    if f.created_to:
        conds.append(r.day <= f.created_to)
    if f.imported is not None:
        conds.append(r.imported.is_(f.imported))
    if f.search_query:
        conds.append(r.search_query == f.search_query)
    if f.score_min is not None:
        conds.append(r.score >= f.score_min)
    if f.score_max is not None:
        conds.append(r.score <= f.score_max)
    return int(session.scalar(select(func.coalesce(func.sum(r.n), 0)).where(*conds)) or 0)


def about(estimate: float, at_least: int) -> int:
    """A planner estimate as people read one: two significant figures, never below what was already seen."""
    n = max(int(estimate), at_least)
    digits = max(len(str(n)) - 2, 0)
    return max(round(n, -digits), at_least)
