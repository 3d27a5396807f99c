"""Admin: users and teams (admins), purging old rejected leads (managers), which lead provider is configured."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from leadcore.accounts import users
from leadcore.accounts.actors import ROLES
from leadcore.accounts.users import UserInfo
from leadcore.config import settings
from leadcore.discovery.providers import available_providers
from leadcore.errors import LeadcoreError
from leadcore.leads import bulk
from ui import auth, cached, forms, nav, state
from ui import jobs as jobs_ui
from ui import teams as team_forms
from ui.resources import uow
from ui.text import plural


def _manager_or_admin() -> UserInfo:
    user = auth.current_user()
    if user is None or not nav.allowed(user, "admin"):
        st.error("This page is for managers and admins.")
        st.stop()
    return user


me = _manager_or_admin()
actor = me.actor()
NEW_TEAM = "(new team…)"


def users_frame(people: list[UserInfo]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"Name": u.display_name, "Email": u.email, "Role": u.role, "Team": u.team_name, "Active": u.is_active,
          "Last login": forms.when(u.last_login_at)} for u in people],
        columns=["Name", "Email", "Role", "Team", "Active", "Last login"],
    )


def team_choice(label: str, teams: list[str], *, current: str | None, key: str) -> str:
    """A team picker with a "new team" option; returns the chosen (or typed) team name."""
    options = [*teams, NEW_TEAM]
    picked = st.selectbox(label, options, index=options.index(current) if current in options else 0, key=key)
    typed = st.text_input("New team name", key=f"{key}_new", help=f"Used when the team above is {NEW_TEAM}")
    return typed.strip() if picked == NEW_TEAM else picked


def create_user_form(teams: list[str]) -> None:
    v = st.session_state.get(state.ADMIN_NEW_USER_V, 0)  # a new version empties the form after a success
    with st.form(f"create_user_{v}"):
        st.markdown("**Add a user**")
        c1, c2 = st.columns(2)
        email = c1.text_input("Email", key=f"new_user_email_{v}")
        name = c2.text_input("Name", key=f"new_user_name_{v}")
        role = c1.selectbox("Role", ROLES, key=f"new_user_role_{v}")
        password = c2.text_input("Password", type="password", key=f"new_user_password_{v}",
                                 help=f"At least {users.MIN_PASSWORD_LENGTH} characters; tell it to the user.")
        with c1:
            team = team_choice("Team", teams, current=me.team_name, key=f"new_user_team_{v}")
        if st.form_submit_button("Create user", type="primary", icon=":material/person_add:"):
            try:
                info = users.create_user(uow(), actor, email=email, password=password, role=role,
                                         team_name=team, display_name=name or None)
            except LeadcoreError as e:
                st.error(str(e))
            else:
                cached.clear()
                auth.flash("success", f"Created {info.display_name} ({info.email}) as {info.role} in {info.team_name}.")
                st.session_state[state.ADMIN_NEW_USER_V] = v + 1
                st.rerun()


def edit_user_form(people: list[UserInfo], teams: list[str]) -> None:
    st.markdown("**Change a user**")
    by_id = {u.id: u for u in people}
    uid = st.selectbox("User", list(by_id), format_func=lambda i: f"{by_id[i].display_name} <{by_id[i].email}>",
                       key="edit_user")
    u = by_id[uid]
    with st.form(f"edit_user_{uid}"):
        c1, c2 = st.columns(2)
        role = c1.selectbox("Role", ROLES, index=ROLES.index(u.role), key=f"edit_role_{uid}")
        active = c2.checkbox("Active (can log in)", value=u.is_active, key=f"edit_active_{uid}",
                             disabled=u.id == me.id)
        with c1:
            team = team_choice("Team", teams, current=u.team_name, key=f"edit_team_{uid}")
        password = c2.text_input("New password", type="password", key=f"edit_pw_{uid}",
                                 help="Leave empty to keep the current password.")
        if st.form_submit_button("Save changes", icon=":material/save:"):
            try:
                info = users.update_user(uow(), actor, uid, role=role, is_active=active,
                                         team_name=team if team != u.team_name else None, password=password or None)
            except LeadcoreError as e:
                st.error(str(e))
            else:
                cached.clear()
                auth.flash("success", f"Saved {info.display_name}: {info.role} in {info.team_name}, "
                                      f"{'active' if info.is_active else 'deactivated'}.")
                st.rerun()


def users_tab() -> None:
    people = users.list_users(uow(), actor, all_teams=True)
    teams = [name for _, name in users.list_teams(uow())]
    st.dataframe(users_frame(people), hide_index=True, width="stretch")
    left, right = st.columns(2, gap="large")
    with left:
        create_user_form(teams)
    with right, st.container(border=True):
        edit_user_form(people, teams)


def teams_tab() -> None:
    people = users.list_users(uow(), actor, all_teams=True)
    rows = [{"Team": name, "Members": sum(u.team_name == name for u in people),
             "Active": sum(u.team_name == name and u.is_active for u in people)}
            for _, name in users.list_teams(uow())]
    st.dataframe(pd.DataFrame(rows, columns=["Team", "Members", "Active"]), hide_index=True)
    st.caption("Everyone in a team sees the team's leads, and nobody sees another team's. A new team is created "
               "when you add or move a user to a new team name.")
    if me.role != "admin":
        return
    teams = dict(users.list_teams(uow()))
    with st.form("rename_team"), st.container(horizontal=True, vertical_alignment="bottom"):
        team_id = st.selectbox("Team", list(teams), format_func=teams.__getitem__, key="rename_team_id", width=240)
        new_name = st.text_input("New name", key="rename_team_name", width=240)
        if st.form_submit_button("Rename team", icon=":material/edit:"):
            try:
                saved = users.rename_team(uow(), actor, team_id, new_name)
            except LeadcoreError as e:
                st.error(str(e))
            else:
                cached.clear()
                auth.flash("success", f"Renamed {teams[team_id]} to {saved}.")
                st.rerun()
    team_forms.merge_form(actor, teams)


def purge_tab() -> None:
    st.markdown("**Purge rejected leads**")
    st.caption(f"Deletes your team's ({me.team_name}) leads with status REJECTED that nobody has changed for the "
               "number of days below — permanently, with their history. Use it to keep the workspace tidy.")
    with st.form("purge"):
        days = st.number_input("Rejected and unchanged for at least (days)", min_value=0, max_value=3650,
                               value=90, step=30)
        sure = st.checkbox("I understand these leads are deleted for good and cannot be restored.")
        if st.form_submit_button("Purge rejected leads", type="primary", icon=":material/delete_forever:"):
            if not sure:
                st.warning("Tick the box to confirm first; nothing was deleted.")
            else:
                try:
                    n = bulk.purge_rejected(uow(), actor, older_than_days=int(days))
                except LeadcoreError as e:
                    st.error(str(e))
                else:
                    cached.clear()
                    st.success(f"Deleted {plural(n, 'rejected lead')} unchanged for {plural(int(days), 'day')} "
                               "or more.")


def provider_tab() -> None:
    default = settings().default_provider
    rows = [{"Provider": p.label, "Status": "Ready" if p.configured else "Not configured",
             "Kind": "Offline demo data" if p.is_demo else "Live lead data",
             "Default": p.name == default} for p in available_providers(settings())]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    st.caption("Live providers need an API key in the server's environment or .env file, for example "
               "LEADCORE_APOLLO_API_KEY or LEADCORE_HUNTER_API_KEY; restart the app after setting it. Keys are "
               "never shown here. Leads from the demo provider are labelled as demo data.")


st.title("Admin", anchor=False)
if actor.is_admin:
    t_users, t_teams, t_purge, t_provider = st.tabs(["Users", "Teams", "Purge", "Lead provider"])
    with t_users:
        users_tab()
    with t_teams:
        teams_tab()
else:
    t_team, t_purge, t_provider = st.tabs(["My team", "Purge", "Lead provider"])
    with t_team:
        st.dataframe(users_frame(users.list_users(uow(), actor)), hide_index=True, width="stretch")
        st.caption("Only an admin can add users or change roles.")
with t_purge:
    purge_tab()
with t_provider:
    provider_tab()

st.divider()
jobs_ui.background_work(actor)
