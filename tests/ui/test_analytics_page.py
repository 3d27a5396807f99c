"""The Analytics page: managers only, KPI tiles, conversion by source query, filters, fresh after writes."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from leadcore import leads
from leadcore.providers.base import SearchQuery
from leadcore.searches import run_discovery

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


def query_table(at: AppTest):
    return next(d.value for d in at.dataframe if "Source query" in d.value.columns)


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
    assert leads.get_lead(app_db.uow(), manager, lead_id)["imported"]
    at.switch_page(ANALYTICS).run()
    assert not at.exception
    assert metric(at, "Imported") == "100.0%"
