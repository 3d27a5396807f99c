"""Merging team A into team B: everything moves in one transaction, A's copies of B's leads are retired (B's kept),
the dry run counts without writing, and bad requests change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from leadcore.db.models import Lead, Team, User
from leadcore.db.runtime import Database
from leadcore.errors import InvalidInput, PermissionDenied
from leadcore.leads.team_merge import merge_teams
from leadcore.work import views
from tests.rollup_support import rollup_differences


def _setup(db: Database, make: Any) -> dict[str, Any]:
    admin = make.user("admin", team="Admins")
    a_rep, b_rep = make.user("rep", team="Acme East"), make.user("rep", team="Acme West")
    shared = make.lead(a_rep, lead_name="Ann Lee", email="ann@acme.io", company="Acme")
    only_a = make.lead(a_rep, lead_name="Bob Stone", email="bob@globex.io", company="Globex")
    kept = make.lead(b_rep, lead_name="Ann Lee", email="ann@acme.io", company="Acme")
    views.save_view(db.uow(), a_rep, name="Mine", filters={}, sort=None, shared=False)
    return {"admin": admin, "a": a_rep, "b": b_rep, "shared": shared, "only_a": only_a, "kept": kept}


def _team_of(db: Database, model: Any, ident: int) -> int:
    with db.uow() as uow:
        return int(uow.session.get(model, ident).team_id)


def test_merge_moves_everything_and_folds_leads_both_teams_have(db: Database, make: Any) -> None:
    t = _setup(db, make)
    a_team, b_team = t["a"].team_id, t["b"].team_id
    preview = merge_teams(db.uow(), t["admin"], a_team, b_team, dry_run=True)
    assert (preview.users, preview.leads, preview.folded) == (1, 2, [(t["shared"], t["kept"])])
    assert preview.moved["saved_views"] == 1
    assert _team_of(db, User, t["a"].user_id) == a_team  # the dry run wrote nothing
    done = merge_teams(db.uow(), t["admin"], a_team, b_team)
    assert (done.users, done.leads, done.folded, done.dry_run) == (1, 2, [(t["shared"], t["kept"])], False)
    assert _team_of(db, User, t["a"].user_id) == b_team and _team_of(db, Lead, t["only_a"]) == b_team
    with db.uow() as uow:
        s = uow.session
        retired = s.get(Lead, t["shared"])
        assert retired.team_id == b_team and not retired.is_active and retired.email_norm is None
        assert s.get(Lead, t["kept"]).is_active and s.get(Lead, t["kept"]).email_norm == "ann@acme.io"
        assert s.get(Team, a_team) is None
        active = s.scalar(select(func.count()).select_from(Lead).where(Lead.team_id == b_team, Lead.is_active))
        assert active == 2
    assert rollup_differences(db.engine) == {}  # the analytics counters moved with the leads and events


def test_merge_refuses_bad_requests_and_changes_nothing(db: Database, make: Any) -> None:
    t = _setup(db, make)
    with pytest.raises(PermissionDenied):
        merge_teams(db.uow(), t["a"], t["a"].team_id, t["b"].team_id)
    with pytest.raises(InvalidInput, match="two different teams"):
        merge_teams(db.uow(), t["admin"], t["a"].team_id, t["a"].team_id)
    with pytest.raises(InvalidInput, match="your own team"):
        merge_teams(db.uow(), t["admin"], t["admin"].team_id, t["b"].team_id)
    assert _team_of(db, User, t["a"].user_id) == t["a"].team_id
