"""The Duplicates page's parts: a pair side by side with differences marked, the merge form and the undo buttons."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from leadcore.accounts.actors import Actor
from leadcore.duplicates import merge, queue, undo
from leadcore.duplicates.queue import SHOWN, QueuedPair
from leadcore.errors import LeadcoreError
from ui import auth
from ui.resources import uow

LAST_MERGE = "duplicates_last_merge"  # (merge id, label) of this session's last merge, for "Undo merge"
LABELS = {"lead_name": "Name", "job_title": "Title", "linkedin_url": "LinkedIn", "lead_score": "Score",
          "owner_id": "Owner"}


def label(field: str) -> str:
    return LABELS.get(field, field.replace("_", " ").capitalize())


def side_by_side(pair: QueuedPair) -> pd.DataFrame:
    """One row per field, both leads' values, and whether they differ."""
    rows = []
    for f in SHOWN:
        a, b = pair.lead_a[f], pair.lead_b[f]
        if f == "owner_id":
            a, b = pair.lead_a["owner"], pair.lead_b["owner"]
        if f == "tags":
            a, b = ", ".join(a), ", ".join(b)
        rows.append({"Field": label(f), f"Lead {pair.a}": "" if a is None else str(a),
                     f"Lead {pair.b}": "" if b is None else str(b), "Differs": "≠" if f in pair.differs else ""})
    return pd.DataFrame(rows)


def _highlight(frame: pd.DataFrame) -> Any:
    return frame.style.apply(
        lambda row: ["background-color: #fff3cd" if row["Differs"] else "" for _ in row], axis=1)


def pair_card(actor: Actor, pair: QueuedPair) -> None:
    """One pair: reasons, the fields side by side, and the merge / not-a-duplicate actions."""
    name_a = pair.lead_a["lead_name"] or pair.lead_a["company"] or f"Lead {pair.a}"
    name_b = pair.lead_b["lead_name"] or pair.lead_b["company"] or f"Lead {pair.b}"
    with st.container(border=True, key=f"pair_{pair.a}_{pair.b}"):
        st.markdown(f"**{pair.score:.2f}** · {name_a} (lead {pair.a}) ↔ {name_b} (lead {pair.b})")
        st.caption(" · ".join(pair.reasons))
        st.dataframe(_highlight(side_by_side(pair)), hide_index=True, width="stretch")
        if not pair.can_merge:
            st.info("You can merge only leads you may edit (yours or unassigned); ask a manager.")
        keep = st.radio("Keep", [pair.a, pair.b], format_func=lambda i: f"Lead {i}", horizontal=True,
                        key=f"keep_{pair.a}_{pair.b}")
        other = pair.b if keep == pair.a else pair.a
        kept_side, other_side = (pair.lead_a, pair.lead_b) if keep == pair.a else (pair.lead_b, pair.lead_a)
        choices = [f for f in pair.differs if f not in ("tags", "notes") and other_side.get(f) not in (None, "")]
        default = [f for f in choices if kept_side.get(f) in (None, "")]
        take = st.multiselect(f"Take from lead {other}", choices, default=default, format_func=label,
                              key=f"take_{pair.a}_{pair.b}_{keep}",
                              help="Every other field keeps the kept lead's value; tags and notes are combined.")
        left, right = st.columns(2)
        if left.button("Merge", key=f"merge_{pair.a}_{pair.b}", type="primary", disabled=not pair.can_merge):
            try:
                done = merge.merge_leads(uow(), actor, keep, other, take=list(take))
            except LeadcoreError as e:
                st.error(str(e))
            else:
                st.session_state[LAST_MERGE] = (done.merge_id, f"lead {other} into lead {keep}")
                auth.flash("success", f"Merged lead {other} into lead {keep} ({len(done.changed)} fields changed).")
                st.rerun()
        if right.button("Not a duplicate", key=f"dismiss_{pair.a}_{pair.b}"):
            queue.dismiss(uow(), actor, pair.a, pair.b)
            auth.flash("info", f"Leads {pair.a} and {pair.b} will not be suggested again.")
            st.rerun()


def undo_last_merge(actor: Actor) -> None:
    """The "Undo merge" button for this session's last merge, with the conflict choice when needed."""
    last = st.session_state.get(LAST_MERGE)
    if not last:
        return
    merge_id, what = last
    with st.container(border=True):
        st.write(f"Last merge: {what}.")
        keep_edits = st.checkbox("Keep later edits of the kept lead", key="unmerge_keep_edits")
        if st.button("Undo merge", key="unmerge"):
            try:
                out = merge.unmerge(uow(), actor, merge_id, keep_edits=keep_edits)
            except LeadcoreError as e:
                st.error(str(e))
            else:
                del st.session_state[LAST_MERGE]
                kept = f" (kept later edits: {', '.join(out['keptEdits'])})" if out["keptEdits"] else ""
                auth.flash("success", f"Unmerged: leads {out['leadId']} and {out['otherId']} are as before{kept}.")
                st.rerun()


def undo_import_form(actor: Actor) -> None:
    """Managers: take back a whole import or discovery run by its search id."""
    with st.expander("Undo an import or discovery run"):
        search_id = st.number_input("Search id", min_value=1, step=1, key="undo_search_id",
                                    help="Shown after an import and in the search history.")
        if st.button("Undo this run", key="undo_search"):
            try:
                result = undo.undo_search(uow(), actor, int(search_id))
            except LeadcoreError as e:
                st.error(str(e))
            else:
                detail = " ".join(result.reasons)
                auth.flash("success", f"Removed {result.removed} leads, reverted {result.reverted}, kept "
                                      f"{result.kept}. {detail}".strip())
                st.rerun()
