"""Follow-up tasks: "today" is the assignee's own day (time zones, DST), and the lists My work shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from leadcore import events
from leadcore.db.models import Lead
from leadcore.db.runtime import Database
from leadcore.errors import InvalidInput, PermissionDenied
from leadcore.work import mywork, prefs, tasks
from leadcore.work.activities import log_activity

BERLIN = ZoneInfo("Europe/Berlin")


def at(*args: int, tz: Any = UTC) -> datetime:
    return datetime(*args, tzinfo=tz)  # type: ignore[misc]


@pytest.mark.parametrize("now, due, expected", [
    (at(2026, 6, 10, 20, 0), at(2026, 6, 10, 23, 30, tz=BERLIN), "today"),
    # 00:30 Berlin on the 11th is 22:30 UTC on the 10th: "today" in UTC, tomorrow in Berlin.
    (at(2026, 6, 10, 21, 30), at(2026, 6, 11, 0, 30, tz=BERLIN), "upcoming"),
    (at(2026, 6, 10, 21, 0), at(2026, 6, 10, 23, 59, tz=BERLIN), "today"),     # 21:59 UTC: same Berlin day
    (at(2026, 6, 10, 21, 0), at(2026, 6, 10, 22, 0), "upcoming"),              # 00:00 Berlin tomorrow
    (at(2026, 6, 10, 9, 0), at(2026, 6, 10, 8, 59), "overdue"),
    # DST starts 29 March 2026 at 02:00 Berlin (a 23-hour day); ends 25 October (25 hours).
    (at(2026, 3, 29, 10, 0, tz=BERLIN), at(2026, 3, 29, 23, 30, tz=BERLIN), "today"),
    (at(2026, 3, 29, 10, 0, tz=BERLIN), at(2026, 3, 30, 0, 0, tz=BERLIN), "upcoming"),
    (at(2026, 10, 25, 1, 0, tz=BERLIN), at(2026, 10, 25, 23, 59, tz=BERLIN), "today"),
    (at(2026, 10, 25, 1, 0, tz=BERLIN), at(2026, 10, 24, 23, 59, tz=BERLIN), "overdue"),
])
def test_due_buckets_follow_the_users_day_across_dst(now: datetime, due: datetime, expected: str) -> None:
    assert tasks.bucket(due.astimezone(UTC), now.astimezone(UTC), BERLIN) == expected


@pytest.mark.parametrize("day, hours", [((2026, 3, 29), 23), ((2026, 10, 25), 25), ((2026, 6, 10), 24)])
def test_a_day_across_dst_is_23_or_25_hours(day: tuple[int, int, int], hours: int) -> None:
    start, end = tasks.day_bounds(at(*day, 12, tz=BERLIN), BERLIN)
    assert end - start == timedelta(hours=hours)


def test_task_lists_in_the_assignees_time_zone(db: Database, make: Any) -> None:
    rep = make.user("rep")
    lead = make.lead(rep, owner_id=rep.user_id)
    prefs.set_prefs(db.uow(), rep, time_zone="Europe/Berlin")
    now = at(2026, 6, 10, 20, 0)  # 22:00 in Berlin
    late = tasks.create_task(db.uow(), rep, lead, title="Call back", due_at=at(2026, 6, 10, 23, 30, tz=BERLIN))
    early = tasks.create_task(db.uow(), rep, lead, title="Send deck", due_at=at(2026, 6, 10, 7, 0))
    later = tasks.create_task(db.uow(), rep, lead, title="Check in", due_at=at(2026, 6, 11, 0, 30, tz=BERLIN))
    assert late["assignee_id"] == rep.user_id  # default: the lead's owner

    def ids(due: str) -> list[int]:
        return [t.id for t in tasks.list_tasks(db.uow(), rep, due=due, clock=lambda: now)]

    assert (ids("overdue"), ids("today"), ids("upcoming")) == ([early["id"]], [late["id"]], [later["id"]])
    work = mywork.my_work(db.uow(), rep, clock=lambda: now)
    assert [t.title for t in work.overdue] == ["Send deck"] and [t.title for t in work.today] == ["Call back"]
    tasks.complete_task(db.uow(), rep, early["id"], clock=lambda: now)
    tasks.snooze_task(db.uow(), rep, late["id"], until=at(2026, 6, 12, 9, 0), clock=lambda: now)
    assert ids("overdue") == [] and ids("today") == []
    assert ids("upcoming") == [later["id"], late["id"]]
    kinds = [e.kind for e in events.timeline(db.uow(), rep, lead)]
    assert kinds.count("task_created") == 3 and kinds.count("task_done") == 1


def test_bad_tasks_are_refused(db: Database, make: Any) -> None:
    rep, other = make.user("rep"), make.user("rep")
    lead = make.lead(rep, owner_id=rep.user_id)
    with pytest.raises(InvalidInput):
        tasks.create_task(db.uow(), rep, lead, title=" ", due_at=at(2026, 1, 1))
    with pytest.raises(InvalidInput):
        tasks.create_task(db.uow(), rep, lead, title="x", due_at=datetime(2026, 1, 1))  # no time zone
    with pytest.raises(PermissionDenied):
        tasks.create_task(db.uow(), rep, lead, title="x", due_at=at(2026, 1, 1), assignee_id=other.user_id)
    t = tasks.create_task(db.uow(), rep, lead, title="x", due_at=at(2026, 1, 1))
    with pytest.raises(PermissionDenied):
        tasks.complete_task(db.uow(), other, t["id"])
    with pytest.raises(InvalidInput):
        tasks.snooze_task(db.uow(), rep, t["id"], until=at(2020, 1, 1))
    with pytest.raises(InvalidInput):
        prefs.set_prefs(db.uow(), rep, time_zone="Mars/Olympus")


def test_my_work_lists_untouched_and_quiet_leads(db: Database, make: Any) -> None:
    rep = make.user("rep")
    first, second, third = (make.lead(rep, owner_id=rep.user_id) for _ in range(3))
    now = datetime.now(UTC)
    logged = log_activity(db.uow(), rep, second, kind="call", outcome="No answer", occurred_at=now - timedelta(days=9))
    assert logged.first_touch and logged.lead_status == "NEW"
    assert log_activity(db.uow(), rep, third, kind="email").first_touch
    assert not log_activity(db.uow(), rep, third, kind="call").first_touch  # only the first one offers CONTACTED
    work = mywork.my_work(db.uow(), rep)
    assert [lead["id"] for lead in work.untouched] == [first]
    assert [lead["id"] for lead in work.quiet] == [second]


def test_quiet_leads_follow_each_leads_latest_touch_even_when_an_older_one_is_logged_later(db: Database,
                                                                                           make: Any) -> None:
    rep = make.user("rep")
    a, b, closed = (make.lead(rep, owner_id=rep.user_id) for _ in range(3))
    now = datetime.now(UTC)
    log_activity(db.uow(), rep, a, kind="call", occurred_at=now - timedelta(days=20))
    log_activity(db.uow(), rep, b, kind="call", occurred_at=now - timedelta(days=10))
    log_activity(db.uow(), rep, b, kind="meeting", occurred_at=now - timedelta(days=30))  # logged late: older
    log_activity(db.uow(), rep, closed, kind="call", occurred_at=now - timedelta(days=40))
    with db.uow() as uow:  # a closed lead is not on the list, however quiet
        uow.session.get(Lead, closed).status = "REJECTED"
        uow.commit()
    quiet = mywork.my_work(db.uow(), rep).quiet
    assert [lead["id"] for lead in quiet] == [a, b]  # quietest first
    by_id = {lead["id"]: lead["last_touch"] for lead in quiet}
    assert abs((by_id[b] - (now - timedelta(days=10))).total_seconds()) < 1  # the latest touch, not the last logged
    log_activity(db.uow(), rep, a, kind="email")  # touched now: no longer quiet
    assert a not in [lead["id"] for lead in mywork.my_work(db.uow(), rep).quiet]


def test_my_work_shows_a_first_page_of_each_list_and_says_when_there_are_more(db: Database, make: Any) -> None:
    rep, other = make.user("rep"), make.user("rep")
    lead = make.lead(rep, owner_id=rep.user_id)
    deleted = make.lead(rep, owner_id=rep.user_id)
    now = at(2026, 6, 10, 12, 0)
    overdue = [tasks.create_task(db.uow(), rep, lead, title=f"Late {i}", due_at=now - timedelta(hours=i + 1))["id"]
               for i in range(mywork.PAGE + 2)]
    soon = tasks.create_task(db.uow(), rep, lead, title="Later today", due_at=now + timedelta(hours=3))["id"]
    tasks.create_task(db.uow(), rep, deleted, title="On a deleted lead", due_at=now - timedelta(days=9))
    other_lead = make.lead(other, owner_id=other.user_id)
    tasks.create_task(db.uow(), other, other_lead, title="Not mine", due_at=now - timedelta(days=9))
    with db.uow() as uow:
        uow.session.get(Lead, deleted).is_active = False
        uow.commit()

    work = mywork.my_work(db.uow(), rep, clock=lambda: now)
    oldest_first = overdue[::-1]
    assert [t.id for t in work.overdue] == oldest_first[:mywork.PAGE]
    assert {t.bucket for t in work.overdue} == {"overdue"}
    assert [t.id for t in work.today] == [soon] and work.upcoming == []
    assert work.more == {"overdue"}
    assert (work.count_label("overdue"), work.count_label("today")) == (f"{mywork.PAGE}+", "1")

    more = mywork.my_work(db.uow(), rep, clock=lambda: now, shown={"overdue": mywork.PAGE * 2})
    assert [t.id for t in more.overdue] == oldest_first and more.more == set()
    assert more.count_label("overdue") == str(mywork.PAGE + 2)
    # a list never shows fewer than a page nor more than the API's list limit, whatever is asked
    assert len(mywork.my_work(db.uow(), rep, clock=lambda: now, shown={"overdue": 0}).overdue) == mywork.PAGE


@pytest.mark.parametrize(("marker", "index"), [
    ("last_touch_at <", "ix_leads_team_owner_last_touch"),
    ("last_touch_at IS NULL", "ix_leads_team_owner_status_created"),
])
def test_sqlite_reads_my_leads_lists_from_their_partial_indexes(db: Database, make: Any, marker: str,
                                                                index: str) -> None:
    """SQLite only uses a partial index whose condition the query spells the same way: with "WHERE is_active" the
    quiet list read every lead of the owner and sorted them (49 ms at 100k leads); "is_active = 1" (migration
    0026) is how SQLAlchemy writes the filter there."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's partial index matching (PostgreSQL proves the condition)")
    rep = make.user("rep")
    make.lead(rep, owner_id=rep.user_id)
    seen: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if marker in statement and "FROM leads" in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        mywork.my_work(db.uow(), rep)
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    assert len(seen) == 1
    with db.engine.connect() as conn:
        steps = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + seen[0][0], seen[0][1])]
    assert any(f"USING INDEX {index}" in step for step in steps), steps
    assert not any("TEMP B-TREE" in step for step in steps), steps  # read in list order, not sorted
