"""The grid's filter, sort and page-size widgets, kept in the URL so a view can be shared.

The URL is the source of truth when it changes from outside (a shared link, a chart click, a page switch
with query params, the browser's back button); otherwise the widgets are, and the URL follows them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import streamlit as st

from leadcore.accounts.actors import Actor
from leadcore.grid.clauses import DEFAULT_SORT, SORTS
from leadcore.grid.filters import UNASSIGNED, LeadFilters
from leadcore.intake.candidates import LEAD_TYPES, STATUSES
from ui import cached, forms, state

SORT_LABELS = {"score": "Score, highest first", "created": "Newest first", "updated": "Recently updated",
               "name": "Name, A–Z"}
PAGE_SIZES = (20, 50, 100)
DEFAULT_SIZE = 20
IMPORTED_CHOICES = {"any": "Imported or not", "yes": "Imported", "no": "Not imported"}

# widget keys
Q, STATUS, TYPE, OWNER, TAGS, SCORE = "lf_q", "lf_status", "lf_type", "lf_owner", "lf_tags", "lf_score"
CREATED_FROM, CREATED_TO, QUERY, IMPORTED = "lf_created_from", "lf_created_to", "lf_query", "lf_imported"
DELETED, SORT, SIZE, SEARCH_ID = "lf_deleted", "lf_sort", "lf_size", "lf_search_id"


@dataclass(frozen=True)
class GridView:
    """Filters plus sort, page size and page number: everything the grid's URL says."""

    filters: LeadFilters = field(default_factory=LeadFilters)
    sort: str = DEFAULT_SORT
    size: int = DEFAULT_SIZE
    page: int = 1

    def to_params(self) -> dict[str, str]:
        out = self.filters.to_params()
        if self.sort != DEFAULT_SORT:
            out["sort"] = self.sort
        if self.size != DEFAULT_SIZE:
            out["size"] = str(self.size)
        if self.page > 1:
            out["page"] = str(self.page)
        return out

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> GridView:
        """Parse defensively: an unreadable value falls back to its default."""

        def one(name: str) -> str:
            v = params.get(name)
            if isinstance(v, list):
                v = v[-1] if v else ""
            return str(v or "").strip()

        sort = one("sort") if one("sort") in SORTS else DEFAULT_SORT
        size = int(one("size")) if one("size").isdigit() and int(one("size")) in PAGE_SIZES else DEFAULT_SIZE
        page = int(one("page")) if one("page").isdigit() and 0 < int(one("page")) < 1_000_000 else 1
        return cls(LeadFilters.from_params(params), sort, size, page)

    def signature(self) -> str:
        """Everything but the page: when it changes, paging starts over."""
        return json.dumps(replace(self, page=1).to_params(), sort_keys=True)


def is_grid_link(params: dict[str, Any]) -> bool:
    """Whether URL query params say something about the grid (a filter, sort, page size or page)."""
    return bool(GridView.from_params(params).to_params())


def _seed_widgets(view: GridView) -> None:
    f, ss = view.filters, st.session_state
    ss[Q] = f.q or ""
    ss[STATUS] = list(f.statuses)
    ss[TYPE] = list(f.types)
    ss[OWNER] = list(f.owner_ids)
    ss[TAGS] = list(f.tags)
    ss[SCORE] = (f.score_min if f.score_min is not None else 0, f.score_max if f.score_max is not None else 100)
    ss[CREATED_FROM] = f.created_from
    ss[CREATED_TO] = f.created_to
    ss[QUERY] = f.search_query
    ss[IMPORTED] = {True: "yes", False: "no"}.get(f.imported, "any")  # type: ignore[arg-type]
    ss[DELETED] = f.deleted
    ss[SEARCH_ID] = f.search_id
    ss[SORT] = view.sort
    ss[SIZE] = view.size
    ss[state.GRID_PAGE] = view.page


def clear_filters() -> None:
    """Callback of "Clear filters": every filter back to "any", sort and page size kept."""
    ss = st.session_state
    _seed_widgets(GridView(sort=ss.get(SORT, DEFAULT_SORT), size=ss.get(SIZE, DEFAULT_SIZE)))


def set_page(page: int) -> None:
    """Go to ``page`` (also from inside the grid fragment, whose reruns do not touch the filter widgets)."""
    page = max(1, int(page))
    st.session_state[state.GRID_PAGE] = page
    params = dict(st.session_state.get(state.GRID_APPLIED) or {})
    params.pop("page", None)
    if page > 1:
        params["page"] = str(page)
    st.session_state[state.GRID_APPLIED] = params
    st.query_params.from_dict(params)


def _options_with(options: list[Any], chosen: list[Any] | tuple[Any, ...]) -> list[Any]:
    return options + [c for c in chosen if c not in options]


