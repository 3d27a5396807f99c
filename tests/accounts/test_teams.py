"""Teams by name, whatever the case, and renaming one (admins only), on real SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from leadcore.accounts.users import find_team_actor, get_user, list_teams, rename_team, team_actor
from leadcore.errors import InvalidInput, PermissionDenied


def test_a_team_is_found_whatever_the_case(db: Any) -> None:
    first = team_actor(db.uow(), "Acme Sales")
    assert team_actor(db.uow(), " acme SALES ").team_id == first.team_id
    found = find_team_actor(db.uow(), "ACME sales")
    assert found is not None and found.team_id == first.team_id
    assert [name for _, name in list_teams(db.uow())] == ["Acme Sales"]


def test_an_admin_renames_a_team_and_its_members_follow(db: Any, make: Any) -> None:
    admin = make.user("admin", team="Sales")
    rep = make.user("rep", team="Sales")
    make.user("manager", team="Marketing")
    assert rename_team(db.uow(), admin, admin.team_id, "  Sales EMEA ") == "Sales EMEA"
    assert get_user(db.uow(), rep.user_id or 0).team_name == "Sales EMEA"
    with pytest.raises(InvalidInput, match="already a team called 'Marketing'"):
        rename_team(db.uow(), admin, admin.team_id, "marketing")
    with pytest.raises(InvalidInput):
        rename_team(db.uow(), admin, admin.team_id, "   ")
    with pytest.raises(PermissionDenied):
        rename_team(db.uow(), make.user("manager", team="Sales EMEA"), admin.team_id, "Mine")
    assert rename_team(db.uow(), admin, admin.team_id, "SALES emea") == "SALES emea"  # its own name, recased
