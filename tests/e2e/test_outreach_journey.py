"""Outreach in a real browser, sending to a real SMTP server on localhost (aiosmtpd, started here): a manager
writes a template and previews it, marks one lead do-not-contact, bulk-sends to three leads (two go, one is
skipped with its reason), and the lead page shows the email on the timeline. Screenshots in
test-artifacts/screenshots/outreach-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect
from smtp_fixtures import smtp_server  # noqa: F401

from .app_driver import button, field, go, heading, log_in, open_app, settle
from .conftest import StreamlitServer, fresh_database, shot

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.e2e

MANAGER = {"email": "mia@example.com", "password": "correct-horse-42", "name": "Mia Manager"}
LEADS = ("leadName,email,company,jobTitle\n"
         "Ana Lopez,ana@north.io,North Labs,CTO\n"
         "Ben Okafor,ben@south.io,South Ltd,\n"
         "Cy Dune,cy@east.io,East Co,Founder\n")
BODY = "Hi {{ first_name | default('there') }},\n\nDoes {{ company }} still need help with X?\n\n{{ sender.name }}"


@pytest.fixture
def app(browser: Browser, tmp_path: Path, smtp_server: Any) -> Iterator[StreamlitServer]:  # noqa: F811
    smtp = {"LEADCORE_SMTP_HOST": "127.0.0.1", "LEADCORE_SMTP_PORT": str(smtp_server.port),
            "LEADCORE_SMTP_STARTTLS": "0", "LEADCORE_MAIL_FROM": "outreach@acme.test"}
    with fresh_database(tmp_path) as (url, env):
        srv = StreamlitServer(url, {**env, **smtp})
        try:
            srv.cli("create-user", "--email", MANAGER["email"], "--role", "manager", "--name", MANAGER["name"],
                    "--team", "Sales", "--password", MANAGER["password"])
            csv_path = tmp_path / "leads.csv"
            csv_path.write_text(LEADS, encoding="utf-8")
            srv.cli("import-csv", str(csv_path), "--team", "Sales")
            yield srv
        finally:
            srv.stop()


def open_lead(page: Any, url: str, lead_id: int, name: str) -> None:
    """A deep link opens a new Streamlit session, still signed in by the session cookie (signs in the first time)."""
    page.goto(f"{url}/lead?id={lead_id}")
    expect(heading(page, name).or_(button(page, "Log in"))).to_be_visible()
    if button(page, "Log in").is_visible():
        log_in(page, MANAGER["email"], MANAGER["password"])
    settle(page, heading(page, name))


def test_template_preview_do_not_contact_bulk_send_and_timeline(app, browser, smtp_server):  # noqa: F811
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    open_app(page, app.url)
    log_in(page, MANAGER["email"], MANAGER["password"])
    main = page.get_by_test_id("stMain")

    # A probe for Python internals is refused on save; then the real template is saved and previewed.
    go(page, "Outreach", heading(page, "Outreach"))
    field(page, "Name").fill("Intro")
    field(page, "Subject").fill("{{ company }}: a quick question")
    field(page, "Body").fill("{{ ''.__class__.__mro__ }}")
    button(page, "Save template").click()
    settle(page, main.get_by_text("which a template may not use"))
    field(page, "Body").fill(BODY)
    button(page, "Save template").click()
    settle(page, main.get_by_text("Template 'Intro' saved."))
    field(page, "Lead id").fill("2")
    field(page, "Lead id").press("Enter")
    settle(page, main.get_by_text("Empty for this lead: job_title").or_(main.get_by_text("South Ltd: a quick")))
    expect(main.get_by_text("Subject: South Ltd: a quick question")).to_be_visible()
    shot(page, "outreach-template-preview")

    # Cy opts out: the lead page's toggle.
    open_lead(page, app.url, 3, "Cy Dune")
    main.get_by_text("Do not contact", exact=True).click()
    settle(page, main.get_by_text("Marked do-not-contact."))

    # Bulk send to all three: previewed, then two go, one is skipped with its reason.
    go(page, "Outreach", heading(page, "Outreach"))
    page.get_by_role("tab", name="Bulk send").click()
    field(page, "Lead ids").fill("1, 2, 3")
    button(page, "Preview send").click()
    settle(page, main.get_by_text("Send to 2, 1 skipped: 1 do-not-contact"))
    shot(page, "outreach-bulk-preview")
    button(page, "Send to 2").click()
    settle(page, main.get_by_text("2 sent."))
    received = sorted((m[1][0], m[2]) for m in smtp_server.recorder.messages)
    assert [r for r, _ in received] == ["ana@north.io", "ben@south.io"]
    assert b"Subject: North Labs: a quick question" in received[0][1]
    assert b"List-Unsubscribe: <mailto:mia@example.com?subject=unsubscribe%20lead%201>" in received[0][1]

    # The lead page: CONTACTED, the email on the timeline.
    open_lead(page, app.url, 1, "Ana Lopez")
    expect(main.get_by_text("Contacted", exact=True).first).to_be_visible()
    expect(main.get_by_text("North Labs: a quick question").first).to_be_visible()
    expect(main.get_by_text("delivered to the server").first).to_be_visible()
    shot(page, "outreach-lead-page")
    ctx.close()
