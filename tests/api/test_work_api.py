"""The work endpoints over HTTP: rules (managers only), activities on the timeline, tasks, saved views."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any


def test_rules_crud_apply_dry_run_and_reps_get_403(api: Any, make: Any) -> None:
    boss, ana, ben = make.user("manager"), make.user("rep"), make.user("rep")
    for _ in range(4):
        make.lead(boss)
    h = api.auth(boss)
    c = api.client
    assert c.get("/api/assignment-rules", headers=api.auth(ana)).status_code == 403
    body = {"name": "Spread", "conditions": {"types": ["INDIVIDUAL"], "minScore": 0}, "strategy": "round_robin",
            "assigneeIds": [ana.user_id, ben.user_id], "capacity": None, "active": True, "position": 0}
    r = c.post("/api/assignment-rules", json=body, headers=h)
    assert r.status_code == 201, r.text
    rule = r.json()
    assert rule["conditions"] == {"types": ["INDIVIDUAL"], "minScore": 0}
    bad = c.post("/api/assignment-rules", json={**body, "strategy": "fixed"}, headers=h)
    assert bad.status_code == 422 and bad.json()["error"]["field"] in ("assignee_ids", "assigneeIds")
    dry = c.post("/api/assignment-rules/apply", json={"dryRun": True}, headers=h).json()
    assert dry == {"assigned": 4, "byUser": {str(ana.user_id): 2, str(ben.user_id): 2}, "unmatched": 0}
    real = c.post("/api/assignment-rules/apply", json={"dryRun": False}, headers=h).json()
    assert real == dry
    assert c.post("/api/assignment-rules/apply", json={"dryRun": False}, headers=api.auth(ana)).status_code == 403
    r = c.put(f"/api/assignment-rules/{rule['id']}", json={**body, "name": "Renamed"}, headers=h)
    assert r.status_code == 200 and r.json()["name"] == "Renamed"
    assert c.delete(f"/api/assignment-rules/{rule['id']}", headers=h).status_code == 204
    assert c.get("/api/assignment-rules", headers=h).json() == []


def test_activity_task_and_my_lists(api: Any, make: Any) -> None:
    rep = make.user("rep")
    lead = make.lead(rep, owner_id=rep.user_id)
    h, c = api.auth(rep), api.client
    r = c.post(f"/api/leads/{lead}/activities", json={"kind": "call", "outcome": "Interested",
                                                       "occurredAt": "2026-01-05T10:00:00+01:00",
                                                       "durationMinutes": 12, "note": "Wants a demo"}, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["firstTouch"] is True and r.json()["occurredAt"].startswith("2026-01-05T09:00:00")
    kinds = [e["kind"] for e in c.get(f"/api/leads/{lead}/events", headers=h).json()["items"]]
    assert "activity_logged" in kinds
    assert c.post(f"/api/leads/{lead}/activities", json={"kind": "fax"}, headers=h).status_code == 422
    due = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    r = c.post(f"/api/leads/{lead}/tasks", json={"title": "Send the deck", "dueAt": due}, headers=h)
    assert r.status_code == 201, r.text
    task = r.json()
    assert task["assigneeId"] == rep.user_id
    overdue = c.get("/api/tasks?assignee=me&due=overdue", headers=h).json()["items"]
    assert [t["id"] for t in overdue] == [task["id"]] and overdue[0]["bucket"] == "overdue"
    until = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    assert c.post(f"/api/tasks/{task['id']}/snooze", json={"until": until}, headers=h).status_code == 204
    assert c.get("/api/tasks?assignee=me&due=overdue", headers=h).json()["items"] == []
    assert c.post(f"/api/tasks/{task['id']}/complete", headers=h).status_code == 204
    assert c.get("/api/tasks?assignee=me&due=all", headers=h).json()["items"] == []
    assert c.get("/api/tasks?assignee=nobody", headers=h).status_code == 422


def test_saved_views_private_and_shared(api: Any, make: Any) -> None:
    ana, ben = make.user("rep"), make.user("rep")
    c = api.client
    r = c.post("/api/views", json={"name": "Hot", "filters": {"status": ["NEW"], "scoreMin": 70}, "sort": "score"},
               headers=api.auth(ana))
    assert r.status_code == 201, r.text
    c.post("/api/views", json={"name": "Team", "filters": {"ownerId": [0]}, "shared": True}, headers=api.auth(ana))
    mine = [v["name"] for v in c.get("/api/views", headers=api.auth(ana)).json()["items"]]
    theirs = [v["name"] for v in c.get("/api/views", headers=api.auth(ben)).json()["items"]]
    assert mine == ["My leads", "Unassigned", "Hot", "Team"]
    assert theirs == ["My leads", "Unassigned", "Team"]  # a private view is its owner's only
    assert c.delete(f"/api/views/{r.json()['id']}", headers=api.auth(ben)).status_code == 404
    assert c.post("/api/views", json={"name": "X", "filters": {"colour": "red"}},
                  headers=api.auth(ana)).status_code == 422


def test_analytics_summary_reports_time_to_first_touch(api: Any, make: Any) -> None:
    rep = make.user("rep")
    lead = make.lead(rep, owner_id=rep.user_id)
    make.lead(rep, owner_id=rep.user_id)
    h = api.auth(rep)
    api.client.post(f"/api/leads/{lead}/activities", json={"kind": "email"}, headers=h)
    first = api.client.get("/api/analytics/summary", headers=h).json()["firstTouch"]
    assert first["medianHours"] is not None and 0 <= first["medianHours"] < 1
    assert first["p90Hours"] is not None
    assert first["untouchedAfter24h"] is None  # no lead is a day old yet
