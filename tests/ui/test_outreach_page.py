"""Outreach in the app: the template editor with preview (Outreach page), single send and do-not-contact on the
lead page, bulk send with its preview, the mailto: fallback without SMTP, and a stopped server's clear failure."""

from __future__ import annotations

from typing import Any

import pytest
from smtp_fixtures import smtp_server  # noqa: F401
from streamlit.testing.v1 import AppTest

from leadcore import events
from leadcore.config import settings
from leadcore.leads.edits import get_lead
from leadcore.outreach import outbox, templates

PAGE, LEAD = "pages/outreach.py", "pages/lead.py"
BODY = "Hi {{ first_name | default('there') }},\n\n{{ job_title }} at {{ company }}?\n\n{{ sender.name }}"


@pytest.fixture
def smtp_env(app_db: Any, monkeypatch: pytest.MonkeyPatch, smtp_server: Any) -> Any:  # noqa: F811
    """The app's settings point at the SMTP server on localhost."""
    for k, v in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_server.port), "SMTP_STARTTLS": "0",
                 "MAIL_FROM": "outreach@acme.test",
                 "INLINE_WORKER": "0"}.items():  # the page's own sends are under test, not the outbox job's
        monkeypatch.setenv(f"LEADCORE_{k}", v)
    settings.cache_clear()
    return smtp_server


def by_label(widgets: Any, label: str) -> Any:
    return next(w for w in widgets if w.label == label)


def texts(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in [*at.markdown, *at.text, *at.caption, *at.success, *at.warning,
                                            *at.error, *at.info])


def open_page(at: AppTest, page: str, **params: str) -> AppTest:
    at.run()
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_manager_writes_a_template_unsafe_refused_and_previews_it(make, new_app, logged_in):
    manager = make.user("manager", name="Mia Manager")
    lead = make.lead(manager, lead_name="Ana Lopez", company="North", job_title=None)
    at = open_page(logged_in(new_app(), manager), PAGE)
    by_label(at.text_input, "Name").input("Probe")
    by_label(at.text_input, "Subject").input("Hi")
    by_label(at.text_area, "Body").input("{{ ''.__class__.__mro__ }}")
    by_label(at.button, "Save template").click().run()
    assert not at.exception
    assert "reaches into '__mro__', which a template may not use" in at.error[0].value
    assert templates.list_templates(at_db(manager, make), manager) == []

    by_label(at.text_area, "Body").input(BODY)
    by_label(at.text_input, "Subject").input("{{ company }}: hello")
    by_label(at.button, "Save template").click().run()
    assert not at.exception and "Template 'Probe' saved." in texts(at)
    by_label(at.number_input, "Lead id").set_value(lead).run()
    assert not at.exception
    assert "Empty for this lead: job_title" in texts(at)
    assert "Subject:** North: hello" in texts(at)
    assert "Hi Ana,\n\n at North?\n\nMia Manager" in texts(at)


def at_db(actor: Any, make: Any) -> Any:
    return make.db.uow()


def test_a_rep_sends_from_the_lead_page_and_it_is_on_the_timeline(make, new_app, logged_in, smtp_env):
    manager = make.user("manager")
    rep = make.user("rep", name="Rita Rep", email="rita@acme.test")
    templates.save_template(make.db.uow(), manager, name="Intro", subject="{{ company }} and us", body=BODY)
    lead = make.lead(rep, lead_name="Ana Lopez", email="ana@north.io", company="North")
    at = open_page(logged_in(new_app(), rep), LEAD, id=str(lead))
    assert "Subject:** North and us" in texts(at)
    by_label(at.button, "Send email").click().run()
    assert not at.exception, at.exception
    assert "Email sent to ana@north.io." in texts(at)
    [(_, rcpt, raw)] = smtp_env.recorder.messages
    assert rcpt == ["ana@north.io"] and b"Reply-To: Rita Rep <rita@acme.test>" in raw
    assert get_lead(make.db.uow(), rep, lead)["status"] == "CONTACTED"
    assert "Email “North and us” (template Intro) delivered to the server: 250" in texts(at)
    # Sending again needs a confirmation.
    assert by_label(at.button, "Send email").disabled
    by_label(at.checkbox, f"Sent in the last {settings().mail_repeat_window_days} days: send again").check().run()
    assert not by_label(at.button, "Send email").disabled
    # Do-not-contact: the section refuses to send.
    by_label(at.toggle, "Do not contact").set_value(True).run()
    assert not at.exception
    assert "Marked do-not-contact." in texts(at)
    assert "no email can be sent to it" in texts(at)
    assert not [b for b in at.button if b.label == "Send email"]
    assert get_lead(make.db.uow(), rep, lead)["do_not_contact"] is True


