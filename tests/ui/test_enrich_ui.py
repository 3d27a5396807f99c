"""Enrichment in the UI: the Integrations page's Enrich section (estimate, this month's spend, start a background
job) and the lead page's "Enriched fields" with provider, confidence and time."""

from __future__ import annotations

from leadcore.enrichment import jobs as enrichment_jobs
from leadcore.enrichment.runner import enrich
from tests.enrichment.test_enrich_runner import Sure
from tests.ui.test_lead_page import open_lead
from tests.ui.test_work_pages import run_page, texts


def test_enrich_section_estimates_and_queues_a_job(make, new_app, logged_in, app_db) -> None:
    boss = make.user("manager")
    for n in range(3):
        make.lead(boss, phone=None, lead_name=f"Ada Lovelace{n}", company=f"Engines {n}")
    at = run_page(logged_in(new_app(), boss), "pages/integrations.py")
    assert "0 of 1000 credits" in texts(at.caption)
    at.multiselect(key="lc_enrich_fields").set_value(["phone"])
    next(b for b in at.button if b.key == "lc_enrich_estimate").click().run()
    assert not at.exception, at.exception
    assert "3 leads to enrich from Demo data (offline): ~3 credits" in texts(at.info)
    next(b for b in at.button if b.key == "lc_enrich_start").click().run()
    assert not at.exception, at.exception
    assert "Enrichment queued as job #" in texts(at.success)
    [run] = enrichment_jobs.last_runs(app_db.uow(), boss)
    assert run["state"] == "queued" and run["fields"] == ["phone"]


def test_the_lead_page_shows_where_enriched_fields_came_from(make, new_app, logged_in, app_db) -> None:
    boss = make.user("manager")
    lead_id = make.lead(boss, phone=None, linkedin_url=None, lead_name="Grace Hopper", company="Navy Labs",
                        website="navylabs.example")
    report = enrich(app_db.uow(), boss, providers=[Sure("sure", confidence=0.8)], fields="phone,linkedin")
    assert report.enriched == 1
    at = open_lead(logged_in(new_app(), boss), lead_id)
    shown = "\n".join(str(m.value) for m in at.markdown)
    assert "from **sure**, confidence 80%" in shown
    assert "Enriched from **sure**" in shown  # the timeline's sentence
