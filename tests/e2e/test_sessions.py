"""Staying signed in, in a real browser (issue 15): "Stay signed in" survives a reload and a deep link in a new
tab; logging out in one tab signs the other out on its next action; a deactivated user's session ends."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from .app_driver import button, field, log_out, open_app, settle, signed_in
from .conftest import StreamlitServer, shot

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.e2e

MANAGER = {"email": "mia@example.com", "password": "correct-horse-42"}
REP = {"email": "rui@example.com", "password": "battery-staple-42"}


@pytest.fixture(scope="module")
def people(server: StreamlitServer) -> dict[str, str]:
    server.cli("create-user", "--email", "boss@example.com", "--password", "admin-password-42", "--role", "admin",
               "--team", "Sales", "--name", "Bo Boss")
    server.cli("create-user", "--email", MANAGER["email"], "--password", MANAGER["password"], "--role", "manager",
               "--team", "Sales", "--name", "Mia Manager")
    server.cli("create-user", "--email", REP["email"], "--password", REP["password"], "--role", "rep",
               "--team", "Sales", "--name", "Rui Rep")
    server.cli("seed-demo", "60", "--team", "Sales")
    return {"manager": MANAGER["email"], "rep": REP["email"]}


def sign_in(page: Page, who: dict[str, str], *, stay: bool) -> None:
    expect(button(page, "Log in")).to_be_visible()
    field(page, "Email").fill(who["email"])
    field(page, "Password").fill(who["password"])
    if stay:
        page.get_by_text("Stay signed in").click()
    button(page, "Log in").click()
    settle(page, signed_in(page))


def session_cookie(ctx: BrowserContext, wait_s: float = 30) -> dict[str, Any]:
    """The sign-in cookie, once the page has fetched it (right after the login, in the background)."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        found = [c for c in ctx.cookies() if c["name"] == "lc_session"]
        if found:
            return dict(found[0])
        time.sleep(0.1)
    raise AssertionError("the browser never got its sign-in cookie")


def test_stay_signed_in_survives_a_reload_and_a_deep_link_and_logout_ends_every_tab(
        server: StreamlitServer, people: dict[str, str], new_context: Any) -> None:
    ctx = new_context()
    page = ctx.new_page()
    open_app(page, server.url + "/leads")
    sign_in(page, MANAGER, stay=True)
    expect(page.get_by_role("heading", name="Leads", exact=True)).to_be_visible()
    cookie = session_cookie(ctx)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["expires"] > 0  # a lasting cookie

    page.reload()
    settle(page, signed_in(page))
    other = ctx.new_page()
    other.goto(server.url + "/leads?statuses=NEW")
    settle(other, signed_in(other))
    expect(other.get_by_role("heading", name="Leads", exact=True)).to_be_visible()
    shot(other, "sessions-deep-link-new-tab", full=False)

    log_out(other)
    page.get_by_role("button", name="Next", exact=True).click()  # the first tab's next action (a fragment rerun)
    settle(page, button(page, "Log in"))
    page.reload()
    settle(page, button(page, "Log in"))
    assert "lc_session" not in [c["name"] for c in ctx.cookies()]


def test_without_stay_signed_in_the_cookie_ends_with_the_browser(server: StreamlitServer, people: dict[str, str],
                                                                  new_context: Any) -> None:
    ctx = new_context()
    page = ctx.new_page()
    open_app(page, server.url)
    sign_in(page, REP, stay=False)
    assert session_cookie(ctx)["expires"] == -1  # a browser-session cookie
    page.reload()
    settle(page, signed_in(page))


def test_a_deactivated_users_session_ends(server: StreamlitServer, people: dict[str, str],
                                          new_context: Any) -> None:
    rep = new_context().new_page()
    open_app(rep, server.url)
    sign_in(rep, REP, stay=True)
    admin = new_context().new_page()
    open_app(admin, server.url + "/admin")
    sign_in(admin, {"email": "boss@example.com", "password": "admin-password-42"}, stay=False)
    picker = admin.locator('input[aria-label^="User"]').first  # the "Change a user" picker
    picker.click()
    picker.fill("Rui")
    admin.keyboard.press("Enter")
    settle(admin, admin.get_by_text("Active (can log in)"))
    admin.get_by_text("Active (can log in)").click()
    button(admin, "Save changes").click()
    settle(admin, admin.get_by_text("deactivated"))
    shot(admin, "sessions-admin-deactivated", full=False)
    rep.reload()  # even with its lasting cookie, the deactivated rep is signed out
    settle(rep, button(rep, "Log in"))
