"""The "My work" page's lists: my overdue, today's and upcoming tasks, my new leads nobody has touched yet (oldest
first) and my leads that have gone quiet. Each list is one indexed query with a limit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadcore.accounts.actors import Actor
from leadcore.db.coltypes import aware_utc
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Lead
from leadcore.work.activities import Clock, utc_now
from leadcore.work.prefs import prefs_of
from leadcore.work.routing import OPEN_STATUSES
from leadcore.work.tasks import TaskRow, day_bounds, open_tasks_query, task_rows

LEADS_LIMIT = 50


@dataclass
class MyWork:
    overdue: list[TaskRow] = field(default_factory=list)
    today: list[TaskRow] = field(default_factory=list)
    upcoming: list[TaskRow] = field(default_factory=list)
    untouched: list[dict[str, Any]] = field(default_factory=list)
    quiet: list[dict[str, Any]] = field(default_factory=list)
    quiet_days: int = 7
    time_zone: str = "UTC"


def untouched_leads(s: Session, actor: Actor, *, limit: int = LEADS_LIMIT) -> list[dict[str, Any]]:
    """My NEW leads with no activity yet (no stored last touch), oldest first."""
    q = (select(Lead.id, Lead.lead_name, Lead.company, Lead.created_at)
         .where(Lead.team_id == actor.team_id, Lead.owner_id == actor.user_id, Lead.is_active, Lead.status == "NEW",
                Lead.last_touch_at.is_(None))
         .order_by(Lead.created_at, Lead.id).limit(limit))
    return [{"id": r.id, "lead_name": r.lead_name, "company": r.company, "created_at": aware_utc(r.created_at)}
            for r in s.execute(q)]


def quiet_leads(s: Session, actor: Actor, *, cutoff: datetime, limit: int = LEADS_LIMIT) -> list[dict[str, Any]]:
    """My open leads touched at least once whose last touch is before ``cutoff``, quietest first (read in that
    order from ``ix_leads_team_owner_last_touch``)."""
    q = (select(Lead.id, Lead.lead_name, Lead.company, Lead.status, Lead.last_touch_at)
         .where(Lead.team_id == actor.team_id, Lead.owner_id == actor.user_id, Lead.is_active,
                Lead.last_touch_at.is_not(None), Lead.last_touch_at < cutoff, Lead.status.in_(OPEN_STATUSES))
         .order_by(Lead.last_touch_at, Lead.id).limit(limit))
    return [{"id": r.id, "lead_name": r.lead_name, "company": r.company, "status": r.status,
             "last_touch": aware_utc(r.last_touch_at)} for r in s.execute(q)]


def my_work(uow: UnitOfWork, actor: Actor, *, clock: Clock = utc_now) -> MyWork:
    """Everything on the actor's plate now, in their time zone."""
    now = clock()
    with uow:
        uow.reading()
        s = uow.session
        prefs = prefs_of(s, actor.user_id)
        out = MyWork(quiet_days=prefs.quiet_days, time_zone=prefs.time_zone)
        if actor.user_id is None:
            return out
        zone = prefs.zone
        _, end = day_bounds(now, zone)
        out.overdue = task_rows(s, open_tasks_query(actor.user_id, actor.team_id, None, now), now, zone)
        out.today = task_rows(s, open_tasks_query(actor.user_id, actor.team_id, now, end), now, zone)
        out.upcoming = task_rows(s, open_tasks_query(actor.user_id, actor.team_id, end, None), now, zone)
        out.untouched = untouched_leads(s, actor)
        out.quiet = quiet_leads(s, actor, cutoff=now - timedelta(days=prefs.quiet_days))
    return out
