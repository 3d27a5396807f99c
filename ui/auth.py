"""Who is signed in: the login kept in session state, with expiry. Roles are enforced again in leadcore."""

from __future__ import annotations

import time

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from leadcore.accounts.actors import Actor
from leadcore.accounts.users import UserInfo
from leadcore.config import settings
from ui import state


def current_user() -> UserInfo | None:
    """The signed-in user, or None (also when the session has expired)."""
    user = st.session_state.get(state.USER)
    if user is None:
        return None
    started = st.session_state.get(state.LOGIN_AT, 0.0)
    if time.time() - started > settings().session_ttl_s:
        logout("Your session expired; please log in again.")
        return None
    return user


def ensure_routed() -> None:
    """Make sure this run went through app.py; every page calls this first (through ``actor()``).

    Our pages live in pages/, so on a fresh server Streamlit may run a page file on its own, skipping the
    login gate (its v1 multipage fallback, e.g. when the first request after a restart asks for /discover);
    st.navigation switches the fallback off only once app.py has run. Switch it off and rerun through app.py.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def actor() -> Actor:
    """The signed-in user as leadcore sees them. Pages are only reachable when signed in.

    No user means the session expired during this run: rerun, and app.py shows the login page.
    """
    ensure_routed()
    user = current_user()
    if user is None:
        st.rerun()
    assert user is not None
    return user.actor()


def login(user: UserInfo) -> None:
    st.session_state[state.USER] = user
    st.session_state[state.LOGIN_AT] = time.time()


def logout(message: str | None = None) -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if message:
        st.session_state[state.FLASH] = ("info", message)


def flash(kind: str, message: str) -> None:
    """Show ``message`` once, on the next run (survives st.rerun / switch_page)."""
    st.session_state[state.FLASH] = (kind, message)


def show_flash() -> None:
    item = st.session_state.pop(state.FLASH, None)
    if item:
        kind, message = item
        getattr(st, kind if kind in ("success", "info", "warning", "error") else "info")(message)
