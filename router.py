"""Leads workspace — the Streamlit router (app.py serves it): page config, login gate, the pages the user's role
may see."""

import streamlit as st

from ui import auth, nav, prefetch, sso, state, widgets, worker
from ui.resources import database

st.set_page_config(page_title="Leads workspace", page_icon=":material/contacts:", layout="wide")
database()  # migrate the schema before anything else touches it
worker.ensure_running()  # this server's background worker (once per server; LEADCORE_INLINE_WORKER=0: off)
auth.check_session()  # still signed in (or signed in again from the browser's cookie after a reload)?
if state.USER not in st.session_state:
    sso.sign_in()  # signed in at an identity provider (when one is configured) but not here yet
user = auth.current_user()
current = st.navigation(nav.pages_for(user), position=nav.position_for(user))
if user is not None:
    after_login = st.session_state.pop(state.AFTER_LOGIN, nav.start_for(user.role))
    if current.url_path in ("login", nav.START):  # just logged in at /login, or at "/": open the start page
        if widgets.is_grid_link(st.query_params.to_dict()):  # a link from when the grid lived at "/"
            st.switch_page(nav.page("leads"), query_params=st.query_params.to_dict())  # (/?statuses=NEW)
        st.switch_page(nav.page(after_login))
    with st.sidebar:
        st.caption(f"Signed in as **{user.display_name}** · {user.role} · {user.team_name}")
        if st.button("Log out", icon=":material/logout:"):
            auth.logout("You are logged out.")
            sso.logout()
            st.switch_page(nav.LOGIN)
        if nav.allowed(user, "analytics"):
            prefetch.chart_code_once()
auth.show_flash()
current.run()
