"""The leads grid: filter (kept in the URL), edit in place, save with conflict checks, bulk actions, export."""

from __future__ import annotations

import hashlib
import math
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from leadcore.accounts.actors import Actor
from leadcore.errors import LeadcoreError
from leadcore.grid import listing, recent, selection
from leadcore.grid.filters import LeadFilters
from leadcore.grid.listing import LeadPage
from leadcore.intake.candidates import SETTABLE_STATUSES
from ui import add_lead, auth, cached, columns, forms, grid, nav, state, views, widgets, work
from ui.grid_actions import (
    ACTIONS,
    TRASH_ACTIONS,
    BulkRequest,
    Conflict,
    run_bulk,
    save_changes,
    shown_value,
    undo_bulk,
)
from ui.resources import uow
from ui.session_routes import EXPORT_PATH
from ui.text import plural

OPEN_CLICK = "lc_grid_open_click"
TASK_CLICK = "lc_grid_task_click"
TASK_FOR = "lc_grid_task_for"  # the row whose "+ Add" task button was pressed: its dialog is open
WHOLE_PAGE = "lc_grid_whole_page"  # a save added a tag: the filters outside the grid show it after a full rerun
BIG_BULK = 500  # a bulk action on more leads asks for the number to be typed
ss = st.session_state


def export_url(filters: LeadFilters) -> str:
    """The streamed CSV of the filter's leads (ui/session_routes.py), relative to the page."""
    query = urlencode(filters.to_params())
    return EXPORT_PATH + (f"?{query}" if query else "")


def _fetch(actor: Actor, view: widgets.GridView, page_no: int, version: int) -> LeadPage:
    """One page from the server: by keyset cursor when we came from the previous page, else by offset."""
    stack = ss.get(state.GRID_CURSOR_STACK) or {}
    sig = f"{view.signature()}|{version}"
    if stack.get("sig") != sig:
        stack = {"sig": sig, "cursors": {}}
    cursor = stack["cursors"].get(page_no)
    page = listing.list_leads(uow(), actor, view.filters, sort=view.sort, limit=view.size,
                              offset=0 if cursor else (page_no - 1) * view.size, cursor=cursor)
    page.offset = (page_no - 1) * view.size
    if page.next_cursor:
        stack["cursors"][page_no + 1] = page.next_cursor
    ss[state.GRID_CURSOR_STACK] = stack
    return page


@st.dialog("Plan a follow-up", icon=":material/add_task:", on_dismiss=lambda: ss.pop(TASK_FOR, None))
def _task_dialog(actor: Actor, lead: dict[str, object]) -> None:
    st.markdown(f"**{grid.md(lead['name'])}**")

    def done(message: str) -> None:
        ss.pop(TASK_FOR, None)
        ss[state.GRID_OUTCOME] = [("success", message)]
        st.rerun()

    work.task_form(actor, lead, work.user_zone(actor), on_done=done)


def _reset_editor(*, wrote: bool = True, tags: bool = True) -> None:
    """Drop the editor's edits and ticks (a new key) and re-read the rows; after a write (``wrote``) also the cached
    counts and options, the tag list only if ``tags`` may have changed (see cached.clear)."""
    ss[state.GRID_VERSION] = ss.get(state.GRID_VERSION, 0) + 1
    ss.pop(state.GRID_PENDING, None)
    if wrote:
        cached.clear(tags=tags)


def _edits(key: str) -> tuple[dict[Any, Any], dict[str, Any] | None]:
    """The editor's edits under ``key``, and the snapshot of the rows they were made on (the page as the grid drew
    it, with the versions it was read at); no snapshot when there are no edits or it is of another key."""
    edited_rows = (ss.get(key) or {}).get("edited_rows") or {}
    snapshot = ss.get(state.GRID_SNAPSHOT)
    return edited_rows, snapshot if edited_rows and snapshot and snapshot["key"] == key else None


def _save(actor: Actor, key: str) -> None:
    """Save's callback: the edits the click carried, saved before the grid reruns. The grid then draws once, with
    the outcome; a save inside the grid's run would need a second run (st.rerun) to show it. Only a tag the
    filters do not offer yet asks for the whole page (their options live outside the grid)."""
    edited_rows, snapshot = _edits(key)
    if snapshot is None:
        return
    page = snapshot["page"]
    owners = grid.owner_choices(cached.teammates(actor), page.owners)
    changes = grid.row_changes(edited_rows, page.items, owners)
    if not changes:
        return
    tagged = any("tags" in ch.changes for ch in changes)
    adds_tags = tagged and bool(grid.new_tags(changes, cached.tags(actor)))  # the tag list only if it may matter
    ss[state.GRID_OUTCOME], ss[state.CONFLICTS] = save_changes(actor, changes, owners)
    if adds_tags:
        ss[WHOLE_PAGE] = True
    _reset_editor(tags=tagged)


