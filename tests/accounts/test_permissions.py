"""SPEC §3 through the services: role × whose lead × action → ok, PermissionDenied or NotFound.

Another team's lead must look exactly like a missing one; a refused action must change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select, update

from leadcore.accounts.actors import Actor
from leadcore.accounts.users import _insert_user, create_user, list_users, update_user
from leadcore.db.models import Lead
from leadcore.db.runtime import Database
from leadcore.errors import InvalidInput, NotFound, PermissionDenied
from leadcore.events import timeline
from leadcore.grid.export import export_csv
from leadcore.grid.filters import LeadFilters
from leadcore.grid.listing import list_leads
from leadcore.grid.selection import iter_filtered_ids
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.matcher import SearchContext, save_batch
from leadcore.leads.bulk import BulkChange, bulk_update
from leadcore.leads.conversion import bulk_import, import_lead
from leadcore.leads.edits import add_note, delete_lead, get_lead, restore_lead, update_lead
from leadcore.scoring.rescoring import rescore_team


@dataclass
class World:
    actors: dict[str, Actor]
    leads: dict[str, int]
    teammate: Actor
    other_team: Actor


ROLES = ("rep", "manager", "admin")
WHOSE = ("own", "unassigned", "teammates", "other_team")


@pytest.fixture
def world(db: Database) -> World:
    """Team Alpha (a rep, a manager, an admin, a second rep) and team Beta, with one lead per kind of ownership.

    Built in one transaction through the same internals the services use: the matrix below runs 140 times.
    """
    with db.uow() as uow:
        s = uow.session

        def person(role: str, team: str, name: str) -> Actor:
            info = _insert_user(s, email=f"{name.split()[-1].lower()}@{team.lower()}.example", password=None,
                                role=role, team_name=team, display_name=name)
            return info.actor()

        actors = {role: person(role, "Alpha", f"The {role}") for role in ROLES}
        teammate, other = person("rep", "Alpha", "Tom Teammate"), person("manager", "Beta", "Olga Other")
        owners = {f"own-{role}": a.user_id for role, a in actors.items()}
        owners |= {"unassigned": None, "teammates": teammate.user_id}
        alpha = save_batch(s, actors["manager"], [
            LeadCandidate(lead_name=f"Lead {key}", email=f"{key}@{key}-corp.com", company=f"{key} Corp",
                          website=f"https://{key}-corp.com") for key in owners], SearchContext())
        beta = save_batch(s, other, [LeadCandidate(lead_name="Beta Lead", email="b@beta-corp.com")], SearchContext())
        leads = dict(zip(owners, alpha.lead_ids, strict=True)) | {"other_team": beta.lead_ids[0]}
        for key, owner in owners.items():
            s.execute(update(Lead).where(Lead.id == leads[key]).values(owner_id=owner))
        uow.commit()
    return World(actors=actors, leads=leads, teammate=teammate, other_team=other)


def _read(db: Database, a: Actor, lead_id: int) -> None:
    get_lead(db.uow(), a, lead_id)
    timeline(db.uow(), a, lead_id)


def _update(db: Database, a: Actor, lead_id: int) -> None:
    update_lead(db.uow(), a, lead_id, {"status": "CONTACTED", "tags": ["touched"]},
                expected_version=_version(db, lead_id))


def _delete(db: Database, a: Actor, lead_id: int) -> None:
    delete_lead(db.uow(), a, lead_id)


def _bulk(db: Database, a: Actor, lead_id: int) -> None:
    r = bulk_update(db.uow(), a, [lead_id], BulkChange(status="QUALIFIED", add_tags=("bulk",)))
    if r.not_found:
        raise NotFound("bulk: not found")
    if r.refused:
        raise PermissionDenied("bulk: refused")
    assert r.updated == 1


def _import(db: Database, a: Actor, lead_id: int) -> None:
    r = import_lead(db.uow(), a, lead_id)
    assert r.contact_id is not None


def _bulk_import(db: Database, a: Actor, lead_id: int) -> None:
    r = bulk_import(db.uow(), a, [lead_id])
    if r.not_found:
        raise NotFound("bulk import: not found")
    if r.refused:
        raise PermissionDenied("bulk import: refused")
    assert r.imported == 1


ACTIONS: dict[str, Callable[[Database, Actor, int], None]] = {
    "read": _read, "update": _update, "delete": _delete, "bulk": _bulk, "import": _import,
    "bulk_import": _bulk_import,
}


def _version(db: Database, lead_id: int) -> int:
    with db.uow() as uow:
        return int(uow.session.scalar(select(Lead.version).where(Lead.id == lead_id)) or 0)


def _row(db: Database, lead_id: int) -> dict[str, Any]:
    with db.uow() as uow:
        lead = uow.session.get(Lead, lead_id)
        assert lead is not None
        return {c.key: getattr(lead, c.key) for c in Lead.__table__.columns}


def expected(role: str, whose: str, action: str) -> type[Exception] | None:
    if whose == "other_team":
        return NotFound
    if action == "read" or role in ("manager", "admin") or whose in ("own", "unassigned"):
        return None
    return PermissionDenied


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("whose", WHOSE)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(db: Database, world: World, role: str, whose: str, action: str) -> None:
    actor = world.actors[role]
    lead_id = world.leads[f"own-{role}" if whose == "own" else whose]
    before = _row(db, lead_id)
    outcome = expected(role, whose, action)
    if outcome is None:
        ACTIONS[action](db, actor, lead_id)
        if action != "read":
            assert _row(db, lead_id)["version"] > before["version"]
    else:
        with pytest.raises(outcome) as e:
            ACTIONS[action](db, actor, lead_id)
        assert _row(db, lead_id) == before
        if outcome is NotFound:
            # Exactly the message a missing lead gives: nothing reveals that it exists.
            with pytest.raises(NotFound) as missing:
                ACTIONS[action](db, actor, 987654)
            assert str(e.value) == str(missing.value).replace("987654", str(lead_id))


@pytest.mark.parametrize("role", ROLES)
def test_lists_and_exports_never_show_another_teams_leads(db: Database, world: World, role: str) -> None:
    actor = world.actors[role]
    other_lead = world.leads["other_team"]
    page = list_leads(db.uow(), actor, limit=500)
    ids = {x["id"] for x in page.items}
    assert other_lead not in ids and page.total == len(ids) == 5
    assert other_lead not in iter_filtered_ids(db.uow(), actor, LeadFilters())
    exported = "".join(export_csv(db.uow(), actor))
    assert f"\n{other_lead}," not in exported and exported.count("\n") == 1 + 5
    assert list_leads(db.uow(), world.other_team).total == 1


def test_a_rep_may_claim_an_unassigned_lead(db: Database, world: World) -> None:
    rep = world.actors["rep"]
    lead_id = world.leads["unassigned"]
    out = update_lead(db.uow(), rep, lead_id, {"owner_id": rep.user_id}, expected_version=_version(db, lead_id))
    assert out["owner_id"] == rep.user_id and out["owner_name"] == "The rep"


@pytest.mark.parametrize("new_owner", ["teammate", "manager", "nobody"])
def test_a_rep_may_not_assign_a_lead_to_someone_else_or_unassign_it(db: Database, world: World,
                                                                    new_owner: str) -> None:
    rep = world.actors["rep"]
    owner = {"teammate": world.teammate.user_id, "manager": world.actors["manager"].user_id, "nobody": None}[new_owner]
    for lead_id in (world.leads["own-rep"], world.leads["unassigned"]):
        before = _row(db, lead_id)
        if before["owner_id"] == owner:
            continue
        with pytest.raises(PermissionDenied):
            update_lead(db.uow(), rep, lead_id, {"owner_id": owner}, expected_version=before["version"])
        assert _row(db, lead_id) == before


def test_a_rep_may_not_claim_a_teammates_lead(db: Database, world: World) -> None:
    rep = world.actors["rep"]
    lead_id = world.leads["teammates"]
    with pytest.raises(PermissionDenied):
        update_lead(db.uow(), rep, lead_id, {"owner_id": rep.user_id}, expected_version=_version(db, lead_id))


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_reassign_within_the_team_only(db: Database, world: World, role: str) -> None:
    actor = world.actors[role]
    lead_id = world.leads["teammates"]
    out = update_lead(db.uow(), actor, lead_id, {"owner_id": world.actors["rep"].user_id},
                      expected_version=_version(db, lead_id))
    assert out["owner_id"] == world.actors["rep"].user_id
    before = _row(db, lead_id)
    with pytest.raises(InvalidInput):
        update_lead(db.uow(), actor, lead_id, {"owner_id": world.other_team.user_id},
                    expected_version=before["version"])
    assert _row(db, lead_id) == before


def test_managers_may_not_assign_to_a_deactivated_user(db: Database, world: World) -> None:
    admin = world.actors["admin"]
    update_user(db.uow(), admin, world.teammate.user_id or 0, is_active=False)
    lead_id = world.leads["unassigned"]
    with pytest.raises(InvalidInput):
        update_lead(db.uow(), world.actors["manager"], lead_id, {"owner_id": world.teammate.user_id},
                    expected_version=_version(db, lead_id))


def test_notes_restore_and_bulk_across_teams(db: Database, world: World) -> None:
    other_lead = world.leads["other_team"]
    for role in ROLES:
        actor = world.actors[role]
        with pytest.raises(NotFound):
            add_note(db.uow(), actor, other_lead, "peek")
        with pytest.raises(NotFound):
            restore_lead(db.uow(), actor, other_lead)
        r = bulk_update(db.uow(), actor, [other_lead], BulkChange(delete=True))
        assert (r.updated, r.not_found) == (0, 1)
    assert _row(db, other_lead)["is_active"] is True
    # A rep may comment on a teammate's lead (notes are conversation, not edits).
    add_note(db.uow(), world.actors["rep"], world.leads["teammates"], "I know them")


def test_only_admins_manage_users(db: Database, world: World) -> None:
    for role in ("rep", "manager"):
        with pytest.raises(PermissionDenied):
            create_user(db.uow(), world.actors[role], email=f"new-{role}@example.com", password="long enough pw",
                        role="rep", team_name="Alpha")
        with pytest.raises(PermissionDenied):
            update_user(db.uow(), world.actors[role], world.teammate.user_id or 0, role="admin")
    created = create_user(db.uow(), world.actors["admin"], email="new@example.com", password="long enough pw",
                          role="rep", team_name="Alpha")
    assert created.role == "rep"
    assert {u.team_name for u in list_users(db.uow(), world.actors["manager"], all_teams=True)} == {"Alpha"}
    assert {u.team_name for u in list_users(db.uow(), world.actors["admin"], all_teams=True)} == {"Alpha", "Beta"}


def test_rescoring_is_for_managers(db: Database, world: World) -> None:
    with pytest.raises(PermissionDenied):
        rescore_team(db.uow(), world.actors["rep"])
    assert rescore_team(db.uow(), world.actors["manager"]) >= 0
