"""POST /api/leads/discover with "async": true answers 202 and the search finishes in the background (a real
Huey consumer); GET /api/searches/{id} shows its progress and outcome."""

from __future__ import annotations

from typing import Any

import pytest

from leadcore.config import settings
from tests.jobs import conftest as job_fixtures
from tests.jobs.conftest import wait_for

consumer = job_fixtures.consumer  # a real Huey consumer (threads) on a queue bound to the test database
job_queue = job_fixtures.job_queue


def test_async_discover_answers_202_and_finishes_in_the_background(api: Any, make: Any, consumer: Any) -> None:
    h = api.auth(make.user("rep"))
    resp = api.client.post("/api/leads/discover", headers=h,
                           json={"query": "VP Engineering fintech", "limit": 60, "provider": "demo", "async": True})
    assert resp.status_code == 202, resp.text
    body = resp.json()
    assert body["state"] == "queued" and body["poll"] == f"/api/searches/{body['searchId']}"

    def finished() -> dict[str, Any] | None:
        got = api.client.get(body["poll"], headers=h)
        assert got.status_code == 200, got.text
        doc = got.json()  # the search row finishes first; the job row is settled just after the body returns
        return doc if doc["state"] not in ("queued", "running") and doc["jobState"] not in ("queued", "running") \
            else None

    done = wait_for(finished, what="the background search to finish")
    assert done["state"] == "ok" and done["returned"] == 60 and done["pages"] >= 2
    assert done["saved"] + done["duplicates"] + done["invalid"] == 60 and done["saved"] > 50
    assert done["jobState"] == "succeeded"
    listed = api.client.get("/api/leads", headers=h, params={"limit": 100}).json()
    assert sum(1 for lead in listed["items"] if lead["searchId"] == body["searchId"]) == done["saved"]


def test_small_discover_keeps_its_synchronous_answer(api: Any, make: Any) -> None:
    h = api.auth(make.user("rep"))
    resp = api.client.post("/api/leads/discover", headers=h, json={"query": "cto", "limit": 5, "provider": "demo"})
    assert resp.status_code == 200 and resp.json()["saved"] == 5


def test_a_large_discover_runs_in_the_background_without_asking(api: Any, make: Any) -> None:
    h = api.auth(make.user("rep"))
    limit = settings().discover_sync_max + 1
    resp = api.client.post("/api/leads/discover", headers=h, json={"query": "cto", "limit": limit})
    assert resp.status_code == 202


def test_another_teams_search_is_not_found(api: Any, make: Any) -> None:
    h = api.auth(make.user("rep"))
    other = api.auth(make.user("rep", team="Other"))
    started = api.client.post("/api/leads/discover", headers=h, json={"query": "cto", "async": True}).json()
    assert api.client.get(f"/api/searches/{started['searchId']}", headers=other).status_code == 404


@pytest.fixture(autouse=True)
def _own_queue(job_queue: Any) -> None:
    """Every test here sends to its own queue file (never a default one in the working directory)."""
