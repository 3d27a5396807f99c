"""Per-rep numbers (leads owned, touched, activities, follow-ups, conversion, time to first touch): the Analytics
page's table of the team and, for a rep, their own row on My work."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from leadcore.accounts.actors import Actor
from leadcore.analytics.per_rep import per_rep
from ui import charts
from ui.charts import DECIMAL, PERCENT
from ui.resources import uow
from ui.text import percent

HELPS = {
    "Touched": "Leads they own that have at least one logged activity (by anyone)",
    "Activities": "Calls, emails, meetings and other touches they logged in the last 30 days",
    "Tasks done": "Follow-ups assigned to them completed in the last 30 days",
    "Overdue tasks": "Their open follow-ups past due now",
    "Qualified of owned": "The share of the leads they own that reached Qualified or Imported",
    "Median hours to first touch": "From a lead's creation to its first logged activity, over the touched leads "
                                   "they own",
}


def team_table(rows: list[dict[str, Any]]) -> None:
    """The Analytics page's per-rep section (rows from the dashboard's one snapshot)."""
    with st.container(border=True):
        st.subheader("Per rep", anchor=False)
        st.caption("Per owner: the filtered leads they own and how far they got; activities and follow-ups of the "
                   "last 30 days.")
        if not rows:
            st.caption("No team members match the owner filter.")
            return
        frame = pd.DataFrame([{
            "Person": r["name"], "Leads owned": r["leads_owned"], "Touched": r["touched"],
            "Activities": r["activities"], "Tasks done": r["tasks_done"], "Overdue tasks": r["tasks_overdue"],
            "Qualified of owned": r["conversion"], "Median hours to first touch": r["median_first_touch_hours"],
        } for r in rows])
        charts.table(frame, name="Per rep", key="per_rep",
                     formats={"Qualified of owned": PERCENT, "Median hours to first touch": DECIMAL}, helps=HELPS)


def my_numbers(actor: Actor) -> None:
    """A rep's own row, as metrics (My work)."""
    rows = per_rep(uow(), actor)
    if not rows:
        return
    r = rows[0]
    st.subheader("My numbers", anchor=False)
    st.caption("Leads you own now; activities and follow-ups of the last 30 days.")
    cols = st.columns(5)
    cols[0].metric("Leads owned", f"{r['leads_owned']:,}", border=True,
                   help=f"{r['touched']:,} touched, {r['untouched']:,} not yet")
    cols[1].metric("Activities", f"{r['activities']:,}", border=True, help=HELPS["Activities"])
    cols[2].metric("Tasks done", f"{r['tasks_done']:,}", border=True,
                   help=f"{r['tasks_overdue']:,} overdue now")
    cols[3].metric("Qualified of owned", percent(r["conversion"]), border=True, help=HELPS["Qualified of owned"])
    hours = r["median_first_touch_hours"]
    cols[4].metric("Median first touch", "—" if hours is None else f"{hours:.1f} h", border=True,
                   help=HELPS["Median hours to first touch"])
