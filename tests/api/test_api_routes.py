"""Every endpoint through the TestClient, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from leadcore import errors
from leadcore.db.models import Lead, LeadSearch
from leadcore.discovery import runs
from leadcore.discovery.providers.base import SearchQuery
from leadcore.grid.clauses import encode_cursor
from leadcore.intake.candidates import LeadCandidate
from leadcore.leads import edits

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def manager(make: Any) -> Any:
    return make.user("manager", name="Mia Manager")


@pytest.fixture
def h(api: Any, manager: Any) -> dict[str, str]:
    return api.auth(manager)


def _count(db: Any, model: Any) -> int:
    with db.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def _error(resp: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()["error"]
    assert body["message"]
    if field is not None:
        assert body["field"] == field, body
    return body


# -- the grid ---------------------------------------------------------------------------------------------------


def test_list_leads_pages_through_everything_with_the_cursor(api: Any, make: Any, manager: Any, h: Any) -> None:
    made = {make.lead(manager, lead_score=i * 4) for i in range(25)}
    seen: list[int] = []
    params: dict[str, Any] = {"limit": 10}
    while True:
        page = api.client.get("/api/leads", params=params, headers=h).json()
        assert page["total"] == 25
        seen += [item["id"] for item in page["items"]]
        if not page["nextCursor"]:
            break
        params["cursor"] = page["nextCursor"]
    assert seen == sorted(made, key=lambda i: -i) or set(seen) == made
    assert len(seen) == 25 and set(seen) == made


def test_list_leads_defaults_to_twenty_by_score_in_camel_case(api: Any, make: Any, manager: Any, h: Any) -> None:
    for i in range(22):
        make.lead(manager, lead_score=i)
    page = api.client.get("/api/leads", headers=h).json()
    assert len(page["items"]) == 20
    scores = [item["leadScore"] for item in page["items"]]
    assert scores == sorted(scores, reverse=True)
    item = page["items"][0]
    for key in ("leadName", "jobTitle", "linkedinLink", "leadScore", "importedAsContactId", "isActive", "createdAt",
                "ownerId", "ownerName", "searchQuery", "version"):
        assert key in item
    assert item["createdAt"].endswith(("Z", "+00:00"))


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"status": "CONTACTED"}, {"b"}),
        ({"status": "new,contacted"}, {"a", "b", "c", "d"}),
        ({"status": ["NEW", "CONTACTED"]}, {"a", "b", "c", "d"}),
        ({"ownerId": "0"}, {"c", "d"}),
        ({"tags": "vip"}, {"a", "c"}),
        ({"scoreMin": 50, "scoreMax": 80}, {"b", "c"}),
        ({"q": "ACME"}, {"a"}),
        ({"type": "COMPANY"}, {"d"}),
        ({"searchQuery": "cto berlin"}, set()),
        ({"imported": "false"}, {"a", "b", "c", "d"}),
    ],
)
def test_list_leads_filters(api: Any, make: Any, manager: Any, h: Any, params: dict[str, Any],
                            expected: set[str]) -> None:
    ids = {
        "a": make.lead(manager, lead_name="a", company="Acme", tags=["vip"], lead_score=10, owner_id=manager.user_id),
        "b": make.lead(manager, lead_name="b", lead_score=60, owner_id=manager.user_id),
        "c": make.lead(manager, lead_name="c", tags=["vip"], lead_score=80),
        "d": make.lead(manager, type="COMPANY", lead_name="d", company="D Corp", website="https://d-corp.io",
                       email=None, job_title=None, lead_score=95),
    }
    edits.update_lead(api.db.uow(), manager, ids["b"], {"status": "CONTACTED"}, expected_version=1)
    page = api.client.get("/api/leads", params=params, headers=h).json()
    names = {item["leadName"] for item in page["items"]}
    assert names == expected
    assert page["total"] == len(expected)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"status": "BOGUS"}, "status"),
        ({"type": "PERSON"}, "type"),
        ({"scoreMin": 101}, "scoreMin"),
        ({"scoreMin": 60, "scoreMax": 10}, "scoreMin"),
        ({"limit": 201}, "limit"),
        ({"limit": 0}, "limit"),
        ({"sort": "email"}, "sort"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": encode_cursor("text", 1)}, "cursor"),  # a name cursor on the score sort
        ({"cursor": encode_cursor(1, 99999999999999999999)}, "cursor"),
        ({"cursor": encode_cursor(99999999999999999999, 1)}, "cursor"),
        ({"ownerId": "abc"}, "ownerId"),
        ({"ownerId": "99999999999999999999"}, "ownerId"),
        ({"q": "x" * 201}, "q"),
        ({"q": "nul\x00byte"}, "q"),
        ({"tags": "a\x00"}, "tags.0"),
        ({"searchId": 99999999999999999999}, "searchId"),
        ({"createdFrom": "2024-13-01"}, "createdFrom"),
        ({"createdFrom": "2024-05-01", "createdTo": "2024-01-01"}, "createdFrom"),
    ],
)
def test_list_leads_refuses_bad_parameters_naming_them(api: Any, h: Any, params: dict[str, Any], field: str) -> None:
    _error(api.client.get("/api/leads", params=params, headers=h), 422, field)


def test_a_name_cursor_holding_a_nul_is_no_server_error(api: Any, make: Any, manager: Any, h: Any) -> None:
    # PostgreSQL refuses NUL in text parameters (SQLite compares it fine): a client error, never a 500.
    make.lead(manager)
    resp = api.client.get("/api/leads", params={"sort": "name", "cursor": encode_cursor("a\x00", 1)}, headers=h)
    assert resp.status_code in (200, 422), resp.text


# -- one lead ---------------------------------------------------------------------------------------------------


def test_get_lead_has_every_field_raw_data_and_an_etag(api: Any, make: Any, manager: Any, h: Any) -> None:
    lead_id = make.lead(manager, linkedin_url="https://www.linkedin.com/in/ana", raw_data={"id": "x1"})
    resp = api.client.get(f"/api/leads/{lead_id}", headers=h)
    assert resp.status_code == 200
    body = resp.json()
    assert body["linkedinLink"] == "https://www.linkedin.com/in/ana"
    assert body["rawData"] == {"id": "x1"}
    assert body["version"] == 1 and resp.headers["ETag"] == '"1"'
    assert "teamId" not in body and "emailNorm" not in body


@pytest.mark.parametrize("path", ["/api/leads/999999", "/api/leads/999999/events"])
def test_missing_lead_is_404(api: Any, h: Any, path: str) -> None:
    assert _error(api.client.get(path, headers=h), 404)["code"] == "not_found"


@pytest.mark.parametrize("bad", ["99999999999999999999", "0", "-1", "abc", "1.5"])
def test_lead_ids_out_of_range_are_422_not_500(api: Any, h: Any, bad: str) -> None:
    _error(api.client.get(f"/api/leads/{bad}", headers=h), 422, "id")
    _error(api.client.put(f"/api/leads/{bad}", json={"version": 1}, headers=h), 422)


def test_put_changes_only_the_fields_sent(api: Any, make: Any, manager: Any, h: Any) -> None:
    lead_id = make.lead(manager, job_title="CTO", tags=["a"])
    resp = api.client.put(f"/api/leads/{lead_id}", json={"status": "QUALIFIED", "leadScore": 88},
                          headers={**h, "If-Match": '"1"'})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["status"], body["leadScore"], body["jobTitle"], body["tags"]) == ("QUALIFIED", 88, "CTO", ["a"])
    assert body["version"] == 2 and resp.headers["ETag"] == '"2"'
    # the body's version works as well as If-Match; null clears a text field
    body = api.client.put(f"/api/leads/{lead_id}", json={"jobTitle": None, "version": 2}, headers=h).json()
    assert body["jobTitle"] is None and body["version"] == 3


def test_put_round_trips_unicode(api: Any, make: Any, manager: Any, h: Any) -> None:
    lead_id = make.lead(manager)
    name = "Zoë Ångström 北京 🚀 ‮"
    resp = api.client.put(f"/api/leads/{lead_id}", json={"leadName": name, "version": 1}, headers=h)
    assert resp.status_code == 200, resp.text
    assert api.client.get(f"/api/leads/{lead_id}", headers=h).json()["leadName"] == name


def test_stale_put_is_409_with_the_current_record_and_changes_nothing(api: Any, make: Any, manager: Any,
                                                                      h: Any) -> None:
    lead_id = make.lead(manager)
    edits.update_lead(api.db.uow(), manager, lead_id, {"status": "CONTACTED"}, expected_version=1)
    resp = api.client.put(f"/api/leads/{lead_id}", json={"status": "REJECTED", "leadName": "Overwritten"},
                          headers={**h, "If-Match": 'W/"1"'})
    body = _error(resp, 409, "version")
    assert body["code"] == "stale"
    current = resp.json()["current"]
    assert current["version"] == 2 and current["status"] == "CONTACTED"
    assert resp.json()["conflicts"] == {"status": {"yours": "REJECTED", "theirs": "CONTACTED"}}
    after = edits.get_lead(api.db.uow(), manager, lead_id)
    assert (after["status"], after["version"], after["lead_name"]) == ("CONTACTED", 2, current["leadName"])


def test_a_put_on_an_older_version_that_touches_other_fields_is_saved(api: Any, make: Any, manager: Any,
                                                                       h: Any) -> None:
    lead_id = make.lead(manager)
    edits.update_lead(api.db.uow(), manager, lead_id, {"status": "CONTACTED"}, expected_version=1)
    resp = api.client.put(f"/api/leads/{lead_id}", json={"jobTitle": "CFO"}, headers={**h, "If-Match": '"1"'})
    assert resp.status_code == 200 and resp.headers["ETag"] == '"3"'
    assert (resp.json()["status"], resp.json()["jobTitle"]) == ("CONTACTED", "CFO")


def test_put_without_a_version_is_428(api: Any, make: Any, manager: Any, h: Any) -> None:
    lead_id = make.lead(manager)
    _error(api.client.put(f"/api/leads/{lead_id}", json={"status": "CONTACTED"}, headers=h), 428, "version")


@pytest.mark.parametrize(
    "body, headers, field",
    [
        ({"leadScore": 101, "version": 1}, {}, "leadScore"),
        ({"leadScore": "high", "version": 1}, {}, "leadScore"),
        ({"status": "WON", "version": 1}, {}, "status"),
        ({"status": None, "version": 1}, {}, "status"),
        ({"lead_name": "snake", "version": 1}, {}, "lead_name"),
        ({"leadName": "x" * 501, "version": 1}, {}, "leadName"),
        ({"leadName": "nul\u0000byte", "version": 1}, {}, "leadName"),
        ({"notes": "n" * 20_001, "version": 1}, {}, "notes"),
        ({"email": "bob@@x", "version": 1}, {}, "email"),
        ({"tags": ["t" * 51], "version": 1}, {}, "tags.0"),
        ({"ownerId": 99999999999999999999, "version": 1}, {}, "ownerId"),
        ({"version": "one"}, {}, "version"),
        ({"version": 99999999999999999999}, {}, "version"),
        ({"status": "NEW"}, {"If-Match": "abc"}, "If-Match"),
        ({"status": "NEW", "version": 2}, {"If-Match": '"1"'}, "version"),
        ([1, 2], {}, "body"),
    ],
)
def test_put_bad_bodies_are_422_naming_the_field(api: Any, make: Any, manager: Any, h: Any, body: Any,
                                                 headers: dict[str, str], field: str) -> None:
    lead_id = make.lead(manager)
    _error(api.client.put(f"/api/leads/{lead_id}", json=body, headers={**h, **headers}), 422, field)
    assert edits.get_lead(api.db.uow(), manager, lead_id)["version"] == 1


def test_put_unreadable_json_is_a_client_error(api: Any, make: Any, manager: Any, h: Any) -> None:
    lead_id = make.lead(manager)
    resp = api.client.put(f"/api/leads/{lead_id}", content=b'{"status": ', headers={**h, "Content-Type":
                                                                                     "application/json"})
    _error(resp, 422, "body")
    resp = api.client.put(f"/api/leads/{lead_id}", content=b"\xff\xfe{}", headers={**h, "Content-Type":
                                                                                   "application/json"})
    assert resp.status_code in (400, 422) and "error" in resp.json()


def test_delete_is_soft_and_restore_brings_it_back(api: Any, make: Any, manager: Any, h: Any) -> None:
    lead_id = make.lead(manager)
    assert api.client.delete(f"/api/leads/{lead_id}", headers=h).status_code == 204
    assert api.client.get("/api/leads", headers=h).json()["total"] == 0
    trash = api.client.get("/api/leads", params={"deleted": "true"}, headers=h).json()
    assert [i["id"] for i in trash["items"]] == [lead_id] and trash["items"][0]["isActive"] is False
    restored = api.client.post(f"/api/leads/{lead_id}/restore", headers=h)
    assert restored.status_code == 200 and restored.json()["isActive"] is True
    kinds = [e["kind"] for e in api.client.get(f"/api/leads/{lead_id}/events", headers=h).json()["items"]]
    assert kinds[:2] == ["restored", "deleted"]


def test_import_is_idempotent(api: Any, make: Any, manager: Any, h: Any) -> None:
    lead_id = make.lead(manager, company="Acme", website="https://acme.io")
    first = api.client.post(f"/api/leads/{lead_id}/import", headers=h).json()
    assert first["contactId"] and first["companyId"] and first["createdContact"] and not first["alreadyImported"]
    again = api.client.post(f"/api/leads/{lead_id}/import", headers=h).json()
    assert (again["contactId"], again["companyId"], again["alreadyImported"]) == (
        first["contactId"], first["companyId"], True)
    lead = api.client.get(f"/api/leads/{lead_id}", headers=h).json()
    assert lead["importedAsContactId"] == first["contactId"] and lead["status"] == "IMPORTED"


def test_import_of_a_company_lead_creates_a_company_only(api: Any, make: Any, manager: Any, h: Any) -> None:
    lead_id = make.lead(manager, type="COMPANY", lead_name="Globex", email=None, job_title=None,
                        website="https://globex.com")
    out = api.client.post(f"/api/leads/{lead_id}/import", headers=h).json()
    assert out["contactId"] is None and out["companyId"] and out["createdCompany"]


def test_notes_join_the_timeline(api: Any, make: Any, manager: Any, h: Any) -> None:
    lead_id = make.lead(manager)
    resp = api.client.post(f"/api/leads/{lead_id}/notes", json={"text": "Called, wants a demo"}, headers=h)
    assert resp.status_code == 201
    assert resp.json()["kind"] == "note_added" and resp.json()["userName"] == "Mia Manager"
    events = api.client.get(f"/api/leads/{lead_id}/events", headers=h).json()["items"]
    assert events[0]["data"] == {"text": "Called, wants a demo"}
    _error(api.client.post(f"/api/leads/{lead_id}/notes", json={"text": "   "}, headers=h), 422, "text")
    _error(api.client.post(f"/api/leads/{lead_id}/notes", json={"text": ""}, headers=h), 422, "text")


# -- discovery and search history -------------------------------------------------------------------------------


def test_discover_saves_and_reports_counts(api: Any, db: Any, h: Any) -> None:
    payload = {"query": "VP Engineering fintech", "mode": "individual", "location": "Berlin", "limit": 10,
               "provider": "demo", "saveToDatabase": True}
    first = api.client.post("/api/leads/discover", json=payload, headers=h).json()
    assert first["success"] is True and first["count"] == 10 and first["saved"] + first["duplicates"] == 10
    assert first["searchId"] and first["isDemo"] is True and len(first["leads"]) == first["saved"]
    assert all(lead["id"] and lead["searchId"] == first["searchId"] for lead in first["leads"])
    again = api.client.post("/api/leads/discover", json=payload, headers=h).json()
    assert again["duplicates"] > 0  # the demo provider overlaps: dedupe is visible
    history = api.client.get("/api/searches", headers=h).json()["items"]
    assert [s["id"] for s in history] == [again["searchId"], first["searchId"]]
    assert history[1]["saved"] == first["saved"] and history[1]["query"] == "VP Engineering fintech"


def test_discover_preview_writes_nothing(api: Any, db: Any, h: Any) -> None:
    resp = api.client.post("/api/leads/discover", json={"query": "cto", "limit": 5, "saveToDatabase": False},
                           headers=h)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["searchId"] is None and body["count"] == 5 and all(lead["isNew"] for lead in body["leads"])
    assert _count(db, Lead) == 0 and _count(db, LeadSearch) == 0


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"mode": "individual"}, "query"),
        ({"query": "   "}, "query"),
        ({"query": "cto", "mode": "people"}, "mode"),
        ({"query": "cto", "limit": 0}, "limit"),
        ({"query": "cto", "limit": 1001}, "limit"),
        ({"query": "cto", "provider": "nosuch"}, "provider"),
        ({"query": "cto", "techStack": "py\u0000"}, "techStack"),
        ({"query": "cto", "save": True}, "save"),
    ],
)
def test_discover_refuses_bad_requests(api: Any, h: Any, payload: dict[str, Any], field: str) -> None:
    _error(api.client.post("/api/leads/discover", json=payload, headers=h), 422, field)


class _Provider:
    name, label, is_demo = "fake", "Fake", False

    def __init__(self, pages: int) -> None:
        self.pages = pages

    def search(self, query: SearchQuery) -> Iterator[list[LeadCandidate]]:
        for i in range(self.pages):
            yield [LeadCandidate(lead_name=f"Fake {i}", email=f"fake{i}@fake-corp.com")]
        raise errors.ProviderError("Rate limited by Fake; try again in a minute", status_code=429, retryable=True)


@pytest.mark.parametrize("pages, status", [(0, 429), (2, 200)])
def test_discover_when_the_provider_rate_limits(api: Any, h: Any, monkeypatch: pytest.MonkeyPatch, pages: int,
                                                status: int) -> None:
    monkeypatch.setattr(runs, "get_provider", lambda name, settings: _Provider(pages))
    resp = api.client.post("/api/leads/discover", json={"query": "cto"}, headers=h)
    assert resp.status_code == status, resp.text
    if status == 429:
        assert resp.json()["error"]["code"] == "rate_limited" and resp.headers["Retry-After"]
    else:  # what came before the failure is kept and reported
        body = resp.json()
        assert body["success"] is False and body["outcome"] == "partial" and body["saved"] == 2
        assert "Rate limited" in body["error"]


# -- bulk -------------------------------------------------------------------------------------------------------


def test_bulk_update_by_ids(api: Any, make: Any, manager: Any, h: Any) -> None:
    a, b = make.lead(manager, tags=["old"]), make.lead(manager)
    resp = api.client.post("/api/leads/bulk-update", json={"ids": [a, b, 999999], "status": "CONTACTED",
                                                           "addTags": ["q3"], "removeTags": ["old"]}, headers=h)
    body = resp.json()
    assert body == {"updated": 2, "unchanged": 0, "refused": 0, "notFound": 1, "refusedIds": [],
                    "reasons": {}, "batchId": body["batchId"]}
    lead = edits.get_lead(api.db.uow(), manager, a)
    assert lead["status"] == "CONTACTED" and lead["tags"] == ["q3"]
    undone = api.client.post(f"/api/leads/bulk-update/{body['batchId']}/undo", headers=h)
    assert undone.status_code == 200 and undone.json() == {"restored": 2, "changedSince": 0, "gone": 0}
    lead = edits.get_lead(api.db.uow(), manager, a)
    assert lead["status"] == "NEW" and lead["tags"] == ["old"]
    again = api.client.post(f"/api/leads/bulk-update/{body['batchId']}/undo", headers=h)
    assert again.status_code == 422 and "already undone" in again.json()["error"]["message"]


def test_no_path_sets_imported_by_hand(api: Any, make: Any, manager: Any, h: Any) -> None:
    lead_id = make.lead(manager)
    put = api.client.put(f"/api/leads/{lead_id}", json={"status": "IMPORTED", "version": 1}, headers=h)
    assert put.status_code == 422 and "Import as contact" in put.json()["error"]["message"]
    bulk = api.client.post("/api/leads/bulk-update", json={"ids": [lead_id], "status": "IMPORTED"}, headers=h)
    assert bulk.status_code == 422 and "Import as contact" in bulk.json()["error"]["message"]
    lead = edits.get_lead(api.db.uow(), manager, lead_id)
    assert lead["status"] == "NEW" and lead["version"] == 1


def test_bulk_update_by_filter_assigns_and_unassigns(api: Any, make: Any, manager: Any, h: Any) -> None:
    rep = make.user("rep")
    hot = [make.lead(manager, tags=["hot"]) for _ in range(3)]
    cold = make.lead(manager)
    out = api.client.post("/api/leads/bulk-update", json={"filter": {"tags": ["hot"]}, "ownerId": rep.user_id},
                          headers=h).json()
    assert out["updated"] == 3
    assert {edits.get_lead(api.db.uow(), manager, i)["owner_id"] for i in hot} == {rep.user_id}
    assert edits.get_lead(api.db.uow(), manager, cold)["owner_id"] is None
    out = api.client.post("/api/leads/bulk-update", json={"ids": hot, "ownerId": 0}, headers=h).json()
    assert out["updated"] == 3
    assert {edits.get_lead(api.db.uow(), manager, i)["owner_id"] for i in hot} == {None}


def test_bulk_delete_and_restore(api: Any, make: Any, manager: Any, h: Any) -> None:
    ids = [make.lead(manager) for _ in range(2)]
    assert api.client.post("/api/leads/bulk-update", json={"ids": ids, "delete": True}, headers=h).json()[
        "updated"] == 2
    assert api.client.get("/api/leads", headers=h).json()["total"] == 0
    out = api.client.post("/api/leads/bulk-update", json={"filter": {"deleted": True}, "restore": True},
                          headers=h).json()
    assert out["updated"] == 2


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"status": "NEW"}, "ids"),
        ({"ids": [1], "filter": {}, "status": "NEW"}, "ids"),
        ({"ids": [1]}, None),
        ({"ids": [1], "delete": True, "status": "NEW"}, "delete"),
        ({"ids": [1], "delete": True, "restore": True}, "restore"),
        ({"ids": [0], "status": "NEW"}, "ids.0"),
        ({"ids": [1], "status": "WON"}, "status"),
        ({"filter": {"scoreMin": 500}, "status": "NEW"}, "filter.scoreMin"),
        ({"ids": [1], "addTags": [""]}, "addTags.0"),
    ],
)
def test_bulk_update_refuses_bad_requests(api: Any, h: Any, payload: dict[str, Any], field: str | None) -> None:
    body = _error(api.client.post("/api/leads/bulk-update", json=payload, headers=h), 422)
    assert body["field"] == field


# -- analytics and export ---------------------------------------------------------------------------------------


def test_analytics_summary_for_a_manager_and_a_reduced_one_for_a_rep(api: Any, make: Any, manager: Any,
                                                                      h: Any) -> None:
    make.lead(manager, lead_score=40)
    make.lead(manager, lead_score=60)
    full = api.client.get("/api/analytics/summary", headers=h).json()
    assert full["total"] == 2 and full["averageScore"] == 50.0 and full["statusCounts"]["NEW"] == 2
    assert full["managerView"] is True and full["conversionByQuery"][0]["found"] == 2
    assert {row["status"] for row in full["scoreByStatus"]} >= {"NEW"}
    rep = make.user("rep")
    reduced = api.client.get("/api/analytics/summary", headers=api.auth(rep)).json()
    assert reduced["total"] == 2 and reduced["managerView"] is False
    assert reduced["conversionByQuery"] is None and reduced["scoreByStatus"] is None
    _error(api.client.get("/api/analytics/summary", params={"minSample": 0}, headers=h), 422, "minSample")
    _error(api.client.get("/api/analytics/summary", params={"createdFrom": "2025-02-01", "createdTo": "2025-01-01"},
                          headers=h), 422, "createdFrom")


def test_export_streams_the_filter_as_csv_with_formulas_neutralized(api: Any, make: Any, manager: Any,
                                                                    h: Any) -> None:
    make.lead(manager, lead_name="=HYPERLINK(\"http://x\")", tags=["x"])
    make.lead(manager, lead_name="Plain")
    resp = api.client.get("/api/leads/export.csv", params={"tags": "x"}, headers=h)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/csv")
    assert resp.headers["content-disposition"].startswith('attachment; filename="leads-')
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert [r["lead_name"] for r in rows] == ["'=HYPERLINK(\"http://x\")"]
    _error(api.client.get("/api/leads/export.csv", params={"status": "NOPE"}, headers=h), 422, "status")


# -- auth, limits, envelope -------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer lc_not-a-real-token", "Basic dXNlcjpwdw==",
                                    "Bearer " + "x" * 5000])
def test_missing_or_bad_tokens_are_401_with_a_challenge(api: Any, header: str | None) -> None:
    resp = api.client.get("/api/leads", headers={"Authorization": header} if header else {})
    assert _error(resp, 401)["code"] == "unauthorized"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_bodies_over_one_megabyte_are_413(api: Any, make: Any, manager: Any, h: Any) -> None:
    lead_id = make.lead(manager)
    resp = api.client.post(f"/api/leads/{lead_id}/notes", json={"text": "x" * (1024 * 1024 + 10)}, headers=h)
    assert _error(resp, 413)["code"] == "too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while reading
        yield b'{"text": "'
        for _ in range(1100):
            yield b"y" * 1024
        yield b'"}'

    resp = api.client.post(f"/api/leads/{lead_id}/notes", content=chunks(),
                           headers={**h, "Content-Type": "application/json"})
    assert resp.status_code == 413


def test_a_busy_database_is_503_with_retry_after(api: Any, make: Any, manager: Any, h: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    lead_id = make.lead(manager)

    def busy(*_: Any, **__: Any) -> None:
        raise errors.DatabaseBusy("The database is busy with other changes; try again in a moment")

    monkeypatch.setattr(edits, "get_lead", busy)
    resp = api.client.get(f"/api/leads/{lead_id}", headers=h)
    assert _error(resp, 503)["code"] == "unavailable" and resp.headers["Retry-After"]


@pytest.mark.parametrize("method, path, status", [("get", "/api/nothing", 404), ("patch", "/api/leads", 405)])
def test_unknown_routes_answer_the_error_envelope(api: Any, h: Any, method: str, path: str, status: int) -> None:
    _error(getattr(api.client, method)(path, headers=h), status)


def test_openapi_documents_every_operation(api: Any) -> None:
    spec = api.client.get("/openapi.json").json()
    operations = [(p, m, op) for p, ops in spec["paths"].items() for m, op in ops.items()]
    assert len(operations) == 49  # 13, bulk undo 1, contacts 4, duplicates 5, work 13, email 7, search 1, hooks 5
    for path, method, op in operations:
        assert op.get("summary") and op.get("tags"), (path, method)
        assert {"401", "503"} <= set(op["responses"]), (path, method)
        assert op["security"] == [{"ApiToken": []}]
        if "parameters" in op or "requestBody" in op:
            assert op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorResponse")
    schemas = spec["components"]["schemas"]
    for name in ("LeadOut", "LeadUpdate", "DiscoverIn", "DiscoverOut", "BulkUpdateIn", "ImportOut",
                 "AnalyticsSummaryOut", "ErrorResponse"):
        assert schemas[name].get("examples"), name
    assert "linkedinLink" in schemas["LeadOut"]["properties"]


def test_export_and_bulk_take_the_grid_filter(api: Any, make: Any, manager: Any, h: Any) -> None:
    make.lead(manager, lead_name="Plain Person")
    make.lead(manager, lead_name="Other Person")
    rows = list(csv.DictReader(io.StringIO(api.client.get("/api/leads/export.csv", params={"q": "plain"},
                                                          headers=h).text)))
    assert [r["lead_name"] for r in rows] == ["Plain Person"]
    out = api.client.post("/api/leads/bulk-update", json={"filter": {"q": "plain"}, "status": "REJECTED"},
                          headers=h).json()
    assert out["updated"] == 1
    rejected = api.client.get("/api/leads", params={"status": "REJECTED"}, headers=h).json()["items"]
    assert [i["leadName"] for i in rejected] == ["Plain Person"]


def test_contacts_and_companies_over_the_api(api: Any, make: Any, manager: Any, h: Any) -> None:
    lead_id = make.lead(manager, lead_name="Ana Lima", email="ana@acme.io", company="Acme", job_title="VP Sales",
                        website="https://acme.io")
    imported = api.client.post(f"/api/leads/{lead_id}/import", headers=h).json()
    contacts = api.client.get("/api/contacts", params={"q": "vp sales"}, headers=h).json()
    assert contacts["total"] == 1 and contacts["items"][0]["name"] == "Ana Lima"
    assert contacts["items"][0]["companyName"] == "Acme"
    one = api.client.get(f"/api/contacts/{imported['contactId']}", headers=h).json()
    assert [lead["id"] for lead in one["leads"]] == [lead_id]
    companies = api.client.get("/api/companies", headers=h).json()
    assert [(c["name"], c["contacts"]) for c in companies["items"]] == [("Acme", 1)]
    company = api.client.get(f"/api/companies/{imported['companyId']}", headers=h).json()
    assert [p["name"] for p in company["people"]] == ["Ana Lima"]
    stranger = api.auth(make.user("manager", team="Other"))
    assert api.client.get(f"/api/companies/{imported['companyId']}", headers=stranger).status_code == 404
    assert api.client.get("/api/contacts", params={"limit": 0}, headers=h).status_code == 422
