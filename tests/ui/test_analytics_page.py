"""The Analytics page: managers only, KPI tiles, conversion by source query, filters, fresh after writes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from leadcore.discovery.providers.base import SearchQuery
from leadcore.discovery.runs import run_discovery
from leadcore.leads import edits
from ui import charts

ANALYTICS = "pages/analytics.py"


def open_analytics(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception
    at.switch_page(ANALYTICS).run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def tables(at: AppTest) -> list:
    """Every table on the page, static (small) or grid (long)."""
    return [t.value for t in (*at.table, *at.dataframe)]


def query_table(at: AppTest):
    return next(t for t in tables(at) if "Source query" in t.columns)


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_see_the_kpis_and_conversion_by_source_query(make, new_app, logged_in, role):
    who = make.user(role)
    make.lead(who, lead_score=40)
    make.lead(who, lead_score=80)
    at = open_analytics(logged_in(new_app(), who))
    assert metric(at, "Total leads") == "2"
    assert metric(at, "Average score") == "60.0"
    assert metric(at, "Imported") == "0.0%"
    assert "Conversion by source query" in texts(at.subheader)
    assert at.get("plotly_chart")  # the charts rendered
    assert len(at.get("download_button")) >= 4  # every table shown downloads (no queries or searches here)


def test_a_rep_cannot_reach_analytics(make, new_app, logged_in):
    rep = make.user("rep")
    at = logged_in(new_app(), rep).run()
    assert not at.exception
    with pytest.raises(ValueError):
        at.switch_page(ANALYTICS)


def test_an_empty_team_gets_a_hint_not_an_error(make, new_app, logged_in):
    manager = make.user("manager")
    at = open_analytics(logged_in(new_app(), manager))
    assert "No leads match these filters yet" in texts(at.info)
    assert metric(at, "Average score") == "—"


def test_the_minimum_sample_hides_small_queries(make, new_app, logged_in, app_db):
    manager = make.user("manager")
    run_discovery(app_db.uow(), manager, SearchQuery(text="CTO SaaS Berlin", limit=8), provider_name="demo")
    run_discovery(app_db.uow(), manager, SearchQuery(text="Head of Sales healthcare", limit=3), provider_name="demo")
    at = open_analytics(logged_in(new_app(), manager))
    at.number_input(key="an_min_sample").set_value(1).run()
    assert not at.exception
    assert set(query_table(at)["Source query"]) == {"CTO SaaS Berlin", "Head of Sales healthcare"}
    at.number_input(key="an_min_sample").set_value(5).run()
    assert not at.exception
    assert list(query_table(at)["Source query"]) == ["CTO SaaS Berlin"]


def test_the_type_filter_narrows_every_number(make, new_app, logged_in):
    manager = make.user("manager")
    make.lead(manager, lead_score=20)
    make.lead(manager, type="COMPANY", lead_name="Globex", website="https://globex.com", email=None, lead_score=90)
    at = open_analytics(logged_in(new_app(), manager))
    assert metric(at, "Total leads") == "2"
    at.multiselect(key="an_type").set_value(["COMPANY"]).run()
    assert not at.exception
    assert metric(at, "Total leads") == "1" and metric(at, "Average score") == "90.0"


def test_numbers_are_fresh_after_a_write_elsewhere_in_the_app(make, new_app, logged_in, app_db):
    manager = make.user("manager")
    lead_id = make.lead(manager)
    at = open_analytics(logged_in(new_app(), manager))
    assert metric(at, "Imported") == "0.0%"
    # Import from the lead page (which clears the cached analytics), then come back.
    at.query_params["id"] = str(lead_id)
    at.switch_page("pages/lead.py").run()
    next(b for b in at.button if b.label == "Import as contact").click().run()
    assert not at.exception
    assert edits.get_lead(app_db.uow(), manager, lead_id)["imported"]
    at.switch_page(ANALYTICS).run()
    assert not at.exception
    assert metric(at, "Imported") == "100.0%"


def bars_of(figure: dict) -> list[dict]:
    """A bar chart's bars (of its first series) as label, value, click key and hover text."""
    trace = figure["data"][0]
    labels, values = (trace["y"], trace["x"]) if trace.get("orientation") == "h" else (trace["x"], trace["y"])
    return [{"label": lab, "value": v, "key": k, "tip": t}
            for lab, v, k, t in zip(labels, values, trace["customdata"], trace["hovertext"], strict=True)]


