"""The grid's read side: one server-side page of a filter (offset or keyset) with its true total (``totals``);
the SQL of filters, sorts and cursors is in ``clauses``, PostgreSQL's free-text search in ``search``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.orm import Session

from leadcore.accounts.actors import Actor
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Lead
from leadcore.db.prepared import run
from leadcore.errors import InvalidInput
from leadcore.grid import totals
from leadcore.grid.clauses import (
    DEFAULT_SORT,
    PAGE_COLUMNS,
    SORT_ATTRIBUTES,
    SORTS,
    after_cursor,
    bound_values,
    cursor_values,
    encode_cursor,
    filter_shape,
    ordered,
    ordered_by,
    owner_name,
    rows_of,
    where_clause,
)
from leadcore.grid.filters import LeadFilters
from leadcore.grid.search import estimated_matches, search_page, search_total
from leadcore.leads.views import row_dict

MAX_PAGE_SIZE = 500


@dataclass
class LeadPage:
    """One page of the grid. ``total`` is exact unless ``total_is_estimate``: then it is PostgreSQL's estimate,
    shown as "about 480,000" (see ``grid.totals``)."""

    items: list[dict[str, Any]]
    total: int
    next_cursor: str | None = None
    offset: int = 0
    limit: int = 20
    sort: str = DEFAULT_SORT
    owners: dict[int, str] = field(default_factory=dict)
    total_is_estimate: bool = False


def _page(session: Session, f: LeadFilters, v: dict[str, Any], sort: str, *, with_total: bool) -> Select[Any]:
    """One page of plain rows of the visible columns with their owner's name (not ORM objects: a page then costs
    what its SQL costs); ``with_total``, the capped total rides along as one more column (computed once, in the
    same snapshot): one round trip for the page and its total instead of two."""
    where = where_clause(session, f, v)
    q = select(*PAGE_COLUMNS, owner_name(Lead.owner_id)).where(where)
    if "after_id" in v:
        q = q.where(after_cursor(sort, v))
    elif "offset" in v:
        q = q.offset(bindparam("offset", v["offset"], type_=Integer))
    if with_total:
        q = q.add_columns(totals.count_upto(where, totals.PAGE_COUNT).scalar_subquery().label("capped_total"))
    return ordered(q, sort).limit(bindparam("limit", v["limit"], type_=Integer))


def _counted_page(session: Session, f: LeadFilters, v: dict[str, Any], sort: str) -> Select[Any]:
    """The first page of a filter with how many leads match it all, in one pass over the matches: SQLite's search,
    whose matches (FTS5 candidates, then the LIKE) cost a table row each, so counting them in a second statement
    doubled the cost of a common term ("gmail" at 100k: 87 → 45 ms). Only the sort key and id go through the
    window and the sort; the page's columns are read for its rows alone."""
    column, _ = SORTS[sort]
    hits = select(Lead.id, column.label("sort_key"), func.count().over().label("matches")) \
        .where(where_clause(session, f, v))
    return rows_of(ordered_by(hits, column, Lead.id, sort)
                   .limit(bindparam("limit", v["limit"], type_=Integer)).subquery(), sort)


def list_leads(
    uow: UnitOfWork,
    actor: Actor,
    filters: LeadFilters | None = None,
    *,
    sort: str = DEFAULT_SORT,
    limit: int = 20,
    offset: int = 0,
    cursor: str | None = None,
    with_total: bool = True,
) -> LeadPage:
    """One page of the team's leads matching ``filters``. ``cursor`` (keyset) beats ``offset`` for deep pages."""
    f = (filters or LeadFilters()).validated()
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}", field="sort")
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE_SIZE}", field="limit")
    if offset < 0:
        raise InvalidInput("offset must be 0 or more", field="offset")
    with uow:
        uow.reading()  # the page, its total and its owners' names come from one statement
        s = uow.session
        v = bound_values(uow.dialect, actor, f) | {"limit": limit + 1}
        if cursor:
            v |= cursor_values(sort, cursor)
        elif offset:
            v["offset"] = offset
        counted: int | None = None
        at_least: int | None = None  # a lower bound of the total, known without counting
        whole_count = False  # ``counted`` is every match, however many (the search saw them all)
        density: float | None = None  # a search whose first window held the page: the share that matched
        if f.q and not offset and uow.dialect == "postgresql":
            rows, matches, whole, density = search_page(s, f, v, sort)
            if not cursor:  # the matches seen are all of them (whole), or at least that many
                counted, at_least = (matches, None) if whole else (None, matches)
                whole_count = whole
        elif f.q and with_total and not offset and not cursor:  # SQLite's first page of a search
            rows = run(s, ("search-counted", sort, *filter_shape(f, v)), lambda: _counted_page(s, f, v, sort), v)
            counted, whole_count = (int(rows[0]["matches"]) if rows else 0), True
        else:
            rows = run(s, ("page", sort, with_total, *filter_shape(f, v)),
                        lambda: _page(s, f, v, sort, with_total=with_total), v)
            counted = rows[0]["capped_total"] if with_total and rows else None
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = None
        if more and rows:
            last = rows[-1]
            value = last[SORT_ATTRIBUTES[sort]]
            next_cursor = encode_cursor(value if value is not None else "", last["id"])
        if not with_total:
            total, estimate = -1, False
        elif counted is not None and (whole_count or int(counted) <= totals.PAGE_COUNT):
            total, estimate = int(counted), False
        else:  # more than the page's own count saw, or a page past the end (nothing to carry the total)
            total, estimate = _true_total(s, f, v, at_least=max(int(counted or 0), at_least or 0), density=density)
        return LeadPage(items=[row_dict(r) for r in rows], total=total, next_cursor=next_cursor, offset=offset,
                        limit=limit, sort=sort, owners={r["owner_id"]: r["owner_name"] for r in rows if r["owner_id"]},
                        total_is_estimate=estimate)


def _true_total(session: Session, f: LeadFilters, v: dict[str, Any], *, at_least: int,
                density: float | None = None) -> tuple[int, bool]:
    """``(total, is_estimate)`` past the page's own count, in the cheapest exact way ``grid.totals`` knows."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres and f.q:
        return search_total(session, f, v, at_least=at_least, density=density)
    if totals.rollup_keyed(f):
        return totals.rollup_total(session, v["team_id"], f), False
    where = where_clause(session, f, v)
    if not postgres:  # no estimate to fall back on: one count, without the cap's subquery (a sixth faster)
        return int(session.connection().scalar(select(func.count()).select_from(Lead).where(where)) or 0), False
    n, over = totals.capped_count(session, where, totals.EXACT_BUDGET)
    if not over:
        return n, False
    return totals.about(estimated_matches(session, f, v), totals.EXACT_BUDGET + 1), True
