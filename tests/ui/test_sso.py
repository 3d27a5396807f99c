"""Single sign-on (ui/sso.py): with ``[auth]`` in secrets a "Log in with …" button beside the password form; an
identity the provider vouches for signs in to the workspace account with that email, and only to that."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from leadcore.accounts import users
from ui import state

OIDC = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test-only",
        "client_id": "leads", "client_secret": "test-only",
        "server_metadata_url": "https://id.example.com/.well-known/openid-configuration"}


def with_sso(at: AppTest, auth: dict | None = None) -> AppTest:
    at.secrets["auth"] = OIDC if auth is None else auth
    return at


def signed_in_at_provider(at: AppTest, email: str, **claims: object) -> AppTest:
    at.user = {"is_logged_in": True, "email": email, "name": "Somebody", **claims}
    return at


def buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def test_without_auth_secrets_there_is_only_the_password_form(make, new_app):
    make.user("rep")
    at = new_app().run()
    assert not at.exception
    assert [w.label for w in at.text_input] == ["Email", "Password"]
    assert not [b for b in buttons(at) if b.startswith("Log in with")]


@pytest.mark.parametrize(("auth", "labels"), [
    (OIDC, ["Log in with single sign-on"]),
    ({"redirect_uri": OIDC["redirect_uri"], "cookie_secret": "x", "google": dict(OIDC), "okta": dict(OIDC)},
     ["Log in with Google", "Log in with Okta"]),
])
def test_each_configured_provider_gets_a_button_beside_the_password_form(auth, labels, make, new_app):
    make.user("rep")
    at = with_sso(new_app(), auth).run()
    assert not at.exception
    assert [w.label for w in at.text_input] == ["Email", "Password"]  # not a replacement
    assert [b for b in buttons(at) if b.startswith("Log in with")] == labels


def test_a_provider_identity_signs_in_to_the_account_with_that_email(make, new_app, app_db):
    rep = make.user("rep", email="rita@example.com")
    at = signed_in_at_provider(with_sso(new_app()), "Rita@Example.com", email_verified=True).run()
    assert not at.exception
    user = at.session_state[state.USER]
    assert (user.id, user.role) == (rep.user_id, "rep")
    assert users.get_user(app_db.uow(), rep.user_id).last_login_at is not None
    assert "Password" not in [w.label for w in at.text_input]  # past the login page: the Leads grid
    assert "Search" in [w.label for w in at.text_input]


@pytest.mark.parametrize("case", ["unknown", "inactive", "unverified"])
def test_an_identity_without_an_active_verified_account_here_is_refused(case, make, new_app, app_db):
    admin = make.user("admin")
    rep = make.user("rep", email="rita@example.com")
    if case == "inactive":
        users.update_user(app_db.uow(), admin, rep.user_id, is_active=False)
    email = "stranger@example.com" if case == "unknown" else "rita@example.com"
    at = signed_in_at_provider(with_sso(new_app()), email, email_verified=case != "unverified").run()
    assert not at.exception
    assert state.USER not in at.session_state
    assert [w.label for w in at.text_input] == ["Email", "Password"]
    expected = "has not verified" if case == "unverified" else "no active account for"
    assert expected in at.error[0].value and email in at.error[0].value
    assert "Sign out of single sign-on" in buttons(at)


def test_the_identity_is_ignored_when_sso_is_not_configured(make, new_app):
    make.user("rep", email="rita@example.com")
    at = signed_in_at_provider(new_app(), "rita@example.com").run()
    assert not at.exception
    assert state.USER not in at.session_state
