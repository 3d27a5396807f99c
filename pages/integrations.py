"""Integrations (managers): signed webhooks to other systems, enrichment from data providers."""

from __future__ import annotations

import streamlit as st

from ui import auth, enrichment, integrations

actor = auth.actor()
st.title("Integrations")
integrations.webhooks_section(actor)
st.divider()
enrichment.enrich_section(actor)
