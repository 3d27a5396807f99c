"""Log in, or create the first admin on a fresh install."""

import streamlit as st

from leadcore import users
from leadcore.errors import LeadcoreError
from ui import auth
from ui.resources import login_throttle, uow

st.title("Leads workspace")
if not users.has_users(uow()):
    st.subheader("Welcome! Create the first admin account")
    st.caption("This account manages users and teams. You can add reps and managers afterwards on the Admin page.")
    with st.form("first_admin"):
        name = st.text_input("Your name")
        email = st.text_input("Email")
        password = st.text_input("Password", type="password", help="At least 8 characters")
        team = st.text_input("Team name", value=users.DEFAULT_TEAM)
        if st.form_submit_button("Create admin and log in", type="primary"):
            try:
                info = users.create_first_admin(uow(), email=email, password=password, display_name=name or None,
                                                team_name=team or users.DEFAULT_TEAM)
            except LeadcoreError as e:
                st.error(str(e))
            else:
                auth.login(info)
                auth.flash("success", "Admin account created. Start with a discovery search.")
                st.rerun()
else:
    with st.form("login"):
        email = st.text_input("Email")
        password = st.text_input("Password", type="password")
        if st.form_submit_button("Log in", type="primary"):
            try:
                info = users.authenticate(uow(), email, password, throttle=login_throttle())
            except LeadcoreError as e:
                st.error(str(e))
            else:
                auth.login(info)
                st.rerun()
