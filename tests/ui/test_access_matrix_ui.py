"""SPEC §3 through the pages (AppTest): role × whose lead × action, every cell decided by the services first.

The vocabulary is the services matrix's (tests/accounts/test_permissions.py): roles rep/manager/admin, leads
that are the actor's own, unassigned, a teammate's, or another team's. For each cell the expected outcome is not
written here but computed by calling the same leadcore function the page calls, on a copy of the same seeded
database, and classified as

- ``ok``: the service does it;
- ``refused``: PermissionDenied (the bulk services count the lead as refused);
- ``hidden``: NotFound (bulk: not_found; export/analytics: the lead is not in what the actor gets).

That service outcome must also equal the services matrix's own ``expected()`` (which the API matrix in
tests/api/test_api_authz.py mirrors), so services, API and UI provably agree. The page must then behave the same
way: ``ok`` — the page offers the action and it is done; ``refused`` — the page says the lead is someone else's
and either does not offer the action (a disabled button; clicking it anyway, as a forged request would, changes
nothing) or refuses it on save with a message naming the lead; ``hidden`` — the lead is nowhere on the page, no
data of it is shown, and its detail page says exactly what a missing lead's says. Finally every lead the pages
touched must be in exactly the state the service calls left its twin in.

Actions: read (detail page ``?id=`` and the grid's list), edit (grid cell + Save), delete (detail page), bulk
(grid: tick + bulk status), import (detail page "Import as contact"), bulk_import (grid: tick + bulk import),
export (the grid's Download CSV, the bytes the user would get), analytics (the Analytics page, its owner filter and
its per-rep table). 3 roles × 4 leads × 8 actions = 96 cells.

One seeded SQLite file serves the whole module: every (role, lead, surface) has a lead of its own, named
``cell-<role>-<surface>-<whose>``, so the cells do not disturb one another and the grid can be narrowed to one
role's leads by its search box (another team's twin carries the same name, so a leak would show up there).
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from sqlalchemy import update
from starlette.applications import Starlette
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

import ui.resources
import ui.state
from leadcore import events
from leadcore.accounts import sessions
from leadcore.accounts.actors import Actor
from leadcore.accounts.users import UserInfo, _insert_user
from leadcore.analytics import dashboard
from leadcore.config import settings
from leadcore.db.engine import make_engine, session_factory
from leadcore.db.models import Lead
from leadcore.db.runtime import Database
from leadcore.errors import NotFound, PermissionDenied
from leadcore.grid import listing
from leadcore.grid.export import export_csv
from leadcore.grid.filters import UNASSIGNED, LeadFilters
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.matcher import SearchContext, save_batch
from leadcore.leads import bulk, conversion, edits
from tests.accounts.test_permissions import ROLES, WHOSE
from tests.accounts.test_permissions import expected as services_expected
from tests.ui.conftest import APP, login_as
from ui.session_routes import ROUTES

ACTIONS = ("read", "edit", "delete", "bulk", "import", "bulk_import", "export", "analytics")
MATRIX = [(role, whose, action) for role in ROLES for whose in WHOSE for action in ACTIONS]
OK, REFUSED, HIDDEN = "ok", "refused", "hidden"
# This file's action -> the services matrix's name for it (export and analytics are reads there).
SERVICES_NAME = {"edit": "update", "export": "read", "analytics": "read"}
DETAIL_ACTIONS = ("read", "import", "delete")
GRID_ACTIONS = ("edit", "bulk", "bulk_import", "export")
COMPARED = ("status", "tags", "owner_id", "is_active", "imported", "version", "lead_score", "notes")

LEAD_PAGE, LEADS_PAGE, ANALYTICS_PAGE = "pages/lead.py", "pages/leads.py", "pages/analytics.py"

Cell = tuple[str, str, str]
MISSING = 987654  # a lead id that does not exist


def test_the_matrix_has_96_cells() -> None:
    assert len(MATRIX) == len(set(MATRIX)) == 96
    print(f"UI access matrix: {len(MATRIX)} cells")  # shown with -s


# --- the seeded world and the services' answers --------------------------------------------------------------------


@dataclass
class World:
    url: str
    live: Database  # the app's database: the pages act on it
    twin: Database  # a copy of the seeded file: the service calls act on it
    users: dict[str, UserInfo]  # role -> user, plus "teammate" and "other" (another team's manager)
    leads: dict[tuple[str, str, str], int]  # (role, surface, whose) -> lead id; surface "detail" or "grid"
    service: dict[Cell, str] = field(default_factory=dict)  # filled by the tests, in the order the pages act

    def actor(self, role: str) -> Actor:
        return self.users[role].actor()

    def lead(self, role: str, surface: str, whose: str) -> int:
        return self.leads[(role, surface, whose)]


def _name(role: str, surface: str, whose: str) -> str:
    return f"cell-{role}-{surface}-{whose}"


def _seed(db: Database) -> tuple[dict[str, UserInfo], dict[tuple[str, str, str], int]]:
    """Team Alpha (rep, manager, admin and Tom, a second rep) and team Beta (Olga); two leads per cell row."""
    with db.uow() as uow:
        s = uow.session

        def person(role: str, team: str, name: str) -> UserInfo:
            return _insert_user(
                s,
                email=f"{name.split()[-1].lower()}@{team.lower()}.example",
                password=None,
                role=role,
                team_name=team,
                display_name=name,
            )

        users = {role: person(role, "Alpha", f"The {role}") for role in ROLES}
        users["teammate"] = person("rep", "Alpha", "Tom Teammate")
        users["other"] = person("manager", "Beta", "Olga Other")
        keys = [(role, surface, whose) for role in ROLES for surface in ("detail", "grid") for whose in WHOSE]

        def candidate(key: tuple[str, str, str]) -> LeadCandidate:
            name = _name(*key)
            return LeadCandidate(
                lead_name=name,
                email=f"{name}@{name.replace('_', '-')}.example",
                company=f"{name} corp",
                job_title="Buyer",
            )

        alpha_keys = [k for k in keys if k[2] != "other_team"]
        beta_keys = [k for k in keys if k[2] == "other_team"]
        alpha = save_batch(s, users["manager"].actor(), [candidate(k) for k in alpha_keys], SearchContext())
        beta = save_batch(s, users["other"].actor(), [candidate(k) for k in beta_keys], SearchContext())
        ids = dict(zip(alpha_keys, alpha.lead_ids, strict=True)) | dict(zip(beta_keys, beta.lead_ids, strict=True))
        owner = {"own": None, "unassigned": None, "teammates": users["teammate"].id, "other_team": None}
        for (role, _, whose), lead_id in ids.items():
            owner_id = users[role].id if whose == "own" else owner[whose]
            s.execute(update(Lead).where(Lead.id == lead_id).values(owner_id=owner_id))
        uow.commit()
    return users, ids


def _open(url: str) -> Database:
    engine = make_engine(url)
    return Database(url=url, engine=engine, sessions=session_factory(engine))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, _migrated_template: Path) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("access-matrix")
    live_path, twin_path = tmp / "live.db", tmp / "twin.db"
    shutil.copyfile(_migrated_template, live_path)
    live = _open(f"sqlite:///{live_path}")
    users, ids = _seed(live)
    with live.engine.begin() as conn:  # fold the WAL into the file so a plain copy is complete
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(live_path, twin_path)
    twin = _open(f"sqlite:///{twin_path}")
    yield World(url=live.url, live=live, twin=twin, users=users, leads=ids)
    live.engine.dispose()
    twin.engine.dispose()


@pytest.fixture(autouse=True)
def _app_uses_the_world(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point the app at the module's database (other modules' fixtures may have pointed it elsewhere)."""
    monkeypatch.setenv("LEADCORE_DATABASE_URL", world.url)
    settings.cache_clear()
    ui.resources.database.clear()  # leadcore.db.runtime keeps the engine per URL: reopening costs nothing
    st.cache_data.clear()  # cached reads are keyed by team id, and other modules' first team is team 1 too
    yield
    ui.resources.database.clear()
    settings.cache_clear()


