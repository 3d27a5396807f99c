"""The grid a rep arranges for themselves (issue 15) and works from (issue 17), in a real browser: plan a follow-up
from a row's Task button, hide a column from the Columns menu and find it still hidden after a reload, and give a
lead a new tag that the Tags filter then offers. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import contextlib
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
MANAGER = {"name": "Tom Tagger", "email": "tom@example.com", "password": "correct-horse-42"}


def on_the_grid(server: StreamlitServer, new_context: Any, tmp_path: Path, who: dict[str, str], role: str,
                csv_text: str) -> tuple[Page, Grid]:
    """``who`` made with ``role``, the leads of ``csv_text`` imported, and ``who`` signed in on the Leads grid."""
    server.cli("create-user", "--email", who["email"], "--role", role, "--name", who["name"], "--password-stdin",
               stdin=who["password"] + "\n")
    leads = tmp_path / "leads.csv"
    leads.write_text(csv_text, encoding="utf-8")
    server.cli("import-csv", str(leads))
    page: Page = new_context().new_page()
    open_app(page, server.url)
    log_in(page, who["email"], who["password"])
    go(page, "Leads", heading(page, "Leads"))
    return page, Grid(page).wait()


def test_a_rep_plans_a_task_from_a_row_and_keeps_her_columns(server: StreamlitServer, new_context: Any,
                                                              tmp_path: Path) -> None:
    page, grid = on_the_grid(server, new_context, tmp_path, REP, "rep",
                             "name,email,company\nTess Task,tess@tasks.io,Tasks Inc\n")
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


def test_a_new_tag_saved_in_the_grid_is_offered_by_the_tags_filter(server: StreamlitServer, new_context: Any,
                                                                   tmp_path: Path) -> None:
    """Save reruns only the grid; a tag the filters did not know yet reruns the whole page, so the Tags filter
    (outside the grid) offers it at once."""
    page, grid = on_the_grid(server, new_context, tmp_path, MANAGER, "manager",
                             "name,email,company,tags\nTia Tag,tia@tags.io,Tags Inc,warm\n")
    assert grid.value(0, "Name") == "Tia Tag"

    grid.click(0, "Tags", double=True)
    editor = page.get_by_test_id("portal").locator(".gdg-clip-region")
    expect(editor).to_be_visible()
    page.keyboard.type("fresh-tag", delay=50)
    page.keyboard.press("Enter")
    shot(page, "17-grid-new-tag-editing")
    heading(page, "Leads").click()  # clicking outside the cell editor keeps its value (Escape would drop it)
    expect(page.get_by_text("Unsaved changes on 1 lead")).to_be_visible(timeout=TIMEOUT_MS)
    button(page, "Save").click()
    settle(page, page.get_by_text("Saved 1 lead."))
    assert "fresh-tag" in Grid(page).wait().value(0, "Tags")

    page.get_by_text("Filters", exact=True).first.click()
    offered = page.get_by_role("listbox").get_by_text("fresh-tag", exact=True)
    tags = page.get_by_role("combobox", name="Tags")
    for _ in range(3):  # open the list from the keyboard (a click sometimes only focused the box); again if it shut
        tags.focus()
        tags.press("ArrowDown")
        with contextlib.suppress(AssertionError):
            expect(offered).to_be_visible(timeout=5_000)
            break
        tags.press("Escape")
    expect(offered).to_be_visible()
    shot(page, "17-grid-new-tag-in-filter")
    expect(page.get_by_test_id("stException")).to_have_count(0)