def _show(messages: list[tuple[str, str]]) -> None:
    for kind, text in messages:
        getattr(st, kind if kind in ("success", "info", "warning", "error") else "info")(text)


def _empty_state(view: widgets.GridView) -> None:
    f = view.filters
    if f.deleted:
        st.info("The trash is empty: no deleted leads.", icon=":material/delete:")
    elif widgets.active_filter_count(f) or f.q:
        st.info("No leads match these filters.", icon=":material/search_off:")
        st.button("Clear filters", on_click=widgets.clear_filters, key="lc_empty_clear")
    else:
        with st.container(border=True):
            st.subheader("No leads yet")
            st.write("Your team's leads appear here. Find some with a discovery search, "
                     "or bring your own from a CSV or Excel file.")
            with st.container(horizontal=True):
                st.page_link(nav.page("discover"), label="Run a discovery search", icon=":material/travel_explore:")
                st.page_link(nav.page("import"), label="Import a CSV file", icon=":material/upload_file:")


def _bulk_bar(actor: Actor, view: widgets.GridView, page: LeadPage, selected: list[int],
              owners: dict[str, int | None], key: str) -> None:
    """Pick an action and its target: the ticked rows unless "everything matching the filter" is chosen on
    purpose (then with its exact count); asks for confirmation next."""
    actions = [a for a in ACTIONS if (a in TRASH_ACTIONS) == view.filters.deleted]
    with st.container(horizontal=True, vertical_alignment="bottom"):
        action = st.selectbox("Bulk action", actions, format_func=forms.labels_of(ACTIONS), key="lc_bulk_action",
                              width=240, index=None, placeholder="Choose a bulk action")
        if action is None:
            return
        value: str | list[str] | int | None = None
        value_label = ""
        if action == "status":
            value = st.selectbox("New status", list(SETTABLE_STATUSES), format_func=str.title, key="lc_bulk_status",
                                 width=160, index=None, placeholder="Choose")
            value_label = str(value).title() if value else ""
        elif action in ("add_tags", "remove_tags"):
            value = st.multiselect("Tags", cached.tags(actor), key="lc_bulk_tags", accept_new_options=True,
                                   placeholder="Pick or type tags", width=260)
            value_label = ", ".join(value)
        elif action == "assign":
            choices = owners if actor.is_manager else {
                label: uid for label, uid in owners.items() if uid == actor.user_id}
            picked = st.selectbox("Owner", list(choices), key="lc_bulk_owner", width=200,
                                  help=None if actor.is_manager else "Reps can claim leads for themselves")
            value_label = picked or ""
            value = choices.get(picked) if picked else None
        scopes = {"selected": f"Ticked rows ({len(selected):,})", "filter": "Everything matching the filter"}
        scope = st.radio("Apply to", list(scopes), format_func=forms.labels_of(scopes), key="lc_bulk_scope",
                         horizontal=True)
        n = len(selected) if scope == "selected" else _exact_total(actor, view, page)
        missing = (scope == "selected" and not selected) or (action == "status" and not value) or (
            action in ("add_tags", "remove_tags") and not value) or (action == "assign" and not value_label)
        if st.button(f"Apply to {plural(n, 'lead')}…", disabled=missing or not n, key="lc_bulk_apply",
                     help="Tick rows in the Select column first" if scope == "selected" and not selected else None):
            ss[state.GRID_PENDING] = {
                "key": key,
                "request": BulkRequest(
                    action=action, value=value, value_label=value_label,
                    ids=tuple(selected) if scope == "selected" else None, filters=view.filters, count=n),
            }
            st.rerun()


def _exact_total(actor: Actor, view: widgets.GridView, page: LeadPage) -> int:
    """The exact number of leads matching the filter: the page's total, or counted when that was an estimate."""
    return selection.count_matching(uow(), actor, view.filters) if page.total_is_estimate else page.total


def _confirm(actor: Actor, key: str) -> None:
    pending = ss.get(state.GRID_PENDING)
    if not pending or pending.get("key") != key:
        ss.pop(state.GRID_PENDING, None)
        return
    req: BulkRequest = pending["request"]
    with st.container(border=True, key="lc_bulk_confirm"):
        st.markdown(req.question())
        typed_ok = True
        if req.count > BIG_BULK:
            typed = st.text_input(f"This changes {plural(req.count, 'lead')}. Type {req.count:,} to confirm",
                                  key="lc_bulk_typed", placeholder=f"{req.count:,}")
            typed_ok = typed.replace(",", "").replace(" ", "").strip() == str(req.count)
        with st.container(horizontal=True):
            if st.button("Confirm", type="primary", icon=":material/check:", key="lc_bulk_yes", disabled=not typed_ok,
                         help=None if typed_ok else "Type the number of leads first"):
                with st.spinner("Working…"):
                    messages, batch = run_bulk(actor, req)
                ss[state.GRID_OUTCOME] = messages
                if batch is not None:
                    ss[state.GRID_UNDO] = (batch, req.label())
                ss.pop("lc_bulk_action", None)
                _reset_editor()
                st.rerun()
            st.button("Cancel", key="lc_bulk_no", on_click=ss.pop, args=(state.GRID_PENDING, None))


