"""Links into the app (``/leads?statuses=NEW``, ``/lead?id=5``) opened while signed out: the login form at that
URL, no "Page not found", and after logging in the page that was asked for, with its query params."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest
import streamlit.commands.navigation as navigation
from streamlit.runtime.scriptrunner import RerunData
from streamlit.testing.v1 import AppTest, local_script_runner

from ui import state

PASSWORD = "correct horse battery"


@pytest.fixture
def not_found(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every "Page not found" Streamlit sends to the browser (AppTest does not record it as an element)."""
    sent: list[str] = []
    original = navigation.send_page_not_found

    def spy(ctx):  # type: ignore[no-untyped-def]
        sent.append("page not found")
        original(ctx)

    monkeypatch.setattr(navigation, "send_page_not_found", spy)
    return sent


@pytest.fixture
def follow_link(monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """``follow_link(at, url_path, params)``: the first run of a session opened on ``/<url_path>?<params>``.

    A browser opening a URL asks for the page by its name (the URL path) and no page hash; AppTest only asks by
    hash (``switch_page``), and an unknown hash silently falls back to the default page where a browser gets
    "Page not found". So this run's request carries the page name, as the browser's does.
    """

    def follow(at: AppTest, url_path: str, params: dict[str, str]) -> AppTest:
        at.query_params.update(params)
        with monkeypatch.context() as m:
            m.setattr(local_script_runner, "RerunData", functools.partial(RerunData, page_name=url_path))
            return at.run()

    return follow


def log_in(at: AppTest, email: str) -> AppTest:
    next(w for w in at.text_input if w.label == "Email").set_value(email)
    next(w for w in at.text_input if w.label == "Password").set_value(PASSWORD)
    next(b for b in at.button if b.label == "Log in").click()
    return at.run()


def test_a_signed_out_link_to_the_grid_shows_the_login_then_the_filtered_grid(make, new_app, not_found,
                                                                              follow_link):
    rep = make.user("rep", email="rita@example.com", password=PASSWORD)
    make.lead(rep, lead_name="Fresh Lead")
    at = follow_link(new_app(), "leads", {"statuses": "NEW", "sort": "created"})
    assert not at.exception
    assert not not_found
    assert [w.label for w in at.text_input] == ["Email", "Password"]
    assert not at.error
    assert at.query_params == {"statuses": "NEW", "sort": "created"}

    log_in(at, "rita@example.com")
    assert not at.exception
    assert not not_found
    assert at.session_state[state.USER].email == "rita@example.com"
    assert at.title[0].value == "Leads"
    assert at.multiselect(key="lf_status").value == ["NEW"]
    assert at.selectbox(key="lf_sort").value == "created"
    assert at.query_params == {"statuses": "NEW", "sort": "created"}


def test_a_signed_out_link_to_a_lead_opens_that_lead_after_login(make, new_app, not_found, follow_link):
    rep = make.user("rep", email="rita@example.com", password=PASSWORD)
    make.lead(rep, lead_name="Other Lead")
    lead_id = make.lead(rep, lead_name="Linked Lead")
    at = follow_link(new_app(), "lead", {"id": str(lead_id)})
    assert not at.exception
    assert not not_found
    assert [w.label for w in at.text_input] == ["Email", "Password"]

    log_in(at, "rita@example.com")
    assert not at.exception
    assert not not_found
    assert "Linked Lead" in at.title[0].value
    assert at.query_params == {"id": str(lead_id)}


def test_a_rep_following_a_managers_link_is_told_the_page_is_for_managers(make, new_app, not_found,
                                                                           follow_link):
    make.user("rep", email="rita@example.com", password=PASSWORD)
    at = follow_link(new_app(), "analytics", {})
    assert not at.exception
    assert [w.label for w in at.text_input] == ["Email", "Password"]

    log_in(at, "rita@example.com")
    assert not at.exception
    assert not not_found
    assert at.warning[0].value == "Only managers and admins can open Analytics."
    assert not at.get("plotly_chart")
    with pytest.raises(ValueError):  # still not a page a rep can reach
        at.switch_page("pages/analytics.py")


def test_logging_in_at_the_root_still_opens_the_start_page(make, new_app, not_found):
    make.user("rep", email="rita@example.com", password=PASSWORD)
    at = log_in(new_app().run(), "rita@example.com")
    assert not at.exception
    assert not not_found
    assert at.title[0].value == "My work"  # a rep starts on My work


@pytest.mark.parametrize("role, start", [("rep", "My work"), ("manager", "Leads")])
def test_an_old_root_link_with_grid_filters_opens_the_filtered_grid(make, new_app, not_found, follow_link, role,
                                                                    start):
    """The grid used to live at "/": a shared ``/?statuses=NEW`` opens Leads with that filter (signed in or after
    logging in), whatever page the role starts on; "/" with nothing for the grid still opens the start page."""
    rep = make.user(role, email="rita@example.com", password=PASSWORD)
    make.lead(rep, lead_name="Fresh Lead")
    at = follow_link(new_app(), "", {"statuses": "NEW,CONTACTED", "q": "fresh"})
    log_in(at, "rita@example.com")
    assert not at.exception
    assert not not_found
    assert at.title[0].value == "Leads"
    assert at.multiselect(key="lf_status").value == ["NEW", "CONTACTED"]
    assert at.text_input(key="lf_q").value == "fresh"
    assert at.query_params == {"statuses": "NEW,CONTACTED", "q": "fresh"}

    at.query_params.clear()  # signed in already, the same session opens another old link
    follow_link(at, "", {"statuses": "QUALIFIED"})
    assert not at.exception
    assert at.title[0].value == "Leads"
    assert at.multiselect(key="lf_status").value == ["QUALIFIED"]
    assert at.query_params == {"statuses": "QUALIFIED"}

    at = follow_link(new_app(), "", {"code": "abc"})  # not the grid's: the start page
    log_in(at, "rita@example.com")
    assert not at.exception
    assert at.title[0].value == start
