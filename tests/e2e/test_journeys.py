"""The main journeys in a real browser (issue 4): first run → demo discovery → grid → lead → analytics → export,
logging out, and what a rep may see.

The tests share one server and one logged-in admin page (module-scoped fixtures). Each step that later tests need
(the first admin, the demo search, the worked lead) is a fixture, so any test also runs alone or on another xdist
worker: the fixture then does that step first. Screenshots of every page go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import csv
import io
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urljoin, urlsplit

import pytest
from playwright.sync_api import expect

from .app_driver import (
    Grid,
    as_int,
    button,
    field,
    fill_in,
    go,
    heading,
    log_in,
    log_out,
    metric,
    nav_titles,
    open_app,
    settle,
    signed_in,
)
from .conftest import TIMEOUT_MS, StreamlitServer, shot

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e

ADMIN = {"name": "Ada Admin", "email": "ada@example.com", "password": "correct-horse-42", "team": "Sales"}
REP = {"name": "Rita Rep", "email": "rita@example.com", "password": "battery-staple-42"}
MANAGER_PAGES = ["My work", "Discover", "Leads", "Contacts", "Companies", "Import", "Outreach", "Analytics",
                 "Duplicates", "Assignment rules", "Integrations", "Admin"]
REP_PAGES = ["My work", "Discover", "Leads", "Contacts", "Companies", "Import", "Outreach"]
NOTE = "Called Tuesday: wants a demo of the EU plan"


def no_errors(page: Page) -> None:
    """No Python exception box on screen (Streamlit shows stack traces as stException)."""
    expect(page.get_by_test_id("stException")).to_have_count(0)


def leads_page(page: Page) -> Grid:
    go(page, "Leads", heading(page, "Leads"))
    return Grid(page).wait()


def search_grid(page: Page, text: str) -> Grid:
    """Type into the grid's Search box and wait for the rerun: the filter lands in the URL (?q=…) and the first
    row matches (a stale grid from before the search would not)."""
    box = field(page, "Search")
    box.fill(text)
    box.press("Enter")
    page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get("q") == [text], timeout=TIMEOUT_MS)
    grid = Grid(page).wait()
    expect(grid.cell(0, "Name")).to_have_text(re.compile(re.escape(quote(text, safe="")), re.IGNORECASE))
    return grid.wait()


# --- the steps later tests build on -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def admin(server: StreamlitServer, new_context: Any) -> Page:
    """First run on the fresh database: the first-admin screen creates the admin and logs them in."""
    page = new_context().new_page()
    open_app(page, server.url)
    expect(heading(page, "Welcome! Create the first admin account")).to_be_visible()
    assert nav_titles(page) == [], "before login only the login page may exist"
    shot(page, "01-first-run")
    field(page, "Your name").fill(ADMIN["name"])
    field(page, "Email").fill(ADMIN["email"])
    field(page, "Password").fill(ADMIN["password"])
    if field(page, "Repeat password").count():
        field(page, "Repeat password").fill(ADMIN["password"])
    field(page, "Team name").fill(ADMIN["team"])
    button(page, "Create admin and log in").click()
    settle(page, heading(page, "Discover leads"))
    no_errors(page)
    return page


@pytest.fixture(scope="module")
def demo_search(admin: Page) -> dict[str, int]:
    """A demo discovery run from the Discover page; returns the result's counts."""
    page = admin
    go(page, "Discover", heading(page, "Discover leads"))
    fill_in(page, {"Search for": "VP Engineering fintech", "Location": "Berlin", "How many leads (at most)": "20"})
    button(page, "Search").click()
    settle(page, heading(page, "Result"))
    no_errors(page)
    shot(page, "02-discover-result")
    return {label: as_int(metric(page, label)) for label in ("Found", "New", "Already known", "Invalid")}


@pytest.fixture(scope="module")
def worked_lead(admin: Page, demo_search: dict[str, int]) -> dict[str, str]:
    """Open the top lead from the grid's Open action, add a note, import it."""
    page = admin
    grid = leads_page(page)
    name = grid.value(0, "Name")
    grid.press_button(0)
    settle(page, heading(page, "Add a note"))
    expect(heading(page, name)).to_be_visible()
    lead_id = re.search(r"[?&]id=(\d+)", page.url)
    assert lead_id, f"the lead page's URL has no ?id=: {page.url}"
    page.get_by_placeholder("Called, left a voicemail").fill(NOTE)
    button(page, "Add note").click()
    settle(page, page.get_by_text("Note added."))
    page.get_by_role("button", name=re.compile(r"^Import as (contact|company)$")).click()
    settle(page, page.get_by_text(re.compile(r"^Imported as (contact|company) #")))
    no_errors(page)
    return {"name": name, "id": lead_id.group(1)}


