"""Per-rep analytics on real databases: leads owned, touched, activities, tasks, conversion and the median time to
first touch per owner, exact for a small known team; managers read the team, a rep only themself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, update

from leadcore.analytics import dashboard
from leadcore.analytics.dashboard import AnalyticsFilters
from leadcore.analytics.per_rep import per_rep
from leadcore.db.models import Lead
from leadcore.db.runtime import Database
from leadcore.errors import InvalidInput
from leadcore.leads.edits import get_lead, update_lead
from leadcore.work import tasks
from leadcore.work.activities import log_activity

NOW = datetime.now(UTC).replace(microsecond=0)
CREATED = NOW - timedelta(days=3)


def _team(db: Database, make: Any) -> dict[str, Any]:
    manager = make.user("manager", name="Mia Manager")
    ana, ben = make.user("rep", name="Ana"), make.user("rep", name="Ben")
    a1, a2, a3 = (make.lead(manager, owner_id=ana.user_id) for _ in range(3))
    b1, b2 = (make.lead(manager, owner_id=ben.user_id) for _ in range(2))
    with db.uow() as uow:
        uow.session.execute(update(Lead).where(Lead.id.in_([a1, a2, a3, b1, b2])).values(created_at=CREATED))
        uow.commit()

    def touch(actor: Any, lead: int, hours: float) -> None:
        log_activity(db.uow(), actor, lead, kind="call", occurred_at=CREATED + timedelta(hours=hours),
                     clock=lambda: NOW)

    touch(ana, a1, 1)
    touch(ana, a1, 30)  # a second touch does not move the first
    touch(ana, a2, 3)
    touch(ben, b1, 10)
    touch(manager, b1, 12)  # the manager's activity counts for the manager, Ben's lead was touched at 10 h
    version = get_lead(db.uow(), ana, a3)["version"]
    update_lead(db.uow(), ana, a3, {"status": "QUALIFIED"}, expected_version=version)
    done = tasks.create_task(db.uow(), ana, a1, title="Send deck", due_at=NOW + timedelta(days=1))
    tasks.complete_task(db.uow(), ana, done["id"], clock=lambda: NOW)
    tasks.create_task(db.uow(), ben, b2, title="Call back", due_at=NOW - timedelta(hours=2))
    tasks.create_task(db.uow(), ben, b1, title="Check in", due_at=NOW + timedelta(days=2))
    return {"manager": manager, "ana": ana, "ben": ben}


@pytest.fixture
def team(db: Database, make: Any) -> dict[str, Any]:
    return _team(db, make)


def _by_name(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in rows}


def test_per_rep_counts_and_median_first_touch_for_a_manager(db: Database, team: dict[str, Any]) -> None:
    rows = _by_name(per_rep(db.uow(), team["manager"], now=NOW))
    assert list(rows) == ["Ana", "Ben", "Mia Manager"]
    ana, ben, mia = rows["Ana"], rows["Ben"], rows["Mia Manager"]
    assert {k: ana[k] for k in ("leads_owned", "touched", "untouched", "activities", "tasks_done", "tasks_overdue",
                                "converted", "conversion", "median_first_touch_hours")} == {
        "leads_owned": 3, "touched": 2, "untouched": 1, "activities": 3, "tasks_done": 1, "tasks_overdue": 0,
        "converted": 1, "conversion": round(1 / 3, 4), "median_first_touch_hours": 2.0}  # median of 1 h and 3 h
    assert (ben["leads_owned"], ben["touched"], ben["activities"], ben["tasks_overdue"], ben["tasks_done"]) == (
        2, 1, 1, 1, 0)
    assert ben["median_first_touch_hours"] == 10.0 and ben["conversion"] == 0
    assert (mia["leads_owned"], mia["activities"], mia["median_first_touch_hours"], mia["conversion"]) == (
        0, 1, None, None)


def test_a_rep_sees_only_their_own_row(db: Database, team: dict[str, Any]) -> None:
    rows = per_rep(db.uow(), team["ben"], now=NOW)
    assert [r["name"] for r in rows] == ["Ben"]


def test_activity_window_leaves_older_activities_out(db: Database, team: dict[str, Any]) -> None:
    later = NOW + timedelta(days=5)  # the window of one day no longer reaches the activities
    ana = _by_name(per_rep(db.uow(), team["manager"], days=1, now=later))["Ana"]
    assert (ana["activities"], ana["touched"], ana["median_first_touch_hours"]) == (0, 2, 2.0)


def test_the_dashboard_carries_the_same_rows_narrowed_by_the_owner_filter(db: Database, team: dict[str, Any]) -> None:
    d = dashboard.dashboard(db.uow(), team["manager"], AnalyticsFilters(owner_ids=(team["ana"].user_id,)), now=NOW)
    assert [(r["name"], r["leads_owned"], r["touched"]) for r in d["per_rep"]] == [("Ana", 3, 2)]


@pytest.mark.parametrize("days", [0, 4000, True])
def test_days_out_of_range_is_refused(db: Database, make: Any, days: Any) -> None:
    with pytest.raises(InvalidInput, match="days must be"):
        per_rep(db.uow(), make.user("manager"), days=days)


def test_touched_leads_outside_the_figures_leads_do_not_count(db: Database, team: dict[str, Any], make: Any
                                                             ) -> None:
    """Touched counts and first-touch times come only from the leads the figures are about: a touched lead in the
    trash drops out, and so do touched leads the dashboard's filters leave out (its type here)."""
    ben = team["ben"]
    gone = make.lead(team["manager"], owner_id=ben.user_id)
    with db.uow() as uow:
        uow.session.execute(update(Lead).where(Lead.id == gone).values(created_at=CREATED))
        uow.commit()
    log_activity(db.uow(), ben, gone, kind="call", occurred_at=CREATED + timedelta(hours=50), clock=lambda: NOW)
    assert (_by_name(per_rep(db.uow(), ben, now=NOW))["Ben"]["touched"],
            _by_name(per_rep(db.uow(), ben, now=NOW))["Ben"]["median_first_touch_hours"]) == (2, 30.0)
    with db.uow() as uow:
        uow.session.execute(update(Lead).where(Lead.id == gone).values(is_active=False))
        uow.commit()
    row = _by_name(per_rep(db.uow(), ben, now=NOW))["Ben"]
    assert (row["leads_owned"], row["touched"], row["median_first_touch_hours"]) == (2, 1, 10.0)

    companies = dashboard.dashboard(db.uow(), team["manager"], AnalyticsFilters(types=("COMPANY",)), now=NOW)
    assert [(r["name"], r["touched"], r["median_first_touch_hours"]) for r in companies["per_rep"]] == [
        ("Ana", 0, None), ("Ben", 0, None), ("Mia Manager", 0, None)]


