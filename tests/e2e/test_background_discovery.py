"""Browser journey (issue 19, done-when 2): a discovery search started on the Discover page keeps running after the
tab is closed, and a new tab later shows its finished result. The demo provider (offline) with one lead a page
makes the search long enough to watch its progress."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .app_driver import button, field, go, heading, log_in, open_app
from .conftest import StreamlitServer, fresh_database, shot, wait_idle

pytestmark = pytest.mark.e2e
LIMIT = 1000


@pytest.fixture(scope="module")
def slow_server(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    tmp = tmp_path_factory.mktemp("e2e-jobs")
    with fresh_database(tmp) as (url, env):
        srv = StreamlitServer(url, {**env, "LEADCORE_PROVIDER_PAGE_SIZE": "1", "LEADCORE_PROVIDER_PAGE_CAP": "1000",
                                    "LEADCORE_DATA_DIR": str(tmp)})
        try:
            yield srv
        finally:
            srv.stop()


def _search_state(server: StreamlitServer) -> dict[str, Any]:
    rows = json.loads(server.cli("jobs", "--json").stdout)
    return next(r for r in rows if r["kind"] == "discovery.run")


def test_a_search_keeps_running_after_the_tab_closes_and_its_result_shows_on_return(
        slow_server: StreamlitServer, new_context: Any, tmp_path: Path) -> None:
    slow_server.cli("create-user", "--email", "rita@example.com", "--role", "manager", "--name", "Rita Runner",
                    "--password", "correct horse battery")
    context = new_context()
    page = context.new_page()
    open_app(page, slow_server.url)
    log_in(page, "rita@example.com", "correct horse battery")
    go(page, "Discover", heading(page, "Discover leads"))
    field(page, "Search for").fill("VP Engineering fintech")
    limit = page.get_by_test_id("stNumberInputField")
    limit.fill(str(LIMIT))
    button(page, "Search").click()
    expect(page.get_by_text("Running now")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stProgress").first).to_be_visible(timeout=30_000)
    time.sleep(1.5)  # let a few pages land, for the screenshot only (the assertions below poll)
    shot(page, "discover-search-running", full=False)
    context.close()  # the tab (and its Streamlit session) is gone while the search runs

    deadline = time.monotonic() + 120
    while (job := _search_state(slow_server))["state"] != "succeeded":
        assert job["state"] in ("queued", "running"), job
        assert time.monotonic() < deadline, f"the search did not finish after the tab closed: {job}"
        time.sleep(0.5)

    later = new_context().new_page()
    open_app(later, slow_server.url)
    log_in(later, "rita@example.com", "correct horse battery")
    go(later, "Discover", heading(later, "Discover leads"))
    wait_idle(later)
    expect(later.get_by_text("Running now")).to_have_count(0)
    expect(later.get_by_text("done").first).to_be_visible()
    history = later.get_by_test_id("stMain").inner_text()
    assert "VP Engineering fintech" in history and "done" in history
    shot(later, "discover-search-finished-on-return", full=False)