def test_with_the_server_stopped_the_page_says_what_to_fix(make, new_app, logged_in, smtp_env):
    manager = make.user("manager")
    templates.save_template(make.db.uow(), manager, name="Intro", subject="Hi {{ company }}", body=BODY)
    lead = make.lead(manager)
    smtp_env.stop()
    at = open_page(logged_in(new_app(), manager), LEAD, id=str(lead))
    by_label(at.button, "Send email").click().run()
    assert not at.exception
    assert "0 sent, 1 failed" in at.error[0].value and "cannot be reached" in at.error[0].value
    assert "LEADCORE_SMTP_HOST" in at.error[0].value
    assert get_lead(make.db.uow(), manager, lead)["status"] == "NEW"
    assert events.timeline(make.db.uow(), manager, lead)[0].kind == "email_failed"


def test_without_smtp_the_lead_page_offers_the_mail_client(make, new_app, logged_in):
    manager = make.user("manager")
    templates.save_template(make.db.uow(), manager, name="Intro", subject="Hi {{ company }}", body=BODY)
    lead = make.lead(manager, email="ana@north.io", company="North")
    at = open_page(logged_in(new_app(), manager), LEAD, id=str(lead))
    assert "No SMTP server is configured" in texts(at)
    assert not [b for b in at.button if b.label == "Send email"]
    link = next(e for e in at.get("link_button") if e.proto.label == "Open in mail client")
    assert link.proto.url.startswith("mailto:ana@north.io?subject=Hi%20North&body=Hi%20")


def test_bulk_send_previews_skips_and_sends(make, new_app, logged_in, smtp_env):
    manager = make.user("manager")
    templates.save_template(make.db.uow(), manager, name="Intro", subject="{{ company }}", body=BODY)
    a, b = make.lead(manager, company="North"), make.lead(manager, company="South")
    c = make.lead(manager)
    outbox.set_do_not_contact(make.db.uow(), manager, [c], True)
    at = open_page(logged_in(new_app(), manager), PAGE)
    by_label(at.text_area, "Lead ids").input(f"{a}, {b}\n#{c}")
    by_label(at.button, "Preview send").click().run()
    assert not at.exception
    assert "**Send to 2, 1 skipped: 1 do-not-contact**" in texts(at)
    assert smtp_env.recorder.messages == []
    by_label(at.button, "Send to 2").click().run()
    assert not at.exception
    assert "2 sent." in at.success[0].value
    assert sorted(m[1][0] for m in smtp_env.recorder.messages) == sorted(
        get_lead(make.db.uow(), manager, i)["email"] for i in (a, b))
    assert len(at.dataframe) >= 1  # the outbox lists both
    # A whole filter: every NEW lead (only the do-not-contact one is left NEW).
    at.radio(key="lc_outreach_bulk_by").set_value("status").run()
    by_label(at.button, "Preview send").click().run()
    assert not at.exception
    assert "**Send to 0, 1 skipped: 1 do-not-contact**" in texts(at)


def test_grid_bulk_do_not_contact_and_its_undo(make, new_app, logged_in):
    from ui import state

    manager = make.user("manager")
    other_rep = make.user("rep", name="Ola Other")
    rep = make.user("rep")
    mine = [make.lead(rep, lead_score=90 - i) for i in range(2)]
    theirs = make.lead(manager, lead_score=50, owner_id=other_rep.user_id)
    at = logged_in(new_app(), rep).run()
    at.switch_page("pages/leads.py").run()
    assert not at.exception
    assert [i["do_not_contact"] for i in at.session_state[state.GRID_SNAPSHOT]["page"].items] == [False] * 3
    at.selectbox(key="lc_bulk_action").set_value("do_not_contact").run()
    at.radio(key="lc_bulk_scope").set_value("filter").run()
    at.button(key="lc_bulk_apply").click().run()
    assert "Mark all 3 leads matching the filter do-not-contact?" in texts(at)
    at.button(key="lc_bulk_yes").click().run()
    assert not at.exception
    assert "Updated 2 leads." in texts(at) and "1 lead not changed: only its owner or a manager may." in texts(at)
    assert [get_lead(make.db.uow(), rep, i)["do_not_contact"] for i in [*mine, theirs]] == [True, True, False]
    # Undo: clear it again.
    at.selectbox(key="lc_bulk_action").set_value("contact_ok").run()
    at.radio(key="lc_bulk_scope").set_value("filter").run()
    at.button(key="lc_bulk_apply").click().run()
    at.button(key="lc_bulk_yes").click().run()
    assert "Updated 2 leads." in texts(at)
    assert [get_lead(make.db.uow(), rep, i)["do_not_contact"] for i in mine] == [False, False]
