"""/api/webhooks end to end against a real localhost receiver."""

from __future__ import annotations

import pytest

from leadcore.webhooks import endpoints
from tests.api.conftest import Api
from tests.conftest import Factory
from tests.webhooks.receiver import Receiver


def test_register_list_test_deliveries_delete(api: Api, make: Factory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(endpoints.ALLOW_PRIVATE_ENV, "1")
    manager, rep = make.user("manager"), make.user("rep")
    h = api.auth(manager)
    with Receiver() as rx:
        r = api.client.post("/api/webhooks", headers=h, json={"url": rx.url, "eventTypes": ["lead.created"]})
        assert r.status_code == 201, r.text
        hook = r.json()
        assert hook["secret"].startswith("whsec_") and hook["status"] == "active"
        listed = api.client.get("/api/webhooks", headers=h).json()
        assert [x["id"] for x in listed] == [hook["id"]] and "secret" not in listed[0]
        t = api.client.post(f"/api/webhooks/{hook['id']}/test", headers=h).json()
        assert t["ok"] and t["statusCode"] == 200 and rx.received[0]["doc"]["type"] == "webhook.test"
        assert api.client.get(f"/api/webhooks/{hook['id']}/deliveries", headers=h).json() == []
    assert api.client.get("/api/webhooks", headers=api.auth(rep)).status_code == 403
    bad = api.client.post("/api/webhooks", headers=h, json={"url": "gopher://x", "eventTypes": ["lead.created"]})
    assert bad.status_code == 422
    assert api.client.delete(f"/api/webhooks/{hook['id']}", headers=h).status_code == 204
    assert api.client.get("/api/webhooks", headers=h).json() == []
    assert api.client.delete(f"/api/webhooks/{hook['id']}", headers=h).status_code == 404
