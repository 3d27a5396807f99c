"""The lead detail page (?id=): every field, the score's reasons, notes and timeline, import, status, delete."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from leadcore.discovery.providers.base import SearchQuery
from leadcore.discovery.runs import run_discovery
from leadcore.intake.candidates import LeadCandidate
from leadcore.leads import edits

LEAD = "pages/lead.py"


def open_lead(at: AppTest, lead_id: object) -> AppTest:
    at.run()
    assert not at.exception
    at.query_params["id"] = str(lead_id)
    at.switch_page(LEAD).run()
    assert not at.exception, at.exception
    return at


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def note_area(at: AppTest):
    return next(t for t in at.text_area if t.label == "Note")


def add_note_button(at: AppTest):
    return next(b for b in at.form_submit_button if b.label == "Add note")


@pytest.fixture
def manager(make):
    return make.user("manager", name="Mia Manager")


@pytest.mark.parametrize("role", ["rep", "manager", "admin"])
def test_the_detail_page_opens_for_every_role(make, new_app, logged_in, role):
    who = make.user(role)
    lead_id = make.lead(who, lead_name="Ada Lovelace", company="Engines Ltd", job_title="CTO")
    at = open_lead(logged_in(new_app(), who), lead_id)
    assert at.title[0].value == "Ada Lovelace"
    values = at.table[0].value.iloc[:, 0].tolist()
    assert "Engines Ltd" in values and "CTO" in values
    assert any(p.value == "Back to Leads" for p in at.page_link)


@pytest.mark.parametrize("raw", ["", "abc", "-3", "0", "99999"])
def test_a_missing_or_invalid_id_is_a_friendly_error_with_a_way_back(manager, new_app, logged_in, raw):
    at = open_lead(logged_in(new_app(), manager), raw)
    assert at.error and ("not found" in at.error[0].value or "does not point to a lead" in at.error[0].value)
    assert [p.value for p in at.page_link] == ["Back to Leads"]
    assert not at.table


def test_another_teams_lead_looks_missing(make, new_app, logged_in):
    mine = make.user("manager", team="Blue")
    theirs = make.user("manager", team="Red")
    secret = make.lead(theirs, lead_name="Red Secret")
    at = open_lead(logged_in(new_app(), mine), secret)
    assert "not found" in at.error[0].value
    assert "Red Secret" not in texts(at.title) + texts(at.markdown)


def test_a_found_lead_shows_its_search_score_reasons_and_raw_record(manager, new_app, logged_in, app_db):
    result = run_discovery(app_db.uow(), manager, SearchQuery(text="CTO SaaS", limit=3), provider_name="demo")
    lead = result.leads[0]
    at = open_lead(logged_in(new_app(), manager), lead["id"])
    assert f"Found by search **#{result.search_id}**" in texts(at.markdown)
    link = next(p for p in at.page_link if p.value == "Other leads of this search")
    assert link.proto.query_string == f"search_id={result.search_id}"
    assert f"Why {lead['lead_score']}" in texts(at.subheader)
    reasons = at.dataframe[0].value
    assert int(reasons["Points"].sum()) == lead["lead_score"]
    assert at.json  # the raw provider record
    assert "Created from" in texts(at.markdown)


def test_adding_a_note_puts_it_on_the_timeline(manager, new_app, logged_in, app_db):
    lead_id = edits.create_lead(app_db.uow(), manager, LeadCandidate(lead_name="Nora Note", email="n@x.io")).lead_ids[0]
    at = open_lead(logged_in(new_app(), manager), lead_id)
    note_area(at).set_value("Called, wants a demo *Tuesday*")
    add_note_button(at).click().run()
    assert not at.exception
    assert "Note added." in texts(at.success)
    assert "Added a note" in texts(at.markdown)
    assert "Called, wants a demo *Tuesday*" in texts(at.text)  # shown as written, not as Markdown


def test_an_empty_note_is_refused_in_words(manager, make, new_app, logged_in):
    lead_id = make.lead(manager)
    at = open_lead(logged_in(new_app(), manager), lead_id)
    add_note_button(at).click().run()
    assert not at.exception
    assert "cannot be empty" in at.error[0].value


def test_import_shows_the_contact_and_company_then_the_already_imported_state(manager, make, new_app, logged_in,
                                                                              app_db):
    lead_id = make.lead(manager, lead_name="Ivan Import", company="Acme", website="https://acme.io")
    at = open_lead(logged_in(new_app(), manager), lead_id)
    button(at, "Import as contact").click().run()
    assert not at.exception
    got = edits.get_lead(app_db.uow(), manager, lead_id)
    assert got["imported"] and got["status"] == "IMPORTED"
    message = texts(at.success)
    assert f"contact #{got['imported_contact_id']}" in message and f"company #{got['imported_company_id']}" in message
    assert button(at, "Imported").disabled
    links = {p.proto.label: p.proto.query_string for p in at.get("page_link")}
    assert links["Contact: Ivan Import"] == f"id={got['imported_contact_id']}"  # opens the Contacts page
    assert "Imported as contact" in texts(at.markdown)  # on the timeline
    at = open_lead(logged_in(new_app(), manager), lead_id)  # opened again later: still "already imported"
    assert button(at, "Imported").disabled


def test_a_company_lead_imports_as_a_company(manager, make, new_app, logged_in, app_db):
    lead_id = make.lead(manager, type="COMPANY", lead_name="Globex", website="https://globex.com", email=None)
    at = open_lead(logged_in(new_app(), manager), lead_id)
    button(at, "Import as company").click().run()
    assert not at.exception
    assert edits.get_lead(app_db.uow(), manager, lead_id)["imported_company_id"]


def test_quick_status_change_and_its_timeline_entry(manager, make, new_app, logged_in, app_db):
    lead_id = make.lead(manager)
    at = open_lead(logged_in(new_app(), manager), lead_id)
    at.selectbox[0].set_value("QUALIFIED").run()
    button(at, "Update status").click().run()
    assert not at.exception
    assert "Status set to Qualified." in texts(at.success)
    assert edits.get_lead(app_db.uow(), manager, lead_id)["status"] == "QUALIFIED"
    assert "Status **New** → **Qualified**" in texts(at.markdown)
    assert at.selectbox[0].value == "QUALIFIED" and button(at, "Update status").disabled


def test_a_status_change_over_someone_elses_edit_is_a_conflict(manager, make, new_app, logged_in, app_db):
    lead_id = make.lead(manager, lead_name="Clash Carl")
    at = open_lead(logged_in(new_app(), manager), lead_id)
    edits.update_lead(app_db.uow(), manager, lead_id, {"status": "QUALIFIED"}, expected_version=1)
    at.selectbox[0].set_value("REJECTED").run()
    button(at, "Update status").click().run()
    assert not at.exception
    assert "Not saved" in at.warning[0].value and "Clash Carl" in at.warning[0].value
    assert "yours “REJECTED”, theirs “QUALIFIED”" in at.warning[0].value
    assert edits.get_lead(app_db.uow(), manager, lead_id)["status"] == "QUALIFIED"


def test_a_rep_sees_a_teammates_lead_read_only_but_can_comment(make, new_app, logged_in):
    owner = make.user("rep", name="Olga Owner")
    rep = make.user("rep")
    lead_id = make.lead(owner, owner_id=owner.user_id)
    at = open_lead(logged_in(new_app(), rep), lead_id)
    assert "belongs to Olga Owner" in texts(at.caption)
    assert button(at, "Import as contact").disabled and button(at, "Delete").disabled
    assert not add_note_button(at).disabled


def test_delete_asks_first_and_restore_brings_it_back(manager, make, new_app, logged_in, app_db):
    lead_id = make.lead(manager)
    at = open_lead(logged_in(new_app(), manager), lead_id)
    button(at, "Delete").click().run()
    assert "Delete this lead?" in at.warning[0].value
    assert edits.get_lead(app_db.uow(), manager, lead_id)["is_active"]
    button(at, "Yes, delete").click().run()
    assert not at.exception
    assert not edits.get_lead(app_db.uow(), manager, lead_id)["is_active"]
    assert "Lead deleted." in texts(at.success)
    button(at, "Restore").click().run()
    assert not at.exception
    assert edits.get_lead(app_db.uow(), manager, lead_id)["is_active"]


def test_the_summary_is_the_notes_field_and_notes_are_timeline_entries(manager, make, new_app, logged_in, app_db):
    lead_id = make.lead(manager, lead_name="Sue Summary", notes="Old summary")
    at = open_lead(logged_in(new_app(), manager), lead_id)
    area = next(t for t in at.text_area if t.label == "Summary")
    assert area.value == "Old summary"
    area.set_value("Wants a demo in Q1; budget approved")
    next(b for b in at.form_submit_button if b.label == "Save summary").click().run()
    assert "Summary saved." in texts(at.success)
    assert edits.get_lead(app_db.uow(), manager, lead_id)["notes"] == "Wants a demo in Q1; budget approved"
    note_area(at).set_value("Called, left a voicemail")
    add_note_button(at).click().run()
    lead = edits.get_lead(app_db.uow(), manager, lead_id)
    assert lead["notes"] == "Wants a demo in Q1; budget approved"  # a note does not overwrite the summary


def test_a_summary_edit_over_someone_elses_summary_is_refused_with_both(manager, make, new_app, logged_in, app_db):
    lead_id = make.lead(manager, lead_name="Sue Summary", notes="Old summary")
    at = open_lead(logged_in(new_app(), manager), lead_id)
    edits.update_lead(app_db.uow(), manager, lead_id, {"notes": "Their summary"}, expected_version=1)
    next(t for t in at.text_area if t.label == "Summary").set_value("My summary")
    next(b for b in at.form_submit_button if b.label == "Save summary").click().run()
    assert "yours “My summary”, theirs “Their summary”" in texts(at.warning)
    assert edits.get_lead(app_db.uow(), manager, lead_id)["notes"] == "Their summary"
