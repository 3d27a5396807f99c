"""Analytics on real databases: a small known team built through the services, and exact numbers for every read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, update

from leadcore.accounts.actors import Actor
from leadcore.analytics import dashboard
from leadcore.analytics.dashboard import AnalyticsFilters
from leadcore.analytics.per_rep import per_rep
from leadcore.db.engine import session_factory
from leadcore.db.models import Lead, LeadEvent
from leadcore.db.runtime import Database
from leadcore.discovery.providers.base import SearchQuery
from leadcore.discovery.runs import close_search, open_search, save_page
from leadcore.errors import InvalidInput, PermissionDenied
from leadcore.grid.filters import UNASSIGNED
from leadcore.grid.listing import list_leads
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.matcher import SearchContext
from leadcore.leads.bulk import BulkChange, bulk_update
from leadcore.leads.conversion import import_lead
from leadcore.leads.edits import add_note, delete_lead, get_lead, update_lead

ALL = AnalyticsFilters()
NOW = datetime(2024, 3, 20, 12, 0, tzinfo=UTC)


def person(key: str, score: int, *, domain: str | None = None, **fields: Any) -> LeadCandidate:
    return LeadCandidate(lead_name=f"Person {key}", email=f"{key}@{domain or key + 'co.com'}", company=f"{key} Inc",
                         lead_score=score, **fields)


def set_status(db: Database, actor: Actor, lead_id: int, *statuses: str) -> None:
    """Walk a lead through ``statuses`` the way a rep would, one edit each."""
    for status in statuses:
        version = get_lead(db.uow(), actor, lead_id)["version"]
        update_lead(db.uow(), actor, lead_id, {"status": status}, expected_version=version)


def set_columns(db: Database, lead_id: int, **values: Any) -> None:
    """Time travel for tests: write timestamps the services always set to 'now'."""
    with db.uow() as uow:
        uow.session.execute(update(Lead).where(Lead.id == lead_id).values(**values))
        uow.commit()


def run_search(db: Database, actor: Actor, text: str, page: list[LeadCandidate]) -> tuple[int, list[int]]:
    """A discovery run as the searches service records it: open, save one page, close."""
    search_id = open_search(db.uow(), actor, provider="demo", query=SearchQuery(text=text), requested=len(page))
    result = save_page(db.uow(), actor, search_id, SearchContext(search_id=search_id, source="demo", query=text),
                       page)
    close_search(db.uow(), search_id, outcome="ok")
    return search_id, list(dict.fromkeys(result.lead_ids))


@dataclass
class Team:
    manager: Actor
    rep: Actor
    ids: dict[str, int]
    searches: dict[str, int]


@pytest.fixture
def team(db: Database, make: Any) -> Team:
    """Eight active leads of a known shape, a deleted one, and another team that must never be counted.

    ==== ============ ===== ========== ========= ==============
    lead query        score status     type      notes
    ==== ============ ===== ========== ========= ==============
    a1   fintech cto   10   IMPORTED   person    via CONTACTED, QUALIFIED; 4 days to import; creates the company
    a2   fintech cto   20   QUALIFIED  person
    a3   fintech cto   30   CONTACTED  person    owned by the rep
    a4   fintech cto  100   REJECTED   person
    b1   saas founder  50   IMPORTED   person    straight from NEW; 2 days to import; links a1's company
    b2   saas founder  60   NEW        person    owned by the rep
    m1   (none)         5   ARCHIVED   person
    m2   (none)        95   NEW        company
    gone (none)        70   NEW        person    soft-deleted
    ==== ============ ===== ========== ========= ==============
    """
    manager = make.user("manager", team="Blue")
    rep = make.user("rep", team="Blue")
    sa, (a1, a2, a3, a4) = run_search(db, manager, "fintech cto", [
        person("a1", 10, domain="fintech.io"), person("a2", 20), person("a3", 30), person("a4", 100),
        person("a1", 10, domain="fintech.io"),  # the same person twice on one page: a duplicate
    ])
    sb, (b1, b2) = run_search(db, manager, "saas founder", [
        person("b1", 50, domain="fintech.io"), person("b2", 60), LeadCandidate(job_title="nobody"),  # invalid
    ])
    m1 = make.lead(manager, lead_name="Manual One", lead_score=5)
    m2 = make.lead(manager, type="COMPANY", lead_name="Acme", email=None, company=None, job_title=None,
                   website="https://acme.example.org", lead_score=95)
    gone = make.lead(manager, lead_name="Gone", lead_score=70)
    delete_lead(db.uow(), manager, gone)

    set_status(db, manager, a1, "CONTACTED", "QUALIFIED")
    import_lead(db.uow(), manager, a1)
    set_status(db, manager, a2, "CONTACTED", "QUALIFIED")
    bulk_update(db.uow(), manager, [a3], BulkChange(status="CONTACTED"))
    bulk_update(db.uow(), manager, [a3, b2], BulkChange().with_owner(rep.user_id))
    bulk_update(db.uow(), manager, [a4], BulkChange(status="REJECTED"))
    import_lead(db.uow(), manager, b1)
    bulk_update(db.uow(), manager, [m1], BulkChange(status="ARCHIVED"))
    for lead_id, days in ((a1, 4), (b1, 2)):
        imported_at = get_lead(db.uow(), manager, lead_id)["imported_at"]
        set_columns(db, lead_id, created_at=imported_at - timedelta(days=days))

    # Another team with the same query, an import and a search: none of it may show up for Blue.
    other = make.user("manager", team="Red")
    _, red_ids = run_search(db, other, "fintech cto", [person("r1", 90), person("r2", 80), person("r3", 70)])
    import_lead(db.uow(), other, red_ids[0])
    make.lead(other, lead_name="Red manual", lead_score=0)

    ids = dict(a1=a1, a2=a2, a3=a3, a4=a4, b1=b1, b2=b2, m1=m1, m2=m2, gone=gone)
    return Team(manager=manager, rep=rep, ids=ids, searches={"fintech cto": sa, "saas founder": sb})


# -- summary ------------------------------------------------------------------------------------------------------


def test_summary_counts_every_status_of_the_team_active_leads(db: Database, team: Team) -> None:
    s = dashboard.summary(db.uow(), team.manager, ALL)
    assert s == {
        "total": 8,
        "new_this_week": 8,  # the oldest, a1, was discovered 4 days ago
        "average_score": 46.25,  # (10+20+30+100+50+60+5+95) / 8
        "imported": 2,
        "imported_pct": 25.0,
        "status_counts": {"NEW": 2, "CONTACTED": 1, "QUALIFIED": 1, "IMPORTED": 2, "REJECTED": 1, "ARCHIVED": 1},
    }


def test_summary_is_open_to_reps_and_matches_the_grid_per_status(db: Database, team: Team) -> None:
    s = dashboard.summary(db.uow(), team.rep, ALL)
    assert s["total"] == 8
    for status, n in s["status_counts"].items():
        grid = list_leads(db.uow(), team.rep, ALL.to_lead_filters(statuses=(status,)))
        assert grid.total == n, status


def test_summary_new_this_week_is_the_last_seven_days(db: Database, team: Team) -> None:
    for key, age in (("a2", 8), ("a3", 7), ("a4", 6)):
        set_columns(db, team.ids[key], created_at=NOW - timedelta(days=age, minutes=1 if age == 7 else 0))
    for key in ("a1", "b1", "b2", "m1", "m2"):
        set_columns(db, team.ids[key], created_at=NOW - timedelta(hours=1))
    assert dashboard.summary(db.uow(), team.manager, ALL, now=NOW)["new_this_week"] == 6  # all but a2 and a3


@pytest.mark.parametrize(
    "types, owner, total, statuses",
    [
        (("COMPANY",), None, 1, {"NEW": 1}),
        (("INDIVIDUAL",), None, 7, {"NEW": 1, "IMPORTED": 2, "ARCHIVED": 1}),
        ((), "rep", 2, {"NEW": 1, "CONTACTED": 1}),
        ((), "nobody", 6, {"NEW": 1, "IMPORTED": 2, "QUALIFIED": 1}),
    ],
)
def test_filters_narrow_the_summary_like_the_grid(
    db: Database, team: Team, types: tuple[str, ...], owner: str | None, total: int, statuses: dict[str, int]
) -> None:
    owners = {None: (), "rep": (team.rep.user_id,), "nobody": (UNASSIGNED,)}[owner]
    filters = AnalyticsFilters(types=types, owner_ids=owners)  # type: ignore[arg-type]
    s = dashboard.summary(db.uow(), team.manager, filters)
    assert s["total"] == total
    assert {k: v for k, v in s["status_counts"].items() if k in statuses} == statuses
    assert list_leads(db.uow(), team.manager, filters.to_lead_filters()).total == total


def test_created_range_filter_counts_leads_created_on_those_days(db: Database, team: Team) -> None:
    set_columns(db, team.ids["a2"], created_at=datetime(2024, 1, 10, 9, tzinfo=UTC))
    set_columns(db, team.ids["a3"], created_at=datetime(2024, 1, 12, 18, tzinfo=UTC))
    set_columns(db, team.ids["a4"], created_at=datetime(2024, 1, 13, 9, tzinfo=UTC))
    f = AnalyticsFilters(created_from=date(2024, 1, 10), created_to=date(2024, 1, 12))
    s = dashboard.summary(db.uow(), team.manager, f)
    assert (s["total"], s["status_counts"]["QUALIFIED"], s["status_counts"]["CONTACTED"]) == (2, 1, 1)


def test_bad_filters_are_refused_with_a_named_field(db: Database, team: Team) -> None:
    with pytest.raises(InvalidInput):
        dashboard.summary(db.uow(), team.manager, AnalyticsFilters(types=("PERSON",)))
    with pytest.raises(InvalidInput):
        dashboard.summary(db.uow(), team.manager,
                          AnalyticsFilters(created_from=date(2024, 2, 1), created_to=date(2024, 1, 1)))


# -- funnel, conversion, scores -----------------------------------------------------------------------------------


def test_funnel_counts_leads_that_reached_each_stage(db: Database, team: Team) -> None:
    rows = dashboard.funnel(db.uow(), team.manager, ALL)
    assert [(r["stage"], r["reached"], r["conversion"], r["drop_off"]) for r in rows] == [
        ("NEW", 8, None, 0),  # everything, the rejected and archived lead included
        ("CONTACTED", 4, 0.5, 4),  # a1 a2 a3 b1
        ("QUALIFIED", 3, 0.75, 1),  # a1 a2 b1
        ("IMPORTED", 2, 0.6667, 1),  # a1 b1
    ]
    qualified = rows[2]
    assert list_leads(db.uow(), team.manager, ALL.to_lead_filters(statuses=qualified["statuses"])).total == 3


def test_imported_counts_the_import_flag_while_the_funnel_goes_by_status(db: Database, team: Team) -> None:
    # set by hand before edits refused it (data like this still exists): nothing was imported
    set_columns(db, team.ids["b2"], status="IMPORTED", version=Lead.version + 1)
    set_status(db, team.manager, team.ids["a1"], "ARCHIVED")  # imported, then archived
    s = dashboard.summary(db.uow(), team.manager, ALL)
    assert (s["imported"], s["status_counts"]["IMPORTED"], s["status_counts"]["ARCHIVED"]) == (2, 2, 2)
    assert [r["reached"] for r in dashboard.funnel(db.uow(), team.manager, ALL)] == [8, 4, 3, 2]  # a1 fell out


def test_conversion_by_query_per_search_query(db: Database, team: Team) -> None:
    rows = dashboard.conversion_by_query(db.uow(), team.manager, ALL)
    assert [
        (r["query"], r["found"], r["contacted"], r["qualified"], r["imported"], r["rate"], r["qualified_rate"],
         r["avg_score"]) for r in rows
    ] == [
        ("fintech cto", 4, 3, 2, 1, 0.25, 0.5, 40.0),
        ("saas founder", 2, 1, 1, 1, 0.5, 0.5, 55.0),
        ("(no query)", 2, 0, 0, 0, 0.0, 0.0, 50.0),
    ]
    assert rows[2]["search_query"] is None
    grid = list_leads(db.uow(), team.manager, ALL.to_lead_filters(search_query=rows[0]["search_query"]))
    assert grid.total == 4


@pytest.mark.parametrize("min_sample, limit, expected", [
    (1, 100, ["fintech cto", "saas founder", "(no query)"]),
    (2, 100, ["fintech cto", "saas founder", "(no query)"]),
    (3, 100, ["fintech cto"]),
    (5, 100, []),
    (1, 2, ["fintech cto", "saas founder"]),
])
def test_conversion_by_query_min_sample_and_limit(
    db: Database, team: Team, min_sample: int, limit: int, expected: list[str]
) -> None:
    rows = dashboard.conversion_by_query(db.uow(), team.manager, ALL, min_sample=min_sample, limit=limit)
    assert [r["query"] for r in rows] == expected


def test_score_by_status_and_type(db: Database, team: Team) -> None:
    by_status = dashboard.score_by_status(db.uow(), team.manager, ALL)
    assert [(r["status"], r["count"], r["avg_score"]) for r in by_status] == [
        ("NEW", 2, 77.5), ("CONTACTED", 1, 30.0), ("QUALIFIED", 1, 20.0), ("IMPORTED", 2, 30.0),
        ("REJECTED", 1, 100.0), ("ARCHIVED", 1, 5.0),
    ]
    by_type = dashboard.score_by_type(db.uow(), team.manager, ALL)
    assert [(r["type"], r["count"], r["avg_score"]) for r in by_type] == [
        ("INDIVIDUAL", 7, 39.29), ("COMPANY", 1, 95.0),  # 275 / 7
    ]
    only = dashboard.score_by_type(db.uow(), team.manager, AnalyticsFilters(types=("COMPANY",)))
    assert [(r["type"], r["count"]) for r in only] == [("COMPANY", 1)]


def test_score_distribution_has_every_bucket_and_closes_the_top_one(db: Database, team: Team) -> None:
    rows = dashboard.score_distribution(db.uow(), team.manager, ALL)
    assert [(r["bucket"], r["count"]) for r in rows] == [
        (0, 1), (10, 1), (20, 1), (30, 1), (40, 0), (50, 1), (60, 1), (70, 0), (80, 0), (90, 2),  # 95 and 100
    ]
    assert (rows[-1]["score_min"], rows[-1]["score_max"], rows[-1]["label"]) == (90, 100, "90–100")
    grid = list_leads(db.uow(), team.manager, ALL.to_lead_filters(score_min=90, score_max=100))
    assert grid.total == 2
    quarters = dashboard.score_distribution(db.uow(), team.manager, ALL, bucket=25)
    assert [(r["score_min"], r["score_max"], r["count"]) for r in quarters] == [
        (0, 24, 3), (25, 49, 1), (50, 74, 2), (75, 100, 2),
    ]


def test_import_stats(db: Database, team: Team) -> None:
    assert dashboard.import_stats(db.uow(), team.manager, ALL) == {
        "total": 8,
        "imported": 2,
        "rate": 0.25,
        "avg_days_to_import": 3.0,  # 4 and 2 days
        "contacts_created": 2,
        "companies_created": 1,  # b1 linked the company a1's import created
    }
    narrowed = dashboard.import_stats(db.uow(), team.manager, AnalyticsFilters(types=("COMPANY",)))
    assert narrowed == {"total": 1, "imported": 0, "rate": 0.0, "avg_days_to_import": None, "contacts_created": 0,
                        "companies_created": 0}


# -- over time ----------------------------------------------------------------------------------------------------


@pytest.fixture
def dated(db: Database, team: Team) -> Team:
    """Creation days: Mon 4 Mar ×2, Wed 6 Mar, Sun 10 Mar 23:30 UTC, Mon 11 Mar; the other three in February."""
    days = {
        "a1": datetime(2024, 3, 4, 9, 0), "a2": datetime(2024, 3, 4, 17, 0), "a3": datetime(2024, 3, 6, 12, 0),
        "a4": datetime(2024, 3, 10, 23, 30), "b1": datetime(2024, 3, 11, 0, 30),
        "b2": datetime(2024, 2, 1, 12, 0), "m1": datetime(2024, 2, 1, 13, 0), "m2": datetime(2024, 2, 2, 12, 0),
    }
    for key, moment in days.items():
        set_columns(db, team.ids[key], created_at=moment.replace(tzinfo=UTC))
    return team


def test_new_leads_per_day_fills_gaps_within_the_filter_range(db: Database, dated: Team) -> None:
    f = AnalyticsFilters(created_from=date(2024, 3, 3), created_to=date(2024, 3, 12))
    rows = dashboard.new_leads_over_time(db.uow(), dated.manager, f)
    assert [(r["period_start"], r["count"]) for r in rows] == [
        (date(2024, 3, 3), 0), (date(2024, 3, 4), 2), (date(2024, 3, 5), 0), (date(2024, 3, 6), 1),
        (date(2024, 3, 7), 0), (date(2024, 3, 8), 0), (date(2024, 3, 9), 0), (date(2024, 3, 10), 1),
        (date(2024, 3, 11), 1), (date(2024, 3, 12), 0),
    ]
    assert all(r["period_end"] == r["period_start"] for r in rows)


def test_new_leads_per_week_start_on_monday(db: Database, dated: Team) -> None:
    rows = dashboard.new_leads_over_time(db.uow(), dated.manager, ALL, period="week")
    weeks = [(r["period_start"], r["count"]) for r in rows]
    assert weeks[0] == (date(2024, 1, 29), 3)  # Thu 1 Feb ×2 and Fri 2 Feb
    assert weeks[-2:] == [(date(2024, 3, 4), 4), (date(2024, 3, 11), 1)]  # Sunday 23:30 belongs to the 4 Mar week
    assert [c for _, c in weeks[1:-2]] == [0, 0, 0, 0]  # 5, 12, 19, 26 Feb
    assert rows[-1]["period_end"] == date(2024, 3, 17)
    assert sum(c for _, c in weeks) == 8


def test_new_leads_per_day_without_a_range_spans_the_data(db: Database, dated: Team) -> None:
    rows = dashboard.new_leads_over_time(db.uow(), dated.manager, ALL)
    assert (rows[0]["period_start"], rows[-1]["period_start"], len(rows)) == (date(2024, 2, 1), date(2024, 3, 11), 40)
    assert sum(r["count"] for r in rows) == 8


def test_days_are_utc_whatever_the_database_session_time_zone(db: Database, team: Team, backend: Any) -> None:
    if backend.name != "postgresql":
        pytest.skip("SQLite has no session time zone; it stores UTC text")
    set_columns(db, team.ids["a1"], created_at=datetime(2024, 3, 11, 3, 0, tzinfo=UTC))  # 10 Mar in Los Angeles
    engine = backend.engine_copy()
    event.listen(engine, "connect", lambda conn, _: conn.execute("SET TIME ZONE 'America/Los_Angeles'"))
    try:
        pacific = Database(url=backend.url, engine=engine, sessions=session_factory(engine))
        rows = dashboard.new_leads_over_time(pacific.uow(), team.manager, ALL)
    finally:
        engine.dispose()
    assert (rows[0]["period_start"], rows[0]["count"]) == (date(2024, 3, 11), 1)


def test_new_leads_over_time_rejects_unknown_periods(db: Database, team: Team) -> None:
    with pytest.raises(InvalidInput):
        dashboard.new_leads_over_time(db.uow(), team.manager, ALL, period="month")


# -- people and searches ------------------------------------------------------------------------------------------


def test_rep_activity_counts_events_per_person_in_the_window(db: Database, make: Any) -> None:
    manager = make.user("manager", team="Blue", name="Mona")
    rep = make.user("rep", team="Blue", name="Rae")
    make.user("rep", team="Blue", name="Ida")
    outsider = make.user("manager", team="Red", name="Olga")
    first, second = make.lead(rep, lead_score=40), make.lead(rep, lead_score=50)
    make.lead(outsider)
    set_status(db, rep, first, "CONTACTED")
    add_note(db.uow(), rep, first, "Called, call back Monday")
    import_lead(db.uow(), rep, second)
    version = get_lead(db.uow(), manager, first)["version"]
    update_lead(db.uow(), manager, first, {"owner_id": rep.user_id, "job_title": "CTO"}, expected_version=version)
    bulk_update(db.uow(), manager, [second], BulkChange(add_tags=("hot",)))
    # An old note, out of the 30-day window.
    add_note(db.uow(), rep, second, "Last quarter's note")
    with db.uow() as uow:
        uow.session.execute(update(LeadEvent).where(LeadEvent.kind == "note_added", LeadEvent.lead_id == second)
                            .values(created_at=datetime.now(UTC) - timedelta(days=31)))
        uow.commit()

    rows = {r["name"]: r for r in dashboard.rep_activity(db.uow(), manager, ALL)}
    assert set(rows) == {"Mona", "Rae", "Ida"}  # Olga is another team
    rae, mona, ida = rows["Rae"], rows["Mona"], rows["Ida"]
    assert (rae["created"], rae["status_changed"], rae["note_added"], rae["imported"], rae["total_events"]) == (
        2, 1, 1, 1, 5)
    assert (mona["assigned"], mona["fields_changed"], mona["tags_changed"], mona["total_events"]) == (1, 1, 1, 3)
    assert (ida["total_events"], ida["leads_owned"]) == (0, 0)
    assert (rae["leads_owned"], mona["leads_owned"]) == (1, 0)
    assert list(rows) == ["Rae", "Mona", "Ida"]  # busiest first

    short = {r["name"]: r["total_events"] for r in dashboard.rep_activity(db.uow(), manager, ALL, days=1)}
    assert short == {"Rae": 5, "Mona": 3, "Ida": 0}
    assert rep.user_id is not None
    only = dashboard.rep_activity(db.uow(), manager, AnalyticsFilters(owner_ids=(rep.user_id,)))
    assert [r["name"] for r in only] == ["Rae"]


def test_search_history_yield_and_duplicate_rate(db: Database, team: Team) -> None:
    rows = dashboard.search_history(db.uow(), team.manager)
    assert [(r["query"], r["returned"], r["saved"], r["duplicates"], r["invalid"], r["outcome"], r["yield"],
             r["duplicate_rate"]) for r in rows] == [
        ("saas founder", 3, 2, 0, 1, "ok", 0.6667, 0.0),  # newest first
        ("fintech cto", 5, 4, 1, 0, "ok", 0.8, 0.2),
    ]
    assert [r["id"] for r in rows] == [team.searches["saas founder"], team.searches["fintech cto"]]
    assert rows[0]["provider"] == "demo" and rows[0]["user_id"] == team.manager.user_id
    assert [r["query"] for r in dashboard.search_history(db.uow(), team.manager, limit=1)] == ["saas founder"]


# -- the page in one read, permissions, isolation, empty ----------------------------------------------------------


@pytest.fixture
def connections(db: Database) -> Iterator[list[str]]:
    """Statements run on the test database while the fixture is active, plus a 'checkout' marker per connection."""
    seen: list[str] = []

    def checkout(*_: Any) -> None:
        seen.append("checkout")

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        seen.append(sql)

    event.listen(db.engine, "checkout", checkout)
    event.listen(db.engine, "before_cursor_execute", statement)
    yield seen
    event.remove(db.engine, "checkout", checkout)
    event.remove(db.engine, "before_cursor_execute", statement)


def test_dashboard_reads_everything_on_one_connection(db: Database, team: Team, connections: list[str]) -> None:
    page = dashboard.dashboard(db.uow(), team.manager, ALL, min_sample=2, now=NOW)
    assert connections.count("checkout") == 1
    assert len([s for s in connections if s != "checkout"]) <= 16  # 10 + the per-rep section's 6 grouped reads
    assert page["generated_at"] == NOW
    m, f = team.manager, ALL
    assert page["summary"] == dashboard.summary(db.uow(), m, f, now=NOW)
    assert page["funnel"] == dashboard.funnel(db.uow(), m, f)
    assert page["conversion_by_query"] == dashboard.conversion_by_query(db.uow(), m, f, min_sample=2)
    assert page["score_by_status"] == dashboard.score_by_status(db.uow(), m, f)
    assert page["score_by_type"] == dashboard.score_by_type(db.uow(), m, f)
    assert page["score_distribution"] == dashboard.score_distribution(db.uow(), m, f)
    assert page["new_leads_over_time"] == dashboard.new_leads_over_time(db.uow(), m, f)
    assert page["import_stats"] == dashboard.import_stats(db.uow(), m, f)
    assert page["rep_activity"] == dashboard.rep_activity(db.uow(), m, f, now=NOW)
    assert page["search_history"] == dashboard.search_history(db.uow(), m)
    assert page["per_rep"] == per_rep(db.uow(), m, now=NOW)


def test_dashboard_connection_goes_back_to_the_pool_writable(db: Database, team: Team) -> None:
    dashboard.dashboard(db.uow(), team.manager, ALL)
    set_status(db, team.manager, team.ids["b2"], "CONTACTED")  # would fail on a connection left read-only
    after = dashboard.dashboard(db.uow(), team.manager, ALL)
    assert after["summary"]["status_counts"]["CONTACTED"] == 2
    assert after["funnel"][1]["reached"] == 5


def test_dashboard_is_one_snapshot_even_when_someone_writes_meanwhile(db: Database, team: Team, backend: Any) -> None:
    engine = backend.engine_copy()
    other = Database(url=backend.url, engine=engine, sessions=session_factory(engine))
    wrote: list[int] = []

    def write_after_first_read(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if not wrote and "FROM leads" in sql:
            wrote.append(open_search(other.uow(), team.manager, provider="demo", query=SearchQuery(text="late")))

    event.listen(db.engine, "after_cursor_execute", write_after_first_read)
    try:
        page = dashboard.dashboard(db.uow(), team.manager, ALL)
    finally:
        event.remove(db.engine, "after_cursor_execute", write_after_first_read)
        other.engine.dispose()
    assert wrote
    assert "late" not in [r["query"] for r in page["search_history"]]
    assert dashboard.search_history(db.uow(), team.manager)[0]["query"] == "late"


MANAGER_ONLY = [
    lambda uow, a: dashboard.funnel(uow, a, ALL),
    lambda uow, a: dashboard.conversion_by_query(uow, a, ALL),
    lambda uow, a: dashboard.score_by_status(uow, a, ALL),
    lambda uow, a: dashboard.score_by_type(uow, a, ALL),
    lambda uow, a: dashboard.score_distribution(uow, a, ALL),
    lambda uow, a: dashboard.new_leads_over_time(uow, a, ALL),
    lambda uow, a: dashboard.import_stats(uow, a, ALL),
    lambda uow, a: dashboard.rep_activity(uow, a, ALL),
    lambda uow, a: dashboard.search_history(uow, a),
    lambda uow, a: dashboard.dashboard(uow, a, ALL),
]
MANAGER_ONLY_IDS = ["funnel", "conversion_by_query", "score_by_status", "score_by_type", "score_distribution",
                    "new_leads_over_time", "import_stats", "rep_activity", "search_history", "dashboard"]


@pytest.mark.parametrize("read", MANAGER_ONLY, ids=MANAGER_ONLY_IDS)
def test_reps_may_not_read_manager_analytics(db: Database, make: Any, read: Any) -> None:
    rep = make.user("rep")
    with pytest.raises(PermissionDenied):
        read(db.uow(), rep)
    read(db.uow(), make.user("admin"))  # admins may


def test_another_team_sees_only_its_own_numbers(db: Database, team: Team, make: Any) -> None:
    red = make.user("manager", team="Red")
    page = dashboard.dashboard(db.uow(), red, ALL)
    assert page["summary"]["total"] == 4
    assert page["summary"]["status_counts"]["IMPORTED"] == 1
    assert [(r["query"], r["found"]) for r in page["conversion_by_query"]] == [("fintech cto", 3), ("(no query)", 1)]
    assert [r["returned"] for r in page["search_history"]] == [3]
    assert page["import_stats"]["contacts_created"] == 1
    assert all(r["user_id"] != team.manager.user_id for r in page["rep_activity"])


def test_empty_team_reads_zeros_and_nones(db: Database, make: Any) -> None:
    manager = make.user("manager")
    page = dashboard.dashboard(db.uow(), manager, ALL)
    assert page["summary"] == {
        "total": 0, "new_this_week": 0, "average_score": None, "imported": 0, "imported_pct": None,
        "status_counts": {"NEW": 0, "CONTACTED": 0, "QUALIFIED": 0, "IMPORTED": 0, "REJECTED": 0, "ARCHIVED": 0},
    }
    assert [(r["reached"], r["conversion"]) for r in page["funnel"]] == [(0, None)] * 4
    assert page["conversion_by_query"] == []
    assert [r["count"] for r in page["score_distribution"]] == [0] * 10
    assert all(r["avg_score"] is None and r["count"] == 0 for r in page["score_by_status"] + page["score_by_type"])
    assert page["new_leads_over_time"] == []
    assert page["import_stats"] == {"total": 0, "imported": 0, "rate": None, "avg_days_to_import": None,
                                    "contacts_created": 0, "companies_created": 0}
    assert [(r["user_id"], r["total_events"], r["leads_owned"]) for r in page["rep_activity"]] == [
        (manager.user_id, 0, 0)]
    assert page["search_history"] == []


@pytest.mark.parametrize("call", [
    lambda uow, a: dashboard.conversion_by_query(uow, a, ALL, min_sample=0),
    lambda uow, a: dashboard.conversion_by_query(uow, a, ALL, limit=0),
    lambda uow, a: dashboard.score_distribution(uow, a, ALL, bucket=0),
    lambda uow, a: dashboard.rep_activity(uow, a, ALL, days=0),
    lambda uow, a: dashboard.search_history(uow, a, limit=10_000),
    lambda uow, a: dashboard.dashboard(uow, a, ALL, period="year"),
], ids=["min_sample", "limit", "bucket", "days", "search_limit", "period"])
def test_out_of_range_options_are_refused(db: Database, make: Any, call: Any) -> None:
    with pytest.raises(InvalidInput):
        call(db.uow(), make.user("manager"))


def test_team_summary_is_the_summary_and_its_breakdowns_in_one_read(db: Database, team: Team) -> None:
    """The API's summary: the same figures as the separate reads, in one transaction (one BEGIN)."""
    begins: list[int] = []
    listener = lambda conn: begins.append(1)  # noqa: E731
    event.listen(db.engine, "begin", listener)
    try:
        manager = dashboard.team_summary(db.uow(), team.manager, ALL)
    finally:
        event.remove(db.engine, "begin", listener)
    assert len(begins) == 1
    assert manager == {**dashboard.summary(db.uow(), team.manager, ALL), "manager_view": True,
                       "conversion_by_query": dashboard.conversion_by_query(db.uow(), team.manager, ALL),
                       "score_by_status": dashboard.score_by_status(db.uow(), team.manager, ALL),
                       "score_by_type": dashboard.score_by_type(db.uow(), team.manager, ALL)}
    rep = dashboard.team_summary(db.uow(), team.rep, ALL)
    assert rep == {**dashboard.summary(db.uow(), team.rep, ALL), "manager_view": False,
                   "conversion_by_query": None, "score_by_status": None, "score_by_type": None}
