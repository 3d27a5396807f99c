"""Bulk actions are batches that can be undone, on real SQLite and PostgreSQL; IMPORTED never comes from an edit."""

from __future__ import annotations

from typing import Any

import pytest

from leadcore.errors import InvalidInput, NotFound, PermissionDenied
from leadcore.events import timeline
from leadcore.leads import conversion
from leadcore.leads.bulk import BulkChange, bulk_update
from leadcore.leads.edits import get_lead, update_lead
from leadcore.leads.undo import undo_batch

Factory = Any  # tests/conftest.py:Factory


def state(db: Any, actor: Any, lead_id: int) -> tuple[Any, ...]:
    lead = get_lead(db.uow(), actor, lead_id)
    return lead["status"], lead["tags"], lead["owner_id"], lead["is_active"]


@pytest.mark.parametrize("change", [
    BulkChange(status="REJECTED"),
    BulkChange(add_tags=("hot",), remove_tags=("cold",)),
    BulkChange(status="CONTACTED", add_tags=("q3",)),
    BulkChange(delete=True),
    BulkChange(owner_id=None),
], ids=["status", "tags", "status+tags", "delete", "unassign"])
def test_undo_puts_every_lead_of_the_batch_back(db: Any, make: Factory, change: BulkChange) -> None:
    manager = make.user("manager")
    rep = make.user("rep")
    ids = [make.lead(manager, tags=["cold"], owner_id=rep.user_id) for _ in range(4)]
    before = {i: state(db, manager, i) for i in ids}
    result = bulk_update(db.uow(), manager, ids[:3], change, label="test")
    assert result.updated == 3 and result.batch_id is not None
    assert all(state(db, manager, i) != before[i] for i in ids[:3])
    undone = undo_batch(db.uow(), manager, result.batch_id)
    assert (undone.restored, undone.changed_since, undone.gone) == (3, 0, 0)
    assert {i: state(db, manager, i) for i in ids} == before
    kinds = [e.kind for e in timeline(db.uow(), manager, ids[0])]
    assert len(kinds) >= 3  # created, the bulk change, its undo
    with pytest.raises(InvalidInput, match="already undone"):
        undo_batch(db.uow(), manager, result.batch_id)


def test_undo_keeps_a_change_made_after_the_batch(db: Any, make: Factory) -> None:
    manager = make.user("manager")
    a, b = make.lead(manager), make.lead(manager)
    result = bulk_update(db.uow(), manager, [a, b], BulkChange(status="REJECTED"))
    assert result.batch_id is not None
    update_lead(db.uow(), manager, b, {"status": "QUALIFIED"}, expected_version=2)
    undone = undo_batch(db.uow(), manager, result.batch_id)
    assert (undone.restored, undone.changed_since) == (1, 1)
    assert get_lead(db.uow(), manager, a)["status"] == "NEW"
    assert get_lead(db.uow(), manager, b)["status"] == "QUALIFIED"  # nothing a user saved is lost


def test_only_the_author_or_a_manager_may_undo_and_only_in_their_team(db: Any, make: Factory) -> None:
    manager = make.user("manager")
    rep, other_rep = make.user("rep"), make.user("rep")
    stranger = make.user("manager", team="Other team")
    lead_id = make.lead(manager, owner_id=rep.user_id)
    result = bulk_update(db.uow(), rep, [lead_id], BulkChange(add_tags=("mine",)))
    assert result.batch_id is not None
    with pytest.raises(PermissionDenied):
        undo_batch(db.uow(), other_rep, result.batch_id)
    with pytest.raises(NotFound):
        undo_batch(db.uow(), stranger, result.batch_id)
    assert undo_batch(db.uow(), manager, result.batch_id).restored == 1
    assert get_lead(db.uow(), manager, lead_id)["tags"] == []


def test_a_bulk_action_that_changes_nothing_leaves_nothing_to_undo(db: Any, make: Factory) -> None:
    manager = make.user("manager")
    lead_id = make.lead(manager)
    assert bulk_update(db.uow(), manager, [lead_id], BulkChange(status="NEW")).batch_id is None


def test_refused_leads_name_their_owner(db: Any, make: Factory) -> None:
    manager, rep = make.user("manager"), make.user("rep", name="Rui Rep")
    other = make.lead(manager, owner_id=manager.user_id)
    result = bulk_update(db.uow(), rep, [other], BulkChange(add_tags=("x",)))
    assert result.refused == 1 and result.reasons == {other: get_lead(db.uow(), manager, other)["owner_name"]}


def test_imported_only_comes_from_importing_the_lead(db: Any, make: Factory) -> None:
    manager = make.user("manager")
    lead_id = make.lead(manager)
    with pytest.raises(InvalidInput, match="Import as contact"):
        update_lead(db.uow(), manager, lead_id, {"status": "IMPORTED"}, expected_version=1)
    with pytest.raises(InvalidInput, match="Import as contact"):
        bulk_update(db.uow(), manager, [lead_id], BulkChange(status="IMPORTED"))
    assert get_lead(db.uow(), manager, lead_id)["status"] == "NEW"
    conversion.import_lead(db.uow(), manager, lead_id)
    lead = get_lead(db.uow(), manager, lead_id)
    assert lead["status"] == "IMPORTED" and lead["imported"]
    # an imported lead archived in bulk can be undone back to IMPORTED: it has its contact
    result = bulk_update(db.uow(), manager, [lead_id], BulkChange(status="ARCHIVED"))
    assert result.batch_id is not None
    undo_batch(db.uow(), manager, result.batch_id)
    assert get_lead(db.uow(), manager, lead_id)["status"] == "IMPORTED"
