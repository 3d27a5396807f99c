"""Leads workspace — `streamlit run app.py`: Streamlit serves the pages (router.py: login gate, pages by role),
beside two small HTTP routes that hand the browser its HttpOnly sign-in cookie (ui/session_routes.py)."""

import streamlit as st

from ui.session_routes import ROUTES

app = st.App("router.py", routes=ROUTES)
