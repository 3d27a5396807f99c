"""My work: my overdue, today's and upcoming follow-ups, my untouched new leads and my leads gone quiet."""

from __future__ import annotations

import streamlit as st

from ui import auth, work

actor = auth.actor()
st.title("My work")
work.my_work_page(actor)
