"""Enrichment runs against a real database (SQLite, and PostgreSQL when configured): the demo leads get filled, a
second run has nothing to do, the monthly budget stops a run cleanly, and nothing a person set is ever changed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from leadcore import events
from leadcore.accounts.actors import Actor
from leadcore.config import Settings
from leadcore.db.models import EnrichmentCredit, Lead, LeadEnrichment
from leadcore.db.runtime import Database
from leadcore.enrichment.base import FIELDS, Findings, LeadFacts
from leadcore.enrichment.demo import DemoEnricher
from leadcore.enrichment.runner import enrich, provenance
from leadcore.errors import PermissionDenied, ProviderError
from leadcore.leads.edits import get_lead, update_lead
from leadcore.seed import seed_demo
from ui.timeline import sentence

DEC = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
JAN = datetime(2027, 1, 2, 9, 0, tzinfo=UTC)


def budget(n: int) -> Settings:
    return Settings(_env_file=None, enrich_monthly_credits=n)  # type: ignore[call-arg]


class Sure:
    """A provider that always answers every field it is asked for, with a chosen confidence."""

    def __init__(self, name: str = "sure", confidence: float = 1.0, fields: frozenset[str] = frozenset(FIELDS),
                 fail_after: int | None = None) -> None:
        self.name, self.label, self.credit_cost = name, name.title(), 1
        self.confidence, self.fields, self.fail_after = confidence, fields, fail_after
        self.asked: list[int] = []

    def fields_for(self, lead_type: str) -> frozenset[str]:
        return self.fields

    def can_identify(self, lead: LeadFacts) -> bool:
        return True

    def lookup(self, lead: LeadFacts) -> Findings:
        if self.fail_after is not None and len(self.asked) >= self.fail_after:
            raise ProviderError(f"{self.label} says the plan's usage limit is used up (429)")
        self.asked.append(lead.id)
        values = {"email": f"{self.name}{lead.id}@found.example", "phone": f"+49 30 555{lead.id:04d}",
                  "linkedin_url": f"https://www.linkedin.com/in/{self.name}-{lead.id}", "job_title": "Found Title",
                  "industry": f"{self.name} industry", "location": "Berlin, Germany",
                  "website": f"https://{self.name}{lead.id}.example"}
        return {f: (values[f], self.confidence) for f in self.fields}


def run(db: Database, actor: Actor, chain: list[Any], **kw: Any) -> Any:
    kw.setdefault("clock", lambda: DEC)
    kw.setdefault("settings", budget(1000))
    return enrich(db.uow(), actor, providers=chain, **kw)


def leads(db: Database, team_id: int) -> dict[int, Lead]:
    with db.uow() as uow:
        rows = uow.session.scalars(select(Lead).where(Lead.team_id == team_id)).all()
        uow.session.expunge_all()
        return {lead.id: lead for lead in rows}


def versions(db: Database, team_id: int) -> dict[int, int]:
    return {i: lead.version for i, lead in leads(db, team_id).items()}


def test_demo_fills_demo_leads_and_a_second_run_finds_nothing_to_do(db: Database, make: Any) -> None:
    manager = make.user("manager")
    seed_demo(db.uow(), manager, 40)
    before = leads(db, manager.team_id)

    dry = run(db, manager, [DemoEnricher()], dry_run=True)
    assert dry.candidates > 0 and dry.estimated_credits == dry.candidates and dry.credits_spent == 0
    assert dry.message.startswith(f"{dry.candidates} leads to enrich from Demo data (offline): "
                                  f"~{dry.estimated_credits} credits (1000 of 1000 credits left this month)")
    assert versions(db, manager.team_id) == {i: lead.version for i, lead in before.items()}

    first = run(db, manager, [DemoEnricher()])
    assert first.candidates == dry.candidates and first.credits_spent == dry.candidates
    assert first.enriched > 0 and sum(first.fields_filled.values()) >= first.enriched
    after = leads(db, manager.team_id)
    filled = 0
    for lead_id, old in before.items():
        new = after[lead_id]
        changed = [f for f in FIELDS if getattr(old, f) != getattr(new, f)]
        for f in changed:
            assert not getattr(old, f), "a value that was there is never overwritten"
        filled += len(changed)
        assert new.version == old.version + (1 if changed else 0)
    assert filled == sum(first.fields_filled.values())
    json_shape = first.as_json()
    assert {k: json_shape[k] for k in ("candidates", "estimatedCredits", "enriched", "creditsSpent",
                                       "stoppedAtBudget")} == {
        "candidates": first.candidates, "estimatedCredits": first.candidates, "enriched": first.enriched,
        "creditsSpent": first.candidates, "stoppedAtBudget": False}

    lead_id = first.lead_ids[0]
    [event] = [e for e in events.timeline(db.uow(), manager, lead_id) if e.kind == "enriched"]
    assert set(event.data["providers"].values()) == {"demo"}
    assert sentence(event, {}).startswith("Enriched from **demo**: ")
    rows = provenance(db.uow(), manager, lead_id)
    assert {r["provider"] for r in rows} == {"demo"}
    assert {r["field"] for r in rows if r["value"]} == set(event.data["providers"])

    second = run(db, manager, [DemoEnricher()])
    assert (second.candidates, second.enriched, second.credits_spent) == (0, 0, 0)
    assert second.message.startswith("Nothing to enrich")
    assert versions(db, manager.team_id) == {i: lead.version for i, lead in after.items()}


def test_a_budget_of_5_credits_stops_after_5_with_a_clear_message(db: Database, make: Any) -> None:
    manager = make.user("manager")
    seed_demo(db.uow(), manager, 30)
    plan = run(db, manager, [DemoEnricher()], dry_run=True, settings=budget(5))
    assert plan.candidates > 5

    report = run(db, manager, [DemoEnricher()], settings=budget(5))
    left = plan.candidates - 5
    assert report.stopped_at_budget and report.credits_spent == 5
    assert report.message == f"Stopped at the monthly budget: 5 of 5 credits used; {left} leads left"
    with db.uow() as uow:
        assert uow.session.scalar(select(EnrichmentCredit.spent)) == 5
        assert uow.session.scalar(select(func.count(func.distinct(LeadEnrichment.lead_id)))) == 5

    again = run(db, manager, [DemoEnricher()], settings=budget(5))
    assert again.stopped_at_budget and (again.credits_spent, again.enriched) == (0, 0)
    assert again.message == f"Stopped at the monthly budget: 5 of 5 credits used; {left} leads left"

    january = run(db, manager, [DemoEnricher()], settings=budget(5), clock=lambda: JAN)  # a new month, a new budget
    assert january.credits_spent == 5 and january.candidates == left


def test_a_user_edit_between_two_runs_is_never_changed(db: Database, make: Any) -> None:
    manager = make.user("manager")
    rep = make.user("rep")
    a, b, c = (make.lead(rep, lead_name=f"Lead {n}", email=None, company=f"Co {n}", job_title=None)
               for n in "ABC")
    first = run(db, manager, [Sure("first")], fields="phone")
    assert first.enriched == 3 and first.fields_filled == {"phone": 3}

    lead_a, lead_b = get_lead(db.uow(), rep, a), get_lead(db.uow(), rep, b)
    update_lead(db.uow(), rep, a, {"linkedin_url": "https://www.linkedin.com/in/typed-by-hand", "phone": "+1 555 0100"},
                expected_version=lead_a["version"])
    update_lead(db.uow(), rep, b, {"phone": ""}, expected_version=lead_b["version"])  # emptied on purpose

    second = run(db, manager, [Sure("second")])
    now = leads(db, manager.team_id)
    assert now[a].linkedin_url == "https://www.linkedin.com/in/typed-by-hand" and now[a].phone == "+1 555 0100"
    assert now[b].phone is None, "a field a person emptied stays empty"
    assert now[b].job_title == "Found Title" and now[c].phone == f"+49 30 555{c:04d}"
    assert second.enriched == 3 and "phone" not in second.fields_filled
    assert now[a].email == f"second{a}@found.example"


def test_the_waterfall_stops_at_the_first_confident_answer_per_field(db: Database, make: Any) -> None:
    manager = make.user("manager")
    lead_id = make.lead(manager, email=None, job_title=None)
    unsure = Sure("unsure", confidence=0.5, fields=frozenset({"email"}))
    phones = Sure("phones", fields=frozenset({"phone", "email"}))
    late = Sure("late")
    report = run(db, manager, [unsure, phones, late], fields="email,phone,title")
    assert report.estimated_credits == 3 and report.credits_spent == 3
    lead = leads(db, manager.team_id)[lead_id]
    assert (lead.email, lead.phone, lead.job_title) == (f"phones{lead_id}@found.example", f"+49 30 555{lead_id:04d}",
                                                        "Found Title")
    rows = {(r["provider"], r["field"]): (r["value"], r["confidence"]) for r in provenance(db.uow(), manager, lead_id)}
    assert rows == {("unsure", "email"): (None, 0.5), ("phones", "email"): (f"phones{lead_id}@found.example", 1.0),
                    ("phones", "phone"): (f"+49 30 555{lead_id:04d}", 1.0), ("late", "job_title"): ("Found Title", 1.0)}


def test_an_edit_opened_before_enrichment_still_saves(db: Database, make: Any) -> None:
    manager = make.user("manager")
    lead_id = make.lead(manager, phone=None)
    opened = get_lead(db.uow(), manager, lead_id)
    run(db, manager, [Sure()], fields="phone")
    saved = update_lead(db.uow(), manager, lead_id, {"job_title": "CTO"}, expected_version=opened["version"])
    assert saved["job_title"] == "CTO" and saved["phone"] == f"+49 30 555{lead_id:04d}"


def test_a_provider_failure_stops_the_run_keeping_what_was_filled(db: Database, make: Any) -> None:
    manager = make.user("manager")
    ids = [make.lead(manager, phone=None) for _ in range(4)]
    report = run(db, manager, [Sure("flaky", fail_after=2)], fields="phone")
    assert (report.enriched, report.credits_spent) == (2, 3)
    assert report.error == "Flaky says the plan's usage limit is used up (429)"
    assert report.message == ("Stopped: Flaky says the plan's usage limit is used up (429) (2 enriched, 3 credits "
                              "spent; 1 lead left)")
    assert [leads(db, manager.team_id)[i].phone is not None for i in ids] == [True, True, False, False]


def test_only_managers_spend_credits_and_other_teams_are_untouched(db: Database, make: Any) -> None:
    rep = make.user("rep")
    with pytest.raises(PermissionDenied):
        run(db, rep, [Sure()])
    other = make.user("manager", team="Other")
    theirs = make.lead(other, phone=None)
    manager = make.user("manager")
    make.lead(manager, phone=None)
    assert run(db, manager, [Sure()], fields="phone").enriched == 1
    assert leads(db, other.team_id)[theirs].phone is None