def _conflicts(actor: Actor, *, dirty: bool) -> None:
    """Each refused edit side by side with the value someone else saved: "Keep mine" saves the user's changes on
    the lead's current version, "Keep theirs" drops them. Stays until every conflict is decided."""
    pending: list[Conflict] = ss.get(state.CONFLICTS) or []
    if not pending:
        return
    owners = grid.owner_choices(cached.teammates(actor))
    for n, c in enumerate(pending):
        with st.container(border=True, key=f"lc_conflict_{c.change.lead_id}"):
            st.markdown(f":orange[:material/call_split:] **{grid.md(c.change.name)}** was changed by someone else")
            st.table({grid.COLUMN_LABELS.get(f, f): {"Yours": shown_value(f, y, owners),
                                                   "Theirs (saved now)": shown_value(f, t, owners)}
                      for f, (y, t) in c.fields.items()}, border="horizontal")
            wait = "Save or discard your other edits in the grid first" if dirty else None
            with st.container(horizontal=True):
                if st.button("Keep mine", type="primary", key=f"lc_conflict_mine_{c.change.lead_id}",
                             disabled=dirty, help=wait):
                    messages, again = save_changes(actor, [c.keep_mine()], owners)
                    ss[state.CONFLICTS] = pending[:n] + again + pending[n + 1:]
                    ss[state.GRID_OUTCOME] = messages
                    _reset_editor()
                    st.rerun()
                st.button("Keep theirs", key=f"lc_conflict_theirs_{c.change.lead_id}", disabled=dirty, help=wait,
                          on_click=_keep_theirs, args=(c.change.lead_id, c.change.name))


def _keep_theirs(lead_id: int, name: str) -> None:
    """"Keep theirs": the conflict goes, the lead stays as saved (a callback, so only the grid reruns)."""
    ss[state.CONFLICTS] = [c for c in ss.get(state.CONFLICTS) or [] if c.change.lead_id != lead_id]
    ss[state.GRID_OUTCOME] = [("info", f"Kept the saved values of {grid.md(name)}.")]


def _undo_offer(actor: Actor) -> None:
    """The last bulk action's Undo button, shown until something else happens."""
    offer = ss.get(state.GRID_UNDO)
    if not offer:
        return
    batch, label = offer
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(f"Bulk action: {grid.md(label)}", width="content")
        if st.button("Undo", icon=":material/undo:", key="lc_bulk_undo"):
            ss.pop(state.GRID_UNDO, None)
            ss[state.GRID_OUTCOME] = undo_bulk(actor, batch)
            _reset_editor()
            st.rerun()
        st.button("Dismiss", key="lc_bulk_undo_dismiss", type="tertiary", on_click=ss.pop, args=(state.GRID_UNDO, None))


def _pager(page: LeadPage, page_no: int, size: int, dirty: bool, note: str = "") -> None:
    pages = max(1, math.ceil(page.total / size))
    first, last = page.offset + 1, page.offset + len(page.items)
    total = grid.total_label(page.total, page.total_is_estimate)
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(f"Leads {first:,}–{last:,} of {total}" + (f" · {note}" if note else ""), width="content")
        if dirty:
            st.caption(":orange[Save or discard your changes before changing page.]", width="content")
        st.space("stretch")
        st.button("Previous", icon=":material/chevron_left:", key="lc_grid_prev", disabled=dirty or page_no <= 1,
                  on_click=widgets.set_page, args=(page_no - 1,))
        ss["lc_grid_jump"] = page_no
        st.number_input("Page", min_value=1, step=1, key="lc_grid_jump", width=120,
                        disabled=dirty or (pages == 1 and not page.next_cursor), label_visibility="collapsed",
                        on_change=lambda: widgets.set_page(ss["lc_grid_jump"]))
        st.caption(f"of {'about ' if page.total_is_estimate else ''}{pages:,}", width="content")
        st.button("Next", icon=":material/chevron_right:", icon_position="right", key="lc_grid_next",
                  disabled=dirty or not page.next_cursor, on_click=widgets.set_page, args=(page_no + 1,))


