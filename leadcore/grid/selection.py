"""A whole filter as one thing: its exact count and its lead ids, for bulk actions on "everything matching"."""

from __future__ import annotations

from sqlalchemy import func, select

from leadcore.accounts.actors import Actor
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Lead
from leadcore.errors import InvalidInput
from leadcore.grid.clauses import filter_clause
from leadcore.grid.filters import LeadFilters


def count_matching(uow: UnitOfWork, actor: Actor, filters: LeadFilters) -> int:
    """The exact number of leads matching ``filters`` (a full count: for a bulk action's confirmation, where the
    page's total was only an estimate)."""
    with uow:
        s = uow.session
        return int(s.scalar(select(func.count()).select_from(Lead).where(
            filter_clause(s, actor, filters.validated()))) or 0)


def iter_filtered_ids(uow: UnitOfWork, actor: Actor, filters: LeadFilters, *, max_ids: int = 100_000) -> list[int]:
    """Ids of every lead matching the filter (for bulk actions on "the whole filter")."""
    with uow:
        s = uow.session
        q = select(Lead.id).where(filter_clause(s, actor, filters.validated())).order_by(Lead.id).limit(max_ids + 1)
        ids = list(s.scalars(q))
    if len(ids) > max_ids:
        raise InvalidInput(f"The filter matches more than {max_ids:,} leads; narrow it for a bulk action")
    return ids
