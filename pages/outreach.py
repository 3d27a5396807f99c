"""Outreach: email templates (managers write, everyone uses), bulk sends with a preview, the outbox."""

from __future__ import annotations

import streamlit as st

from leadcore.outreach import templates
from ui import auth, outreach
from ui.resources import uow

actor = auth.actor()
st.title("Outreach", anchor=False)
outreach.show_outcome()
if outreach.smtp_config() is None:
    outreach.no_smtp_note()
choices = templates.list_templates(uow(), actor)
edit_tab, bulk_tab, outbox_tab = st.tabs(["Templates", "Bulk send", "Outbox"])
with edit_tab:
    outreach.template_editor(actor, choices)
with bulk_tab:
    outreach.bulk_send(actor, choices)
with outbox_tab:
    outreach.outbox_panel(actor)
