"""Single sign-on through an OpenID Connect provider (``st.login``), when ``[auth]`` is set in secrets.toml.

It sits beside the email + password login, it does not replace it. The provider proves who someone is; what they
may do comes from their workspace account, which an admin adds on the Admin page (a password is optional then).
The provider's email must match an active account, case-insensitively, and must not be marked unverified.

    [auth]                      # .streamlit/secrets.toml, see Streamlit's st.login docs
    redirect_uri = "https://leads.example.com/oauth2callback"
    cookie_secret = "…"
    client_id = "…"
    client_secret = "…"
    server_metadata_url = "https://accounts.google.com/.well-known/openid-configuration"

Named providers (``[auth.google]``, ``[auth.okta]``, …) get a button each.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from leadcore.accounts import users
from leadcore.errors import LeadcoreError
from ui import auth, state
from ui.resources import uow


def providers() -> list[str | None]:
    """The configured providers: ``[None]`` for a single unnamed one, their names for ``[auth.<name>]``."""
    try:
        section: Any = st.secrets.get("auth")
    except FileNotFoundError:  # no secrets.toml at all
        return []
    if not isinstance(section, Mapping):
        return []
    if "client_id" in section:
        return [None]
    return [name for name, value in section.items() if isinstance(value, Mapping) and "client_id" in value]


def _label(provider: str | None) -> str:
    return "single sign-on" if provider is None else provider.replace("-", " ").title()


def login_buttons() -> None:
    """A "Log in with …" button per configured provider (nothing when none is)."""
    for provider in providers():
        st.button(f"Log in with {_label(provider)}", key=f"sso_{provider or 'default'}", icon=":material/key:",
                  on_click=st.login, args=(provider,) if provider else (), width="stretch")


def sign_in() -> None:
    """Signed in at the provider but not here yet: sign in to the account with that email, once per identity.

    A refusal (no such account, an inactive one, an unverified email) is kept for the login page to show."""
    if not providers() or not st.user.get("is_logged_in"):
        return
    email = str(st.user.get("email") or "")
    if st.session_state.get(state.SSO_TRIED) == email:
        return
    st.session_state[state.SSO_TRIED] = email
    if st.user.get("email_verified") is False:
        st.session_state[state.SSO_REFUSED] = (f"Your identity provider has not verified {email}; "
                                               "verify it there, or log in with your password.")
        return
    try:
        info = users.sign_in_verified_email(uow(), email)
    except LeadcoreError as e:
        st.session_state[state.SSO_REFUSED] = str(e)
    else:
        st.session_state.pop(state.SSO_REFUSED, None)
        auth.login(info)


def show_refusal() -> None:
    """On the login page: why single sign-on did not sign anyone in, and a way to sign out of the provider."""
    message = st.session_state.get(state.SSO_REFUSED)
    if message and st.user.get("is_logged_in"):
        st.error(message)
        st.button("Sign out of single sign-on", key="sso_logout", on_click=st.logout)


def logout() -> None:
    """Signing out here also signs out of the provider's session in this browser (else it signs you in again)."""
    if providers() and st.user.get("is_logged_in"):
        st.logout()