def outcome(call: Callable[[], Any]) -> str:
    """A service call's outcome in the matrix's words."""
    try:
        call()
    except NotFound:
        return HIDDEN
    except PermissionDenied:
        return REFUSED
    return OK


def bulk_outcome(result: Any) -> str:
    """One lead's outcome from a bulk result (leadcore.leads.bulk.BulkResult
    or leadcore.leads.conversion.BulkImportResult)."""
    if result.not_found:
        return HIDDEN
    if result.refused:
        return REFUSED
    return OK


def record(world: World, role: str, whose: str, action: str, got: str) -> None:
    """Store the service's outcome of a cell, after checking it against the services matrix's ``expected()``."""
    want = services_expected(role, whose, SERVICES_NAME.get(action, action))
    if action == "analytics" and role == "rep":
        want = PermissionDenied  # analytics is for managers (SPEC §8); the services matrix does not cover it
    assert got == {None: OK, PermissionDenied: REFUSED, NotFound: HIDDEN}[want], (role, whose, action, got)
    world.service[(role, whose, action)] = got


def state(db: Database, lead_id: int) -> dict[str, Any]:
    with db.uow() as uow:
        lead = uow.session.get(Lead, lead_id)
        assert lead is not None
        return {k: getattr(lead, k) for k in COMPARED}