def chart_rows(at: AppTest, alt: str) -> list[dict]:
    """The bars of the chart described as ``alt``, as the browser gets them."""
    chart = next(c for c in at.get("plotly_chart") if c.proto.alt == alt)
    return bars_of(json.loads(chart.proto.spec))


def test_new_leads_on_a_single_day_are_one_bar_labelled_with_that_day(make, new_app, logged_in):
    manager = make.user("manager")
    for _ in range(3):
        make.lead(manager)
    today = datetime.now(UTC).date()
    at = open_analytics(logged_in(new_app(), manager))
    rows = chart_rows(at, "New leads per day")
    assert [(r["label"], r["value"]) for r in rows] == [(f"{today:%b} {today.day}", 3)]  # a day, no hours
    assert rows[0]["tip"] == f"{today:%a %Y-%m-%d}: 3 new leads"

    at.get("button_group")[0].set_value("week").run()
    assert not at.exception
    monday = today - timedelta(days=today.weekday())
    rows = chart_rows(at, "New leads per week")
    assert [(r["label"], r["value"]) for r in rows] == [(f"{monday:%b} {monday.day}", 3)]
    assert rows[0]["tip"] == f"Week of {monday:%a %Y-%m-%d}: 3 new leads"


@pytest.mark.parametrize(("starts", "labels"), [
    ([date(2025, 3, 4)], ["Mar 4"]),
    ([date(2025, 12, 31), date(2026, 1, 1)], ["Dec 31, 2025", "Jan 1, 2026"]),  # the year once it changes
])
def test_time_axis_labels_are_days(starts, labels):
    spec = charts.over_time(starts, [1] * len(starts), keys=[str(i) for i in range(len(starts))],
                            hover=["x"] * len(starts))
    figure = spec.to_plotly_json()
    assert [r["label"] for r in bars_of(figure)] == labels
    assert figure["layout"]["xaxis"]["type"] == "category"  # a band per day: never a time axis that can show hours


def test_counts_in_hover_texts_agree_with_one(make, new_app, logged_in):
    manager = make.user("manager")
    make.lead(manager, lead_score=55)
    at = open_analytics(logged_in(new_app(), manager))
    assert chart_rows(at, "New leads per day")[0]["tip"].endswith(": 1 new lead")
    status = {r["key"]: r["tip"] for r in chart_rows(at, "Number of leads in each status")}
    assert status["NEW"] == "New: 1 lead" and status["CONTACTED"] == "Contacted: 0 leads"


def test_long_labels_are_cut_but_stay_distinct():
    long = "Head of Sales healthcare and life sciences in the DACH region"
    spec = charts.bar([long, long + " (EU)", "CTO"], [1, 2, 3], keys=["a", "b", "c"])
    rows = bars_of(spec.to_plotly_json())
    labels = [r["label"] for r in rows]
    assert len(set(labels)) == 3 and all(len(x) <= charts.LABEL_MAX for x in labels)
    assert rows[0]["tip"] == f"{long}: 1"  # the hover keeps the whole label


def test_per_rep_table_counts_each_owners_leads_touches_and_follow_ups(make, new_app, logged_in, app_db):
    from leadcore.work import tasks
    from leadcore.work.activities import log_activity

    manager = make.user("manager", name="Mia Manager")
    rep = make.user("rep", name="Rita Rep")
    touched = make.lead(manager, owner_id=rep.user_id)
    make.lead(manager, owner_id=rep.user_id)
    log_activity(app_db.uow(), rep, touched, kind="call")
    tasks.create_task(app_db.uow(), rep, touched, title="Call back", due_at=datetime.now(UTC) - timedelta(hours=1))
    at = open_analytics(logged_in(new_app(), manager))
    assert "Per rep" in texts(at.subheader)
    table = next(t for t in tables(at) if "Median hours to first touch" in t.columns)
    rita = table[table["Person"] == "Rita Rep"].iloc[0]
    assert (rita["Leads owned"], rita["Touched"], rita["Activities"], rita["Overdue tasks"]) == (2, 1, 1, 1)
