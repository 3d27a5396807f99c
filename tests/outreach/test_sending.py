"""Sending through a real SMTP server on localhost: what arrives byte for byte, the timeline, CONTACTED, and every
way a send is refused or fails (do-not-contact, no email, repeat, server down, bad login, rate limit, daily cap)."""

from __future__ import annotations

import email
from email import policy

import pytest

from leadcore import events
from leadcore.errors import InvalidInput
from leadcore.leads.edits import get_lead
from leadcore.outreach import outbox, sending, templates

BODY = "Hi {{ first_name | default('there') }},\n\nHow is {{ company }} doing?\n\n{{ sender.name }}"


def drain(db, server, clock, **kw):
    kw.setdefault("per_minute", 30)
    kw.setdefault("daily_cap", 200)
    return sending.send_pending(db.uow(), server.mailer_factory(), clock=clock, **kw)


@pytest.fixture
def team(db, make):
    manager = make.user("manager", name="Mia Manager")
    rep = make.user("rep", name="Rita Rep", email="rita@acme.test")
    t = templates.save_template(db.uow(), manager, name="Intro", subject="{{ company }}: a quick question",
                                body=BODY)
    return manager, rep, t


def test_a_rep_sends_to_three_leads_one_do_not_contact(db, make, team, smtp_server, clock):
    manager, rep, t = team
    a = make.lead(rep, lead_name="Ana Lopez", email="ana@north.io", company="North <&> Co")
    b = make.lead(rep, lead_name="Ben Okafor", email="ben@south.io", company="South Ltd")
    c = make.lead(rep, lead_name="Cy Dune", email="cy@east.io", company="East")
    outbox.set_do_not_contact(db.uow(), rep, [c], True)

    preview = outbox.preview_send(db.uow(), rep, t.id, ids=[a, b, c], clock=clock)
    assert preview.summary() == "send to 2, 1 skipped: 1 do-not-contact"
    plan = outbox.queue_send(db.uow(), rep, t.id, ids=[a, b, c], clock=clock)
    assert plan.skipped == [(c, "do_not_contact")]
    result = drain(db, smtp_server, clock)
    assert (result.sent, result.failed, result.error) == (2, 0, None), result.failures

    msgs = smtp_server.recorder.messages
    assert [(m[0], m[1]) for m in msgs] == [("outreach@acme.test", ["ana@north.io"]),
                                           ("outreach@acme.test", ["ben@south.io"])]
    raw = msgs[0][2]
    lines = raw.split(b"\r\n")
    assert b"From: Rita Rep <outreach@acme.test>" in lines
    assert b"To: ana@north.io" in lines
    assert b"Reply-To: Rita Rep <rita@acme.test>" in lines
    assert b"Subject: North <&> Co: a quick question" in lines
    assert f"List-Unsubscribe: <mailto:rita@acme.test?subject=unsubscribe%20lead%20{a}>".encode() in lines
    assert b"Date: Tue, 01 Dec 2026 09:00:00 +0000" in lines
    parsed = email.message_from_bytes(raw, policy=policy.default)
    text = parsed.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = parsed.get_body(("html",)).get_content()
    assert text.startswith("Hi Ana,\n\nHow is North <&> Co doing?\n\nRita Rep\n\n--\nYou are receiving this")
    assert "<p>How is North &lt;&amp;&gt; Co doing?</p>" in html and "North <&> Co" not in html
    assert "Subject: South Ltd: a quick question" in msgs[1][2].decode()

    for lead_id in (a, b):
        assert get_lead(db.uow(), rep, lead_id)["status"] == "CONTACTED"
        kinds = [e.kind for e in events.timeline(db.uow(), rep, lead_id)]
        assert kinds[:2] == ["status_changed", "email_sent"]
        sent = next(e for e in events.timeline(db.uow(), rep, lead_id) if e.kind == "email_sent")
        assert sent.user_id == rep.user_id and sent.data["template"] == "Intro"
        assert sent.data["message_id"].startswith("<") and sent.data["response"].startswith("250")
        assert sent.data["status"] == "sent"
    assert get_lead(db.uow(), rep, c)["status"] == "NEW"
    assert "email_sent" not in [e.kind for e in events.timeline(db.uow(), rep, c)]
    counts = outbox.sent_counts(db.uow(), manager)
    assert counts == {"per_rep": [{"rep": "Rita Rep", "sent": 2}], "per_template": [{"template": "Intro", "sent": 2}]}


def test_leads_without_a_valid_email_are_skipped_with_the_reason(db, make, team, clock):
    _, rep, t = team
    ok = make.lead(rep, email="ok@x.io")
    none = make.lead(rep, email=None, linkedin_url="https://linkedin.com/in/someone")
    plan = outbox.queue_send(db.uow(), rep, t.id, ids=[ok, none, 999_999], clock=clock)
    assert plan.send_ids == [ok]
    assert plan.skipped == [(none, "no_email"), (999_999, "not_found")]
    assert plan.summary() == "send to 1, 2 skipped: 1 no email, 1 not found"


