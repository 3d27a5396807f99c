"""Assignment rules (managers): who gets new leads, in which order; apply them to unassigned leads with a preview."""

from __future__ import annotations

import streamlit as st

from ui import auth, rules

actor = auth.actor()
st.title("Assignment rules")
rules.rules_page(actor)