def _filters_from_widgets() -> tuple[LeadFilters, str | None]:
    ss = st.session_state
    lo, hi = ss.get(SCORE, (0, 100))
    created_from, created_to = ss.get(CREATED_FROM), ss.get(CREATED_TO)
    problem = None
    if created_from and created_to and created_from > created_to:
        problem = "“Created from” is after “Created to”, so the date filter is left out."
        created_from = created_to = None
    q = (ss.get(Q) or "").strip()
    filters = LeadFilters(
        statuses=tuple(ss.get(STATUS) or ()),
        types=tuple(ss.get(TYPE) or ()),
        owner_ids=tuple(int(o) for o in ss.get(OWNER) or ()),
        tags=tuple(ss.get(TAGS) or ()),
        score_min=int(lo) if lo > 0 else None,
        score_max=int(hi) if hi < 100 else None,
        created_from=created_from if isinstance(created_from, date) else None,
        created_to=created_to if isinstance(created_to, date) else None,
        search_id=ss.get(SEARCH_ID),
        search_query=ss.get(QUERY) or None,
        imported={"yes": True, "no": False}.get(ss.get(IMPORTED, "any")),
        q=q[:200] or None,
        deleted=bool(ss.get(DELETED)),
    )
    return filters, problem


def active_filter_count(f: LeadFilters) -> int:
    return sum(
        1
        for v in (f.statuses, f.types, f.owner_ids, f.tags, f.score_min is not None or f.score_max is not None,
                  f.created_from or f.created_to, f.search_id, f.search_query, f.imported is not None, f.deleted)
        if v
    )


def grid_view(actor: Actor) -> GridView:
    """Render search, sort, page size and the filter panel; return the view they describe (and put it in the URL)."""
    ss = st.session_state
    url_params = st.query_params.to_dict()
    url_view = GridView.from_params(url_params)
    seeded = ss.get(state.GRID_APPLIED) != url_params or SORT not in ss
    if seeded:
        _seed_widgets(url_view)

    people = cached.teammates(actor)
    names = {u.id: u.display_name for u in people}
    owner_options = _options_with([UNASSIGNED, *[u.id for u in people if u.is_active]], ss.get(OWNER) or [])
    tag_options = _options_with(cached.tags(actor), ss.get(TAGS) or [])
    query_options = _options_with([None, *cached.search_queries(actor)], [ss[QUERY]] if ss.get(QUERY) else [])

    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.text_input("Search", key=Q, placeholder="Name, email, company, title, place…", max_chars=200, width=420,
                      help="Finds leads whose name, email, company, job title, location or industry contains "
                           "this text")
        st.selectbox("Sort by", list(SORTS), key=SORT, format_func=forms.labels_of(SORT_LABELS), width=220)
        st.selectbox("Rows per page", PAGE_SIZES, key=SIZE, width=130)

    current, _ = _filters_from_widgets()
    n_active = active_filter_count(current)
    label = f"Filters · {n_active} active" if n_active else "Filters"
    with st.expander(label, icon=":material/filter_list:", expanded=n_active > 0):
        c1, c2, c3, c4 = st.columns(4)
        c1.multiselect("Status", list(STATUSES), key=STATUS, format_func=str.title, placeholder="Any status")
        c2.multiselect("Type", list(LEAD_TYPES), key=TYPE, format_func=str.title, placeholder="People and companies")
        c3.multiselect("Owner", owner_options, key=OWNER, placeholder="Anyone",
                       format_func=lambda o: "Unassigned" if o == UNASSIGNED else names.get(o, f"User {o}"))
        c4.multiselect("Tags", tag_options, key=TAGS, placeholder="Any tag", accept_new_options=True,
                       help="Leads with any of these tags")
        c1, c2, c3, c4 = st.columns(4)
        c1.slider("Score", 0, 100, key=SCORE, step=1)
        c2.date_input("Created from", key=CREATED_FROM, format="YYYY-MM-DD")
        c3.date_input("Created to", key=CREATED_TO, format="YYYY-MM-DD")
        c4.selectbox("Source query", query_options, key=QUERY, placeholder="Any query",
                     format_func=lambda v: "Any query" if v is None else v)
        c1, c2, c3 = st.columns([1, 2, 1], vertical_alignment="bottom")
        c1.selectbox("Imported", list(IMPORTED_CHOICES), key=IMPORTED, format_func=forms.labels_of(IMPORTED_CHOICES))
        c2.toggle("Show deleted leads", key=DELETED, help="The trash: deleted leads can be restored from here")
        c3.button("Clear filters", icon=":material/filter_list_off:", on_click=clear_filters,
                  disabled=n_active == 0, width="stretch")

    if ss.get(SEARCH_ID) is not None:
        with st.container(horizontal=True, vertical_alignment="center"):
            st.caption(f"Showing only the leads found by search #{ss[SEARCH_ID]}.")
            st.button("Show all searches", icon=":material/close:", type="tertiary",
                      on_click=lambda: ss.__setitem__(SEARCH_ID, None))

    filters, problem = _filters_from_widgets()
    if problem:
        st.warning(problem)
    view = GridView(filters, ss.get(SORT, DEFAULT_SORT), int(ss.get(SIZE, DEFAULT_SIZE)),
                    int(ss.get(state.GRID_PAGE, 1)))
    previous = GridView.from_params(ss.get(state.GRID_APPLIED) or {})
    if not seeded and view.signature() != previous.signature():
        view = replace(view, page=1)  # a new filter starts on its first page
    ss[state.GRID_PAGE] = view.page
    params = view.to_params()
    if params != url_params:
        st.query_params.from_dict(params)
    ss[state.GRID_APPLIED] = params
    return view
