"""Assignment rules on a real database: at intake (inside the save transaction) and applied on demand with a dry run."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from leadcore import events
from leadcore.accounts.actors import Actor
from leadcore.accounts.users import set_active_by_email
from leadcore.db.models import Lead, LeadEvent
from leadcore.db.runtime import Database
from leadcore.errors import InvalidInput, PermissionDenied
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.matcher import SearchContext, save_batch
from leadcore.work import assignment
from leadcore.work.routing import LeadFacts, matches


def owners(db: Database) -> Counter[int | None]:
    with db.uow() as uow:
        return Counter(uow.session.scalars(select(Lead.owner_id)))


def import_people(db: Database, actor: Actor, n: int, *, start: int = 0, industry: str | None = None,
                  source: str = "csv") -> list[int]:
    cands = [LeadCandidate(lead_name=f"P {i}", email=f"p{i}@firm{i}.com", company=f"Firm {i}", industry=industry)
             for i in range(start, start + n)]
    with db.uow() as uow:
        result = save_batch(uow.session, actor, cands, SearchContext(source=source))
        uow.commit()
    return result.lead_ids


@pytest.fixture
def team(make: Any) -> dict[str, Any]:
    manager = make.user("manager", email="boss@example.com")
    reps = [make.user("rep", email=f"{n}@example.com", name=n.title()) for n in ("ana", "ben", "cy", "dee")]
    return {"manager": manager, "reps": reps}


def rule(db: Database, manager: Actor, **spec: Any) -> dict[str, Any]:
    spec.setdefault("name", "Everyone")
    spec.setdefault("strategy", "round_robin")
    return assignment.create_rule(db.uow(), manager, spec)


@pytest.mark.parametrize("conditions, facts, hit", [
    ({}, LeadFacts(), True),
    ({"types": ["COMPANY"]}, LeadFacts(type="INDIVIDUAL"), False),
    ({"industries": ["Fintech"]}, LeadFacts(industry=" fintech "), True),
    ({"industries": ["Fintech"]}, LeadFacts(industry=None), False),
    ({"location_contains": "berlin"}, LeadFacts(location="Berlin, Germany"), True),
    ({"min_score": 50, "max_score": 80}, LeadFacts(score=49), False),
    ({"min_score": 50, "max_score": 80}, LeadFacts(score=80), True),
    ({"tags": ["vip", "hot"]}, LeadFacts(tags=("HOT",)), True),
    ({"tags": ["vip"]}, LeadFacts(tags=("cold",)), False),
    ({"search_query_contains": "cto"}, LeadFacts(search_query="CTOs in Berlin"), True),
    ({"sources": ["apollo"]}, LeadFacts(source="csv"), False),
    ({"search_id": 7}, LeadFacts(search_id=7), True),
])
def test_conditions_match_as_documented(conditions: dict[str, Any], facts: LeadFacts, hit: bool) -> None:
    assert matches(conditions, facts) is hit


def test_round_robin_at_intake_skips_a_deactivated_rep_and_names_the_rule(db: Database, team: dict[str, Any]) -> None:
    manager, reps = team["manager"], team["reps"]
    rule(db, manager, name="Spread", assignee_ids=[r.user_id for r in reps])
    set_active_by_email(db.uow(), "dee@example.com", False)
    import_people(db, manager, 10)
    import_people(db, manager, 11, start=10)
    got = owners(db)
    assert reps[3].user_id not in got
    assert sorted(got[r.user_id] for r in reps[:3]) == [7, 7, 7]
    with db.uow() as uow:
        lead_id = uow.session.scalar(select(Lead.id).where(Lead.owner_id == reps[0].user_id))
    assert lead_id is not None
    kinds = [(e.kind, e.data) for e in events.timeline(db.uow(), manager, lead_id)]
    assert ("assigned", {"from": None, "to": reps[0].user_id, "rule": "Spread", "rule_id": 1}) in kinds


def test_fixed_industry_rule_goes_ahead_of_the_round_robin(db: Database, team: dict[str, Any]) -> None:
    manager, (ana, ben, cy, _) = team["manager"], team["reps"]
    rule(db, manager, name="Fintech to Cy", strategy="fixed", assignee_ids=[cy.user_id],
         conditions={"industries": ["Fintech"]})
    rule(db, manager, name="Rest", assignee_ids=[ana.user_id, ben.user_id])
    fin = import_people(db, manager, 3, industry="Fintech")
    rest = import_people(db, manager, 4, start=3, industry="Retail")
    with db.uow() as uow:
        by_id = {i: o for i, o in uow.session.execute(select(Lead.id, Lead.owner_id))}
    assert {by_id[i] for i in fin} == {cy.user_id}
    assert Counter(by_id[i] for i in rest) == {ana.user_id: 2, ben.user_id: 2}


def test_manual_create_is_routed_too(db: Database, team: dict[str, Any], make: Any) -> None:
    manager, reps = team["manager"], team["reps"]
    rule(db, manager, strategy="fixed", assignee_ids=[reps[1].user_id])
    lead_id = make.lead(reps[0])
    with db.uow() as uow:
        assert uow.session.get(Lead, lead_id).owner_id == reps[1].user_id  # type: ignore[union-attr]


def test_dry_run_changes_nothing_and_predicts_the_real_apply(db: Database, team: dict[str, Any]) -> None:
    manager, (ana, ben, cy, dee) = team["manager"], team["reps"]
    import_people(db, manager, 8, industry="Fintech")
    import_people(db, manager, 13, start=8)
    rule(db, manager, name="Fintech", strategy="fixed", assignee_ids=[dee.user_id],
         conditions={"industries": ["fintech"]}, capacity=5)
    rule(db, manager, name="Rest", assignee_ids=[ana.user_id, ben.user_id, cy.user_id],
         conditions={"types": ["INDIVIDUAL"]})
    before = owners(db)
    dry = assignment.apply_rules(db.uow(), manager, dry_run=True)
    assert owners(db) == before == {None: 21}
    assert dry.assigned == 21 and dry.unmatched == 0
    assert dry.by_user == {dee.user_id: 5, ana.user_id: 6, ben.user_id: 5, cy.user_id: 5}
    real = assignment.apply_rules(db.uow(), manager, dry_run=False)
    assert (real.assigned, real.by_user, real.changes) == (dry.assigned, dry.by_user, dry.changes)
    assert owners(db) == Counter(real.by_user)
    assert real.summary({ana.user_id: "Ana"}).startswith("assigned 21: Ana 6")
    # undo gives the leads back to nobody
    assert assignment.undo_apply(db.uow(), manager, real.changes) == 21
    assert owners(db) == {None: 21}


def test_least_loaded_and_capacity(db: Database, team: dict[str, Any], make: Any) -> None:
    manager, (ana, ben, _, _) = team["manager"], team["reps"]
    for _ in range(3):
        make.lead(manager, owner_id=ana.user_id)
    rule(db, manager, strategy="least_loaded", assignee_ids=[ana.user_id, ben.user_id], capacity=4)
    import_people(db, manager, 6, start=100)
    got = owners(db)
    assert got[ana.user_id] == 4 and got[ben.user_id] == 4  # filled up to capacity, fewest first
    assert got[None] == 1  # everyone full: left unassigned


@pytest.mark.parametrize("spec, field", [
    ({"strategy": "fixed", "assignee_ids": [1, 2]}, "assignee_ids"),
    ({"strategy": "sometimes"}, "strategy"),
    ({"assignee_ids": []}, "assignee_ids"),
    ({"assignee_ids": [999]}, "assignee_ids"),
    ({"capacity": 0}, "capacity"),
    ({"conditions": {"colour": "red"}}, "conditions"),
    ({"conditions": {"min_score": 90, "max_score": 10}}, "min_score"),
    ({"name": " "}, "name"),
])
def test_bad_rules_are_refused_with_a_clear_message(db: Database, team: dict[str, Any], spec: dict[str, Any],
                                                    field: str) -> None:
    base = {"name": "R", "strategy": "round_robin", "assignee_ids": [team["reps"][0].user_id]}
    with pytest.raises(InvalidInput) as e:
        assignment.create_rule(db.uow(), team["manager"], {**base, **spec})
    assert e.value.field == field
    assert assignment.list_rules(db.uow(), team["manager"]) == []


def test_reps_cannot_touch_rules(db: Database, team: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        assignment.list_rules(db.uow(), team["reps"][0])
    with pytest.raises(PermissionDenied):
        assignment.apply_rules(db.uow(), team["reps"][0], dry_run=True)


def test_rules_edit_and_delete(db: Database, team: dict[str, Any]) -> None:
    manager, reps = team["manager"], team["reps"]
    r = rule(db, manager, assignee_ids=[reps[0].user_id])
    changed = assignment.update_rule(db.uow(), manager, r["id"], {**r, "name": "Renamed", "active": False})
    assert changed["name"] == "Renamed" and not changed["active"]
    import_people(db, manager, 2)
    assert owners(db) == {None: 2}  # inactive rule routes nothing
    assignment.delete_rule(db.uow(), manager, r["id"])
    assert assignment.list_rules(db.uow(), manager) == []
    with db.uow() as uow:
        assert uow.session.scalar(select(LeadEvent.id).where(LeadEvent.kind == "assigned")) is None