def test_the_same_template_twice_within_the_window_needs_confirmation(db, make, team, smtp_server, clock):
    _, rep, t = team
    lead = make.lead(rep)
    outbox.queue_send(db.uow(), rep, t.id, ids=[lead], clock=clock)
    drain(db, smtp_server, clock)
    clock.advance(days=1)
    again = outbox.queue_send(db.uow(), rep, t.id, ids=[lead], clock=clock)
    assert again.skipped == [(lead, "recently_sent")] and again.outbox_ids == []
    confirmed = outbox.queue_send(db.uow(), rep, t.id, ids=[lead], clock=clock, confirm_repeat=True)
    assert confirmed.send_ids == [lead]
    clock.advance(days=30)
    assert outbox.preview_send(db.uow(), rep, t.id, ids=[lead], clock=clock).send_ids == [lead]


def test_server_down_fails_cleanly_and_nothing_counts_as_sent(db, make, team, smtp_server, clock):
    _, rep, t = team
    lead = make.lead(rep)
    smtp_server.stop()
    outbox.queue_send(db.uow(), rep, t.id, ids=[lead], clock=clock)
    result = drain(db, smtp_server, clock)
    assert (result.sent, result.failed) == (0, 1)
    assert "cannot be reached" in (result.error or "") and "LEADCORE_SMTP_HOST" in (result.error or "")
    assert get_lead(db.uow(), rep, lead)["status"] == "NEW"
    [row] = outbox.recent_messages(db.uow(), rep, lead_id=lead)
    assert row.status == "failed" and "cannot be reached" in (row.smtp_response or "")
    failed = next(e for e in events.timeline(db.uow(), rep, lead) if e.kind == "email_failed")
    assert failed.data["status"] == "failed" and "Connection refused" in failed.data["response"]
    assert outbox.sent_counts(db.uow(), rep)["per_rep"] == []


def test_a_refused_login_fails_with_what_to_fix(db, make, team, smtp_server, clock):
    _, rep, t = team
    lead = make.lead(rep)
    outbox.queue_send(db.uow(), rep, t.id, ids=[lead], clock=clock)
    result = sending.send_pending(db.uow(), smtp_server.mailer_factory(username="rep", password="wrong"),
                                  per_minute=30, daily_cap=200, clock=clock)
    assert result.sent == 0 and result.failed == 1
    assert "refused the login (535" in (result.error or "") and "LEADCORE_SMTP_PASSWORD" in (result.error or "")
    assert smtp_server.recorder.messages == []
    # With the right password the next message goes.
    outbox.queue_send(db.uow(), rep, t.id, ids=[lead], clock=clock, confirm_repeat=True)
    ok = sending.send_pending(db.uow(), smtp_server.mailer_factory(username="rep", password="pw"),
                              per_minute=30, daily_cap=200, clock=clock)
    assert ok.sent == 1 and len(smtp_server.recorder.messages) == 1


def test_rate_limit_defers_the_rest_until_the_minute_has_passed(db, make, team, smtp_server, clock):
    _, rep, t = team
    ids = [make.lead(rep) for _ in range(5)]
    outbox.queue_send(db.uow(), rep, t.id, ids=ids, clock=clock)
    first = drain(db, smtp_server, clock, per_minute=2)
    assert (first.sent, first.deferred) == (2, 3)
    assert first.next_at is not None and first.next_at == clock.now.replace() + sending.RATE_WINDOW
    clock.advance(seconds=30)
    assert drain(db, smtp_server, clock, per_minute=2).sent == 0
    clock.advance(seconds=31)
    assert drain(db, smtp_server, clock, per_minute=2).sent == 2
    clock.advance(seconds=61)
    assert drain(db, smtp_server, clock, per_minute=2).sent == 1
    assert len(smtp_server.recorder.messages) == 5


def test_daily_cap_holds_a_reps_messages_until_tomorrow(db, make, team, smtp_server, clock):
    manager, rep, t = team
    ids = [make.lead(rep) for _ in range(3)]
    other = make.lead(manager)
    outbox.queue_send(db.uow(), rep, t.id, ids=ids, clock=clock)
    outbox.queue_send(db.uow(), manager, t.id, ids=[other], clock=clock)
    result = drain(db, smtp_server, clock, daily_cap=2)
    assert (result.sent, result.capped) == (3, 1)  # two of the rep's and the manager's one
    clock.advance(hours=16)  # past midnight UTC
    assert drain(db, smtp_server, clock, daily_cap=2).sent == 1


def test_a_rep_cannot_queue_without_a_reply_address(db, make, team, clock):
    _, rep, t = team
    nobody = rep.__class__(user_id=rep.user_id, team_id=rep.team_id, role="rep", name="X", email="")
    with pytest.raises(InvalidInput, match="no valid email address"):
        outbox.queue_send(db.uow(), nobody, t.id, ids=[make.lead(rep)], clock=clock)
