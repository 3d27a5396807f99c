"""Add one lead by hand (the Leads page's "Add a lead"): a short form, and before saving a warning when the lead
looks like one another rep owns ("probably exists, owned by X"), so a rep does not copy a colleague's lead unknowingly.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from leadcore.accounts.actors import Actor
from leadcore.duplicates.queue import hidden_lookalikes
from leadcore.errors import LeadcoreError
from leadcore.intake.candidates import LeadCandidate
from leadcore.leads.edits import create_lead
from ui import cached, nav
from ui.resources import uow

PENDING = "lc_add_lead_pending"  # the fields waiting for "Add anyway", with their warnings
ADDED = "lc_add_lead_added"  # (lead id, new?) shown once after the rerun
FIELDS = (("lead_name", "Name"), ("company", "Company"), ("email", "Email"), ("phone", "Phone"),
          ("job_title", "Job title"), ("location", "Location"))


def _save(actor: Actor, fields: dict[str, Any]) -> None:
    try:
        result = create_lead(uow(), actor, LeadCandidate(**fields))
    except LeadcoreError as e:
        st.error(f"The lead was not added: {e}", icon=":material/error:")
        return
    if not result.lead_ids:
        reason = next((r.reason for r in result.rows if r.reason), "it needs a name, a company or an email")
        st.error(f"The lead was not added: {reason}", icon=":material/error:")
        return
    st.session_state.pop(PENDING, None)
    st.session_state[ADDED] = (result.lead_ids[0], bool(result.saved))
    cached.clear()
    st.rerun()


def add_lead(actor: Actor) -> None:
    """The "Add a lead" popover: type the lead, see look-alikes the user cannot see as theirs, then save."""
    added = st.session_state.pop(ADDED, None)
    if added:
        lead_id, new = added
        st.success("Lead added." if new else "That lead was already here: its empty fields were filled.",
                   icon=":material/check_circle:")
        st.page_link(nav.page("lead"), label=f"Open lead {lead_id}", icon=":material/person:",
                     query_params={"id": str(lead_id)})
    with st.popover("Add a lead", icon=":material/person_add:"):
        with st.form("lc_add_lead", border=False):
            kind = st.radio("Type", ["INDIVIDUAL", "COMPANY"], horizontal=True, format_func=str.title,
                            key="lc_add_type")
            values = {f: st.text_input(label, key=f"lc_add_{f}").strip() or None for f, label in FIELDS}
            submitted = st.form_submit_button("Add lead", type="primary")
        if submitted:
            fields = {"type": kind, **values}
            if not any(fields[f] for f in ("lead_name", "company", "email")):
                st.error("Give the lead a name, a company or an email.", icon=":material/error:")
                return
            warnings = hidden_lookalikes(uow(), actor, fields)
            if not warnings:
                _save(actor, fields)
                return
            st.session_state[PENDING] = {"fields": fields, "warnings": warnings}
        pending = st.session_state.get(PENDING)
        if pending:
            for w in pending["warnings"]:
                st.warning(w, icon=":material/person_search:")
            st.caption("Adding it anyway saves a second copy: ask the owner or a manager first.")
            left, right = st.columns(2)
            if left.button("Add anyway", key="lc_add_anyway"):
                _save(actor, pending["fields"])
            if right.button("Cancel", key="lc_add_cancel"):
                st.session_state.pop(PENDING, None)
                st.rerun()
