"""The leads grid's "Columns" menu: which columns show, in which order, which stay pinned; remembered per user."""

from __future__ import annotations

import streamlit as st

from leadcore.accounts.actors import Actor
from leadcore.errors import LeadcoreError
from leadcore.work import layout
from leadcore.work.layout import COLUMNS, GridLayout
from ui.resources import uow

ss = st.session_state
LAYOUT = "lc_grid_layout"  # (user id, GridLayout): read once per session, written through on every change
SHOWN_KEY = "lc_columns_shown"
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
    ss.pop(SHOWN_KEY, None)
    ss.pop(PINNED_KEY, None)


def _changed(actor: Actor) -> None:
    apply(actor, list(ss.get(SHOWN_KEY) or []), list(ss.get(PINNED_KEY) or []))


def menu(actor: Actor) -> None:
    """A popover: shown columns in order (pick them in the order you want them), pinned ones, reset."""
    now = current(actor)
    ss.setdefault(SHOWN_KEY, list(now.shown))
    ss.setdefault(PINNED_KEY, list(now.pinned))
    with st.popover("Columns", icon=":material/view_column:", help="Choose, order and pin the grid's columns"):
        st.multiselect("Shown, in this order", list(COLUMNS), key=SHOWN_KEY, format_func=COLUMNS.__getitem__,
                       on_change=_changed, args=(actor,),
                       help="Remove a column and pick it again to move it to the end; Name always shows")
        st.multiselect("Pinned on the left", list(now.shown), key=PINNED_KEY, format_func=COLUMNS.__getitem__,
                       on_change=_changed, args=(actor,), help="Pinned columns stay in view while you scroll")
        st.button("Reset to default", icon=":material/restart_alt:", key="lc_columns_reset",
                  disabled=now.is_default, on_click=apply, args=(actor, None))
