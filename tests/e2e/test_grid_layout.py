"""The grid a rep arranges for themselves (issue 15) and works from (issue 17), in a real browser: plan a follow-up
from a row's Task button, hide a column from the Columns menu and find it still hidden after a reload, and decide a
conflicting edit with "Keep mine". Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from .app_driver import Grid, button, field, go, heading, log_in, open_app, settle
from .conftest import TIMEOUT_MS, StreamlitServer, shot, wait_idle

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e
REP = {"name": "Gina Grid", "email": "gina@example.com", "password": "battery-staple-42"}


def test_a_rep_plans_a_task_from_a_row_and_keeps_her_columns(server: StreamlitServer, new_context: Any,
                                                              tmp_path: Path) -> None:
    server.cli("create-user", "--email", REP["email"], "--role", "rep", "--name", REP["name"], "--password-stdin",
               stdin=REP["password"] + "\n")
    leads = tmp_path / "leads.csv"
    leads.write_text("name,email,company\nTess Task,tess@tasks.io,Tasks Inc\n", encoding="utf-8")
    server.cli("import-csv", str(leads))
    page: Page = new_context().new_page()
    open_app(page, server.url)
    log_in(page, REP["email"], REP["password"])
    go(page, "Leads", heading(page, "Leads"))
    grid = Grid(page).wait()
    assert grid.value(0, "Name") == "Tess Task"

    grid.press_button(0, "Task")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Plan a follow-up")).to_be_visible(timeout=TIMEOUT_MS)
    expect(dialog.get_by_text("Tess Task")).to_be_visible()
    field(page, "Title").fill("Send the case study")
    shot(page, "15-grid-task-dialog")
    button(page, "Add follow-up").click()
    settle(page, page.get_by_text("Follow-up planned for Gina Grid"))
    expect(page.get_by_role("dialog")).to_have_count(0)

    page.get_by_text("Columns", exact=True).first.click()
    expect(page.get_by_text("Shown, in this order")).to_be_visible(timeout=TIMEOUT_MS)
    shot(page, "15-grid-columns-menu")
    page.get_by_role("button", name="Remove Summary").click()
    wait_idle(page)
    page.keyboard.press("Escape")
    shot(page, "15-grid-columns")
    assert "Summary" not in Grid(page).wait().headers()

    page.reload()
    settle(page, heading(page, "Leads"))
    headers = Grid(page).wait().headers()
    assert "Summary" not in headers and "Status" in headers
    expect(page.get_by_test_id("stException")).to_have_count(0)
