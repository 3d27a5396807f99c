"""Driving the leads workspace in a browser: the labels issue 4 promises, and the grid's canvas.

Every helper that triggers a rerun waits for what the rerun should show, then for the app to be idle: waiting for
idle alone races the click (the script may not have started yet when the page still says "notRunning").

``st.data_editor`` draws its cells on a canvas (glide-data-grid). Reading is easy: glide keeps an accessible
``<table role=grid>`` in the DOM whose cells carry ``data-testid="glide-cell-<col>-<row>"`` and the raw values.
Clicking needs coordinates: the header row and each row are 35 px high, and the column widths are the ones the
app sets in ``ui/grid.py`` (mirrored in ``GRID_COLUMNS``). Every click checks the accessible table afterwards, so a
layout change fails with "clicked the wrong cell" rather than silently editing another column.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import unquote

from playwright.sync_api import expect

from .conftest import TIMEOUT_MS, wait_idle

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

LEAD_LINK = re.compile(r"^lead\?id=\d+#(.*)$")  # the Name column's value (ui/grid.py lead_link)
ROW_PX = 35  # glide-data-grid row and header height in Streamlit
# (title, width px) in display order, as ui/grid.py configures the editor: the index "#", then the pinned
# Select / Open / Task / Name columns, then the rest. "medium" is 200 px in Streamlit.
GRID_COLUMNS = [("#", 56), ("Select", 74), ("", 60), ("Task", 64), ("Name", 170), ("Status", 110), ("Score", 64),
                ("Owner", 130), ("Tags", 170)]


# --- forms and navigation ---------------------------------------------------------------------------------------

def field(page: Page, label: str) -> Locator:
    """The input (or text area) of a Streamlit widget by its label; help icons share the label, inputs don't."""
    return page.locator(f'input[aria-label="{label}"], textarea[aria-label="{label}"]')


def button(page: Page, name: str) -> Locator:
    return page.get_by_role("button", name=name, exact=True)


def heading(page: Page, name: str) -> Locator:
    return page.get_by_role("heading", name=name, exact=True)


def settle(page: Page, shown: Locator) -> None:
    """Wait for ``shown`` (what the last action should bring up), then for the app to be idle."""
    expect(shown.first).to_be_visible(timeout=TIMEOUT_MS)
    wait_idle(page)


def nav_titles(page: Page) -> list[str]:
    """The titles listed in the sidebar navigation (empty when there is no navigation)."""
    links = page.get_by_test_id("stSidebarNav").get_by_test_id("stSidebarNavLink")
    return [t.strip() for t in links.locator("span[label]").all_inner_texts()]


def go(page: Page, title: str, shows: Locator) -> None:
    """Open a page through the sidebar navigation (keeps the Streamlit session, unlike page.goto).

    Already on that page, nothing is clicked: the page's heading is on screen before the click's rerun has even
    started, so waiting for it would not wait for that rerun, which then redraws the page under the next action
    (typing into a form it resets)."""
    link = page.get_by_test_id("stSidebarNav").get_by_test_id("stSidebarNavLink").filter(
        has=page.locator(f'span[label="{title}"]'))
    if _same_page(link.get_attribute("href") or "", page.url):
        settle(page, shows)
        return
    link.click()
    settle(page, shows)


def _same_page(href: str, url: str) -> bool:
    """The link leads exactly where the browser is (same path, no query parameters that a click would drop)."""
    def where(u: str) -> str:
        return re.sub(r"^[a-z]+://[^/]+", "", u).split("#")[0].rstrip("/")

    return where(href) == where(url)


def fill_in(page: Page, values: dict[str, str]) -> None:
    """Type into several inputs, then check that each still holds its text before the caller submits."""
    for label, value in values.items():
        field(page, label).fill(value)
    for label, value in values.items():
        expect(field(page, label)).to_have_value(value)


def signed_in(page: Page) -> Locator:
    return page.get_by_test_id("stSidebar").get_by_text("Signed in as")


def open_app(page: Page, url: str) -> None:
    page.goto(url)
    settle(page, page.get_by_test_id("stMain").get_by_role("heading").first)


