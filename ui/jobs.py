"""The Admin page's "Background work" section: the team's jobs running, waiting and failed (with the reason), and
Retry / Cancel buttons. Reads and writes through :mod:`leadcore.jobs`."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from leadcore.accounts.actors import Actor
from leadcore.errors import LeadcoreError
from leadcore.jobs import store
from ui import forms
from ui.resources import uow

TITLES = {"discovery.run": "Discovery search", "outreach.send": "Send queued email"}


def _what(j: dict[str, Any]) -> str:
    title = TITLES.get(j["kind"], j["kind"])
    return f"{title} {j['ref']}" if j["ref"] else title


def _act(action: str, job_id: int, team_id: int) -> None:
    try:
        if action == "retry":
            store.retry(uow(), job_id, team_id=team_id)
            st.toast(f"Job {job_id} will run again.")
        else:
            store.cancel(uow(), job_id, team_id=team_id)
            st.toast(f"Job {job_id} is cancelled.")
    except LeadcoreError as e:
        st.toast(str(e))


def _frame(rows: list[dict[str, Any]], *, reason: bool) -> pd.DataFrame:
    out = []
    for j in rows:
        tries = f"{j['attempts']}/{j['max_attempts']}"
        row = {"Job": j["id"], "What": _what(j), "State": j["state"], "Attempts": tries,
               "Since": forms.when(j["started_at"] if j["state"] == "running" else j["run_after"])}
        if reason:
            row["Reason"] = j["last_error"] or ""
        out.append(row)
    return pd.DataFrame(out)


def background_work(actor: Actor) -> None:
    """Running, queued and failed jobs of the team (plus the shared periodic ones), with Retry and Cancel."""
    st.subheader("Background work", anchor=False)
    rows = store.list_jobs(uow(), team_id=actor.team_id, states=("running", "queued", "failed"), limit=200)
    running = [j for j in rows if j["state"] == "running"]
    queued = [j for j in rows if j["state"] == "queued" and not (j["periodic"] and not j["last_error"])]
    failed = [j for j in rows if j["state"] == "failed"]
    a, b, c = st.columns(3)
    a.metric("Running", len(running), border=True)
    b.metric("Waiting", len(queued), border=True)
    c.metric("Failed", len(failed), border=True)
    if not (running or queued or failed):
        st.caption("Nothing running, waiting or failed. Discovery searches and email sending run here in the "
                   "background; `python -m leadcore jobs` lists them too.")
        return
    for title, group, reason in (("Running", running, False), ("Waiting", queued, True), ("Failed", failed, True)):
        if not group:
            continue
        st.markdown(f"**{title}**")
        st.dataframe(_frame(group, reason=reason), hide_index=True, width="stretch")
        for j in group[:20]:
            cols = st.columns([4, 1, 1], vertical_alignment="center")
            cols[0].caption(f"{j['id']} · {_what(j)}" + (f" — {j['last_error']}" if reason and j["last_error"]
                                                          else ""))
            if j["state"] == "failed":
                cols[1].button("Retry", key=f"job_retry_{j['id']}", icon=":material/replay:", on_click=_act,
                               args=("retry", j["id"], actor.team_id))
            elif not j["periodic"]:
                cols[2].button("Cancel", key=f"job_cancel_{j['id']}", icon=":material/cancel:", on_click=_act,
                               args=("cancel", j["id"], actor.team_id))
