"""Log in, or create the first admin on a fresh install."""

import streamlit as st

from leadcore.accounts import users
from leadcore.errors import LeadcoreError
from ui import auth, sso, state
from ui.resources import login_throttle, uow

auth.ensure_routed()
_, middle, _ = st.columns([1, 2, 1])
with middle:
    st.title("Leads workspace", anchor=False)
    if not users.has_users(uow()):
        st.subheader("Welcome! Create the first admin account", anchor=False)
        st.caption("This account manages users and teams. You can add reps and managers afterwards on the "
                   "Admin page.")
        with st.form("first_admin"):
            name = st.text_input("Your name")
            email = st.text_input("Email")
            password = st.text_input("Password", type="password",
                                     help=f"At least {users.MIN_PASSWORD_LENGTH} characters")
            repeat = st.text_input("Repeat password", type="password")
            team = st.text_input("Team name", value=users.DEFAULT_TEAM,
                                 help="Everyone in a team sees the team's leads.")
            if st.form_submit_button("Create admin and log in", type="primary"):
                if password != repeat:
                    st.error("The two passwords are not the same; type them again.")
                else:
                    try:
                        info = users.create_first_admin(uow(), email=email, password=password,
                                                        display_name=name or None,
                                                        team_name=team or users.DEFAULT_TEAM)
                    except LeadcoreError as e:
                        st.error(str(e))
                    else:
                        auth.login(info)
                        st.session_state[state.AFTER_LOGIN] = "discover"
                        auth.flash("success", "Admin account created. Start with a discovery search: "
                                              "the demo data works without any setup.")
                        st.rerun()
    else:
        sso.show_refusal()
        st.caption("Log in with the email and password your admin gave you.")
        with st.form("login"):
            email = st.text_input("Email")
            password = st.text_input("Password", type="password")
            stay = st.checkbox("Stay signed in", help="On this browser, for 30 days or until you log out. "
                                                      "Leave it off on a shared computer.")
            if st.form_submit_button("Log in", type="primary"):
                try:
                    info = users.authenticate(uow(), email, password, throttle=login_throttle())
                except LeadcoreError as e:
                    st.error(str(e))
                else:
                    auth.login(info, stay_signed_in=stay)
                    st.rerun()
        st.caption("Forgot your password? Ask an admin to set a new one on the Admin page.")
        if sso.providers():
            st.divider()
            sso.login_buttons()
