"""The Admin page's "Merge teams" form: pick team A and team B, preview what moves (counts, leads both teams have),
then merge in one step."""

from __future__ import annotations

import streamlit as st

from leadcore.accounts.actors import Actor
from leadcore.errors import LeadcoreError
from leadcore.leads.team_merge import TeamMergeResult, merge_teams
from ui import auth, cached
from ui.resources import uow
from ui.text import plural

PREVIEW = "lc_team_merge_preview"  # (source id, target id, TeamMergeResult) of the last dry run


def _describe(r: TeamMergeResult) -> str:
    other = sum(n for table, n in r.moved.items() if table not in ("users", "leads"))
    text = (f"Merging **{r.source}** into **{r.target}** moves {plural(r.users, 'user')}, {plural(r.leads, 'lead')} "
            f"and {plural(other, 'other record')} (searches, events, tasks, views, rules, templates…), then "
            f"deletes {r.source}.")
    if r.folded:
        text += (f" {plural(len(r.folded), 'lead')} of {r.source} {'is' if len(r.folded) == 1 else 'are'} already in "
                 f"{r.target} (same email, LinkedIn profile, domain or name): {r.target}'s copy is kept, "
                 f"{r.source}'s is retired (kept as deleted, pointing to it).")
    return text


def merge_form(actor: Actor, teams: dict[int, str]) -> None:
    """Admins: merge one team into another, after a preview."""
    if len(teams) < 2:
        return
    st.markdown("**Merge teams**")
    with st.container(horizontal=True, vertical_alignment="bottom"):
        source = st.selectbox("Merge team", list(teams), format_func=teams.__getitem__, key="merge_team_a",
                              width=240)
        target = st.selectbox("into", [t for t in teams if t != source], format_func=teams.__getitem__,
                              key="merge_team_b", width=240)
        if st.button("Preview merge", icon=":material/preview:", key="merge_team_preview"):
            try:
                st.session_state[PREVIEW] = (source, target, merge_teams(uow(), actor, source, target,
                                                                          dry_run=True))
            except LeadcoreError as e:
                st.session_state.pop(PREVIEW, None)
                st.error(str(e))
    shown = st.session_state.get(PREVIEW)
    if not shown or shown[:2] != (source, target):
        return
    st.info(_describe(shown[2]), icon=":material/merge:")
    if st.button(f"Merge {teams[source]} into {teams[target]}", type="primary", key="merge_team_go"):
        try:
            done = merge_teams(uow(), actor, source, target)
        except LeadcoreError as e:
            st.error(f"Nothing was merged: {e}")
            return
        st.session_state.pop(PREVIEW, None)
        cached.clear()
        auth.flash("success", f"Merged {done.source} into {done.target}: {plural(done.users, 'user')}, "
                              f"{plural(done.leads, 'lead')} moved ({len(done.folded)} already there, retired).")
        st.rerun()
