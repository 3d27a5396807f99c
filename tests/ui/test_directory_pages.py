"""The Contacts and Companies pages (AppTest): lists with search, one record with its people and source leads,
reached from the imported lead's page."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from leadcore.leads.conversion import import_lead


@pytest.fixture
def imported(make: Any, app_db: Any) -> dict[str, Any]:
    manager = make.user("manager")
    lead_id = make.lead(manager, lead_name="Ana Lima", email="ana@acme.io", company="Acme", job_title="VP Sales",
                        website="https://acme.io")
    make.lead(manager, lead_name="Not Imported")
    r = import_lead(app_db.uow(), manager, lead_id)
    return {"manager": manager, "lead_id": lead_id, "contact_id": r.contact_id, "company_id": r.company_id}


def open_page(at: AppTest, file: str, record_id: object | None = None) -> AppTest:
    if record_id is not None:
        at.query_params["id"] = str(record_id)
    at.switch_page(file).run()
    assert not at.exception
    return at


def links(at: AppTest) -> dict[str, str]:
    return {p.proto.label: p.proto.query_string for p in at.get("page_link")}


def test_contacts_list_searches_and_opens_a_contact(imported, new_app, logged_in):
    at = open_page(logged_in(new_app(), imported["manager"]), "pages/contacts.py")
    table = at.dataframe[0].value
    assert list(table["Name"]) == ["Ana Lima"] and list(table["Company"]) == ["Acme"]
    at.text_input(key="dir_contacts_q").input("nobody").run()
    assert any("No contacts match" in i.value for i in at.info)
    at = open_page(logged_in(new_app(), imported["manager"]), "pages/contacts.py", imported["contact_id"])
    assert at.header[0].value == "Ana Lima"
    assert links(at)["Acme"] == f"id={imported['company_id']}"
    assert any(label.startswith("Ana Lima · Imported") for label in links(at))


def test_a_company_shows_its_people_and_where_it_came_from(imported, new_app, logged_in):
    at = open_page(logged_in(new_app(), imported["manager"]), "pages/companies.py", imported["company_id"])
    assert at.header[0].value == "Acme"
    assert links(at)["Ana Lima · VP Sales"] == f"id={imported['contact_id']}"
    assert at.subheader[0].value == "People (1)"


def test_another_teams_record_is_not_found_and_an_empty_team_is_told_how(imported, make, new_app, logged_in):
    stranger = make.user("manager", team="Other")
    at = open_page(logged_in(new_app(), stranger), "pages/companies.py", imported["company_id"])
    assert "was not found" in at.error[0].value
    at = open_page(logged_in(new_app(), stranger), "pages/contacts.py")
    assert "Import as contact" in at.info[0].value


def test_the_imported_lead_links_to_its_contact_and_company(imported, new_app, logged_in):
    at = logged_in(new_app(), imported["manager"])
    at = open_page(at, "pages/lead.py", imported["lead_id"])
    got = links(at)
    assert got["Contact: Ana Lima"] == f"id={imported['contact_id']}"
    assert got["Company: Acme"] == f"id={imported['company_id']}"
