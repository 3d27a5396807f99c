"""Per-rep numbers: for each owner, the leads they own and how far they got, their activities and follow-ups, and
how quickly they first touch a lead. Managers read their team; a rep reads only their own row.

Every figure is an SQL aggregate grouped by user (the median too: a window numbers each owner's first-touch times
and the middle one or two are averaged in SQL), so Python only zips a few rows per person.

Definitions:

- *leads owned*: active leads of the team the person owns (narrowed by the page's filters when given);
- *touched*: of those, leads with at least one logged activity (by anyone);
- *conversion*: of those, the share whose status is QUALIFIED or IMPORTED;
- *median hours to first touch*: over the owned leads that were touched, hours from creation to the first activity;
- *activities*: activities the person logged on a lead from ``since`` on;
- *tasks done*: follow-ups assigned to them completed from ``since`` on; *overdue*: open ones due before ``now``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Float, and_, cast, extract, func, or_, select
from sqlalchemy.orm import Session

from leadcore.accounts.actors import Actor
from leadcore.analytics.facts import Facts
from leadcore.analytics.facts import facts as facts_for
from leadcore.analytics.queries import as_float, team_users, utc
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Lead, LeadActivity, LeadTask
from leadcore.errors import InvalidInput
from leadcore.grid.filters import LeadFilters
from leadcore.work.activities import first_touches

CONVERTED = ("QUALIFIED", "IMPORTED")


def _hours(later: Any, earlier: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return extract("epoch", later - earlier) / 3600.0
    return (func.julianday(later) - func.julianday(earlier)) * 24.0


def per_rep_rows(session: Session, actor: Actor, *, dialect: str, since: date, now: datetime, facts: Facts,
                 user_ids: tuple[int, ...] | None = None) -> list[dict[str, Any]]:
    """One row per team member (a rep: only themself; ``user_ids`` narrows further), by name. ``facts``: the leads
    the figures are about (the page's filters, or all the team's active leads) and where owned leads are counted
    (the rollups, on both engines: the same cost at a million leads as at a thousand)."""
    if not actor.is_manager:
        user_ids = (actor.user_id,) if actor.user_id is not None else ()
    people = team_users(session, actor.team_id, user_ids=user_ids)
    if not people:
        return []
    ids = [p["user_id"] for p in people]
    start = datetime.combine(since, time.min, tzinfo=UTC)

    src = facts.leads.c
    owned_q = (select(src.owner_id, func.sum(src.n), func.sum(src.n).filter(src.status.in_(CONVERTED)))
               .where(src.owner_id.in_(ids)).group_by(src.owner_id))
    owned = {o: (int(n or 0), int(c or 0)) for o, n, c in session.execute(owned_q).all()}
    # One pass over the touched leads (each lead's first activity with its lead) gives both the number touched per
    # owner (the window's count) and the median hours to first touch (the middle one or two).
    touch = first_touches(actor.team_id, and_(facts.where, Lead.owner_id.in_(ids)), Lead.owner_id, Lead.created_at,
                          dialect=dialect)
    hours = _hours(touch.c.first_at, touch.c.created_at, dialect)
    ranked = (select(touch.c.owner_id.label("owner_id"), hours.label("h"),
                     func.row_number().over(partition_by=touch.c.owner_id, order_by=hours).label("rn"),
                     func.count().over(partition_by=touch.c.owner_id).label("cnt"))
              .subquery())
    middle = or_(ranked.c.rn == (ranked.c.cnt + 1) // 2, ranked.c.rn == (ranked.c.cnt + 2) // 2)
    touched: dict[Any, Any] = {}
    medians: dict[Any, Any] = {}
    for owner, cnt, median in session.execute(
            select(ranked.c.owner_id, func.max(ranked.c.cnt), func.avg(cast(ranked.c.h, Float)).filter(middle))
            .group_by(ranked.c.owner_id)).all():
        touched[owner], medians[owner] = cnt, median

    acts = dict(session.execute(
        select(LeadActivity.user_id, func.count())
        .where(LeadActivity.team_id == actor.team_id, LeadActivity.user_id.in_(ids), LeadActivity.occurred_at >= start)
        .group_by(LeadActivity.user_id)).all())
    tasks = {a: (done, late) for a, done, late in session.execute(
        select(LeadTask.assignee_id,
               func.count().filter(LeadTask.done_at >= start),
               func.count().filter(LeadTask.done_at.is_(None), LeadTask.due_at < now))
        .where(LeadTask.team_id == actor.team_id, LeadTask.assignee_id.in_(ids))
        .group_by(LeadTask.assignee_id)).all()}

    out = []
    for p in people:
        uid = p["user_id"]
        n, converted = owned.get(uid, (0, 0))
        hit = int(touched.get(uid, 0))
        done, late = tasks.get(uid, (0, 0))
        median = medians.get(uid)
        out.append({**p, "leads_owned": n, "touched": hit, "untouched": max(0, n - hit),
                    "activities": int(acts.get(uid, 0)), "tasks_done": int(done or 0),
                    "tasks_overdue": int(late or 0), "converted": converted,
                    "conversion": round(converted / n, 4) if n else None,
                    "median_first_touch_hours": as_float(max(0.0, float(median)), 1) if median is not None else None})
    return out


def per_rep(uow: UnitOfWork, actor: Actor, *, days: int = 30, now: datetime | None = None) -> list[dict[str, Any]]:
    """The per-rep table over the team's active leads, activity and tasks of the last ``days`` days (UTC days)."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3_660:
        raise InvalidInput("days must be a whole number from 1 to 3,660", field="days")
    moment = utc(now)
    since = moment.date().fromordinal(moment.date().toordinal() - (days - 1))
    with uow:
        uow.reading()
        return per_rep_rows(uow.session, actor, dialect=uow.dialect, since=since, now=moment,
                            facts=facts_for(uow.session, actor, LeadFilters()))


__all__ = ["per_rep", "per_rep_rows"]
