"""The saved-views picker above the leads grid: built-in "My leads" and "Unassigned", mine and the team's shared
ones. Picking one puts its filters in the URL (so the link stays shareable) and its columns in the grid; saving
stores what the URL says now and the columns shown."""

from __future__ import annotations

from typing import Any

import streamlit as st

from leadcore.accounts.actors import Actor
from leadcore.errors import LeadcoreError
from leadcore.work import views
from ui import columns
from ui.resources import uow

ss = st.session_state
PICK = "lc_views_pick"
CUSTOM = "Current filters"
KEEP = ("size",)  # URL params a view leaves as they are


def _label(v: dict[str, Any], actor: Actor) -> str:
    if v["builtin"]:
        return v["name"]
    return v["name"] + (" (shared)" if v["shared"] and v["owner_id"] != actor.user_id else "")


def _url_of(v: dict[str, Any]) -> dict[str, str]:
    return views.to_url_params(v["filters"], v["sort"])


def _comparable(params: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in params.items() if k not in (*KEEP, "page")}


def _apply(actor: Actor, by_label: dict[str, dict[str, Any]]) -> None:
    v = by_label.get(ss.get(PICK) or "")
    if v is None:
        return
    if v.get("columns"):  # a view saved with its columns brings them along (pins stay the user's)
        columns.apply(actor, list(v["columns"]), list(columns.current(actor).pinned))
    kept = {k: v2 for k, v2 in st.query_params.to_dict().items() if k in KEEP}
    st.query_params.from_dict({**_url_of(v), **kept})


def views_bar(actor: Actor) -> None:
    """The picker, "Save view" and "Delete view"; call it above the grid's filter widgets."""
    try:
        all_views = views.list_views(uow(), actor)
    except LeadcoreError as e:
        st.warning(f"Saved views could not be loaded: {e}")
        return
    by_label = {_label(v, actor): v for v in all_views}
    now = _comparable(st.query_params.to_dict())
    ss[PICK] = next((label for label, v in by_label.items() if _comparable(_url_of(v)) == now), CUSTOM)
    with st.container(horizontal=True, vertical_alignment="bottom", key="lc_views_bar"):
        st.selectbox("View", [CUSTOM, *by_label], key=PICK, on_change=_apply, args=(actor, by_label), width=280,
                     help="Saved filters and sort; the URL always says what you see, so you can share it")
        with st.popover("Save view", icon=":material/bookmark_add:"):
            name = st.text_input("Name", max_chars=views.NAME_MAX, key="lc_views_name")
            shared = st.toggle("Share with my team", key="lc_views_shared")
            if st.button("Save", type="primary", key="lc_views_save"):
                try:
                    filters, sort = views.from_url_params(st.query_params.to_dict())
                    views.save_view(uow(), actor, name=name, filters=filters, sort=sort, shared=shared,
                                    columns=list(columns.current(actor).shown))
                except LeadcoreError as e:
                    st.error(str(e))
                else:
                    st.rerun()
        columns.menu(actor)
        picked = by_label.get(ss.get(PICK) or "")
        mine = picked and not picked["builtin"] and (picked["owner_id"] == actor.user_id or actor.is_manager)
        if picked and mine and st.button("Delete view", icon=":material/bookmark_remove:", key="lc_views_delete"):
            views.delete_view(uow(), actor, picked["id"])
            st.rerun()
