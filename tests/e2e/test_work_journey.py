"""A rep's day in a real browser (issue 17): start on My work, log a call on a lead with a next step, mark the lead
Contacted, see the follow-up on My work and complete it. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from .app_driver import Grid, button, field, go, heading, log_in, open_app, settle
from .conftest import StreamlitServer, shot

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e
REP = {"name": "Rita Rep", "email": "rita@example.com", "password": "battery-staple-42"}


def test_a_rep_logs_a_call_plans_a_follow_up_and_completes_it_on_my_work(server: StreamlitServer,
                                                                          new_context: Any, tmp_path: Path) -> None:
    server.cli("create-user", "--email", "boss@example.com", "--role", "admin", "--name", "Bo Boss",
               "--password-stdin", stdin="correct-horse-42\n")
    server.cli("create-user", "--email", REP["email"], "--role", "rep", "--name", REP["name"], "--password-stdin",
               stdin=REP["password"] + "\n")
    leads = tmp_path / "leads.csv"
    leads.write_text("name,email,company\nNora New,nora@northwind.io,Northwind\n", encoding="utf-8")
    server.cli("import-csv", str(leads))
    page: Page = new_context().new_page()
    open_app(page, server.url)
    log_in(page, REP["email"], REP["password"])
    settle(page, heading(page, "My work"))
    expect(page.get_by_text("No follow-ups planned.")).to_be_visible()

    go(page, "Leads", heading(page, "Leads"))
    grid = Grid(page).wait()
    name = grid.value(0, "Name")
    assert name == "Nora New"
    grid.press_button(0)
    settle(page, heading(page, "Activities and follow-ups"))
    expect(heading(page, name)).to_be_visible()
    field(page, "Outcome").fill("Interested, wants pricing")
    field(page, "Follow-up").fill("Send the pricing sheet")
    button(page, "Log activity").click()
    settle(page, page.get_by_text("Call logged and follow-up planned."))
    expect(page.get_by_text(re.compile("first touch on this New lead"))).to_be_visible()
    shot(page, "17-lead-call-logged")
    button(page, "Mark as Contacted").click()
    settle(page, page.get_by_text("Status set to Contacted."))
    expect(page.get_by_text("Follow-up planned: Send the pricing sheet")).to_be_visible()

    go(page, "My work", heading(page, "My work"))
    task = page.get_by_text("Send the pricing sheet")
    expect(task).to_be_visible()
    shot(page, "17-my-work")
    button(page, "Done").first.click()
    settle(page, page.get_by_text("Done: Send the pricing sheet"))
    expect(page.get_by_text("No follow-ups planned.")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "17-my-work-done")
