"""Who may do what through the API: role × whose lead × action, on SQLite and PostgreSQL (SPEC §3).

A rep changes their own and unassigned leads; managers and admins any lead of their team; another team's lead
looks absent (404) to everyone. Bulk actions answer 200 and count each lead as updated, refused or notFound.
"""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROLES = ("rep", "manager", "admin")
LEADS = ("own", "teammate", "unassigned", "other_team")
ACTIONS = ("read", "update", "delete", "bulk", "import")

OK = {"read": 200, "update": 200, "delete": 204, "bulk": "updated", "import": 200}
REFUSED = {"read": 200, "update": 403, "delete": 403, "bulk": "refused", "import": 403}
HIDDEN = {"read": 404, "update": 404, "delete": 404, "bulk": "notFound", "import": 404}


def expected(role: str, lead: str, action: str) -> int | str:
    if lead == "other_team":
        return HIDDEN[action]
    if role == "rep" and lead == "teammate":
        return REFUSED[action]
    return OK[action]


MATRIX = [(r, lead, a, expected(r, lead, a)) for r in ROLES for lead in LEADS for a in ACTIONS]


def _call(api: Any, action: str, lead_id: int, headers: dict[str, str]) -> int | str:
    c = api.client
    if action == "read":
        return int(c.get(f"/api/leads/{lead_id}", headers=headers).status_code)
    if action == "update":
        return int(c.put(f"/api/leads/{lead_id}", json={"status": "CONTACTED", "version": 1},
                         headers=headers).status_code)
    if action == "delete":
        return int(c.delete(f"/api/leads/{lead_id}", headers=headers).status_code)
    if action == "import":
        return int(c.post(f"/api/leads/{lead_id}/import", headers=headers).status_code)
    resp = c.post("/api/leads/bulk-update", json={"ids": [lead_id], "status": "CONTACTED"}, headers=headers)
    assert resp.status_code == 200, resp.text
    counts = resp.json()
    (outcome,) = [k for k in ("updated", "refused", "notFound") if counts[k] == 1]
    return outcome


@pytest.mark.parametrize("role, lead, action, want", MATRIX, ids=[f"{r}-{lead}-{a}" for r, lead, a, _ in MATRIX])
def test_authorization_matrix(api: Any, make: Any, role: str, lead: str, action: str, want: int | str) -> None:
    me = make.user(role)
    teammate = make.user("rep")
    stranger = make.user("manager", team="Elsewhere")
    lead_id = {
        "own": lambda: make.lead(me, owner_id=me.user_id),
        "teammate": lambda: make.lead(me, owner_id=teammate.user_id),
        "unassigned": lambda: make.lead(me),
        "other_team": lambda: make.lead(stranger),
    }[lead]()
    assert _call(api, action, lead_id, api.auth(me)) == want
    if want in (403, 404, "refused", "notFound"):  # a refused change leaves the lead as it was
        owner = stranger if lead == "other_team" else me
        body = api.client.get(f"/api/leads/{lead_id}", headers=api.auth(owner)).json()
        assert (body["status"], body["version"], body["isActive"]) == ("NEW", 1, True)


@pytest.mark.parametrize(
    "role, start_owner, new_owner, status",
    [
        ("rep", None, "me", 200),  # a rep may claim an unassigned lead
        ("rep", None, "teammate", 403),  # but not hand it to someone else
        ("rep", "me", "teammate", 403),
        ("rep", "me", None, 403),  # nor unassign it
        ("manager", "teammate", "me", 200),
        ("manager", "me", None, 200),
        ("manager", None, "stranger", 422),  # another team's user is no valid owner
    ],
)
def test_assigning_owners(api: Any, make: Any, role: str, start_owner: str | None, new_owner: str | None,
                          status: int) -> None:
    people = {"me": make.user(role), "teammate": make.user("rep"), "stranger": make.user("rep", team="Elsewhere")}
    me = people["me"]
    lead_id = make.lead(me, owner_id=people[start_owner].user_id if start_owner else None)
    owner_id = people[new_owner].user_id if new_owner else None
    resp = api.client.put(f"/api/leads/{lead_id}", json={"ownerId": owner_id, "version": 1}, headers=api.auth(me))
    assert resp.status_code == status, resp.text
    if status == 200:
        assert resp.json()["ownerId"] == owner_id
    else:
        assert resp.json()["error"]["message"]


def test_a_rep_sees_the_teams_leads_but_never_another_teams(api: Any, make: Any) -> None:
    rep, teammate = make.user("rep"), make.user("rep")
    stranger = make.user("rep", team="Elsewhere")
    mine = {make.lead(rep, owner_id=teammate.user_id), make.lead(rep)}
    theirs = make.lead(stranger)
    h = api.auth(rep)
    assert {i["id"] for i in api.client.get("/api/leads", headers=h).json()["items"]} == mine
    assert api.client.get(f"/api/leads/{theirs}/events", headers=h).status_code == 404
    assert api.client.post(f"/api/leads/{theirs}/notes", json={"text": "hi"}, headers=h).status_code == 404
    assert api.client.post(f"/api/leads/{theirs}/restore", headers=h).status_code == 404
    bulk = api.client.post("/api/leads/bulk-update", json={"filter": {}, "status": "CONTACTED"}, headers=h).json()
    assert bulk["updated"] + bulk["refused"] == 2 and bulk["notFound"] == 0
    csv_text = api.client.get("/api/leads/export.csv", headers=h).text
    assert len(csv_text.strip().splitlines()) == 3  # header + the team's two leads
