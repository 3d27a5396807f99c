"""The email API: templates (managers write, unsafe ones 422), preview, one lead, bulk, doNotContact."""

from __future__ import annotations

from typing import Any

import pytest
from smtp_fixtures import clock, smtp_server  # noqa: F401

from leadcore import events

BODY = "Hi {{ first_name | default('there') }}, about {{ company }}.\n\n{{ sender.name }}"


@pytest.fixture
def people(api: Any, make: Any, smtp_server: Any) -> Any:  # noqa: F811
    manager = make.user("manager", name="Mia Manager")
    rep = make.user("rep", name="Rita Rep", email="rita@acme.test")
    api.client.app.state.smtp_config = smtp_server.config()
    return manager, rep, api.auth(manager), api.auth(rep)


def _template(api: Any, h: dict[str, str]) -> int:
    resp = api.client.post("/api/email-templates", json={"name": "Intro", "subject": "{{ company }} and us",
                                                         "body": BODY}, headers=h)
    assert resp.status_code == 201, resp.text
    return int(resp.json()["id"])


@pytest.mark.parametrize("body", ["{{ ''.__class__.__mro__ }}", "{{ config }}", "{{ self.__init__ }}",
                                  "{{ lipsum.__globals__ }}", "{{ company.__class__.__base__.__subclasses__() }}"])
def test_unsafe_templates_answer_422_and_nothing_is_saved(api, people, body):
    _, _, hm, _ = people
    resp = api.client.post("/api/email-templates", json={"name": "Probe", "subject": "Hi", "body": body}, headers=hm)
    assert resp.status_code == 422
    err = resp.json()["error"]
    assert err["field"] == "body" and ("may not use" in err["message"] or "not a merge field" in err["message"])
    assert api.client.get("/api/email-templates", headers=hm).json() == []


def test_reps_use_templates_but_cannot_write_them(api, people):
    _, _, hm, hr = people
    tid = _template(api, hm)
    assert [t["name"] for t in api.client.get("/api/email-templates", headers=hr).json()] == ["Intro"]
    body = {"name": "X", "subject": "S", "body": "B"}
    assert api.client.post("/api/email-templates", json=body, headers=hr).status_code == 403
    assert api.client.put(f"/api/email-templates/{tid}", json=body, headers=hr).status_code == 403
    assert api.client.delete(f"/api/email-templates/{tid}", headers=hr).status_code == 403
    assert api.client.put(f"/api/email-templates/{tid}", json=body, headers=hm).json()["name"] == "X"
    assert api.client.delete(f"/api/email-templates/{tid}", headers=hm).status_code == 204


def test_preview_lists_the_empty_fields(api, make, people):
    _, rep, hm, hr = people
    tid = _template(api, hm)
    lead = make.lead(rep, lead_name="Acme Corp", type="COMPANY", email="hello@acme.io", company=None,
                     website="https://acme.io")
    out = api.client.post(f"/api/email-templates/{tid}/preview", json={"leadId": lead}, headers=hr).json()
    assert out["subject"] == "and us"
    assert out["body"] == "Hi there, about .\n\nRita Rep"
    assert out["missingFields"] == ["company", "first_name"]


