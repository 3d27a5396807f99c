"""Discover: search a provider (or the offline demo data), watch pages arrive, see what is new, re-run past searches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from leadcore.config import settings
from leadcore.discovery import background, runs
from leadcore.discovery.providers import SearchQuery, available_providers
from leadcore.discovery.providers.base import MAX_LIMIT
from leadcore.discovery.runs import DiscoveryResult
from leadcore.errors import LeadcoreError
from ui import auth, cached, forms, state
from ui.resources import uow
from ui.text import plural

actor = auth.actor()
providers = {p.name: p for p in available_providers(settings())}
usable = [p.name for p in providers.values() if p.configured]
missing = [p.label for p in providers.values() if not p.configured]
MODES = {"individual": "People", "company": "Companies"}


def provider_label(name: str) -> str:
    if name.startswith("file:"):
        return f"File: {name[5:]}"
    return providers[name].label if name in providers else name


def start(call: Callable[[], int]) -> None:
    """Start a background search and watch it from this session (it runs on even if the tab closes)."""
    st.session_state.pop(state.DISCOVERY_RESULT, None)  # the panel shows this search's outcome, never the last one
    try:
        search_id = call()
    except LeadcoreError as e:
        st.error(f"The search did not run: {e}.", icon=":material/error:")
        return
    st.session_state[state.DISCOVERY_WATCH] = search_id


def cancel(search_id: int) -> None:
    try:
        background.cancel_search(uow(), actor, search_id)
    except LeadcoreError as e:
        st.session_state[state.DISCOVERY_RESULT] = None
        st.toast(str(e))


def show_active() -> None:
    """Searches still running for the team, with live progress from the database; Cancel stops one."""
    active = background.active_searches(uow(), actor)
    watched = st.session_state.get(state.DISCOVERY_WATCH)
    if watched is not None and all(a["id"] != watched for a in active):
        st.session_state.pop(state.DISCOVERY_WATCH, None)  # it finished: show its result on a full run
        st.session_state[state.DISCOVERY_RESULT] = background.finished_result(uow(), actor, watched)
        cached.clear()
        st.rerun(scope="app")
    if not active:
        return
    st.subheader("Running now", anchor=False)
    for a in active:
        pages = max(1, -(-int(a["requested"] or 1) // settings().provider_page_size))
        text_ = (f"**{a['query'] or ''}** · {provider_label(a['provider'])} · "
                 + ("waiting for a worker…" if a["state"] == "queued" else
                    f"page {a['pages']} of about {pages}: {a['returned']} found, {a['saved']} new, "
                    f"{a['duplicates']} already known"))
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.progress(min(1.0, a["pages"] / pages), text=text_)
        if a["job_error"]:
            left.caption(f"Retrying after: {a['job_error']}")
        if a["cancelled"]:
            right.caption("Stopping…")
        else:
            right.button("Cancel", key=f"cancel_{a['id']}", icon=":material/cancel:", on_click=cancel,
                         args=(a["id"],), help="Stop after the page being saved; what was saved stays.")
    st.caption("Searches run in the background: you can leave this page or close the tab; come back for the "
               "result.")


def show_result(r: DiscoveryResult) -> None:
    st.subheader("Result", anchor=False)
    if r.is_demo:
        st.info("**Demo data** — these leads come from the built-in offline demo provider so you can try the "
                "workspace. They are made up, not real people or companies.", icon=":material/science:")
    reason = (r.error or "no reason given").rstrip(".")
    if r.outcome == "partial":
        st.warning(f"The search stopped before it finished: {reason}. What it found up to then is saved below.",
                   icon=":material/warning:")
    elif r.outcome == "failed":
        st.error(f"The search failed and nothing was saved: {reason}.", icon=":material/error:")
    found, new, known, invalid = st.columns(4)
    found.metric("Found", r.count, border=True)
    new.metric("New", r.saved, border=True)
    known.metric("Already known", r.duplicates, border=True)
    invalid.metric("Invalid", r.invalid, border=True, help="Records without a name or email, or with a broken "
                   "email address. They were skipped.")
    if r.search_id is not None and r.saved:
        forms.leads_of_search_link(r.search_id, f"Open the {plural(r.saved, 'new lead')} in the Leads grid")
    if not r.leads:
        return
    frame = pd.DataFrame([_row(lead) for lead in r.leads])
    st.dataframe(frame, hide_index=True, width="stretch", column_config={
        "Result": st.column_config.TextColumn(width="medium", help="New: saved now. Already known: your team "
                                              "had this lead; its empty fields were filled in from this search."),
        "Score": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%d", width="small"),
        "Website": st.column_config.LinkColumn(),
    })


def _row(lead: dict[str, Any]) -> dict[str, Any]:
    return {
        "Result": "New" if lead.get("is_new") else "Already known",
        "Score": lead.get("lead_score"),
        "Name": lead.get("lead_name"),
        "Title": lead.get("job_title"),
        "Company": lead.get("company"),
        "Location": lead.get("location"),
        "Email": lead.get("email"),
        "Website": lead.get("website"),
    }


def ask_rerun(search_id: int) -> None:
    st.session_state[state.DISCOVERY_RERUN] = search_id


def show_history() -> None:
    st.subheader("Search history", anchor=False)
    recent = runs.list_searches(uow(), actor, limit=20)
    if not recent:
        st.caption("No searches yet. Type who you are looking for above — for example *VP Engineering fintech* — "
                   "and press **Search**. Without a provider key the demo data gives you realistic sample leads.")
        return
    widths = [1.1, 1.0, 1.1, 1.9, 0.6, 0.5, 0.6, 0.65, 0.85, 1.4]
    head = st.columns(widths)
    for col, title in zip(head, ("When", "Who", "Source", "Query", "Found", "New", "Yield", "Dupes",
                                 "Outcome"), strict=False):
        col.caption(f"**{title}**", help={"Yield": "Share of the results that were new leads.",
                                         "Dupes": "Share of the results your team already had."}.get(title))
    for r in recent:
        cols = st.columns(widths, vertical_alignment="center")
        cols[0].write(forms.when(r["started_at"]))
        cols[1].write(r["user_name"] or "—")
        cols[2].write(provider_label(r["provider"]))
        cols[3].write(_query_text(r))
        cols[4].write(str(r["returned"]))
        cols[5].write(str(r["saved"]))
        cols[6].write(forms.percent(r["saved"], r["returned"]))
        cols[7].write(forms.percent(r["duplicates"], r["returned"]))
        cols[8].markdown(_outcome(r["outcome"]), help=r["error"] or None)
        with cols[9]:
            if r["saved"]:  # the grid's search filter shows the leads a run added
                forms.leads_of_search_link(r["id"], "Leads")
            if not r["provider"].startswith("file:") and r["provider"] in usable:
                st.button("Re-run", key=f"rerun_{r['id']}", icon=":material/replay:", on_click=ask_rerun,
                          args=(r["id"],), help="Run this search again; leads you already have are marked "
                          "as already known.")


def _query_text(r: dict[str, Any]) -> str:
    if r["provider"].startswith("file:"):
        return "—"
    parts = [f"**{r['query'] or ''}**", MODES.get(r["mode"] or "", r["mode"] or "")]
    parts += [p for p in (r["location"], r["industry"], r["tech_stack"]) if p]
    return " · ".join(p for p in parts if p)


def _outcome(outcome: str) -> str:
    return {
        "ok": ":green[:material/check_circle: done]",
        "partial": ":orange[:material/warning: partial]",
        "failed": ":red[:material/error: failed]",
        "running": ":blue[:material/hourglass_top: running]",
    }.get(outcome, outcome)


st.title("Discover leads", anchor=False)
st.caption("Search for people or companies. Every lead is saved once for your team: leads you already have are "
           "marked as already known instead of being added again.")

with st.form("discover"):
    text = st.text_input("Search for", placeholder="e.g. VP Engineering fintech",
                         help="Job titles, roles or keywords, as you would type them into a search box.")
    c1, c2, c3 = st.columns(3)
    mode = c1.radio("Looking for", list(MODES), format_func=MODES.__getitem__, horizontal=True)
    location = c2.text_input("Location", placeholder="e.g. Berlin")
    industry = c3.text_input("Industry", placeholder="e.g. Fintech")
    c4, c5, c6 = st.columns(3)
    tech = c4.text_input("Tech stack", placeholder="e.g. Python, AWS", help="Comma separated.")
    provider = c5.selectbox("Provider", usable, format_func=provider_label)
    # No min/max here: the browser would only redden an out-of-range number and send nothing; the query's own
    # check says what is wrong instead.
    limit = c6.number_input("How many leads (at most)", value=25, step=5, help=f"From 1 to {MAX_LIMIT:,}.")
    submitted = st.form_submit_button("Search", type="primary", icon=":material/search:")
if missing:
    keys = ", ".join(f"LEADCORE_{name.upper()}_API_KEY" for name, p in providers.items() if not p.configured)
    st.caption(f"Not configured: {', '.join(missing)}. Whoever runs the server adds the API key to its settings "
               f"({keys}, in the environment or .env) and restarts it; until then the demo data is available.")

rerun_id = st.session_state.pop(state.DISCOVERY_RERUN, None)
if submitted:
    st.session_state.pop(state.DISCOVERY_RESULT, None)  # the panel shows this search's outcome, never the last one
    try:
        query = SearchQuery(text=text, mode=mode, location=location, industry=industry, tech_stack=tech,
                            limit=int(limit)).validated()
    except LeadcoreError as e:
        st.error(f"The search did not run: {e}.", icon=":material/error:")
    else:
        start(lambda: background.start_search(uow(), actor, query, provider_name=provider))
elif rerun_id is not None:
    start(lambda: background.restart_search(uow(), actor, rerun_id))

busy = bool(background.active_searches(uow(), actor, limit=1)) or state.DISCOVERY_WATCH in st.session_state
st.fragment(run_every=1.0 if busy else None)(show_active)()

result = st.session_state.get(state.DISCOVERY_RESULT)
if result is not None:
    show_result(result)
    st.divider()
show_history()
