"""Contacts and companies as the directory reads them, on real SQLite and PostgreSQL: search, pages, the people at
a company, the leads each came from, and nothing of another team."""

from __future__ import annotations

from typing import Any

import pytest

from leadcore.directory import records
from leadcore.errors import InvalidInput, NotFound
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.matcher import SearchContext, save_batch
from leadcore.leads.conversion import bulk_import


@pytest.fixture
def acme(db: Any, make: Any) -> dict[str, Any]:
    manager = make.user("manager")
    people = [LeadCandidate(lead_name=name, email=f"{name.split()[0].lower()}@acme.io", company="Acme GmbH",
                            job_title=title, location="Berlin", website="https://acme.io")
              for name, title in (("Ana Lima", "VP Sales"), ("Bo Chen", "CTO"), ("Cy Diaz", "Head of Growth"))]
    people.append(LeadCandidate(lead_name="Dee Park", email="dee@globex.com", company="Globex", job_title="CFO",
                                location="Paris", website="https://globex.com"))
    with db.uow() as uow:
        ids = save_batch(uow.session, manager, people, SearchContext(query="fintech")).lead_ids
        uow.commit()
    bulk_import(db.uow(), manager, ids)
    return {"manager": manager, "ids": ids, "other": make.user("manager", team="Other")}


def test_contacts_list_by_name_with_their_company_and_search(db: Any, acme: dict[str, Any]) -> None:
    page = records.list_contacts(db.uow(), acme["manager"])
    assert [c["name"] for c in page.items] == ["Ana Lima", "Bo Chen", "Cy Diaz", "Dee Park"] and page.total == 4
    assert {c["company_name"] for c in page.items} == {"Acme GmbH", "Globex"}
    for q, names in (("vp sales", ["Ana Lima"]), ("paris", ["Dee Park"]), ("ACME", ["Ana Lima", "Bo Chen", "Cy Diaz"]),
                     ("100%", []), ("dee@", ["Dee Park"])):
        assert [c["name"] for c in records.list_contacts(db.uow(), acme["manager"], q=q).items] == names, q
    second = records.list_contacts(db.uow(), acme["manager"], offset=2, limit=2)
    assert [c["name"] for c in second.items] == ["Cy Diaz", "Dee Park"] and second.total == 4
    assert records.list_contacts(db.uow(), acme["other"]).total == 0


def test_a_company_lists_its_people_and_the_leads_it_came_from(db: Any, acme: dict[str, Any]) -> None:
    companies = records.list_companies(db.uow(), acme["manager"])
    assert [(c["name"], c["contacts"]) for c in companies.items] == [("Acme GmbH", 3), ("Globex", 1)]
    company = records.get_company(db.uow(), acme["manager"], companies.items[0]["id"])
    assert [p["name"] for p in company["people"]] == ["Ana Lima", "Bo Chen", "Cy Diaz"]
    assert {lead["id"] for lead in company["leads"]} == set(acme["ids"][:3])
    assert all(lead["status"] == "IMPORTED" for lead in company["leads"])
    contact = records.get_contact(db.uow(), acme["manager"], company["people"][0]["id"])
    assert contact["company_name"] == "Acme GmbH" and [lead["id"] for lead in contact["leads"]] == [acme["ids"][0]]
    with pytest.raises(NotFound):
        records.get_company(db.uow(), acme["other"], company["id"])
    with pytest.raises(NotFound):
        records.get_contact(db.uow(), acme["other"], contact["id"])


@pytest.mark.parametrize(("kw", "field"), [({"limit": 0}, "limit"), ({"limit": 201}, "limit"),
                                            ({"offset": -1}, "offset"), ({"q": "x" * 201}, "q"),
                                            ({"q": "a\x00b"}, "q")])
def test_bad_paging_or_search_says_which(db: Any, acme: dict[str, Any], kw: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as e:
        records.list_contacts(db.uow(), acme["manager"], **kw)
    assert e.value.field == field
