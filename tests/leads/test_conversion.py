"""Importing leads as contacts and companies: atomic, idempotent, reusing a company by domain."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from leadcore.accounts.actors import Actor
from leadcore.accounts.users import _insert_user
from leadcore.db.models import Company, Contact
from leadcore.db.runtime import Database
from leadcore.directory.records import get_company, get_contact
from leadcore.errors import NotFound
from leadcore.events import timeline
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.matcher import SearchContext, save_batch
from leadcore.leads.conversion import bulk_import, import_lead
from leadcore.leads.edits import get_lead


@pytest.fixture
def manager(db: Database) -> Actor:
    with db.uow() as uow:
        a = _insert_user(uow.session, email="m@x.io", password=None, role="manager", team_name="Alpha",
                         display_name="Mona").actor()
        uow.commit()
    return a


def add(db: Database, actor: Actor, *cands: LeadCandidate) -> list[int]:
    with db.uow() as uow:
        r = save_batch(uow.session, actor, list(cands), SearchContext())
        uow.commit()
    return r.lead_ids


def counts(db: Database) -> tuple[int, int]:
    with db.uow() as uow:
        return (int(uow.session.scalar(select(func.count()).select_from(Contact)) or 0),
                int(uow.session.scalar(select(func.count()).select_from(Company)) or 0))


def test_individual_lead_becomes_a_contact_and_its_company(db: Database, manager: Actor) -> None:
    [lead_id] = add(db, manager, LeadCandidate(lead_name="Ann Lee", email="ann@acme.io", company="Acme",
                                               job_title="CTO", phone="+49 30 1234567", location="Berlin",
                                               website="https://www.acme.io", industry="SaaS",
                                               linkedin_url="https://linkedin.com/in/annlee"))
    r = import_lead(db.uow(), manager, lead_id)
    assert (r.created_contact, r.created_company, r.already_imported) == (True, True, False)
    contact = get_contact(db.uow(), manager, r.contact_id or 0)
    company = get_company(db.uow(), manager, r.company_id or 0)
    assert (contact["name"], contact["email"], contact["job_title"], contact["phone"], contact["company_id"],
            contact["source_lead_id"], contact["linkedin_url"]) == (
        "Ann Lee", "ann@acme.io", "CTO", "+49 30 1234567", r.company_id, lead_id, "https://linkedin.com/in/annlee")
    assert (company["name"], company["domain"], company["website"], company["industry"]) == (
        "Acme", "acme.io", "https://www.acme.io", "SaaS")
    lead = get_lead(db.uow(), manager, lead_id)
    assert (lead["status"], lead["imported"], lead["imported_contact_id"], lead["imported_company_id"]) == (
        "IMPORTED", True, r.contact_id, r.company_id)
    assert lead["imported_at"] is not None
    event = timeline(db.uow(), manager, lead_id)[0]
    assert event.kind == "imported" and event.data["contact_id"] == r.contact_id
    assert event.data["status_from"] == "NEW"


def test_import_is_idempotent(db: Database, manager: Actor) -> None:
    [lead_id] = add(db, manager, LeadCandidate(lead_name="Ann Lee", email="ann@acme.io", company="Acme"))
    first = import_lead(db.uow(), manager, lead_id)
    version = get_lead(db.uow(), manager, lead_id)["version"]
    again = import_lead(db.uow(), manager, lead_id)
    assert (again.contact_id, again.company_id, again.already_imported) == (first.contact_id, first.company_id, True)
    assert (again.created_contact, again.created_company) == (False, False)
    assert counts(db) == (1, 1)
    assert get_lead(db.uow(), manager, lead_id)["version"] == version
    assert [e.kind for e in timeline(db.uow(), manager, lead_id)].count("imported") == 1


def test_colleagues_share_one_company_matched_by_domain(db: Database, manager: Actor) -> None:
    ann, bob, acme = add(db, manager,
                         LeadCandidate(lead_name="Ann Lee", email="ann@acme.io", company="Acme"),
                         LeadCandidate(lead_name="Bob Stone", email="bob@ACME.io", company="ACME Inc."),
                         LeadCandidate(type="COMPANY", lead_name="Acme Incorporated", website="http://www.acme.io/"))
    a, b = import_lead(db.uow(), manager, ann), import_lead(db.uow(), manager, bob)
    assert a.company_id == b.company_id and a.contact_id != b.contact_id
    assert (a.created_company, b.created_company) == (True, False)
    c = import_lead(db.uow(), manager, acme)
    assert (c.contact_id, c.company_id, c.created_company) == (None, a.company_id, False)
    assert counts(db) == (2, 1)


def test_company_lead_becomes_a_company_only(db: Database, manager: Actor) -> None:
    [lead_id] = add(db, manager, LeadCandidate(type="COMPANY", lead_name="Globex", website="https://globex.com",
                                               linkedin_url="https://linkedin.com/company/globex",
                                               headquarters="Springfield", phone="+1 555 0100"))
    r = import_lead(db.uow(), manager, lead_id)
    assert (r.contact_id, r.created_contact, r.created_company) == (None, False, True)
    company = get_company(db.uow(), manager, r.company_id or 0)
    assert (company["name"], company["domain"], company["headquarters"], company["linkedin_url"],
            company["phone"]) == ("Globex", "globex.com", "Springfield", "https://linkedin.com/company/globex",
                                  "+1 555 0100")
    assert counts(db) == (0, 1)


def test_free_mail_person_is_linked_by_company_name_not_by_gmail(db: Database, manager: Actor) -> None:
    ann, bob = add(db, manager,
                   LeadCandidate(lead_name="Ann Lee", email="ann@gmail.com", company="Tiny Shop"),
                   LeadCandidate(lead_name="Bob Stone", email="bob@gmail.com", company="Other Shop"))
    a, b = import_lead(db.uow(), manager, ann), import_lead(db.uow(), manager, bob)
    assert a.company_id != b.company_id
    assert get_company(db.uow(), manager, a.company_id or 0)["domain"] is None
    [carl] = add(db, manager, LeadCandidate(lead_name="Carl", email="carl@yahoo.com", company="Tiny Shop"))
    assert import_lead(db.uow(), manager, carl).company_id == a.company_id


def test_person_without_company_becomes_a_contact_only(db: Database, manager: Actor) -> None:
    [lead_id] = add(db, manager, LeadCandidate(lead_name="Solo", email="solo@gmail.com"))
    r = import_lead(db.uow(), manager, lead_id)
    assert (r.company_id, r.created_company) == (None, False) and r.contact_id is not None
    assert counts(db) == (1, 0)


def test_companies_are_per_team(db: Database, manager: Actor) -> None:
    with db.uow() as uow:
        other = _insert_user(uow.session, email="o@x.io", password=None, role="manager", team_name="Beta",
                             display_name="O").actor()
        uow.commit()
    [mine] = add(db, manager, LeadCandidate(lead_name="Ann", email="ann@acme.io", company="Acme"))
    [theirs] = add(db, other, LeadCandidate(lead_name="Ann", email="ann@acme.io", company="Acme"))
    a, b = import_lead(db.uow(), manager, mine), import_lead(db.uow(), other, theirs)
    assert a.company_id != b.company_id
    with pytest.raises(NotFound):
        get_company(db.uow(), other, a.company_id or 0)
    with pytest.raises(NotFound):
        get_contact(db.uow(), other, a.contact_id or 0)
    with pytest.raises(NotFound):
        import_lead(db.uow(), other, mine)


def test_bulk_import_counts_and_is_idempotent(db: Database, manager: Actor) -> None:
    ids = add(db, manager, *(LeadCandidate(lead_name=f"P{i}", email=f"p{i}@acme.io", company="Acme")
                             for i in range(4)))
    import_lead(db.uow(), manager, ids[0])
    r = bulk_import(db.uow(), manager, [*ids, ids[1], 999999])
    assert (r.imported, r.already, r.not_found, r.refused) == (3, 1, 1, 0)
    assert len({x.company_id for x in r.results}) == 1
    assert counts(db) == (4, 1)
    assert bulk_import(db.uow(), manager, ids).already == 4