def test_email_one_lead_then_do_not_contact_and_no_email(api, make, db, people, smtp_server):  # noqa: F811
    _, rep, hm, hr = people
    tid = _template(api, hm)
    lead = make.lead(rep, lead_name="Ana Lopez", email="ana@north.io", company="North")
    out = api.client.post(f"/api/leads/{lead}/email", json={"templateId": tid}, headers=hr).json()
    assert out["status"] == "sent" and out["messageId"].startswith("<") and out["response"].startswith("250")
    [(_, rcpt, raw)] = smtp_server.recorder.messages
    assert rcpt == ["ana@north.io"] and b"Subject: North and us" in raw and b"List-Unsubscribe: <mailto:" in raw
    detail = api.client.get(f"/api/leads/{lead}", headers=hr).json()
    assert detail["status"] == "CONTACTED" and detail["doNotContact"] is False
    again = api.client.post(f"/api/leads/{lead}/email", json={"templateId": tid}, headers=hr)
    assert again.status_code == 409 and again.json()["error"]["code"] == "recently_sent"

    upd = api.client.put(f"/api/leads/{lead}", json={"doNotContact": True, "version": detail["version"]}, headers=hr)
    assert upd.status_code == 200 and upd.json()["doNotContact"] is True
    refused = api.client.post(f"/api/leads/{lead}/email", json={"templateId": tid, "confirmRepeat": True},
                              headers=hr)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "do_not_contact"
    no_email = make.lead(rep, email=None, linkedin_url="https://linkedin.com/in/nobody")
    assert api.client.post(f"/api/leads/{no_email}/email", json={"templateId": tid}, headers=hr).status_code == 422
    assert len(smtp_server.recorder.messages) == 1


def test_with_smtp_stopped_the_send_fails_cleanly(api, make, db, people, smtp_server):  # noqa: F811
    _, rep, hm, hr = people
    tid = _template(api, hm)
    lead = make.lead(rep)
    smtp_server.stop()
    out = api.client.post(f"/api/leads/{lead}/email", json={"templateId": tid}, headers=hr).json()
    assert out["status"] == "failed" and "cannot be reached" in out["response"]
    assert "LEADCORE_SMTP_HOST" in out["response"]
    assert api.client.get(f"/api/leads/{lead}", headers=hr).json()["status"] == "NEW"
    assert events.timeline(db.uow(), rep, lead)[0].kind == "email_failed"


def test_bulk_send_previews_then_sends_and_skips_with_reasons(api, make, people, smtp_server):  # noqa: F811
    _, rep, hm, hr = people
    tid = _template(api, hm)
    a, b = make.lead(rep, company="North"), make.lead(rep, company="South")
    c = make.lead(rep)
    d = make.lead(rep, email=None, linkedin_url="https://linkedin.com/in/d")
    api.client.put(f"/api/leads/{c}", json={"doNotContact": True, "version": 1}, headers=hr)
    body = {"templateId": tid, "ids": [a, b, c, d], "preview": True}
    preview = api.client.post("/api/email/bulk", json=body, headers=hr).json()
    assert preview["summary"] == "send to 2, 2 skipped: 1 do-not-contact, 1 no email"
    assert preview["sent"] == 0 and smtp_server.recorder.messages == []
    out = api.client.post("/api/email/bulk", json={**body, "preview": False}, headers=hr).json()
    assert (out["sent"], out["failed"], out["queued"]) == (2, 0, 0)
    assert out["skipped"] == [{"id": c, "reason": "do_not_contact"}, {"id": d, "reason": "no_email"}]
    subjects = sorted(m[2].split(b"Subject: ")[1].split(b"\r\n")[0] for m in smtp_server.recorder.messages)
    assert subjects == [b"North and us", b"South and us"]
    by_filter = api.client.post("/api/email/bulk", json={"templateId": tid, "filter": {"status": ["NEW"]},
                                                         "preview": True}, headers=hr).json()
    assert by_filter["summary"] == "send to 0, 2 skipped: 1 do-not-contact, 1 no email"


def test_without_smtp_settings_the_api_offers_a_mailto_link(api, make, people):
    _, rep, hm, hr = people
    api.client.app.state.smtp_config = None
    tid = _template(api, hm)
    lead = make.lead(rep, email="ana@north.io", company="North")
    resp = api.client.post(f"/api/leads/{lead}/email", json={"templateId": tid}, headers=hr)
    assert resp.status_code == 503 and resp.json()["error"]["code"] == "smtp_not_configured"
    assert resp.json()["mailto"].startswith("mailto:ana@north.io?subject=North%20and%20us&body=Hi%20")
