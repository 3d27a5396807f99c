"""Who is signed in: a server-side session (leadcore.accounts.sessions) behind an HttpOnly cookie, so a reload or a
new tab stays signed in and a logout anywhere ends it everywhere. Roles are enforced again in leadcore."""

from __future__ import annotations

import json

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from leadcore.accounts import sessions
from leadcore.accounts.actors import Actor
from leadcore.accounts.users import UserInfo
from ui import state
from ui.resources import uow

ENDED = "You were signed out: you logged out in another tab, your session expired or your account changed."


def check_session() -> None:
    """Once per run (app.py/router.py): confirm this tab's session is still live, or pick one up from the cookie.

    A tab signed in before reads its session afresh (ended elsewhere: signed out here too; role or team changed:
    the new ones apply). A fresh tab or a reload finds the browser's cookie and signs in with it."""
    ss = st.session_state
    session_id = ss.get(state.SESSION_ID)
    if session_id is not None:
        live = sessions.current(uow(), session_id)
        if live is None:
            logout(ENDED)
            return
        ss[state.USER] = live.user
        if live.cookie_pending and state.HANDOFF in ss:
            _hand_over(ss[state.HANDOFF])
        elif not live.cookie_pending:
            ss.pop(state.HANDOFF, None)
        return
    ss.pop(state.USER, None)  # a user without a live session is nobody
    token = st.context.cookies.get(sessions.COOKIE) if st.context.cookies else None
    if token and (found := sessions.resume(uow(), token)) is not None:
        ss[state.SESSION_ID], ss[state.USER] = found
    elif ss.pop(state.COOKIE_CLEAR, False) or token:
        _post("/_session/end")  # a logged-out or dead cookie: drop it


def still_signed_in() -> None:
    """For a fragment's own reruns (which skip the router): a session ended elsewhere reruns the whole app, which
    then shows the login page. In a full run the router has checked the session already: nothing to do."""
    ctx = get_script_run_ctx()
    if ctx is None or not ctx.fragment_ids_this_run:
        return
    session_id = st.session_state.get(state.SESSION_ID)
    if session_id is None or sessions.current(uow(), session_id) is None:
        st.rerun(scope="app")


def current_user() -> UserInfo | None:
    """The signed-in user (as ``check_session`` confirmed this run), or None."""
    return st.session_state.get(state.USER)


def ensure_routed() -> None:
    """Make sure this run went through the router; every page calls this first (through ``actor()``).

    Our pages live in pages/, so on a fresh server Streamlit may run a page file on its own, skipping the
    login gate (its v1 multipage fallback, e.g. when the first request after a restart asks for /discover);
    st.navigation switches the fallback off only once the router has run. Switch it off and rerun through it.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def actor() -> Actor:
    """The signed-in user as leadcore sees them. Pages are only reachable when signed in.

    No user means the session ended during this run: rerun, and the router shows the login page.
    """
    ensure_routed()
    user = current_user()
    if user is None:
        st.rerun()
    assert user is not None
    return user.actor()


def login(user: UserInfo, *, stay_signed_in: bool = False) -> None:
    """Sign ``user`` (just authenticated) in: a new session, its cookie handed to the browser on the next run."""
    begun = sessions.begin(uow(), user, stay_signed_in=stay_signed_in)
    st.session_state[state.USER] = user
    st.session_state[state.SESSION_ID] = begun.session_id
    st.session_state[state.HANDOFF] = begun.handoff_code


def logout(message: str | None = None) -> None:
    """End this tab's session (every tab of this browser follows on its next action) and forget everything."""
    session_id = st.session_state.get(state.SESSION_ID)
    if session_id is not None:
        sessions.end(uow(), session_id)
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state[state.COOKIE_CLEAR] = True
    if message:
        st.session_state[state.FLASH] = ("info", message)


def _hand_over(code: str) -> None:
    """Let the browser trade the one-time code for its HttpOnly cookie (session_routes.py)."""
    _post("/_session/start", {"code": code})


def _post(path: str, body: dict[str, str] | None = None) -> None:
    """A same-origin POST from the page itself (so the answer's cookie lands on the app's origin)."""
    payload = json.dumps(body or {})
    with st.sidebar:
        st.html("<script>fetch(new URL(" + json.dumps(path.lstrip("/")) + ", document.baseURI), {method: 'POST', "
                "credentials: 'same-origin', headers: {'Content-Type': 'application/json'}, body: "
                + json.dumps(payload) + "})</script>", unsafe_allow_javascript=True, width="content")


def flash(kind: str, message: str) -> None:
    """Show ``message`` once, on the next run (survives st.rerun / switch_page)."""
    st.session_state[state.FLASH] = (kind, message)


def show_flash() -> None:
    item = st.session_state.pop(state.FLASH, None)
    if item:
        kind, message = item
        getattr(st, kind if kind in ("success", "info", "warning", "error") else "info")(message)
