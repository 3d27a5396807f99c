"""Follow-up tasks on leads: title, due time, assignee (by default the lead's owner); completed or snoozed.

"Today" is the assignee's own calendar day in their time zone (:mod:`leadcore.work.prefs`): a task due at 23:30 in
Berlin is due today there, whatever UTC says, and a day across a DST change is 23 or 25 hours long.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from leadcore import events
from leadcore.accounts.actors import Actor, ensure_visible
from leadcore.db.coltypes import aware_utc
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Lead, LeadTask, User
from leadcore.errors import InvalidInput, NotFound, PermissionDenied
from leadcore.inputs import has_nul
from leadcore.work.activities import Clock, lead_for_work, utc_now
from leadcore.work.prefs import zone_of

TaskQuery: TypeAlias = ("Select[int, int, str | None, str | None, str, datetime, int | None, datetime | None, "
                         "int]")
DUE = ("overdue", "today", "upcoming", "all")
TITLE_MAX = 500
LIST_LIMIT = 200


def day_bounds(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The start and end (exclusive) of ``now``'s calendar day in ``zone``, in UTC."""
    local = now.astimezone(zone).date()
    start = datetime.combine(local, time(0), tzinfo=zone)
    end = datetime.combine(local + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def bucket(due_at: datetime, now: datetime, zone: ZoneInfo) -> str:
    """"overdue" (due before now), "today" (later today in ``zone``) or "upcoming"."""
    due_at = aware_utc(due_at)
    if due_at < now:
        return "overdue"
    return "today" if due_at < day_bounds(now, zone)[1] else "upcoming"


@dataclass(frozen=True)
class TaskRow:
    id: int
    lead_id: int
    lead_name: str | None
    company: str | None
    title: str
    due_at: datetime
    assignee_id: int | None
    done_at: datetime | None
    snoozed: int
    bucket: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise InvalidInput("Say what to do (a title)", field="title")
    if len(title) > TITLE_MAX or has_nul(title):
        raise InvalidInput(f"The title must be plain text of at most {TITLE_MAX} characters", field="title")
    return title


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise InvalidInput("Give the time with its time zone (e.g. 2026-03-01T10:00:00+01:00)", field=field)
    return value.astimezone(UTC)


def _assignee(s: Session, actor: Actor, lead: Lead, assignee_id: int | None) -> int:
    if assignee_id is None:
        assignee_id = lead.owner_id or actor.user_id
    if assignee_id is None:
        raise InvalidInput("Say who should do it", field="assignee_id")
    if not actor.is_manager and assignee_id not in (actor.user_id, lead.owner_id):
        raise PermissionDenied("Only a manager can give a task to someone else")
    user = s.get(User, assignee_id)
    if user is None or user.team_id != actor.team_id:
        raise InvalidInput(f"User {assignee_id} is not in your team", field="assignee_id")
    if not user.is_active:
        raise InvalidInput(f"{user.display_name} is deactivated; pick someone active", field="assignee_id")
    return assignee_id


def create_task(uow: UnitOfWork, actor: Actor, lead_id: int, *, title: str, due_at: datetime,
                assignee_id: int | None = None) -> dict[str, Any]:
    """A follow-up on a lead the actor can see; the assignee is the lead's owner unless said otherwise."""
    title, due = _clean_title(title), _aware(due_at, "due_at")
    with uow:
        s = uow.session
        lead = lead_for_work(s, actor, lead_id, edit=False)
        who = _assignee(s, actor, lead, assignee_id)
        task = LeadTask(lead_id=lead_id, team_id=lead.team_id, assignee_id=who, created_by=actor.user_id,
                        title=title, due_at=due, snoozed=0)
        s.add(task)
        s.flush()
        events.record(s, lead_id=lead_id, team_id=lead.team_id, kind="task_created", actor=actor,
                      data={"task_id": task.id, "title": title, "due_at": due.isoformat(), "assignee_id": who})
        out = {"id": task.id, "lead_id": lead_id, "title": title, "due_at": due, "assignee_id": who,
               "done_at": None, "snoozed": 0}
        uow.commit()
    return out


def _task_for(s: Session, actor: Actor, task_id: int) -> LeadTask:
    task = s.get(LeadTask, task_id, with_for_update=s.get_bind().dialect.name == "postgresql")
    if task is None:
        raise NotFound(f"Task {task_id} was not found")
    ensure_visible(actor, task.team_id, "Task", task_id)
    if not actor.is_manager and actor.user_id not in (task.assignee_id, task.created_by):
        raise PermissionDenied("Only the task's assignee, its author or a manager can change it")
    return task


def complete_task(uow: UnitOfWork, actor: Actor, task_id: int, *, clock: Clock = utc_now) -> None:
    """Mark a task done (done twice is still done once)."""
    with uow:
        s = uow.session
        task = _task_for(s, actor, task_id)
        if task.done_at is None:
            task.done_at = clock()
            events.record(s, lead_id=task.lead_id, team_id=task.team_id, kind="task_done", actor=actor,
                          data={"task_id": task.id, "title": task.title})
        uow.commit()


def snooze_task(uow: UnitOfWork, actor: Actor, task_id: int, *, until: datetime, clock: Clock = utc_now) -> None:
    """Move an open task's due time to ``until`` (in the future)."""
    until = _aware(until, "until")
    if until <= clock():
        raise InvalidInput("Snooze until a time in the future", field="until")
    with uow:
        s = uow.session
        task = _task_for(s, actor, task_id)
        if task.done_at is not None:
            raise InvalidInput("This task is done already", field="until")
        task.due_at, task.snoozed = until, task.snoozed + 1
        uow.commit()


# A task list reads plain columns, not LeadTask objects: My work shows three lists of up to 200, and building
# ORM objects was most of their time (the statements themselves take about 0.5 ms each).
_TASK_COLUMNS = (LeadTask.id, LeadTask.lead_id, Lead.lead_name, Lead.company, LeadTask.title, LeadTask.due_at,
                 LeadTask.assignee_id, LeadTask.done_at, LeadTask.snoozed)


def _tasks_select() -> TaskQuery:
    return select(*_TASK_COLUMNS).join(Lead, Lead.id == LeadTask.lead_id)


def task_row(row: Mapping[Any, Any], now: datetime, zone: ZoneInfo, known_bucket: str | None = None) -> TaskRow:
    """A row of ``_TASK_COLUMNS`` (by name) as a TaskRow; ``known_bucket`` when the query already decided it."""
    due, done_at = aware_utc(row["due_at"]), aware_utc(row["done_at"])
    return TaskRow(row["id"], row["lead_id"], row["lead_name"], row["company"], row["title"], due,
                   row["assignee_id"], done_at, row["snoozed"],
                   "done" if done_at else known_bucket or bucket(due, now, zone))


def task_rows(s: Session, q: TaskQuery, now: datetime, zone: ZoneInfo) -> list[TaskRow]:
    return [task_row(r._mapping, now, zone) for r in s.execute(q)]


def due_window(due: str, now: Any, day_end: Any) -> tuple[Any, Any]:
    """The [lo, hi) due times of a ``due`` list ("overdue", "today", "upcoming" or "all"), given ``now`` and the
    end of the assignee's day (``day_bounds``); values or bound parameters (My work's statement is built once)."""
    return {"overdue": (None, now), "today": (now, day_end), "upcoming": (day_end, None), "all": (None, None)}[due]


def open_tasks_query(assignee_id: Any, team_id: Any, lo: Any, hi: Any, *, limit: Any = LIST_LIMIT) -> TaskQuery:
    """One assignee's open tasks due in [lo, hi), in due order (the open-tasks index). Each argument is a value or a
    bound parameter (My work builds the statement once, see ``leadcore.db.prepared``)."""
    q = (_tasks_select()
         .where(LeadTask.assignee_id == assignee_id, LeadTask.done_at.is_(None), LeadTask.team_id == team_id,
                Lead.is_active))
    if lo is not None:
        q = q.where(LeadTask.due_at >= lo)
    if hi is not None:
        q = q.where(LeadTask.due_at < hi)
    return q.order_by(LeadTask.due_at, LeadTask.id).limit(limit)


def list_tasks(uow: UnitOfWork, actor: Actor, *, assignee_id: int | None = None, due: str = "all",
               lead_id: int | None = None, clock: Clock = utc_now) -> list[TaskRow]:
    """Open tasks of one teammate (default: the actor) filtered by ``due``, or every task of one lead."""
    if due not in DUE:
        raise InvalidInput(f"due must be one of {', '.join(DUE)}", field="due")
    now = clock()
    with uow:
        uow.reading()
        s = uow.session
        if lead_id is not None:
            lead_for_work(s, actor, lead_id, edit=False)
            q = (_tasks_select().where(LeadTask.lead_id == lead_id)
                 .order_by(LeadTask.done_at.is_not(None), LeadTask.due_at, LeadTask.id).limit(LIST_LIMIT))
            return task_rows(s, q, now, zone_of(s, actor.user_id))
        who = assignee_id if assignee_id is not None else actor.user_id
        user = s.get(User, who) if who is not None else None
        if user is None or user.team_id != actor.team_id:
            raise NotFound(f"User {who} was not found")
        zone = zone_of(s, user.id)
        window = due_window(due, now, day_bounds(now, zone)[1])
        return task_rows(s, open_tasks_query(user.id, actor.team_id, *window), now, zone)


def open_task_counts(s: Session, team_id: int, now: datetime) -> dict[int, int]:
    """Overdue open tasks per assignee of a team (analytics)."""
    q = (select(LeadTask.assignee_id, func.count()).where(and_(LeadTask.team_id == team_id,
                                                                LeadTask.done_at.is_(None), LeadTask.due_at < now))
         .group_by(LeadTask.assignee_id))
    return {int(u): int(n) for u, n in s.execute(q) if u is not None}
