"""Small reads that feed the grid's filter widgets: the team's tags and source queries, most used first."""

from __future__ import annotations

from sqlalchemy import func, literal_column, select

from leadcore.accounts.actors import Actor
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Lead

MAX_OPTIONS = 500


def team_tags(uow: UnitOfWork, actor: Actor, *, limit: int = MAX_OPTIONS) -> list[str]:
    """Tags used on the team's active leads, most used first (ties by name)."""
    with uow:
        s = uow.session
        if uow.dialect == "postgresql":
            tag = func.unnest(Lead.tags).label("tag")
            inner = select(tag).where(Lead.team_id == actor.team_id, Lead.is_active.is_(True)).subquery()
            col = inner.c.tag
            q = select(col, func.count().label("n")).group_by(col)
        else:
            each = func.json_each(Lead.tags).table_valued("value")
            col = each.c.value
            q = (
                select(col, func.count().label("n"))
                .select_from(Lead)
                .join(each, literal_column("1") == literal_column("1"))
                .where(Lead.team_id == actor.team_id, Lead.is_active.is_(True))
                .group_by(col)
            )
        rows = s.execute(q.order_by(literal_column("n").desc(), col).limit(limit)).all()
    return [str(r[0]) for r in rows if r[0]]


def search_queries(uow: UnitOfWork, actor: Actor, *, limit: int = MAX_OPTIONS) -> list[str]:
    """Distinct source queries of the team's active leads, the ones with most leads first."""
    with uow:
        rows = uow.session.execute(
            select(Lead.search_query, func.count().label("n"))
            .where(Lead.team_id == actor.team_id, Lead.is_active.is_(True), Lead.search_query.is_not(None))
            .group_by(Lead.search_query)
            .order_by(literal_column("n").desc(), Lead.search_query)
            .limit(limit)
        ).all()
    return [r[0] for r in rows if r[0]]
