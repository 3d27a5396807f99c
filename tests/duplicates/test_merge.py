from __future__ import annotations

from typing import Any

import pytest

from leadcore.db.runtime import Database
from leadcore.duplicates.merge import MergeConflict, merge_leads, unmerge
from leadcore.errors import InvalidInput, PermissionDenied
from leadcore.events import timeline
from leadcore.leads.bulk import BulkChange, bulk_update
from leadcore.leads.edits import add_note, get_lead, update_lead
from tests.duplicates.helpers import exported, save_rows


def _pair(db: Database, actor: Any) -> tuple[int, int]:
    a, b = save_rows(db, actor, [
        {"lead_name": "Robert Fischer", "company": "Acme GmbH", "email": "robert.fischer@acme.de"},
        {"lead_name": "Bob Fischer", "company": "ACME", "email": "bob.fischer@gmail.com", "phone": "+49 30 1234567",
         "job_title": "CTO", "notes": "met at fair"},
    ])
    assert a and b
    bulk_update(db.uow(), actor, [a], BulkChange(add_tags=("hot",)))
    bulk_update(db.uow(), actor, [b], BulkChange(add_tags=("fair",), status="CONTACTED"))
    add_note(db.uow(), actor, b, "called twice")
    return a, b


def test_merge_takes_chosen_fields_and_unmerge_restores_every_exported_column(db: Database, make: Any) -> None:
    manager = make.user("manager")
    a, b = _pair(db, manager)
    before = exported(db, manager)
    merged = merge_leads(db.uow(), manager, a, b, take=["email"])
    lead = get_lead(db.uow(), manager, a)
    assert lead["email"] == "bob.fischer@gmail.com"  # taken from the other
    assert lead["phone"] == "+49 30 1234567" and lead["job_title"] == "CTO"  # empty on the kept lead
    assert lead["company"] == "Acme GmbH"  # the kept lead's own value
    assert lead["tags"] == ["hot", "fair"] and lead["notes"] == "met at fair"
    assert get_lead(db.uow(), manager, b)["is_active"] is False
    kinds = [e.kind for e in timeline(db.uow(), manager, a)]
    assert "merged" in kinds and "note_added" in kinds  # the other's timeline joined
    merged_event = next(e for e in timeline(db.uow(), manager, a) if e.kind == "merged")
    assert merged_event.data["fields"]["email"] == {"from": "robert.fischer@acme.de", "to": "bob.fischer@gmail.com"}
    unmerge(db.uow(), manager, merged.merge_id)
    assert exported(db, manager) == before
    assert "note_added" in [e.kind for e in timeline(db.uow(), manager, b)]


def test_unmerge_refuses_a_conflicting_edit_then_keeps_it_when_asked(db: Database, make: Any) -> None:
    manager = make.user("manager")
    a, b = _pair(db, manager)
    merged = merge_leads(db.uow(), manager, a, b)
    version = get_lead(db.uow(), manager, a)["version"]
    update_lead(db.uow(), manager, a, {"job_title": "Chief Technology Officer"}, expected_version=version)
    with pytest.raises(MergeConflict, match="job_title"):
        unmerge(db.uow(), manager, merged.merge_id)
    assert get_lead(db.uow(), manager, b)["is_active"] is False  # nothing changed
    out = unmerge(db.uow(), manager, merged.merge_id, keep_edits=True)
    assert out["keptEdits"] == ["job_title"]
    lead = get_lead(db.uow(), manager, a)
    assert lead["job_title"] == "Chief Technology Officer" and lead["phone"] is None and lead["tags"] == ["hot"]
    assert get_lead(db.uow(), manager, b)["is_active"] is True


def test_rep_cannot_merge_a_lead_owned_by_someone_else(db: Database, make: Any) -> None:
    manager = make.user("manager")
    rep, other_rep = make.user("rep"), make.user("rep")
    a, b = _pair(db, manager)
    bulk_update(db.uow(), manager, [a], BulkChange().with_owner(other_rep.user_id))
    with pytest.raises(PermissionDenied):
        merge_leads(db.uow(), rep, a, b)
    with pytest.raises(InvalidInput, match="itself"):
        merge_leads(db.uow(), manager, a, a)
    with pytest.raises(InvalidInput, match="Cannot take"):
        merge_leads(db.uow(), manager, a, b, take=["password"])
