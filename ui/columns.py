"""The leads grid's "Columns" menu: which columns show, in which order, which stay pinned; remembered per user."""

from __future__ import annotations

import zlib

import streamlit as st

from leadcore.accounts.actors import Actor
from leadcore.errors import LeadcoreError
from leadcore.work import layout
from leadcore.work.layout import COLUMNS, GridLayout
from ui.resources import uow

ss = st.session_state
LAYOUT = "lc_grid_layout"  # (user id, GridLayout): read once per session, written through on every change
SHOWN_KEY = "lc_columns_shown"  # + the layout's fingerprint: a saved change starts the widgets over from it
PINNED_KEY = "lc_columns_pinned"


def current(actor: Actor) -> GridLayout:
    got = ss.get(LAYOUT)
    if got is None or got[0] != actor.user_id:
        got = (actor.user_id, layout.get_layout(uow(), actor))
        ss[LAYOUT] = got
    return got[1]


def apply(actor: Actor, shown: list[str] | None, pinned: list[str] | None = None) -> None:
    """Save a layout (None: the default) for the actor and use it from now on; a refused one changes nothing."""
    try:
        saved = layout.set_layout(uow(), actor, shown=shown, pinned=pinned)
    except LeadcoreError as e:
        st.toast(f"Columns not changed: {e}", icon=":material/error:")
        return
    ss[LAYOUT] = (actor.user_id, saved)


def _keys(now: GridLayout) -> tuple[str, str]:
    mark = zlib.crc32(f"{','.join(now.shown)}|{','.join(now.pinned)}".encode())
    return f"{SHOWN_KEY}_{mark}", f"{PINNED_KEY}_{mark}"


def _changed(actor: Actor, shown_key: str, pinned_key: str) -> None:
    apply(actor, list(ss.get(shown_key) or []), list(ss.get(pinned_key) or []))


def menu(actor: Actor) -> None:
    """A popover: shown columns in order (pick them in the order you want them), pinned ones, reset."""
    now = current(actor)
    keys = _keys(now)
    with st.popover("Columns", icon=":material/view_column:", help="Choose, order and pin the grid's columns"):
        st.multiselect("Shown, in this order", list(COLUMNS), default=list(now.shown), key=keys[0],
                       format_func=COLUMNS.__getitem__, on_change=_changed, args=(actor, *keys),
                       help="Remove a column and pick it again to move it to the end; Name always shows")
        st.multiselect("Pinned on the left", list(now.shown), default=list(now.pinned), key=keys[1],
                       format_func=COLUMNS.__getitem__, on_change=_changed, args=(actor, *keys),
                       help="Pinned columns stay in view while you scroll")
        st.button("Reset to default", icon=":material/restart_alt:", key="lc_columns_reset",
                  disabled=now.is_default, on_click=apply, args=(actor, None))
