"""The login page: first-run admin, logging in, wrong passwords, throttling, logging out."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from leadcore.accounts import users
from leadcore.config import settings
from ui import state

PASSWORD = "correct horse battery"


def fill(at: AppTest, **by_label: str) -> AppTest:
    for label, value in by_label.items():
        next(w for w in at.text_input if w.label == label).set_value(value)
    return at


def submit(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return at.run()


def test_first_run_screen_creates_the_admin_and_opens_discover(new_app, app_db):
    at = new_app().run()
    assert not at.exception
    assert "Create the first admin" in at.subheader[0].value
    fill(at, **{"Your name": "Ada Admin", "Email": "ada@example.com", "Password": PASSWORD,
                "Repeat password": PASSWORD, "Team name": "Sales"})
    submit(at, "Create admin and log in")
    assert not at.exception
    assert at.session_state[state.USER].role == "admin"
    assert at.title[0].value == "Discover leads"
    assert "Admin account created" in at.success[0].value
    assert users.has_users(app_db.uow())


def test_first_run_refuses_mismatched_passwords(new_app, app_db):
    at = new_app().run()
    fill(at, **{"Email": "ada@example.com", "Password": PASSWORD, "Repeat password": PASSWORD + "x"})
    submit(at, "Create admin and log in")
    assert not at.exception
    assert "not the same" in at.error[0].value
    assert not users.has_users(app_db.uow())


def test_first_run_shows_a_short_password_in_words(new_app, app_db):
    at = new_app().run()
    fill(at, **{"Email": "ada@example.com", "Password": "short", "Repeat password": "short"})
    submit(at, "Create admin and log in")
    assert not at.exception
    assert "at least 8 characters" in at.error[0].value


def test_login_with_the_right_password_opens_the_leads_page(new_app, make):
    make.user("rep", email="rita@example.com", password=PASSWORD)
    at = new_app().run()
    assert not at.exception
    assert [w.label for w in at.text_input] == ["Email", "Password"]
    fill(at, Email="Rita@Example.com", Password=PASSWORD)
    submit(at, "Log in")
    assert not at.exception
    assert at.session_state[state.USER].email == "rita@example.com"
    assert not at.error


def test_wrong_password_says_so_and_stays_logged_out(new_app, make):
    make.user("rep", email="rita@example.com", password=PASSWORD)
    at = new_app().run()
    fill(at, Email="rita@example.com", Password="wrong password")
    submit(at, "Log in")
    assert not at.exception
    assert at.error[0].value == "Wrong email or password"
    assert at.session_state.get(state.USER) is None
    with pytest.raises(ValueError):
        at.switch_page("pages/leads.py")


def test_login_is_throttled_after_too_many_failures(new_app, make):
    make.user("rep", email="rita@example.com", password=PASSWORD)
    at = new_app().run()
    for _ in range(settings().login_max_failures):
        fill(at, Email="rita@example.com", Password="wrong password")
        submit(at, "Log in")
        assert not at.exception
    fill(at, Email="rita@example.com", Password=PASSWORD)  # even the right password waits now
    submit(at, "Log in")
    assert not at.exception
    assert "Too many failed logins" in at.error[0].value
    assert at.session_state.get(state.USER) is None


def test_log_out_returns_to_the_login_page(new_app, make, logged_in):
    rep = make.user("rep")
    at = logged_in(new_app(), rep).run()
    assert not at.exception
    next(b for b in at.sidebar.button if b.label == "Log out").click()
    at.run()
    assert not at.exception
    assert at.session_state.get(state.USER) is None
    assert [w.label for w in at.text_input] == ["Email", "Password"]
    assert "logged out" in at.info[0].value
