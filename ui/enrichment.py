"""Enrichment in the UI: the Integrations page's "Enrich" section (choose providers and fields, see the estimate and
this month's spend, run it as a background job) and where a lead's enriched fields came from on the lead page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from leadcore.accounts.actors import Actor
from leadcore.config import settings
from leadcore.enrichment import FIELDS, available, get_enrichers
from leadcore.enrichment import credits as enrich_credits
from leadcore.enrichment import jobs as enrich_jobs
from leadcore.enrichment.base import FIELD_WORDS
from leadcore.enrichment.runner import enrich, provenance
from leadcore.errors import LeadcoreError
from ui.grid import md
from ui.resources import uow

ss = st.session_state
OUTCOME = "lc_enrich_outcome"


def enrich_section(actor: Actor) -> None:
    """Managers: estimate and start an enrichment run for the team."""
    st.subheader("Enrich", anchor=False)
    s = settings()
    budget = s.enrich_monthly_credits
    spent = enrich_credits.month_spent(uow(), actor.team_id, datetime.now(UTC))
    st.caption(f"Fills missing lead fields from a provider; never overwrites a value or a field someone emptied. "
               f"This month: **{spent} of {budget} credits** used (LEADCORE_ENRICH_MONTHLY_CREDITS).")
    if OUTCOME in ss:
        kind, message = ss.pop(OUTCOME)
        getattr(st, kind)(message)
    if not actor.is_manager:
        st.info("Only a manager can run enrichment: it spends the team's credits.")
        return
    options = {name: label + ("" if ok else " (not configured)") for name, label, ok in available(s)}
    providers = st.multiselect("Providers, asked in this order", list(options), default=["demo"],
                               format_func=options.__getitem__, key="lc_enrich_providers")
    fields = st.multiselect("Fields to fill", list(FIELDS), default=list(FIELDS), format_func=FIELD_WORDS.__getitem__,
                            key="lc_enrich_fields")
    limit = st.number_input("At most this many leads (0 = all)", min_value=0, value=0, step=50, key="lc_enrich_limit")
    cols = st.columns([1, 4])
    if cols[0].button("Estimate", key="lc_enrich_estimate", icon=":material/calculate:"):
        try:
            chain = get_enrichers(providers, s)
            report = enrich(uow(), actor, providers=chain, fields=fields or None, limit=int(limit) or None,
                            dry_run=True)
        except LeadcoreError as e:
            st.error(str(e))
        else:
            st.info(report.message)
    if cols[1].button("Enrich in the background", key="lc_enrich_start", type="primary",
                      icon=":material/auto_fix_high:"):
        try:
            job_id = enrich_jobs.start_enrichment(uow(), actor, providers=providers, fields=fields or None,
                                                  limit=int(limit) or None)
        except LeadcoreError as e:
            ss[OUTCOME] = ("error", str(e))
        else:
            ss[OUTCOME] = ("success", f"Enrichment queued as job #{job_id}: it runs in the background (Admin → "
                                      "Background work shows its progress).")
        st.rerun()
    runs = enrich_jobs.last_runs(uow(), actor)
    if runs:
        st.dataframe(pd.DataFrame([{"job": r["id"], "state": r["state"], "providers": ", ".join(r["providers"] or []),
                                    "fields": ", ".join(FIELD_WORDS.get(f, f) for f in r["fields"] or []),
                                    "queued": r["created_at"], "finished": r["finished_at"], "error": r["error"]}
                                   for r in runs]), hide_index=True)


def provenance_section(actor: Actor, lead: dict[str, Any]) -> None:
    """Which provider filled which field of this lead, when and how sure it was (nothing when never enriched)."""
    rows = [r for r in provenance(uow(), actor, lead["id"]) if r["value"]]
    if not rows:
        return
    with st.expander("Enriched fields", icon=":material/auto_fix_high:"):
        for r in rows:
            when = r["enriched_at"]
            st.markdown(f"**{md(FIELD_WORDS.get(r['field'], r['field']))}** {md(r['value'])} — from "
                        f"**{md(r['provider'])}**, confidence {round((r['confidence'] or 0) * 100)}%, "
                        f"{when:%Y-%m-%d %H:%M}")
