"""The matcher through a real database: every dedupe rule of SPEC §5, the must-not-merge cases, the merge policy.

Each pair is saved two ways: in one batch (in-batch clustering) and in two batches (the second one finds the
first in the database). Both must agree.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from leadcore.accounts.actors import Actor
from leadcore.accounts.users import team_actor
from leadcore.db.models import Lead, LeadEvent, LeadSearch
from leadcore.db.runtime import Database
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.matcher import (
    DUPLICATE_EXISTING,
    DUPLICATE_IN_BATCH,
    INVALID,
    NEW,
    SaveResult,
    SearchContext,
    save_batch,
)
from leadcore.leads.edits import get_lead, update_lead


def save(db: Database, actor: Actor, cands: list[LeadCandidate], ctx: SearchContext | None = None) -> SaveResult:
    with db.uow() as uow:
        result = save_batch(uow.session, actor, cands, ctx or SearchContext())
        uow.commit()
    return result


def lead_count(db: Database, team_id: int | None = None) -> int:
    with db.uow() as uow:
        q = select(func.count()).select_from(Lead)
        if team_id is not None:
            q = q.where(Lead.team_id == team_id)
        return int(uow.session.scalar(q) or 0)


def P(name: str | None = None, **kw: Any) -> LeadCandidate:
    """A person candidate."""
    return LeadCandidate(type="INDIVIDUAL", lead_name=name, **kw)


def C(name: str | None = None, **kw: Any) -> LeadCandidate:
    """A company candidate."""
    return LeadCandidate(type="COMPANY", lead_name=name, company=kw.pop("company", name), **kw)


@pytest.fixture
def actor(db: Database) -> Actor:
    return team_actor(db.uow(), "Default")


SAME = [
    pytest.param(P("Ann Lee", email="ann.lee+promo@gmail.com"), P("Ann Lee", email="AnnLee@googlemail.com"),
                 id="gmail-dots-plus-googlemail"),
    pytest.param(P("Ann Lee", email="  Ann@Acme.IO "), P("A. Lee", email="ann@acme.io"), id="email-case-trim"),
    pytest.param(P("Ann Lee", email="ann@acme.io"), P("Annie Lee", email="ann@acme.io", company="Other"),
                 id="same-email-different-name"),
    pytest.param(P("Ann Lee", linkedin_url="https://www.linkedin.com/in/ann-lee/"),
                 P("Ann B. Lee", linkedin_url="http://de.linkedin.com/in/Ann-Lee?trk=public_profile"),
                 id="linkedin-country-subdomain-query-slash"),
    pytest.param(P("Ann Lee", email="ann@acme.io", linkedin_url="linkedin.com/in/annlee"),
                 P("Ann Lee", email="ann.lee@gmail.com", linkedin_url="https://linkedin.com/in/annlee/#about"),
                 id="linkedin-joins-different-emails"),
    pytest.param(C("Acme Ltd", website="http://www.acme.co.uk/about"), C("ACME UK", website="https://acme.co.uk"),
                 id="company-domain-co-uk"),
    pytest.param(C("Acme", website="acme.io"), C("Acme Group", website="https://shop.acme.io/en?x=1"),
                 id="company-domain-subdomain"),
    pytest.param(C("Acme", linkedin_url="https://www.linkedin.com/company/acme/"),
                 C("Acme Inc", linkedin_url="linkedin.com/company/acme/about/"), id="company-linkedin-page"),
    pytest.param(P("Dr. John Smith", company="Acme Inc."), P("Smith, John", company="ACME"),
                 id="name-and-company-no-strong-key"),
    pytest.param(P("José Müller", company="Café Zürich GmbH"), P("jose muller", company="Cafe Zurich"),
                 id="name-and-company-accents"),
    pytest.param(P("John Smith", company="Acme", email="john@acme.com"), P("John Smith", company="Acme"),
                 id="name-and-company-new-row-has-no-key"),
    pytest.param(C("Joe's Plumbing LLC", phone="+1 555 0100"), C("Joes Plumbing"), id="company-name-only"),
    # A person with no key at all matches the key-less lead that agrees on everything known of them.
    pytest.param(P("Ann Lee", location="Berlin"), P("Lee, Ann", location="berlin"), id="keyless-name-and-location"),
    pytest.param(P("Ann Lee", email="info@acme.io"), P("Ann Lee", email="INFO@acme.io"), id="keyless-role-address"),
    pytest.param(P("Ann Lee", phone="+49 30 1234567"), P("Ann Lee", phone="030 1234567"), id="keyless-name-phone"),
]

DIFFERENT = [
    pytest.param(C("Joe's Plumbing", email="joesplumbing@gmail.com"), C("Bob's Bakery", email="bobsbakery@gmail.com"),
                 id="free-mail-domain-companies"),
    pytest.param(P("Ann Lee", email="ann@gmail.com"), P("Bob Stone", email="bob@gmail.com"), id="free-mail-people"),
    pytest.param(P("Ann Lee", email="info@acme.com", company="Acme"), P("Bob Stone", email="info@acme.com",
                                                                          company="Acme"),
                 id="role-address-info"),
    pytest.param(P("Ann Lee", email="sales@acme.com"), P("Bob Stone", email="SALES@acme.com"), id="role-address-sales"),
    pytest.param(P("John Smith", company="Acme"), P("John Smith", company="Globex"), id="common-name-other-company"),
    pytest.param(P("John Smith"), P("John Smith"), id="common-name-no-company"),
    pytest.param(P("John Smith", company="Freelance"), P("John Smith", company="freelance"),
                 id="common-name-freelance"),
    pytest.param(P("John Smith", company="Acme", email="john@acme.com"),
                 P("John Smith", company="Acme", email="jsmith@acme.com"), id="same-name-different-emails"),
    pytest.param(P("Ann Lee", email="ann@acme.com"), P("Bob Stone", email="bob@acme.com"),
                 id="colleagues-same-domain"),
    pytest.param(C("Acme", website="https://acme.com"), P("Ann Lee", email="ann@acme.com", company="Acme"),
                 id="company-and-its-employee"),
    pytest.param(C("Acme", website="https://acme.github.io"), C("Globex", website="https://globex.github.io"),
                 id="github-io"),
    pytest.param(C("Acme", website="https://linktr.ee/acme"), C("Globex", website="https://linktr.ee/globex"),
                 id="linktree"),
    pytest.param(C("Acme", website="https://sites.google.com/view/acme"),
                 C("Globex", website="https://sites.google.com/view/globex"), id="google-sites"),
    pytest.param(C("Acme", website="https://acme.wixsite.com/home"), C("Globex", website="https://globex.wixsite.com/home"),
                 id="wixsite"),
    pytest.param(C("Acme", website="https://acme.myshopify.com"), C("Globex", website="https://globex.myshopify.com"),
                 id="myshopify"),
    pytest.param(C("Acme", website="https://www.facebook.com/acme"), C("Globex", website="https://facebook.com/globex"),
                 id="social-page"),
    pytest.param(P("Ann Lee", linkedin_url="https://www.linkedin.com/company/acme"),
                 P("Bob Stone", linkedin_url="https://www.linkedin.com/company/acme"),
                 id="people-with-employer-linkedin-page"),
    pytest.param(C("Acme", website="https://acme.com"), C("Acme", website="https://acme-corp.com"),
                 id="company-same-name-different-domains"),
    # Namesakes without any key: whatever else is known of them differs, so they stay two leads.
    pytest.param(P("John Smith", location="Berlin"), P("John Smith", location="Munich"), id="keyless-namesakes-city"),
    pytest.param(P("John Smith", phone="+49 30 1234567"), P("John Smith", phone="+49 40 7654321"),
                 id="keyless-namesakes-phone"),
    pytest.param(P("John Smith", email="info@acme.io"), P("John Smith", email="info@globex.io"),
                 id="keyless-namesakes-role-addresses"),
    pytest.param(P("John Smith", location="Berlin"), P("John Smith", location="Berlin", job_title="CTO"),
                 id="keyless-namesakes-one-with-title"),
    pytest.param(P("Ann Lee", email="info@acme.io"), P("Bo Chan", email="info@acme.io"),
                 id="keyless-role-address-other-name"),
    pytest.param(P("John Smith", location="Berlin", email="john@acme.io"), P("John Smith", location="Berlin"),
                 id="namesake-with-email-and-keyless"),
]


@pytest.mark.parametrize("mode", ["one-batch", "two-batches"])
@pytest.mark.parametrize("first, second", SAME)
def test_same_lead_is_saved_once(db: Database, actor: Actor, first: LeadCandidate, second: LeadCandidate,
                                 mode: str) -> None:
    if mode == "one-batch":
        r = save(db, actor, [first, second])
        assert (r.saved, r.duplicates, r.invalid) == (1, 1, 0)
        assert [p.outcome for p in r.rows] == [NEW, DUPLICATE_IN_BATCH]
    else:
        r1, r2 = save(db, actor, [first]), save(db, actor, [second])
        assert (r1.saved, r2.saved, r2.duplicates) == (1, 0, 1)
        assert r2.rows[0].outcome == DUPLICATE_EXISTING
        assert r2.rows[0].lead_id == r1.rows[0].lead_id
    assert lead_count(db) == 1


@pytest.mark.parametrize("mode", ["one-batch", "two-batches"])
@pytest.mark.parametrize("first, second", DIFFERENT)
def test_different_leads_are_never_merged(db: Database, actor: Actor, first: LeadCandidate,
                                          second: LeadCandidate, mode: str) -> None:
    if mode == "one-batch":
        r = save(db, actor, [first, second])
        assert (r.saved, r.duplicates) == (2, 0)
    else:
        r1, r2 = save(db, actor, [first]), save(db, actor, [second])
        assert (r1.saved, r2.saved, r2.duplicates) == (1, 1, 0)
    assert lead_count(db) == 2
    assert len(set(save(db, actor, [first]).lead_ids + save(db, actor, [second]).lead_ids)) == 2


def test_role_address_stays_the_visible_email_but_is_no_key(db: Database, actor: Actor) -> None:
    r = save(db, actor, [P("Ann Lee", email="Info@Acme.com", company="Acme")])
    with db.uow() as uow:
        lead = uow.session.get(Lead, r.lead_ids[0])
        assert lead is not None
        assert lead.email == "Info@Acme.com"
        assert lead.email_norm is None


def test_company_domain_is_a_key_only_for_company_leads(db: Database, actor: Actor) -> None:
    r = save(db, actor, [C("Acme", website="https://www.acme.com/about"), P("Ann", email="ann@acme.com")])
    with db.uow() as uow:
        q = select(Lead.type, Lead.domain).where(Lead.id.in_(r.lead_ids))
        rows = sorted(tuple(row) for row in uow.session.execute(q))
    assert rows == [("COMPANY", "acme.com"), ("INDIVIDUAL", "acme.com")]


def test_merge_keeps_user_edits_fills_empty_fields_and_records_the_duplicate(db: Database, actor: Actor) -> None:
    first = save(db, actor, [P("Ann Lee", email="ann@acme.io", job_title="Engineer", company="Acme")])
    lead_id = first.lead_ids[0]
    before = get_lead(db.uow(), actor, lead_id)
    update_lead(db.uow(), actor, lead_id, {"job_title": "CTO"}, expected_version=before["version"])
    with db.uow() as uow:
        run = LeadSearch(team_id=actor.team_id, provider="demo", query="cto berlin", outcome="ok")
        uow.session.add(run)
        uow.session.flush()
        search_id = run.id
        uow.commit()
    dup = P("Ann Lee", email="ANN@acme.io", job_title="Intern", company="Other Corp", phone="+49 30 1234567",
            location="Berlin", linkedin_url="https://linkedin.com/in/annlee")
    r = save(db, actor, [dup], SearchContext(search_id=search_id, source="demo", query="cto berlin"))
    assert (r.saved, r.duplicates, r.invalid, r.count) == (0, 1, 0, 1)
    after = get_lead(db.uow(), actor, lead_id)
    assert after["job_title"] == "CTO"  # the user's edit wins
    assert after["company"] == "Acme"  # a value already there is never overwritten
    assert after["phone"] == "+49 30 1234567" and after["location"] == "Berlin"  # empty fields filled
    assert after["linkedin_url"] == "https://linkedin.com/in/annlee"
    assert after["duplicate_count"] == 1
    assert after["version"] > before["version"] + 1
    assert after["search_id"] is None  # where it was first found stays
    with db.uow() as uow:
        seen = uow.session.scalars(
            select(LeadEvent).where(LeadEvent.lead_id == lead_id, LeadEvent.kind == "duplicate_seen")).all()
        assert [(e.search_id, sorted(e.data["filled"])) for e in seen] == [
            (search_id, ["linkedin_url", "location", "phone"])]
        lead = uow.session.get(Lead, lead_id)
        assert lead is not None and lead.linkedin_norm == "linkedin.com/in/annlee"
    # The filled LinkedIn key now matches on its own.
    again = save(db, actor, [P("Someone", linkedin_url="https://www.linkedin.com/in/AnnLee/")])
    assert again.lead_ids == [lead_id]


def test_duplicate_without_new_information_changes_only_the_counter(db: Database, actor: Actor) -> None:
    lead_id = save(db, actor, [P("Ann Lee", email="ann@acme.io")]).lead_ids[0]
    v = get_lead(db.uow(), actor, lead_id)["version"]
    for n in (1, 2, 3):
        r = save(db, actor, [P("Ann Lee", email="ann@acme.io")])
        assert r.lead_ids == [lead_id]
        assert get_lead(db.uow(), actor, lead_id)["duplicate_count"] == n
    assert get_lead(db.uow(), actor, lead_id)["version"] == v


def test_in_batch_duplicates_are_merged_before_saving(db: Database, actor: Actor) -> None:
    r = save(db, actor, [
        P("Ann Lee", email="ann@acme.io"),
        P("Ann Lee", email="ANN@acme.io", phone="+44 20 7946 0958"),
        P("Ann Lee", email="ann@acme.io", job_title="CTO", linkedin_url="https://linkedin.com/in/annlee"),
        P("Ann Lee", linkedin_url="linkedin.com/in/annlee/"),  # joins through the LinkedIn of row 3
    ])
    assert (r.saved, r.duplicates) == (1, 3)
    assert [p.outcome for p in r.rows] == [NEW, DUPLICATE_IN_BATCH, DUPLICATE_IN_BATCH, DUPLICATE_IN_BATCH]
    assert len(set(r.lead_ids)) == 1 and len(r.lead_ids) == 4
    lead = get_lead(db.uow(), actor, r.lead_ids[0])
    assert (lead["phone"], lead["job_title"]) == ("+44 20 7946 0958", "CTO")
    with db.uow() as uow:
        kinds = sorted(uow.session.scalars(select(LeadEvent.kind).where(LeadEvent.lead_id == lead["id"])))
    assert kinds == ["created", "duplicate_seen", "duplicate_seen", "duplicate_seen"]
    assert lead["duplicate_count"] == 3  # the counter and the events agree


def test_batch_mixing_new_existing_in_batch_and_invalid_rows_counts_every_row(db: Database, actor: Actor) -> None:
    existing = save(db, actor, [P("Old Lead", email="old@acme.io")]).lead_ids[0]
    batch = [
        P("New One", email="new1@acme.io"),                  # 0 new
        P("Old Lead", email="OLD@acme.io"),                  # 1 duplicate of an existing lead
        P(None, email=None, company="Nameless"),              # 2 invalid: no name, no email
        P("New One", email="new1@acme.io"),                  # 3 duplicate in batch
        P("Bad Mail", email="bob@@x"),                       # 4 invalid email
        LeadCandidate(type="PERSON", lead_name="Typed"),     # 5 invalid type
        P("Scored", email="s@acme.io", lead_score=101),      # 6 invalid score
        P("x" * 501),                                        # 7 invalid: long name
        P("Long Notes", email="n@acme.io", notes="n" * 20_000),  # 8 valid: notes may be long
        P("=HYPERLINK(\"http://evil\")", email="f@acme.io"),  # 9 valid: formula text is data
        P("Old Lead", email="old@acme.io"),                  # 10 duplicate of the existing lead again
    ]
    r = save(db, actor, batch)
    assert [p.outcome for p in r.rows] == [NEW, DUPLICATE_EXISTING, INVALID, DUPLICATE_IN_BATCH, INVALID, INVALID,
                                           INVALID, INVALID, NEW, NEW, DUPLICATE_EXISTING]
    assert (r.saved, r.duplicates, r.invalid) == (3, 3, 5)
    assert r.count == len(batch)
    reasons = dict(r.invalid_rows)
    assert "name or an email" in reasons[2]
    assert "bob@@x" in reasons[4]
    assert "type" in reasons[5]
    assert "lead_score" in reasons[6]
    assert "longer than 500" in reasons[7]
    assert lead_count(db) == 4
    assert get_lead(db.uow(), actor, existing)["duplicate_count"] == 2
    stored = {x["email"]: x for x in (get_lead(db.uow(), actor, i) for i in set(r.lead_ids))}
    assert stored["f@acme.io"]["lead_name"] == "=HYPERLINK(\"http://evil\")"
    assert len(stored["n@acme.io"]["notes"]) == 20_000


@pytest.mark.parametrize("bad", ["bob@@x", "a b@example.com", "jane@", "x@example..com", "@acme.io", "plain"])
def test_implausible_email_is_invalid_and_nothing_else_is_lost(db: Database, actor: Actor, bad: str) -> None:
    r = save(db, actor, [P("Ann", email="ann@acme.io"), P("Bad", email=bad), P("Bob", email="bob@acme.io")])
    assert (r.saved, r.invalid) == (2, 1)
    assert r.rows[1].outcome == INVALID and r.rows[1].reason
    assert lead_count(db) == 2


def test_same_email_in_two_teams_is_two_leads(db: Database) -> None:
    a, b = team_actor(db.uow(), "Alpha"), team_actor(db.uow(), "Beta")
    ra = save(db, a, [P("Ann Lee", email="ann@acme.io"), C("Acme", website="acme.io")])
    rb = save(db, b, [P("Ann Lee", email="ann@acme.io"), C("Acme", website="acme.io")])
    assert (ra.saved, rb.saved, rb.duplicates) == (2, 2, 0)
    assert set(ra.lead_ids).isdisjoint(rb.lead_ids)
    assert lead_count(db, a.team_id) == lead_count(db, b.team_id) == 2
    again = save(db, b, [P("Ann", email="ann@acme.io")])
    assert again.lead_ids == [rb.lead_ids[0]]


def test_created_leads_carry_the_search_context_and_a_created_event(db: Database, actor: Actor) -> None:
    ctx = SearchContext(search_id=None, source="csv", query="file:x.csv", mode="individual", location="Berlin",
                        industry="SaaS", tech_stack="python")
    r = save(db, actor, [P("Ann Lee", email="ann@acme.io", tags=["vip"])], ctx)
    lead = get_lead(db.uow(), actor, r.lead_ids[0])
    assert (lead["source"], lead["search_query"], lead["search_location"], lead["search_industry"],
            lead["search_tech_stack"], lead["status"], lead["tags"]) == (
        "csv", "file:x.csv", "Berlin", "SaaS", "python", "NEW", ["vip"])
    assert 0 <= lead["lead_score"] <= 100 and lead["score_breakdown"]
    given = save(db, actor, [P("Bob", email="bob@acme.io", lead_score=77)])
    assert get_lead(db.uow(), actor, given.lead_ids[0])["lead_score"] == 77


@pytest.mark.parametrize("key, allowed_twice, refused", [
    ({"email_norm": "ann@acme.io"}, [{}, {}], {"email_norm": "ann@acme.io"}),
    ({"linkedin_norm": "linkedin.com/in/ann"}, [{}, {}], {"linkedin_norm": "linkedin.com/in/ann"}),
    ({"type": "COMPANY", "domain": "acme.io"}, [{"domain": "acme.io"}, {"domain": "acme.io"}],
     {"type": "COMPANY", "domain": "acme.io"}),
    ({"name_key": "p:ann lee|acme"}, [{"name_key": "p:ann lee|acme", "email_norm": "a@acme.io"},
                                     {"name_key": "p:ann lee|acme", "email_norm": "b@acme.io"}],
     {"name_key": "p:ann lee|acme"}),
])
def test_unique_indexes_refuse_a_second_copy_even_without_the_matcher(
        db: Database, actor: Actor, key: dict[str, Any], allowed_twice: list[dict[str, Any]],
        refused: dict[str, Any]) -> None:
    base = {"team_id": actor.team_id, "type": "INDIVIDUAL", "tags": []}
    other_team = team_actor(db.uow(), "Other").team_id
    with db.uow() as uow:
        uow.session.execute(insert(Lead), [base | key, *(base | extra for extra in allowed_twice),
                                           base | key | {"team_id": other_team}])
        uow.commit()
    with db.uow() as uow, pytest.raises(IntegrityError):
        uow.session.execute(insert(Lead), [base | refused])