def _first_touch_statement(db: Database, actor: Any) -> tuple[str, Any]:
    """The per-rep statement that reads each touched lead's first activity, as sent to the database."""
    seen: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if "lead_activities" in statement and "row_number()" in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        per_rep(db.uow(), actor, now=NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    assert len(seen) == 1
    return seen[0]


def test_the_touched_leads_drive_the_lookup_of_their_leads(db: Database, team: dict[str, Any]) -> None:
    """The first-touch statement looks each touched lead up by its key (a loop over the few touched ones), also when
    the planner would rather read every lead of the team against them: at 1M leads on PostgreSQL that hash join
    took 340 ms of the Analytics page, and 165 ms at 100k on SQLite. On PostgreSQL, with nested loops priced out, a
    plain join switches to a hash or merge join; the LATERAL lookup cannot. On SQLite, the leads table is only ever
    searched by its rowid (the old join read it through the team's owner index)."""
    statement, parameters = _first_touch_statement(db, team["manager"])
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET enable_nestloop = off")
            plan = "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters))
            conn.exec_driver_sql("RESET enable_nestloop")
            assert "Nested Loop" in plan and "id = lead_activities.lead_id)" in plan, plan  # a lookup per touch
            assert "Hash Join" not in plan and "Merge Join" not in plan, plan
        else:
            steps = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
            on_leads = [step for step in steps if " leads " in f"{step} "]
            assert on_leads and all("USING INTEGER PRIMARY KEY (rowid=?)" in step for step in on_leads), steps
