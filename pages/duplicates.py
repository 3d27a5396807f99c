"""Duplicates: the team's near-duplicate pairs by score, merged field by field or dismissed; undo a merge or an
import run."""

from __future__ import annotations

import streamlit as st

from leadcore.duplicates import queue, scan
from leadcore.duplicates.scoring import MIN_SCORE
from ui import auth
from ui import duplicates as view
from ui.resources import uow

actor = auth.actor()
st.title("Duplicates", anchor=False)
auth.show_flash()
view.undo_last_merge(actor)

top = st.columns([1, 1, 2])
if top[0].button("Scan new leads", key="scan_incremental", help="Compare the leads added since the last scan."):
    result = scan.scan_team(uow(), actor, incremental=True)
    st.toast(f"{result.new_pairs} new pairs among {result.leads:,} leads ({result.seconds:.1f}s)")
if top[1].button("Full rescan", key="scan_full", help="Compare every active lead again (dismissed pairs stay "
                 "dismissed)."):
    result = scan.scan_team(uow(), actor)
    st.toast(f"{result.pairs} pairs among {result.leads:,} leads ({result.seconds:.1f}s)")
min_score = top[2].slider("Lowest score", 0.6, 1.0, MIN_SCORE, 0.05, key="min_score")

pairs = queue.list_pairs(uow(), actor, min_score=min_score, limit=50)
counts = queue.stats(uow(), actor)
st.caption(f"{len(pairs)} open pairs shown · {counts['merged']} merged · {counts['dismissed']} dismissed")
if not pairs:
    st.info("No open duplicate pairs. Scan after an import or a discovery run.")
for pair in pairs:
    view.pair_card(actor, pair)
view.undo_import_form(actor)
