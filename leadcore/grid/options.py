"""Small reads that feed the grid's filter widgets: the team's tags and source queries, most used first."""

from __future__ import annotations

from sqlalchemy import func, literal_column, select

from leadcore.accounts.actors import Actor
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Lead, LeadRollup

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
    """Distinct source queries of the team's active leads, the ones with most leads first. Summed from
    ``lead_rollup``, which counts the active leads by source query (a lead without one under ''): a few thousand
    rows at 1M leads instead of every lead (3 ms against 400 ms on PostgreSQL)."""
    n = func.sum(LeadRollup.n)
    with uow:
        rows = uow.session.execute(
            select(LeadRollup.search_query, n.label("n"))
            .where(LeadRollup.team_id == actor.team_id, LeadRollup.search_query != "")
            .group_by(LeadRollup.search_query)
            .having(n > 0)
            .order_by(n.desc(), LeadRollup.search_query)
            .limit(limit)
        ).all()
    return [r[0] for r in rows]