def _ids_in_csv(text: str) -> set[int]:
    rows = list(csv.reader(io.StringIO(text)))
    assert rows and rows[0][0] == "id", rows[:1]
    return {int(r[0]) for r in rows[1:] if r}


# --- driving the pages ----------------------------------------------------------------------------------------------


def texts(elements: Any) -> str:
    return "\n".join(str(e.value) for e in elements)


def everything(at: AppTest) -> str:
    """Every piece of text the page shows (to prove a hidden lead's data is nowhere)."""
    parts = [
        texts(getattr(at, kind))
        for kind in (
            "title",
            "header",
            "subheader",
            "markdown",
            "caption",
            "text",
            "error",
            "warning",
            "info",
            "success",
        )
    ]
    parts += [str(t.value) for t in at.table] + [str(d.value) for d in at.dataframe]
    parts += [str(d.value) for d in at.data_editor] + [str(j.value) for j in at.json]
    return "\n".join(parts)


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def signed_in(world: World, role: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    return run(login_as(at, world.users[role], world.live))


def press(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click()
    return run(at)


def buttons(at: AppTest, label: str) -> list[Any]:
    return [b for b in at.button if b.label == label]


class Downloads:
    """What the grid's Download CSV link gives its user: the streamed route (ui/session_routes.py), called with a
    real session cookie of that user, as the browser would."""

    def content(self, at: AppTest, user: UserInfo) -> str:
        [link] = [e for e in at.get("link_button") if e.proto.label == "Download CSV"]
        begun = sessions.begin(ui.resources.uow(), user, stay_signed_in=False)
        cookie = sessions.exchange(ui.resources.uow(), begun.handoff_code)
        with TestClient(Starlette(routes=ROUTES)) as client:
            client.cookies.set(sessions.COOKIE, cookie.token)
            resp = client.get("/" + link.proto.url)
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv"), resp.text
        return resp.text


@pytest.fixture
def downloads() -> Downloads:
    return Downloads()


# --- the lead detail page: read, import, delete -----------------------------------------------------------------------


def _detail_services(world: World, role: str, whose: str) -> None:
    """The service calls for the detail page's cells, on the twin, in the order the page does them."""
    actor, lead_id = world.actor(role), world.lead(role, "detail", whose)
    twin = world.twin
    record(
        world,
        role,
        whose,
        "read",
        outcome(lambda: (edits.get_lead(twin.uow(), actor, lead_id), events.timeline(twin.uow(), actor, lead_id))),
    )
    record(world, role, whose, "import", outcome(lambda: conversion.import_lead(twin.uow(), actor, lead_id)))
    record(world, role, whose, "delete", outcome(lambda: edits.delete_lead(twin.uow(), actor, lead_id)))


def _click(at: AppTest, label: str) -> AppTest:
    """Click the button; a disabled one is clicked the way a forged request would (AppTest refuses it otherwise)."""
    (button,) = buttons(at, label)
    button.proto.disabled = False
    button.click()
    return run(at)


def _detail_action(at: AppTest, world: World, lead_id: int, label: str, confirm: str | None, done: str) -> str:
    """Use one button of the detail page; returns what the page did in the matrix's words.

    Not offered: the button is disabled and the page says whose lead it is; the test clicks it anyway, as a forged
    request would (Streamlit ignores such a click), and the lead must not change. Offered but refused: the click
    says why and changes nothing.
    """
    before = state(world.live, lead_id)
    (button,) = buttons(at, label)
    offered = not button.disabled
    _click(at, label)
    if confirm and buttons(at, confirm):
        _click(at, confirm)
    after = state(world.live, lead_id)
    if offered and done in texts(at.success) and after != before:
        return OK
    if after == before and "only its owner or a manager" in texts(at.caption) + texts(at.error):
        return REFUSED  # not offered (the caption says why), or offered and refused with that reason
    return f"offered={offered}, changed={after != before}, said={texts(at.success) + texts(at.error)!r}"


def _detail_page(world: World, at: AppTest, role: str, whose: str) -> dict[str, str]:
    lead_id = world.lead(role, "detail", whose)
    name = _name(role, "detail", whose)
    at.query_params["id"] = str(lead_id)
    run(at.switch_page(LEAD_PAGE))
    shown = everything(at)
    if at.error and name not in shown and not at.table:
        # Another team's lead: no data, no actions, and exactly the page of a lead that does not exist.
        assert not buttons(at, "Import as contact") and not buttons(at, "Delete") and not at.text_area
        message = at.error[0].value
        at.query_params["id"] = str(MISSING)
        run(at.switch_page(LEAD_PAGE))
        assert message == at.error[0].value.replace(str(MISSING), str(lead_id))
        return dict.fromkeys(DETAIL_ACTIONS, HIDDEN)
    if at.title and at.title[0].value == name and name in shown:
        got = {"read": OK}
    else:
        return dict.fromkeys(DETAIL_ACTIONS, f"page shows neither the lead nor not-found: {shown[:300]!r}")
    # The status picker is offered exactly when the lead's buttons are (the same rule as the services').
    assert at.selectbox[0].label == "Status"
    assert at.selectbox[0].disabled == buttons(at, "Import as contact")[0].disabled == buttons(at, "Delete")[0].disabled
    got["import"] = _detail_action(at, world, lead_id, "Import as contact", None, "Imported as")
    got["delete"] = _detail_action(at, world, lead_id, "Delete", "Yes, delete", "Lead deleted")
    return got


@pytest.mark.parametrize("role", ROLES)
def test_lead_detail_page_agrees_with_the_services(world: World, role: str) -> None:
    at = signed_in(world, role)
    mismatches = []
    for whose in WHOSE:
        _detail_services(world, role, whose)
        ui_got = _detail_page(world, at, role, whose)
        for action in DETAIL_ACTIONS:
            if ui_got[action] != world.service[(role, whose, action)]:
                mismatches.append(
                    f"{role} × {whose} × {action}: services {world.service[(role, whose, action)]}, "
                    f"page {ui_got[action]}"
                )
        lead_id = world.lead(role, "detail", whose)
        if state(world.live, lead_id) != state(world.twin, lead_id):
            mismatches.append(
                f"{role} × {whose}: the page left lead {lead_id} as {state(world.live, lead_id)}, "
                f"the services as {state(world.twin, lead_id)}"
            )
    assert not mismatches, "\n".join(mismatches)


# --- the grid: read (listed), edit, bulk, bulk import, export ---------------------------------------------------------


def _shown(at: AppTest) -> list[int]:
    return [int(i) for i in at.data_editor[0].value.index] if at.data_editor else []


def _edit_rows(at: AppTest, rows: dict[int, dict[str, Any]]) -> AppTest:
    at.session_state[at.session_state[ui.state.GRID_EDITOR_KEY]] = {
        "edited_rows": rows,
        "added_rows": [],
        "deleted_rows": [],
    }
    return run(at)


def _bulk_cells(world: World, ui_got: dict[Cell, str], role: str, cell: str, ids: dict[str, int],
                row: dict[int, int], before: dict[str, dict[str, Any]], warning: str, words: tuple[str, ...],
                changed: Callable[[dict[str, Any]], bool]) -> None:
    """Each lead's outcome of a bulk action over the whole grid: hidden, or as _grid_outcome tells it, where the
    refusal counts as said when the warning names how many leads the service refused and says ``words``."""
    n_refused = sum(1 for w in WHOSE if world.service[(role, w, cell)] == REFUSED)
    said = f"{n_refused} lead" in warning and all(word in warning for word in words)
    for w in WHOSE:
        ui_got[(role, w, cell)] = (HIDDEN if ids[w] not in row
                                   else _grid_outcome(world, ids[w], before[w], changed, said))


def _bulk(at: AppTest, action: str, value: str | None = None) -> AppTest:
    """Tick every row, pick the bulk action (and its value), apply, confirm."""
    _edit_rows(at, {pos: {"select": True} for pos in range(len(_shown(at)))})
    at.selectbox(key="lc_bulk_action").set_value(action)
    if value is not None:
        run(at)
        at.selectbox(key="lc_bulk_status").set_value(value)
    run(at)
    assert at.radio(key="lc_bulk_scope").value == "selected"
    press(at, "lc_bulk_apply")
    return press(at, "lc_bulk_yes")


def _grid_outcome(
    world: World, lead_id: int, before: dict[str, Any], changed: Callable[[dict[str, Any]], bool], refused: bool
) -> str:
    after = state(world.live, lead_id)
    if changed(after):
        return OK
    if refused and after == before:
        return REFUSED
    return f"neither done nor refused: {before} -> {after}"


@pytest.mark.parametrize("role", ROLES)
def test_leads_grid_agrees_with_the_services(world: World, role: str, downloads: Downloads) -> None:
    actor, twin, live = world.actor(role), world.twin, world.live
    ids = {whose: world.lead(role, "grid", whose) for whose in WHOSE}
    q = f"cell-{role}-grid-"
    ui_got: dict[Cell, str] = {}

    # read: the grid lists exactly the leads the service lets the actor read (and what list_leads lists).
    readable = {w for w in WHOSE if outcome(lambda w=w: edits.get_lead(twin.uow(), actor, ids[w])) == OK}
    assert {x["id"] for x in listing.list_leads(twin.uow(), actor, LeadFilters(q=q)).items} == {
        ids[w] for w in readable
    }
    at = signed_in(world, role)
    at.query_params["q"] = q
    run(at.switch_page(LEADS_PAGE))
    shown = _shown(at)
    assert set(shown) == {ids[w] for w in readable}, (shown, ids)
    assert _name(role, "grid", "other_team") not in everything(at)
    row = {lead_id: pos for pos, lead_id in enumerate(shown)}
    names = {lead_id: _name(role, "grid", w) for w, lead_id in ids.items()}

    # edit: status in the grid, then Save; the service call is the one save_changes makes.
    for w in WHOSE:
        version = state(twin, ids[w])["version"]
        record(
            world,
            role,
            w,
            "edit",
            outcome(
                lambda w=w, v=version: edits.update_lead(
                    twin.uow(), actor, ids[w], {"status": "CONTACTED"}, expected_version=v
                )
            ),
        )
    before = {w: state(live, ids[w]) for w in WHOSE}
    _edit_rows(at, {row[ids[w]]: {"status": "CONTACTED"} for w in WHOSE if ids[w] in row})
    press(at, "lc_grid_save")
    error = texts(at.error)
    for w in WHOSE:
        if ids[w] not in row:
            ui_got[(role, w, "edit")] = HIDDEN
            continue
        named = "You may not change" in error and names[ids[w]] in error.replace("\\", "")
        ui_got[(role, w, "edit")] = _grid_outcome(world, ids[w], before[w], lambda s: s["status"] == "CONTACTED", named)

    # bulk: tick the rows, Set status → Qualified, confirm.
    for w in WHOSE:
        record(
            world,
            role,
            w,
            "bulk",
            bulk_outcome(bulk.bulk_update(twin.uow(), actor, [ids[w]], bulk.BulkChange(status="QUALIFIED"))),
        )
    before = {w: state(live, ids[w]) for w in WHOSE}
    _bulk(at, "status", "QUALIFIED")
    _bulk_cells(world, ui_got, role, "bulk", ids, row, before, texts(at.warning),
                ("not changed: only", "owner or a manager"), lambda s: s["status"] == "QUALIFIED")

    # bulk import: tick the rows, Import as contacts / companies, confirm.
    for w in WHOSE:
        record(world, role, w, "bulk_import", bulk_outcome(conversion.bulk_import(twin.uow(), actor, [ids[w]])))
    before = {w: state(live, ids[w]) for w in WHOSE}
    assert _shown(at) == shown  # the grid re-read the same leads after the bulk status
    _bulk(at, "import")
    _bulk_cells(world, ui_got, role, "bulk_import", ids, row, before, texts(at.warning),
                ("not imported", "to another rep"), lambda s: s["imported"])

    # export: the Download CSV of this filter holds exactly the leads the service exports, byte for byte.
    exported = _ids_in_csv("".join(export_csv(twin.uow(), actor, LeadFilters(q=q))))
    for w in WHOSE:
        record(world, role, w, "export", OK if ids[w] in exported else HIDDEN)
    content = downloads.content(at, world.users[role])
    assert content == "".join(export_csv(live.uow(), actor, LeadFilters(q=q))), (
        "the grid's Download CSV is not what export_csv gives for the grid's filter"
    )
    for w in WHOSE:
        ui_got[(role, w, "export")] = OK if ids[w] in _ids_in_csv(content) else HIDDEN
    # ... and the unfiltered download is everything the actor may read, nothing of team Beta.
    at.text_input(key="lf_q").set_value("")
    run(at)
    everything_csv = downloads.content(at, world.users[role])
    assert everything_csv == "".join(export_csv(live.uow(), actor)), "the unfiltered Download CSV differs"
    team = {x["id"] for x in listing.list_leads(live.uow(), actor, limit=500).items}
    beta = {lead_id for (_, _, w), lead_id in world.leads.items() if w == "other_team"}
    assert _ids_in_csv(everything_csv) == team and not team & beta

    mismatches = [
        f"{role} × {w} × {a}: services {world.service[(role, w, a)]}, page {ui_got[(role, w, a)]}"
        for w in WHOSE
        for a in GRID_ACTIONS
        if ui_got[(role, w, a)] != world.service[(role, w, a)]
    ]
    mismatches += [
        f"{role} × {w}: the grid left lead {ids[w]} as {state(live, ids[w])}, the services as {state(twin, ids[w])}"
        for w in WHOSE
        if state(live, ids[w]) != state(twin, ids[w])
    ]
    assert not mismatches, "\n".join(mismatches)


# --- analytics ---------------------------------------------------------------------------------------------------


def _total(at: AppTest) -> int:
    return int(next(m.value for m in at.metric if m.label == "Total leads").replace(",", ""))


def _analytics_page(
    at: AppTest,
    world: World,
    actor: Actor,
    owner_of: dict[str, int | None],
    service_total: Callable[..., int],
    readable: Callable[..., int],
) -> dict[str, str]:
    ui_got: dict[str, str] = {}
    # Per-rep analytics: exactly the service's people, all of this team.
    people = next(d.value for d in at.dataframe if "Person" in d.value.columns)["Person"].tolist()
    service_people = [
        r["name"]
        for r in dashboard.dashboard(world.live.uow(), actor, dashboard.AnalyticsFilters(), min_sample=5)[
            "rep_activity"
        ]
    ]
    assert sorted(people) == sorted(service_people) and "Olga Other" not in people
    offered = at.multiselect(key="an_owner").options
    total = _total(at)
    ui_got["other_team"] = (
        HIDDEN
        if "Olga Other" not in offered and total == service_total() == readable()
        else f"owners offered {offered}, total {total}"
    )
    for w in ("own", "unassigned", "teammates"):
        at.multiselect(key="an_owner").set_value([owner_of[w]])
        run(at)
        total = _total(at)
        ui_got[w] = OK if total == service_total(owner_of[w]) > 0 else f"total {total}"
    return ui_got


@pytest.mark.parametrize("role", ROLES)
def test_analytics_agrees_with_the_services(world: World, role: str) -> None:
    """Reps: the service refuses and the page does not exist for them. Managers: per owner, the page counts what
    the service counts, which is exactly the actor's readable leads of that owner; another team's people are not
    offered as owners and another team's leads are counted nowhere (the unfiltered total is the readable total)."""
    actor, live = world.actor(role), world.live
    owner_of = {"own": actor.user_id, "unassigned": UNASSIGNED, "teammates": world.users["teammate"].id}

    def service_total(owner: int | None = None) -> int:
        f = dashboard.AnalyticsFilters(owner_ids=() if owner is None else (owner,))
        return int(dashboard.dashboard(live.uow(), actor, f, min_sample=5, period="day")["summary"]["total"])

    def readable(owner: int | None = None) -> int:
        return listing.list_leads(live.uow(), actor, LeadFilters(owner_ids=() if owner is None else (owner,))).total

    for w in WHOSE:
        got = outcome(service_total)
        if got == OK and w == "other_team":
            got = HIDDEN if service_total() == readable() else OK
        elif got == OK:
            got = OK if service_total(owner_of[w]) == readable(owner_of[w]) > 0 else HIDDEN
        record(world, role, w, "analytics", got)

    at = signed_in(world, role)
    ui_got: dict[str, str] = {}
    try:
        at.switch_page(ANALYTICS_PAGE)
    except ValueError:  # not registered for this role: not in the menu, not reachable by URL
        ui_got = dict.fromkeys(WHOSE, REFUSED)
    else:
        run(at)
        if not at.metric:  # reachable, but the page could not show the numbers
            ui_got = dict.fromkeys(WHOSE, f"page reachable, saying {texts(at.error)!r}")
        else:
            ui_got = _analytics_page(at, world, actor, owner_of, service_total, readable)
    mismatches = [
        f"{role} × {w} × analytics: services {world.service[(role, w, 'analytics')]}, page {ui_got[w]}"
        for w in WHOSE
        if ui_got[w] != world.service[(role, w, "analytics")]
    ]
    assert not mismatches, "\n".join(mismatches)
