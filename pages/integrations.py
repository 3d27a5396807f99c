"""Integrations (managers): signed webhooks to other systems."""

from __future__ import annotations

import streamlit as st

from ui import auth, integrations

actor = auth.actor()
st.title("Integrations")
integrations.webhooks_section(actor)
