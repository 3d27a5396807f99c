"""Importing LinkedIn's Connections.csv in a real browser (issue 14): the page finds the header below LinkedIn's
notes, says which format and row it used, and imports every connection with its profile."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .app_driver import button, go, heading, log_in, open_app, settle
from .conftest import StreamlitServer, shot

pytestmark = pytest.mark.e2e

LINKEDIN = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "linkedin_connections.csv"


def test_a_linkedin_export_with_its_preamble_imports_from_the_page(server: StreamlitServer,
                                                                   new_context: Any) -> None:
    server.cli("create-user", "--email", "ivy@example.com", "--role", "rep", "--name", "Ivy Import",
               "--password", "correct horse battery")
    page = new_context().new_page()
    open_app(page, server.url)
    log_in(page, "ivy@example.com", "correct horse battery")
    go(page, "Import", heading(page, "Import leads"))
    page.locator("input[type=file]").set_input_files(str(LINKEDIN))
    settle(page, page.get_by_text("Looks like a LinkedIn Connections export"))
    expect(page.get_by_text("Column names taken from row 4")).to_be_visible()
    shot(page, "import-linkedin-detected")
    button(page, "Dry run").click()
    commit = page.get_by_role("button", name=re.compile(r"^Import \d"))
    settle(page, commit)
    commit.click()
    settle(page, page.get_by_text("3 new leads"))
    shot(page, "import-linkedin-done")
    # the same file again saves nothing new: every connection is known by its profile
    again = server.cli("import-csv", str(LINKEDIN), "--dry-run").stdout.strip().splitlines()[-1]
    assert again.startswith("saved=0 duplicates=3 invalid=0"), again


def test_a_saved_mapping_is_listed_and_deleted_from_the_import_page(server: StreamlitServer, new_context: Any,
                                                                   tmp_path: Path) -> None:
    server.cli("create-user", "--email", "mia@example.com", "--role", "rep", "--name", "Mia Mapper",
               "--password", "correct horse battery")
    people = tmp_path / "fair.csv"
    people.write_text("Full Name,E-mail,Stage\nAna Lee,ana@acme.io,Hot\n", encoding="utf-8")
    # the CLI saves the mapping its import used for the team (Mia's: the default one)
    server.cli("import-csv", str(people), "--save-mapping", "Trade fair")
    page = new_context().new_page()
    open_app(page, server.url)
    log_in(page, "mia@example.com", "correct horse battery")
    go(page, "Import", heading(page, "Import leads"))
    panel = page.get_by_text("Saved column mappings (1)")
    settle(page, panel)
    panel.click()
    settle(page, page.get_by_text("Trade fair"))
    expect(page.get_by_text("3 columns: Full Name, E-mail, Stage")).to_be_visible()
    shot(page, "import-saved-mappings")
    # a file with those columns starts from the saved mapping, and says so
    page.locator("input[type=file]").set_input_files(str(people))
    settle(page, page.get_by_text('Using the saved mapping "Trade fair" for these columns'))
    shot(page, "import-saved-mapping-used")
    page.get_by_role("button", name="Delete", exact=True).click()
    confirm = page.get_by_role("button", name="Delete mapping")
    settle(page, confirm)
    confirm.click()
    settle(page, page.get_by_text('Deleted the saved mapping "Trade fair".'))
    expect(page.get_by_text("Saved column mappings")).to_have_count(0)
    expect(page.get_by_text("Using the saved mapping")).to_have_count(0)  # the same file now starts from defaults
