from __future__ import annotations

from typing import Any

from tests.api.conftest import Api
from tests.duplicates.helpers import save_rows


def _two(api: Api, actor: Any) -> tuple[int, int]:
    a, b = save_rows(api.db, actor, [
        {"lead_name": "Robert Fischer", "company": "Acme GmbH", "email": "robert.fischer@acme.de",
         "phone": "+49 30 1234567"},
        {"lead_name": "Bob Fischer", "company": "ACME", "email": "bob.fischer@gmail.com", "phone": "030 123-4567"},
    ])
    assert a and b
    return min(a, b), max(a, b)


def test_pairs_dismiss_merge_and_undo_over_http(api: Api, make: Any) -> None:
    manager = make.user("manager")
    h = api.auth(manager)
    a, b = _two(api, manager)
    r = api.client.get("/api/duplicates?rescan=true", headers=h)
    assert r.status_code == 200
    (pair,) = r.json()["pairs"]
    assert (pair["a"], pair["b"]) == (a, b) and any("Bob" in r and "Robert" in r for r in pair["reasons"])
    other_email = api.client.get(f"/api/leads/{b}", headers=h).json()["email"]
    r = api.client.post(f"/api/leads/{a}/merge", json={"otherId": b, "take": ["email"]}, headers=h)
    assert r.status_code == 200, r.text
    merge_id = r.json()["mergeId"]
    assert api.client.get(f"/api/leads/{a}", headers=h).json()["email"] == other_email
    r = api.client.post(f"/api/merges/{merge_id}/undo", headers=h)
    assert r.status_code == 200 and r.json()["keptEdits"] == []
    assert api.client.post(f"/api/merges/{merge_id}/undo", headers=h).status_code == 422  # already undone
    assert api.client.post(f"/api/duplicates/{a}/{b}/dismiss", headers=h).status_code == 204
    assert api.client.get("/api/duplicates?rescan=true", headers=h).json()["pairs"] == []


def test_other_team_and_rep_rules(api: Api, make: Any) -> None:
    manager, rep = make.user("manager"), make.user("rep")
    a, b = _two(api, manager)
    outsider = api.auth(make.user("manager", team="Other"))
    assert api.client.post(f"/api/duplicates/{a}/{b}/dismiss", headers=outsider).status_code == 404
    assert api.client.post(f"/api/leads/{a}/merge", json={"otherId": b}, headers=outsider).status_code == 404
    assert api.client.post("/api/searches/1/undo", headers=api.auth(rep)).status_code == 403
    bad = api.client.post(f"/api/leads/{a}/merge", json={"otherId": b, "take": ["nope"]}, headers=api.auth(manager))
    assert bad.status_code == 422 and "Cannot take" in bad.json()["error"]["message"]