def log_in(page: Page, email: str, password: str) -> None:
    expect(button(page, "Log in")).to_be_visible()
    field(page, "Email").fill(email)
    field(page, "Password").fill(password)
    button(page, "Log in").click()
    settle(page, signed_in(page))


def log_out(page: Page) -> None:
    button(page, "Log out").click()
    settle(page, button(page, "Log in"))


def metric(page: Page, label: str) -> str:
    """The value shown by ``st.metric(label, ...)``."""
    tile = page.get_by_test_id("stMetric").filter(has=page.get_by_test_id("stMetricLabel").get_by_text(
        label, exact=True))
    return tile.get_by_test_id("stMetricValue").inner_text().strip()


def as_int(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


# --- the leads grid ---------------------------------------------------------------------------------------------

class Grid:
    """The Leads page's ``st.data_editor``."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.element = page.get_by_test_id("stDataFrame").first

    def wait(self) -> Grid:
        expect(self.element).to_be_visible(timeout=TIMEOUT_MS)
        expect(self.element.locator("table[role=grid] th[role=columnheader]").first).to_be_attached()
        wait_idle(self.page)
        return self

    def total(self) -> int:
        """The "N leads" count above the grid: every lead matching the filter, not only this page."""
        label = self.page.get_by_test_id("stMain").get_by_text(re.compile(r"^[\d,]+\+? leads?$"))
        expect(label).to_be_visible()
        return as_int(label.inner_text())

    def row_count(self) -> int:
        """Rows on this page (glide's accessible table counts the header row too)."""
        return int(self.element.locator("table[role=grid]").get_attribute("aria-rowcount") or "1") - 1

    def headers(self) -> list[str]:
        """The titles of the columns shown, in order."""
        heads = self.element.locator("table[role=grid] th[role=columnheader]")
        expect(heads.first).to_be_attached()
        return [t.strip() for t in heads.all_inner_texts()]

    def _col(self, title: str) -> int:
        """0-based position of the column titled ``title`` in the accessible table."""
        heads = self.element.locator("table[role=grid] th[role=columnheader]")
        expect(heads.first).to_be_attached()  # the grid re-mounts its table when new data arrives
        for i, text in enumerate(heads.all_inner_texts()):
            if text.strip() == title:
                return i
        raise AssertionError(f"no grid column titled {title!r}; columns: {heads.all_inner_texts()}")

    def cell(self, row: int, title: str) -> Locator:
        return self.element.get_by_test_id(f"glide-cell-{self._col(title)}-{row}")

    def value(self, row: int, title: str) -> str:
        """A cell's text as the grid draws it (a Name cell holds the lead's link; its text is the fragment)."""
        text = self.cell(row, title).inner_text().strip()
        link = LEAD_LINK.match(text)
        return unquote(link.group(1)) if link else text

    def column(self, title: str) -> list[str]:
        return [self.value(r, title) for r in range(self.row_count())]

    def _position(self, row: int, title: str) -> dict[str, float]:
        x = 0
        for name, width in GRID_COLUMNS:
            if name == title:
                return {"x": x + width / 2, "y": ROW_PX * (row + 1) + ROW_PX / 2}
            x += width
        raise AssertionError(f"column {title!r} is not in GRID_COLUMNS")

    def click(self, row: int, title: str, *, double: bool = False) -> None:
        """Click (or double-click) the middle of a cell and check that glide selected that very cell."""
        pos = self._position(row, title)
        self.element.click(position=pos)
        expect(self.cell(row, title)).to_have_attribute("aria-selected", "true")
        if double:
            self.element.dblclick(position=pos)

    def pick(self, row: int, title: str, option: str) -> None:
        """Edit a Selectbox cell: double-click it, type the option's label, Enter."""
        self.click(row, title, double=True)
        editor = self.page.get_by_test_id("portal").locator(".gdg-clip-region")
        expect(editor).to_be_visible()
        self.page.keyboard.type(option, delay=50)
        expect(self.page.get_by_role("option", name=option, exact=True)).to_be_visible()  # the filtered list
        self.page.keyboard.press("Enter")
        expect(editor).to_be_hidden()

    def press_button(self, row: int, title: str = "") -> None:
        """Click a ButtonColumn cell (the grid's "Open" action has an empty title)."""
        self.element.click(position=self._position(row, title))
