"""The "My work" page's lists: my overdue, today's and upcoming tasks, my new leads nobody has touched yet (oldest
first) and my leads that have gone quiet. Each list is an indexed read with a limit: the page shows the first PAGE
rows of each and says when there are more. The three task lists come in one statement, and every statement is
built once per process (``leadcore.db.prepared``): building them was most of the page's time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Integer, Select, bindparam, literal, select, union_all

from leadcore.accounts.actors import Actor
from leadcore.db.coltypes import aware_utc
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Lead
from leadcore.db.prepared import run
from leadcore.work.activities import Clock, utc_now
from leadcore.work.prefs import prefs_of
from leadcore.work.routing import OPEN_STATUSES
from leadcore.work.tasks import LIST_LIMIT, TaskRow, day_bounds, due_window, open_tasks_query, task_row

PAGE = 50  # rows a list shows first; "show more" asks for PAGE more, up to tasks.LIST_LIMIT
TASK_LISTS = ("overdue", "today", "upcoming")
LISTS = (*TASK_LISTS, "untouched", "quiet")


@dataclass
class MyWork:
    overdue: list[TaskRow] = field(default_factory=list)
    today: list[TaskRow] = field(default_factory=list)
    upcoming: list[TaskRow] = field(default_factory=list)
    untouched: list[dict[str, Any]] = field(default_factory=list)
    quiet: list[dict[str, Any]] = field(default_factory=list)
    quiet_days: int = 7
    time_zone: str = "UTC"
    more: set[str] = field(default_factory=set)  # the lists that hold more rows than they show

    def count_label(self, name: str) -> str:
        """How many rows list ``name`` shows, "50+" when it holds more."""
        return f"{len(getattr(self, name))}{'+' if name in self.more else ''}"


def _limit(name: str) -> Any:
    return bindparam(f"limit_{name}", type_=Integer)


def _task_lists() -> Select[Any]:
    """The three due lists of one assignee, each a bounded read of the open-tasks index, tagged with its list:
    overdue (due before ``now``), today (before ``day_end``) and upcoming."""
    parts = []
    for rank, name in enumerate(TASK_LISTS):
        window = due_window(name, bindparam("now"), bindparam("day_end"))
        one = open_tasks_query(bindparam("user_id"), bindparam("team_id"), *window, limit=_limit(name)).subquery(name)
        parts.append(select(*one.c, literal(rank).label("list_rank")))
    tagged = union_all(*parts).subquery("tagged")
    return select(*tagged.c).order_by(tagged.c.list_rank, tagged.c.due_at, tagged.c.id)


def _untouched() -> Select[Any]:
    """My NEW leads with no activity yet (no stored last touch), oldest first."""
    columns: tuple[Any, ...] = (Lead.id, Lead.lead_name, Lead.company, Lead.created_at)
    return (select(*columns)
            .where(Lead.team_id == bindparam("team_id"), Lead.owner_id == bindparam("user_id"), Lead.is_active,
                   Lead.status == "NEW", Lead.last_touch_at.is_(None))
            .order_by(Lead.created_at, Lead.id).limit(_limit("untouched")))


def _quiet() -> Select[Any]:
    """My open leads touched at least once whose last touch is before ``quiet_before``, quietest first (read in
    that order from ``ix_leads_team_owner_last_touch``)."""
    columns: tuple[Any, ...] = (Lead.id, Lead.lead_name, Lead.company, Lead.status, Lead.last_touch_at)
    return (select(*columns)
            .where(Lead.team_id == bindparam("team_id"), Lead.owner_id == bindparam("user_id"), Lead.is_active,
                   Lead.last_touch_at.is_not(None), Lead.last_touch_at < bindparam("quiet_before"),
                   Lead.status.in_([literal(s) for s in OPEN_STATUSES]))
            .order_by(Lead.last_touch_at, Lead.id).limit(_limit("quiet")))


def my_work(uow: UnitOfWork, actor: Actor, *, clock: Clock = utc_now, shown: Mapping[str, int] | None = None
            ) -> MyWork:
    """Everything on the actor's plate now, in their time zone. ``shown`` raises how many rows a list shows (from
    PAGE, up to tasks.LIST_LIMIT); ``more`` names the lists that hold more than they show."""
    now = clock()
    limits = {name: max(PAGE, min(int((shown or {}).get(name, PAGE)), LIST_LIMIT)) for name in LISTS}
    with uow:
        uow.reading()
        s = uow.session
        prefs = prefs_of(s, actor.user_id)
        out = MyWork(quiet_days=prefs.quiet_days, time_zone=prefs.time_zone)
        if actor.user_id is None:
            return out
        v: dict[str, Any] = {"user_id": actor.user_id, "team_id": actor.team_id, "now": now,
                             "day_end": day_bounds(now, prefs.zone)[1],
                             "quiet_before": now - timedelta(days=prefs.quiet_days),
                             **{f"limit_{name}": n + 1 for name, n in limits.items()}}  # one more: are there more?
        lists: dict[str, list[Any]] = {name: [] for name in LISTS}
        for row in run(s, ("my-work-tasks",), _task_lists, v):
            name = TASK_LISTS[row["list_rank"]]
            lists[name].append(task_row(row, now, prefs.zone, name))
        lists["untouched"] = [{**r, "created_at": aware_utc(r["created_at"])}
                              for r in run(s, ("my-work-untouched",), _untouched, v)]
        lists["quiet"] = [{"id": r["id"], "lead_name": r["lead_name"], "company": r["company"], "status": r["status"],
                           "last_touch": aware_utc(r["last_touch_at"])}
                          for r in run(s, ("my-work-quiet",), _quiet, v)]
    for name, rows in lists.items():
        if len(rows) > limits[name]:
            out.more.add(name)
        setattr(out, name, rows[:limits[name]])
    return out
