"""Lead services on real databases: get/update with optimistic concurrency, soft delete, purge, bulk edits,
notes and the timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from leadcore.accounts.actors import Actor
from leadcore.db.models import Lead, LeadEvent
from leadcore.db.runtime import Database
from leadcore.errors import InvalidInput, NotFound, PermissionDenied, StaleLead
from leadcore.events import timeline
from leadcore.grid.filters import LeadFilters
from leadcore.grid.listing import list_leads
from leadcore.intake.candidates import LeadCandidate
from leadcore.leads.bulk import BulkChange, bulk_update, purge_rejected
from leadcore.leads.edits import (
    add_note,
    create_lead,
    delete_lead,
    get_lead,
    restore_lead,
    update_lead,
)

Factory = Any  # tests/conftest.py:Factory


def snapshot(db: Database, lead_id: int) -> dict[str, Any]:
    """Every column of the lead as stored, plus its event count: to prove that nothing changed."""
    with db.uow() as uow:
        lead = uow.session.get(Lead, lead_id)
        assert lead is not None
        cols = {c.key: getattr(lead, c.key) for c in Lead.__table__.columns}
        cols["events"] = uow.session.scalar(select(func.count()).where(LeadEvent.lead_id == lead_id))
        return cols


def set_columns(db: Database, lead_id: int, **values: Any) -> None:
    with db.uow() as uow:
        uow.session.execute(update(Lead).where(Lead.id == lead_id).values(**values))
        uow.commit()


@pytest.fixture
def manager(make: Factory) -> Actor:
    return make.user("manager", name="Mona Manager")


@pytest.fixture
def rep(make: Factory) -> Actor:
    return make.user("rep", name="Ana Rep")


def edit(db: Database, actor: Actor, lead_id: int, **changes: Any) -> dict[str, Any]:
    version = get_lead(db.uow(), actor, lead_id)["version"]
    return update_lead(db.uow(), actor, lead_id, changes, expected_version=version)


# -- get / update -------------------------------------------------------------------------------------------------


def test_get_lead_returns_every_field_with_raw_data_and_owner_name(db: Database, make: Factory, manager: Actor,
                                                                  rep: Actor) -> None:
    lead_id = make.lead(manager, raw_data={"provider": {"id": 7}}, owner_id=rep.user_id, phone="+49 30 1234567")
    lead = get_lead(db.uow(), manager, lead_id)
    assert lead["raw_data"] == {"provider": {"id": 7}}
    assert lead["owner_id"] == rep.user_id and lead["owner_name"] == "Ana Rep"
    assert lead["version"] >= 1 and lead["status"] == "NEW" and lead["team_id"] == manager.team_id
    for hidden in ("email_norm", "linkedin_norm", "name_key", "password_hash"):
        assert hidden not in lead


def test_update_changes_fields_bumps_version_and_recomputes_match_keys(db: Database, make: Factory,
                                                                       manager: Actor) -> None:
    lead_id = make.lead(manager, email="old@acme.io")
    before = get_lead(db.uow(), manager, lead_id)
    after = update_lead(db.uow(), manager, lead_id,
                        {"email": " New.Person@GMAIL.com ", "status": "contacted", "lead_score": "88",
                         "tags": "vip; berlin, vip", "notes": "call back"},
                        expected_version=before["version"])
    assert after["version"] == before["version"] + 1
    assert (after["email"], after["status"], after["lead_score"], after["tags"], after["notes"]) == (
        "New.Person@GMAIL.com", "CONTACTED", 88, ["vip", "berlin"], "call back")
    assert snapshot(db, lead_id)["email_norm"] == "newperson@gmail.com"
    # The old email is free again; the new one matches.
    assert create_lead(db.uow(), manager, LeadCandidate(lead_name="X", email="newperson@gmail.com")).lead_ids == [
        lead_id]
    assert create_lead(db.uow(), manager, LeadCandidate(lead_name="X", email="old@acme.io")).saved == 1


def test_stale_update_raises_and_changes_nothing(db: Database, make: Factory, manager: Actor, rep: Actor) -> None:
    lead_id = make.lead(manager)
    v1 = get_lead(db.uow(), manager, lead_id)["version"]
    update_lead(db.uow(), rep, lead_id, {"status": "CONTACTED"}, expected_version=v1)  # Ana got there first
    before = snapshot(db, lead_id)
    with pytest.raises(StaleLead) as e:
        update_lead(db.uow(), manager, lead_id, {"status": "REJECTED", "notes": "nope"}, expected_version=v1)
    assert e.value.current_version == v1 + 1 and e.value.lead_id == lead_id
    assert "Ana Rep" in str(e.value) and "yours “REJECTED”, theirs “CONTACTED”" in str(e.value)
    assert e.value.conflicts == {"status": ("REJECTED", "CONTACTED")}
    assert snapshot(db, lead_id) == before


def test_edits_of_different_fields_both_land(db: Database, make: Factory, manager: Actor, rep: Actor) -> None:
    lead_id = make.lead(manager)
    v1 = get_lead(db.uow(), manager, lead_id)["version"]
    update_lead(db.uow(), rep, lead_id, {"status": "CONTACTED", "tags": ["hot"]}, expected_version=v1)
    update_lead(db.uow(), rep, lead_id, {"job_title": "CTO"}, expected_version=v1 + 1)
    merged = update_lead(db.uow(), manager, lead_id, {"notes": "budget in Q3", "lead_score": 70}, expected_version=v1)
    assert (merged["status"], merged["tags"], merged["job_title"], merged["notes"], merged["lead_score"]) == (
        "CONTACTED", ["hot"], "CTO", "budget in Q3", 70)
    assert merged["version"] == v1 + 3
    # the same value twice is no clash either
    update_lead(db.uow(), manager, lead_id, {"status": "CONTACTED"}, expected_version=v1)


def test_a_change_that_does_not_say_what_it_changed_counts_as_a_clash(db: Database, make: Factory,
                                                                       manager: Actor) -> None:
    lead_id = make.lead(manager)
    delete_lead(db.uow(), manager, lead_id)
    restore_lead(db.uow(), manager, lead_id)  # versions without a field list: be safe
    with pytest.raises(StaleLead):
        update_lead(db.uow(), manager, lead_id, {"notes": "x"}, expected_version=1)


@pytest.mark.parametrize("changes, field", [
    ({"email": "bob@@x"}, None),
    ({"email": "a b@example.com"}, None),
    ({"lead_name": "", "email": ""}, None),
    ({"lead_score": "101"}, "lead_score"),
    ({"lead_score": "abc"}, "lead_score"),
    ({"lead_score": "12.5"}, "lead_score"),
    ({"status": "WON"}, "status"),
    ({"type": "PERSON"}, None),
    ({"company": "c" * 501}, None),
    ({"notes": "n" * 20_001}, "notes"),
    ({"tags": ["t" * 51]}, "tags"),
    ({"tags": 5}, "tags"),
    ({"owner_id": "abc"}, "owner_id"),
    ({"owner_id": 99999}, "owner_id"),
    ({"email_norm": "x@y.z"}, "email_norm"),
    ({"version": 10}, "version"),
    ({"team_id": 2}, "team_id"),
    ({"notes": "a\x00b"}, "notes"),
    ({"tags": ["vip\x00"]}, "tags"),
    ({"lead_name": "Ann\x00Lee"}, None),
])
def test_invalid_update_raises_invalid_input_and_changes_nothing(db: Database, make: Factory, manager: Actor,
                                                                 changes: dict[str, Any], field: str | None) -> None:
    lead_id = make.lead(manager)
    before = snapshot(db, lead_id)
    with pytest.raises(InvalidInput) as e:
        update_lead(db.uow(), manager, lead_id, changes, expected_version=before["version"])
    if field:
        assert e.value.field == field
    assert str(e.value)
    assert snapshot(db, lead_id) == before


@pytest.mark.parametrize("score", [0, 100, "55", " 42 ", "80.0"])
def test_update_accepts_whole_scores(db: Database, make: Factory, manager: Actor, score: Any) -> None:
    lead_id = make.lead(manager)
    assert edit(db, manager, lead_id, lead_score=score)["lead_score"] == int(float(str(score)))


def test_update_to_another_leads_email_is_refused_and_changes_nothing(db: Database, make: Factory,
                                                                      manager: Actor) -> None:
    make.lead(manager, email="taken@acme.io")
    lead_id = make.lead(manager, email="mine@acme.io")
    before = snapshot(db, lead_id)
    with pytest.raises(InvalidInput, match="already"):
        update_lead(db.uow(), manager, lead_id, {"email": "TAKEN@acme.io"}, expected_version=before["version"])
    assert snapshot(db, lead_id) == before


def test_update_without_a_change_keeps_the_version(db: Database, make: Factory, manager: Actor) -> None:
    lead_id = make.lead(manager, lead_name="Ann Lee")
    before = get_lead(db.uow(), manager, lead_id)
    after = update_lead(db.uow(), manager, lead_id, {"lead_name": " Ann Lee "}, expected_version=before["version"])
    assert after["version"] == before["version"]


def test_missing_lead_is_not_found(db: Database, manager: Actor) -> None:
    with pytest.raises(NotFound):
        get_lead(db.uow(), manager, 424242)
    with pytest.raises(NotFound):
        update_lead(db.uow(), manager, 424242, {"status": "NEW"}, expected_version=1)


# -- delete / restore / purge -------------------------------------------------------------------------------------


def test_soft_delete_hides_the_lead_keeps_it_restorable_and_still_dedupes(db: Database, make: Factory,
                                                                           manager: Actor) -> None:
    lead_id = make.lead(manager, email="ann@acme.io")
    delete_lead(db.uow(), manager, lead_id)
    assert get_lead(db.uow(), manager, lead_id)["is_active"] is False
    assert list_leads(db.uow(), manager).total == 0
    assert [x["id"] for x in list_leads(db.uow(), manager, LeadFilters(deleted=True)).items] == [lead_id]
    again = create_lead(db.uow(), manager, LeadCandidate(lead_name="Ann", email="ann@acme.io"))
    assert again.lead_ids == [lead_id] and again.saved == 0
    delete_lead(db.uow(), manager, lead_id)  # deleting twice is harmless
    restore_lead(db.uow(), manager, lead_id)
    lead = get_lead(db.uow(), manager, lead_id)
    assert lead["is_active"] is True and lead["deleted_at"] is None
    assert list_leads(db.uow(), manager).total == 1
    kinds = [e.kind for e in timeline(db.uow(), manager, lead_id)]
    assert kinds[:3] == ["restored", "duplicate_seen", "deleted"]


def test_purge_removes_only_old_rejected_leads_of_the_team(db: Database, make: Factory, manager: Actor) -> None:
    other_manager = make.user("manager", team="Other")
    old_rejected = make.lead(manager)
    new_rejected = make.lead(manager)
    old_new = make.lead(manager)
    other_team = make.lead(other_manager)
    long_ago = datetime.now(UTC) - timedelta(days=40)
    for lead_id in (old_rejected, new_rejected, other_team):
        set_columns(db, lead_id, status="REJECTED")
    for lead_id in (old_rejected, old_new, other_team):
        set_columns(db, lead_id, updated_at=long_ago)
    add_note(db.uow(), manager, old_rejected, "events go with the lead")  # touches updated_at...
    set_columns(db, old_rejected, updated_at=long_ago)  # ...so age it again
    assert purge_rejected(db.uow(), manager, older_than_days=30) == 1
    with pytest.raises(NotFound):
        get_lead(db.uow(), manager, old_rejected)
    for lead_id in (new_rejected, old_new):
        get_lead(db.uow(), manager, lead_id)
    get_lead(db.uow(), other_manager, other_team)
    with db.uow() as uow:
        assert uow.session.scalar(select(func.count()).where(LeadEvent.lead_id == old_rejected)) == 0
    assert purge_rejected(db.uow(), manager, older_than_days=0) == 1  # the fresh one, with 0 days
    with pytest.raises(InvalidInput):
        purge_rejected(db.uow(), manager, older_than_days=-1)


def test_purge_is_for_managers_only(db: Database, make: Factory, manager: Actor, rep: Actor) -> None:
    lead_id = make.lead(manager)
    set_columns(db, lead_id, status="REJECTED", updated_at=datetime.now(UTC) - timedelta(days=400))
    with pytest.raises(PermissionDenied):
        purge_rejected(db.uow(), rep, older_than_days=1)
    get_lead(db.uow(), manager, lead_id)
    admin = make.user("admin")
    assert purge_rejected(db.uow(), admin, older_than_days=1) == 1


# -- bulk ---------------------------------------------------------------------------------------------------------


def test_bulk_update_status_tags_and_owner_in_one_go(db: Database, make: Factory, manager: Actor,
                                                     rep: Actor) -> None:
    ids = [make.lead(manager, tags=["old", "keep"]) for _ in range(3)]
    other_team = make.lead(make.user("manager", team="Other"))
    r = bulk_update(db.uow(), manager, [*ids, ids[0], other_team, 999999],
                    BulkChange(status="qualified", add_tags=("new", "keep"), remove_tags=("old",))
                    .with_owner(rep.user_id))
    assert (r.updated, r.unchanged, r.refused, r.not_found) == (3, 0, 0, 2)
    for lead_id in ids:
        lead = get_lead(db.uow(), manager, lead_id)
        assert (lead["status"], lead["tags"], lead["owner_id"]) == ("QUALIFIED", ["keep", "new"], rep.user_id)
        kinds = {e.kind for e in timeline(db.uow(), manager, lead_id)}
        assert {"status_changed", "tags_changed", "assigned"} <= kinds
    again = bulk_update(db.uow(), manager, ids, BulkChange(status="QUALIFIED"))
    assert (again.updated, again.unchanged) == (0, 3)
    unassign = bulk_update(db.uow(), manager, ids, BulkChange().with_owner(None))
    assert unassign.updated == 3 and get_lead(db.uow(), manager, ids[0])["owner_id"] is None


def test_bulk_update_refuses_a_reps_rows_it_may_not_edit_and_does_the_rest(db: Database, make: Factory,
                                                                         manager: Actor, rep: Actor) -> None:
    teammate = make.user("rep", name="Tom Teammate")
    own = make.lead(manager, owner_id=rep.user_id)
    unassigned = make.lead(manager)
    theirs = make.lead(manager, owner_id=teammate.user_id)
    before = snapshot(db, theirs)
    r = bulk_update(db.uow(), rep, [own, unassigned, theirs], BulkChange(status="CONTACTED", add_tags=("hot",)))
    assert (r.updated, r.refused, r.refused_ids) == (2, 1, [theirs])
    assert "Tom Teammate" in r.reasons[theirs]
    assert snapshot(db, theirs) == before
    assert get_lead(db.uow(), rep, own)["status"] == "CONTACTED"


def test_bulk_update_rep_may_claim_but_not_assign_to_others(db: Database, make: Factory, manager: Actor,
                                                           rep: Actor) -> None:
    lead_id = make.lead(manager)
    with pytest.raises(PermissionDenied):
        bulk_update(db.uow(), rep, [lead_id], BulkChange().with_owner(manager.user_id))
    with pytest.raises(PermissionDenied):
        bulk_update(db.uow(), rep, [lead_id], BulkChange().with_owner(None))
    assert bulk_update(db.uow(), rep, [lead_id], BulkChange().with_owner(rep.user_id)).updated == 1
    assert get_lead(db.uow(), rep, lead_id)["owner_id"] == rep.user_id


def test_bulk_update_is_one_transaction(db: Database, make: Factory, manager: Actor) -> None:
    """A bad owner on the last lead must leave the first leads untouched too."""
    ids = [make.lead(manager) for _ in range(3)]
    stranger = make.user("rep", team="Other")
    before = [snapshot(db, i) for i in ids]
    with pytest.raises(InvalidInput):
        bulk_update(db.uow(), manager, ids, BulkChange(status="CONTACTED").with_owner(stranger.user_id))
    assert [snapshot(db, i) for i in ids] == before


def test_bulk_delete_and_restore(db: Database, make: Factory, manager: Actor) -> None:
    ids = [make.lead(manager) for _ in range(3)]
    assert bulk_update(db.uow(), manager, ids, BulkChange(delete=True)).updated == 3
    assert list_leads(db.uow(), manager).total == 0
    r = bulk_update(db.uow(), manager, ids[:2], BulkChange(restore=True))
    assert (r.updated, list_leads(db.uow(), manager).total) == (2, 2)


@pytest.mark.parametrize("change", [
    BulkChange(status="WON"),
    BulkChange(add_tags=("x" * 51,)),
])
def test_bulk_update_rejects_bad_input_before_touching_anything(db: Database, make: Factory, manager: Actor,
                                                                change: BulkChange) -> None:
    lead_id = make.lead(manager)
    before = snapshot(db, lead_id)
    with pytest.raises(InvalidInput):
        bulk_update(db.uow(), manager, [lead_id], change)
    assert snapshot(db, lead_id) == before


# -- notes and the timeline ---------------------------------------------------------------------------------------


def test_add_note_any_teammate_may_comment(db: Database, make: Factory, manager: Actor, rep: Actor) -> None:
    lead_id = make.lead(manager, owner_id=manager.user_id)
    add_note(db.uow(), rep, lead_id, "  met at the fair  ")
    entry = timeline(db.uow(), manager, lead_id)[0]
    assert (entry.kind, entry.data, entry.user_name) == ("note_added", {"text": "met at the fair"}, "Ana Rep")
    with pytest.raises(InvalidInput):
        add_note(db.uow(), rep, lead_id, "   ")
    with pytest.raises(InvalidInput):
        add_note(db.uow(), rep, lead_id, "x" * 20_001)
    with pytest.raises(InvalidInput):
        add_note(db.uow(), rep, lead_id, "nul\x00byte")  # PostgreSQL cannot store it: bad input, not a crash
    with pytest.raises(NotFound):
        add_note(db.uow(), make.user("rep", team="Other"), lead_id, "hi")


def test_timeline_lists_every_change_newest_first_with_who(db: Database, make: Factory, manager: Actor,
                                                          rep: Actor) -> None:
    lead_id = create_lead(db.uow(), manager, LeadCandidate(lead_name="Ann", email="ann@acme.io")).lead_ids[0]
    edit(db, manager, lead_id, status="CONTACTED")
    edit(db, manager, lead_id, job_title="CTO", phone="+1 555 0100")
    edit(db, rep, lead_id, tags=["vip"])
    edit(db, manager, lead_id, owner_id=rep.user_id)
    add_note(db.uow(), rep, lead_id, "call on Monday")
    create_lead(db.uow(), manager, LeadCandidate(lead_name="Ann", email="ANN@acme.io", location="Berlin"))
    delete_lead(db.uow(), manager, lead_id)
    restore_lead(db.uow(), manager, lead_id)
    entries = timeline(db.uow(), rep, lead_id)
    assert [e.kind for e in entries] == ["restored", "deleted", "duplicate_seen", "note_added", "assigned",
                                         "tags_changed", "fields_changed", "status_changed", "created"]
    by_kind = {e.kind: e for e in entries}
    assert by_kind["status_changed"].data == {"from": "NEW", "to": "CONTACTED", "version": 2}
    assert by_kind["fields_changed"].data == {"job_title": {"from": None, "to": "CTO"},
                                              "phone": {"from": None, "to": "+1 555 0100"}, "version": 3}
    assert by_kind["tags_changed"].data == {"added": ["vip"], "removed": [], "version": 4}
    assert by_kind["assigned"].data == {"from": None, "to": rep.user_id, "version": 5}
    assert by_kind["duplicate_seen"].data["filled"] == ["location"]
    assert by_kind["tags_changed"].user_name == "Ana Rep"
    assert by_kind["status_changed"].user_name == "Mona Manager"
    assert all(e.created_at is not None for e in entries)
    ids = [e.id for e in entries]
    assert ids == sorted(ids, reverse=True)


def test_timeline_of_another_teams_lead_is_not_found(db: Database, make: Factory, manager: Actor) -> None:
    lead_id = make.lead(manager)
    with pytest.raises(NotFound):
        timeline(db.uow(), make.user("manager", team="Other"), lead_id)
