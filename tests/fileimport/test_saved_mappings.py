"""Saved mapping presets: one per header set per team, found again whatever the column order or spelling."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select

from leadcore.db.models import ImportMapping
from leadcore.db.runtime import Database
from leadcore.fileimport.saved_mappings import (
    InvalidMapping,
    SavedMapping,
    delete_for,
    delete_mapping,
    find_for,
    find_mapping,
    header_signature,
    list_mappings,
    provenance,
    save_for,
    save_mapping,
)

HEADERS = ["Full Name", "E-mail", "Org", "Stage"]
MAPPING = {"Full Name": "lead_name", "E-mail": "email", "Org": "company", "Stage": "status"}


def count(db: Database) -> int:
    with db.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(ImportMapping)) or 0)


def test_signature_ignores_order_case_and_punctuation() -> None:
    assert header_signature(HEADERS) == header_signature(["stage", "org", "e_mail", "FULL NAME"])
    assert header_signature(HEADERS) != header_signature([*HEADERS, "Phone"])


def test_save_find_update_list_delete(db: Database, make) -> None:  # type: ignore[no-untyped-def]
    ann = make.user("manager", name="Ann")
    other = make.user("rep", team="Other")
    saved = save_for(db.uow(), ann, HEADERS, MAPPING, {"Hot": "QUALIFIED"}, None, "CRM export")
    assert (saved.name, saved.created_by_name, saved.status_map) == ("CRM export", "Ann", {"Hot": "QUALIFIED"})
    found = find_for(db.uow(), ann, ["stage", "org", "e_mail", "full name"])
    assert found is not None and found.mapping == MAPPING and found.headers == HEADERS
    assert find_for(db.uow(), other, HEADERS) is None  # another team's preset stays theirs
    assert find_for(db.uow(), ann, [*HEADERS, "Phone"]) is None

    again = save_for(db.uow(), ann, HEADERS, {**MAPPING, "Org": None}, {}, None, "CRM v2")
    assert again.id == saved.id and count(db) == 1  # the same header set: updated, not added
    with db.uow() as uow:
        listed = list_mappings(uow.session, ann.team_id)
    assert [(m.name, m.mapping["Org"]) for m in listed] == [("CRM v2", None)]

    assert delete_for(db.uow(), other, saved.id) is False  # not theirs
    assert delete_for(db.uow(), ann, saved.id) is True and count(db) == 0


def test_the_list_names_every_creator_in_one_statement(db: Database, make) -> None:  # type: ignore[no-untyped-def]
    ann = make.user("manager", name="Ann")
    bob = make.user("rep", name="Bob")  # the same (default) team
    save_for(db.uow(), ann, HEADERS, MAPPING, {}, None, "A from Ann")
    save_for(db.uow(), bob, ["Name", "Mail"], {"Name": "lead_name", "Mail": "email"}, {}, None, "B from Bob")
    seen: list[str] = []

    def statement(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", statement)
    try:
        with db.uow() as uow:
            listed = list_mappings(uow.session, ann.team_id)
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)
    assert [(m.name, m.created_by_name) for m in listed] == [("A from Ann", "Ann"), ("B from Bob", "Bob")]
    assert len([s for s in seen if s.lstrip().upper().startswith("SELECT")]) == 1


@pytest.mark.parametrize(("mapping", "status_map", "type_map", "name", "says"), [
    ({"E-mail": "mail"}, {}, {}, "x", "'mail' is not a field"),
    ({"Phone": "phone"}, {}, {}, "x", "'Phone' is not one of the file's headers"),
    ({"E-mail": "email"}, {"Hot": "IMPORTED"}, {}, "x", "must be one of"),
    ({"E-mail": "email"}, {}, {"Firm": "ORG"}, "x", "must be one of"),
    ({"E-mail": "email"}, {}, {}, "  ", "Give the mapping a name"),
])
def test_bad_input_is_a_clear_error_and_saves_nothing(db: Database, make, mapping, status_map, type_map,  # type: ignore[no-untyped-def]
                                                      name, says) -> None:
    ann = make.user("rep")
    with pytest.raises(ValueError, match=says):
        save_for(db.uow(), ann, HEADERS, mapping, status_map, type_map, name)
    with db.uow() as uow, pytest.raises(InvalidMapping):
        save_mapping(uow.session, ann.team_id, ann.user_id, HEADERS, mapping, status_map, type_map, name)
    assert count(db) == 0


def test_session_functions_leave_commit_to_the_caller(db: Database, make) -> None:  # type: ignore[no-untyped-def]
    ann = make.user("rep")
    with db.uow() as uow:
        save_mapping(uow.session, ann.team_id, ann.user_id, HEADERS, MAPPING, name="x")
        assert find_mapping(uow.session, ann.team_id, HEADERS) is not None
    assert count(db) == 0  # rolled back: not committed
    with db.uow() as uow:
        m = save_mapping(uow.session, ann.team_id, ann.user_id, HEADERS, MAPPING, name="x")
        uow.commit()
    with db.uow() as uow:
        assert delete_mapping(uow.session, ann.team_id, m.id)
        assert not delete_mapping(uow.session, ann.team_id, m.id + 100)
        uow.commit()
    assert count(db) == 0


def test_a_team_merge_keeps_the_target_teams_mapping_for_shared_columns(db: Database, make) -> None:  # type: ignore[no-untyped-def]
    from leadcore.leads.team_merge import merge_teams

    admin = make.user("admin", team="Admins")
    a, b = make.user("rep", team="East"), make.user("rep", team="West")
    save_for(db.uow(), a, HEADERS, MAPPING, name="East's")
    save_for(db.uow(), a, ["Email", "Name"], {"Email": "email", "Name": "lead_name"}, name="East only")
    save_for(db.uow(), b, HEADERS, {**MAPPING, "Org": None}, name="West's")
    merge_teams(db.uow(), admin, a.team_id, b.team_id)
    with db.uow() as uow:
        assert [m.name for m in list_mappings(uow.session, b.team_id)] == ["East only", "West's"]


@pytest.mark.parametrize(("who", "when", "expected"), [
    ("Ada Admin", datetime(2026, 12, 6, 9, 30, tzinfo=UTC), "saved by Ada Admin on 2026-12-06"),
    (None, datetime(2026, 1, 2, tzinfo=UTC), "saved on 2026-01-02"),  # the CLI, or a user since removed
    ("Ben Rep", None, "saved by Ben Rep on an earlier day"),
])
def test_provenance_names_who_saved_the_mapping_only_when_known(who: str | None, when: datetime | None,
                                                                expected: str) -> None:
    saved = SavedMapping(id=1, team_id=1, name="List", header_signature="x", headers=["Email"],
                         mapping={"Email": "email"}, status_map={}, type_map={}, created_by=None,
                         created_by_name=who, created_at=when, updated_at=when)
    assert provenance(saved) == expected