# --- the tests --------------------------------------------------------------------------------------------------

def test_first_run_creates_the_admin_and_logs_in(admin: Page) -> None:
    expect(signed_in(admin)).to_contain_text(f"{ADMIN['name']} · admin · {ADMIN['team']}")
    assert nav_titles(admin) == MANAGER_PAGES
    expect(admin.get_by_text("Admin account created.")).to_be_visible()


def test_demo_discovery_shows_labelled_results_with_counts(admin: Page, demo_search: dict[str, int]) -> None:
    assert demo_search == {"Found": 20, "New": 20, "Already known": 0, "Invalid": 0}
    expect(admin.get_by_text("Demo data", exact=True)).to_be_visible()
    link = admin.get_by_role("link", name="Open the 20 new leads in the Leads grid")
    expect(link).to_be_visible()
    expect(admin.get_by_text("VP Engineering fintech", exact=True).last).to_be_visible()  # the search history


def test_grid_search_filters_and_a_saved_status_survives_reload(admin: Page, demo_search: dict[str, int]) -> None:
    page = admin
    grid = leads_page(page)
    total = grid.total()
    assert total == demo_search["New"]
    assert grid.row_count() == min(total, 20)
    shot(page, "03-leads")

    name = grid.value(0, "Name")
    grid = search_grid(page, name)
    names = grid.column("Name")
    assert names and all(name.lower() in n.lower() for n in names), names
    assert grid.total() == len(names) < total
    status_before = grid.value(0, "Status")
    assert status_before != "CONTACTED"

    grid.pick(0, "Status", "Contacted")
    expect(page.get_by_text("Unsaved changes on 1 lead")).to_be_visible()
    assert grid.value(0, "Status") == "CONTACTED"
    shot(page, "04-leads-unsaved-edit")
    button(page, "Save").click()
    settle(page, page.get_by_text("Saved 1 lead."))
    no_errors(page)
    assert Grid(page).wait().value(0, "Status") == "CONTACTED"

    page.reload()  # a new Streamlit session: still signed in (the session cookie), the edit is in the database
    settle(page, signed_in(page))
    expect(heading(page, "Leads")).to_be_visible()
    grid = search_grid(page, name)
    assert grid.value(0, "Name") == name
    assert grid.value(0, "Status") == "CONTACTED"
    shot(page, "05-leads-after-reload")