@st.fragment
def leads_grid(actor: Actor, view: widgets.GridView) -> None:
    """Grid, bulk actions, save and pager: edits and page changes rerun only this part."""
    auth.still_signed_in()  # a rerun of this fragment alone skips the router's check
    if ss.pop(WHOLE_PAGE, False):
        st.rerun()  # the whole page (st.rerun's default scope), for what lives outside the grid
    if (open_id := ss.pop(state.GRID_OPEN, None)) is not None:
        st.switch_page(nav.page("lead"), query_params={"id": str(open_id)})
    page_no = int(ss.get(state.GRID_PAGE, 1))
    version = int(ss.get(state.GRID_VERSION, 0))
    key = "lc_grid_" + hashlib.sha1(f"{view.signature()}|{page_no}|{version}".encode()).hexdigest()[:12]
    ss[state.GRID_EDITOR_KEY] = key
    edited_rows, snapshot = _edits(key)
    if snapshot is not None:
        page = snapshot["page"]  # the rows the user is editing, with the versions they were read at
        latest = snapshot.get("recent") or {}
    else:
        try:
            page = _fetch(actor, view, page_no, version)
        except LeadcoreError as e:
            st.error(f"These leads could not be loaded: {e}")
            return
        latest = recent.recent_for(uow(), actor, [int(i["id"]) for i in page.items])
        ss[state.GRID_SNAPSHOT] = {"key": key, "page": page, "recent": latest}
    if not page.items and page.total and page_no > 1:  # a jump or a link past the last page: show the last one
        last = max(1, math.ceil(page.total / view.size))
        found = plural(page.total, "lead", estimate=page.total_is_estimate)
        ss[state.GRID_OUTCOME] = [("info", f"There is no page {page_no:,}: {found} fill {plural(last, 'page')}. "
                                           "Showing the last page.")]
        widgets.set_page(last)
        st.rerun()

    _show(ss.pop(state.GRID_OUTCOME, None) or [])
    _conflicts(actor, dirty=bool(edited_rows))
    _undo_offer(actor)
    if not page.total:
        _empty_state(view)
        return

    owners = grid.owner_choices(cached.teammates(actor), page.owners)
    changes = grid.row_changes(edited_rows, page.items, owners)
    selected = grid.selected_ids(edited_rows, page.items)
    ids = [int(i["id"]) for i in page.items]

    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(f"**{plural(page.total, 'lead', estimate=page.total_is_estimate)}**"
                    + (" in the trash" if view.filters.deleted else ""), width="content")
        if changes:
            st.markdown(f":orange[:material/edit_note: **Unsaved changes on {plural(len(changes), 'lead')}**]",
                        width="content")
        else:
            st.caption("Edit status, score, tags, summary" + (" and owner" if actor.is_manager else "")
                       + " in the grid, then save.", width="content")
        st.space("stretch")
        st.button("Discard", key="lc_grid_discard", disabled=not (changes or selected), on_click=_reset_editor,
                  kwargs={"wrote": False}, help="Undo your unsaved edits and untick all rows")
        st.button("Save", type="primary", icon=":material/save:", key="lc_grid_save", disabled=not changes,
                  on_click=_save, args=(actor, key))
        st.link_button("Download CSV", url=export_url(view.filters), icon=":material/download:",
                       help="Every column of every lead matching the filter (streamed: any size)")
    _bulk_bar(actor, view, page, selected, owners, key)
    _confirm(actor, key)

    def open_row() -> None:
        click = ss.get(OPEN_CLICK)
        if click is not None and 0 <= int(click["row"]) < len(ids):
            ss[state.GRID_OPEN] = ids[int(click["row"])]

    def plan_task() -> None:
        click = ss.get(TASK_CLICK)
        if click is not None and 0 <= int(click["row"]) < len(ids):
            item = page.items[int(click["row"])]
            ss[TASK_FOR] = {"id": int(item["id"]), "owner_id": item.get("owner_id"), "name": grid.lead_label(item)}

    layout = columns.current(actor)
    st.data_editor(
        grid.editor_frame(page.items, owners, latest),
        key=key,
        column_config=grid.column_config(tag_options=cached.tags(actor), owner_labels=list(owners),
                                         can_assign=actor.is_manager, layout=layout, on_open=open_row,
                                         open_key=OPEN_CLICK, on_task=plan_task, task_key=TASK_CLICK),
        column_order=grid.column_order(layout),
        disabled=grid.disabled_columns(can_assign=actor.is_manager),
        num_rows="fixed",
        height=min(38 + 35 * len(page.items), 38 + 35 * 20),
        alt="Leads on this page; edit status, score, tags, notes and owner in place",
    )
    _pager(page, page_no, view.size, dirty=bool(changes),
           note="" if actor.is_manager else "Leads owned by other reps can't be changed")
    if (task_for := ss.get(TASK_FOR)) and task_for["id"] in ids:
        _task_dialog(actor, task_for)


actor = auth.actor()
st.title("Leads")
add_lead.add_lead(actor)
views.views_bar(actor)
leads_grid(actor, widgets.grid_view(actor))