def test_lead_detail_note_and_import_show_in_the_timeline(admin: Page, worked_lead: dict[str, str]) -> None:
    page = admin
    expect(heading(page, worked_lead["name"])).to_be_visible()
    expect(heading(page, "Timeline")).to_be_visible()
    expect(page.get_by_text("Added a note")).to_be_visible()
    expect(page.get_by_text(NOTE, exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Imported as contact #\d+"))).to_be_visible()  # the timeline entry
    expect(heading(page, "Imported")).to_be_visible()
    expect(button(page, "Imported")).to_be_disabled()
    shot(page, "06-lead-detail")


def test_analytics_shows_kpis_and_reflects_the_import(admin: Page, worked_lead: dict[str, str],
                                                       demo_search: dict[str, int]) -> None:
    page = admin
    # Signed in as a manager, the browser loaded the chart code while idle (ui/prefetch.py), before any chart.
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(0)
    page.wait_for_function("() => performance.getEntriesByType('resource').some(e => e.name.includes('/PlotlyChart.'))",
                           timeout=10_000)
    go(page, "Analytics", heading(page, "Conversion by source query"))
    no_errors(page)
    expect(page.get_by_text("Average score", exact=True).first).to_be_visible()
    assert float(metric(page, "Average score")) > 0
    assert as_int(metric(page, "Total leads")) == demo_search["New"]
    assert as_int(metric(page, "Imported leads")) >= 1
    assert metric(page, "Imported") != "0.0%"
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
    shot(page, "07-analytics")


def test_clicking_a_bar_opens_the_grid_filtered_to_its_leads(admin: Page, demo_search: dict[str, int]) -> None:
    page = admin
    go(page, "Analytics", heading(page, "Leads by status"))
    chart = page.get_by_role("figure", name="Number of leads in each status")
    # "New", the first (left) bar, holds most demo leads: click the middle of its drawn rectangle.
    bar = chart.first.locator(".trace.bars .point path").first
    expect(bar).to_be_visible()
    box = bar.bounding_box()
    assert box and box["height"] > 4, "the status chart is not drawn"
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    settle(page, heading(page, "Leads"))
    assert urlsplit(page.url).path in ("/", "/leads")
    assert parse_qs(urlsplit(page.url).query).get("statuses") == ["NEW"], page.url
    statuses = Grid(page).wait().column("Status")
    assert statuses and set(statuses) == {"NEW"}, statuses
    no_errors(page)


def test_export_csv_matches_the_grid(admin: Page, demo_search: dict[str, int]) -> None:
    page = admin
    grid = leads_page(page)
    total = grid.total()
    on_page = set(grid.column("Name"))
    link = page.get_by_role("link", name="Download CSV")
    href = link.get_attribute("href") or ""
    assert "_export/leads.csv" in href
    # the link streams the file from the server, signed in by the browser's own (HttpOnly) session cookie
    resp = page.request.get(urljoin(page.url, href), timeout=TIMEOUT_MS)
    assert resp.ok and resp.headers["content-type"].startswith("text/csv")
    assert re.search(r'filename="leads-.*\.csv"', resp.headers["content-disposition"])
    text = resp.body().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    header = next(csv.reader(io.StringIO(text)))
    assert {"lead_name", "email"} <= set(header), header
    assert len(rows) == total
    assert on_page <= {r["lead_name"] for r in rows}


def test_every_page_opens_for_the_admin(admin: Page) -> None:
    page = admin
    for title, shows, name in (("Import", heading(page, "Import leads"), "08-import"),
                               ("Admin", heading(page, "Admin"), "09-admin"),
                               ("Discover", heading(page, "Discover leads"), "10-discover")):
        go(page, title, shows)
        no_errors(page)
        shot(page, name)


def test_log_out_leaves_only_the_login_page(server: StreamlitServer, admin: Page, new_context: Any) -> None:
    page = new_context().new_page()  # its own session: the shared admin page stays logged in
    open_app(page, server.url)
    log_in(page, ADMIN["email"], ADMIN["password"])
    assert nav_titles(page) == MANAGER_PAGES
    log_out(page)
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    expect(signed_in(page)).to_have_count(0)
    assert nav_titles(page) == []
    expect(field(page, "Email")).to_be_visible()
    expect(field(page, "Password")).to_be_visible()
    shot(page, "11-logged-out")


def test_a_signed_out_link_shows_the_login_then_the_view_it_names(server: StreamlitServer, admin: Page,
                                                                   demo_search: dict[str, int],
                                                                   new_context: Any) -> None:
    page = new_context().new_page()  # a new session: signed out
    page.goto(f"{server.url}/leads?statuses=NEW&sort=name")
    settle(page, button(page, "Log in"))
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert urlsplit(page.url).path == "/leads"
    shot(page, "13-link-signed-out")
    log_in(page, ADMIN["email"], ADMIN["password"])
    expect(heading(page, "Leads")).to_be_visible()
    grid = Grid(page).wait()
    assert parse_qs(urlsplit(page.url).query) == {"statuses": ["NEW"], "sort": ["name"]}
    expect(page.get_by_text("Filters · 1 active")).to_be_visible()
    statuses = grid.column("Status")
    assert statuses and set(statuses) == {"NEW"}, statuses
    no_errors(page)
    shot(page, "14-link-after-login")


def test_a_rep_sees_neither_analytics_nor_admin(server: StreamlitServer, admin: Page, new_context: Any) -> None:
    server.cli("create-user", "--email", REP["email"], "--role", "rep", "--name", REP["name"],
               "--team", ADMIN["team"], "--password-stdin", stdin=REP["password"] + "\n")
    page = new_context().new_page()
    open_app(page, server.url)
    log_in(page, REP["email"], REP["password"])
    expect(signed_in(page)).to_contain_text(f"{REP['name']} · rep · {ADMIN['team']}")
    expect(heading(page, "My work")).to_be_visible()  # a rep starts on My work
    titles = nav_titles(page)
    assert titles == REP_PAGES, titles
    assert "Analytics" not in titles and "Admin" not in titles
    leads_page(page)
    no_errors(page)
    shot(page, "12-rep-leads")
