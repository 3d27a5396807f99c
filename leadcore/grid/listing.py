"""The grid's read side: filters, free-text search, sort and server-side pages (offset or keyset)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    Text,
    and_,
    any_,
    bindparam,
    exists,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    true,
    tuple_,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from leadcore.accounts.actors import Actor
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Lead, User
from leadcore.db.prepared import driver_rows, run, statement_for
from leadcore.errors import InvalidInput
from leadcore.grid import totals
from leadcore.grid.filters import UNASSIGNED, LeadFilters
from leadcore.leads.views import LEAD_COLUMNS, row_dict

SORTS: dict[str, tuple[Any, bool]] = {
    # name: (column expression, descending?)
    "score": (Lead.lead_score, True),
    "created": (Lead.created_at, True),
    "updated": (Lead.updated_at, True),
    "name": (func.coalesce(Lead.lead_name, ""), False),
}
DEFAULT_SORT = "score"
MAX_PAGE_SIZE = 500
# PostgreSQL text search first looks for the page among this many leads in sort order (see _search_page).
SEARCH_WALK = 2_000
# ... and when that finds too few, walks on in score order if the planner expects more matches than this (see
# _search_page); fewer are all collected through the trigram index and sorted.
SEARCH_COMMON = 20_000


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


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _bound(dialect: str, actor: Actor, f: LeadFilters) -> dict[str, Any]:
    """The values ``filter_clause`` binds for ``f``, by parameter name. Which names are present is, with
    ``_shape``, all a statement depends on: the grid re-runs one compiled statement per shape with new values."""
    v: dict[str, Any] = {"team_id": actor.team_id}
    # One status, type or owner binds alone ("status = x"): PostgreSQL then reads a multi-column index in sort order,
    # which it cannot do for "status = ANY(array)".
    lists = (("statuses", f.statuses), ("types", f.types), ("owner_ids", [o for o in f.owner_ids if o != UNASSIGNED]))
    v.update((name, values[0] if len(values) == 1 else list(values)) for name, values in lists if values)
    if f.tags:
        v["tags"] = list(f.tags)
    v.update((name, getattr(f, name)) for name in ("score_min", "score_max", "search_id")
             if getattr(f, name) is not None)
    if f.search_query:
        v["search_query"] = f.search_query
    # Days are UTC days: aware bounds, so PostgreSQL does not read them in the session's time zone.
    if f.created_from:
        v["created_from"] = datetime.combine(f.created_from, time.min, tzinfo=UTC)
    if f.created_to:
        v["created_to"] = datetime.combine(f.created_to + timedelta(days=1), time.min, tzinfo=UTC)
    if f.q:
        term = f.q.strip()
        v["q_pattern"] = f"%{_like_escape(term)}%"
        if dialect == "sqlite" and len(term) >= 3:
            v["fts_phrase"] = '"' + term.replace('"', '""') + '"'
    return v


def _shape(f: LeadFilters, v: dict[str, Any]) -> tuple[Any, ...]:
    """What, besides the names in ``v``, changes the SQL of ``filter_clause``."""
    return (*((name, isinstance(value, list)) for name, value in v.items()), f.deleted, f.imported,
            UNASSIGNED in f.owner_ids, "\n" in (f.q or "").strip())


def _one_of(dialect: str, column: Any, name: str, values: Any) -> ColumnElement[bool]:
    if not isinstance(values, list):
        return column == bindparam(name, values)
    if dialect == "postgresql":  # one array parameter: the same SQL whatever the number of values
        return column == any_(bindparam(name, values, type_=postgresql.ARRAY(column.type)))
    return column.in_(bindparam(name, values, expanding=True))


def _tags_any(dialect: str, tags: list[str]) -> ColumnElement[bool]:
    if dialect == "postgresql":
        # TEXT[] && TEXT[]: a plain list binds as VARCHAR[], for which PostgreSQL has no && with TEXT[].
        return Lead.tags.op("&&")(bindparam("tags", tags, type_=postgresql.ARRAY(Text())))
    each = func.json_each(Lead.tags).table_valued("value")
    return exists(select(literal(1)).select_from(each).where(each.c.value.in_(bindparam("tags", tags, expanding=True))))


def filter_clause(session: Session, actor: Actor, f: LeadFilters) -> ColumnElement[bool]:
    """The WHERE clause for ``f`` within the actor's team."""
    return _where(session, f, _bound(session.get_bind().dialect.name, actor, f))


def _where(session: Session, f: LeadFilters, v: dict[str, Any]) -> ColumnElement[bool]:
    """``filter_clause`` for the values ``_bound`` gave, each a bound parameter of the same name."""
    dialect = session.get_bind().dialect.name

    def bound(name: str) -> Any:
        return bindparam(name, v[name])

    # With the full-text index driving (SQLite), "team_id + 0" keeps the planner from walking a team index instead.
    team = (Lead.team_id + 0 == bound("team_id")) if "fts_phrase" in v else (Lead.team_id == bound("team_id"))
    conds: list[ColumnElement[bool]] = [team, Lead.is_active == (false() if f.deleted else true())]
    conds += [_one_of(dialect, column, name, v[name]) for name, column in (("statuses", Lead.status),
                                                                           ("types", Lead.type)) if name in v]
    if f.owner_ids:
        parts = [_one_of(dialect, Lead.owner_id, "owner_ids", v["owner_ids"])] if "owner_ids" in v else []
        if UNASSIGNED in f.owner_ids:
            parts.append(Lead.owner_id.is_(None))
        conds.append(or_(*parts))
    if "tags" in v:
        conds.append(_tags_any(dialect, v["tags"]))
    comparisons = (("score_min", Lead.lead_score.__ge__), ("score_max", Lead.lead_score.__le__),
                   ("created_from", Lead.created_at.__ge__), ("created_to", Lead.created_at.__lt__),
                   ("search_id", Lead.search_id.__eq__), ("search_query", Lead.search_query.__eq__))
    conds += [compare(bound(name)) for name, compare in comparisons if name in v]
    if f.imported is not None:
        conds.append(Lead.imported == (true() if f.imported else false()))
    if "fts_phrase" in v:
        conds.append(_sqlite_fts(v["fts_phrase"]))
    if f.q:
        conds.append(_text_search(session, f.q.strip(), bound("q_pattern")))
    return and_(*conds)


def _sqlite_fts(phrase: str) -> ColumnElement[bool]:
    """SQLite: the leads whose searched fields contain the phrase per the FTS5 trigram index (migration
    0013). Its case folding is Unicode-wide where SQLite's LIKE folds ASCII only, so it finds a superset of the LIKE
    matches; the LIKE still decides. It cannot help with terms under three characters."""
    hits: Any = select(literal_column("rowid")).select_from(text("leads_search")).where(
        text("leads_search MATCH :fts_phrase").bindparams(fts_phrase=phrase)
    )
    return Lead.id.in_(hits)


# The searched fields (name, email, company, job title, location, industry) as one lowercased text, joined by
# newlines: on PostgreSQL the pg_trgm GIN index ix_leads_search_trgm (migration 0013) is built on exactly this
# expression, so the planner uses it only when the query spells it the same way (literally, not with bound
# parameters). SQLite's FTS5 index leads_search holds the same fields.
SEARCHED = ("lead_name", "email", "company", "job_title", "location", "industry")
SEARCH_TEXT_SQL = "lower(" + " || chr(10) || ".join(f"coalesce({f}, '')" for f in SEARCHED) + ")"
_SEARCH_TEXT: ColumnElement[str] = literal_column(
    "lower(" + " || chr(10) || ".join(f"coalesce(leads.{f}, '')" for f in SEARCHED) + ")")
_SEARCHED_COLUMNS = tuple(getattr(Lead, f) for f in SEARCHED)


def _text_search(session: Session, term: str, pattern: Any = None) -> ColumnElement[bool]:
    """Case-insensitive substring search over the SEARCHED fields (``pattern``: the LIKE pattern's parameter)."""
    if pattern is None:
        pattern = bindparam("q_pattern", f"%{_like_escape(term)}%")
    if session.get_bind().dialect.name == "postgresql" and "\n" not in term:
        # One trigram index scan and one LIKE per candidate instead of three of each. A term without a newline
        # cannot match across the joined fields, so this finds exactly what the three ILIKEs below would.
        return _SEARCH_TEXT.like(func.lower(pattern), escape="\\")
    return _ilike_any(pattern, *_SEARCHED_COLUMNS)


def _ilike_any(pattern: Any, *columns: Any) -> ColumnElement[bool]:
    return or_(*(c.ilike(pattern, escape="\\") for c in columns))


def encode_cursor(sort_value: Any, lead_id: int) -> str:
    if isinstance(sort_value, datetime):
        sort_value = {"dt": sort_value.isoformat()}
    raw = json.dumps([sort_value, lead_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, lead_id = json.loads(raw)
        if isinstance(value, dict) and "dt" in value:
            value = datetime.fromisoformat(value["dt"])
        if not isinstance(lead_id, int) or not isinstance(value, int | str | datetime):
            raise ValueError
        return value, lead_id
    except (ValueError, TypeError, json.JSONDecodeError):
        raise InvalidInput("The page cursor is not valid; start from the first page", field="cursor") from None


def _ordered(q: Select[Any], sort: str) -> Select[Any]:
    col, desc = SORTS[sort]
    return q.order_by(col.desc(), Lead.id.desc()) if desc else q.order_by(col.asc(), Lead.id.asc())


_SORT_ATTRIBUTES = {"score": "lead_score", "created": "created_at", "updated": "updated_at", "name": "lead_name"}
_CURSOR_TYPES: dict[str, type] = {"score": int, "created": datetime, "updated": datetime, "name": str}


def _cursor_values(sort: str, cursor: str) -> dict[str, Any]:
    """The bound values of ``_after`` for ``cursor``."""
    value, lead_id = decode_cursor(cursor)
    # A cursor made for another sort (or edited by hand) would compare a timestamp with a number: refuse it here
    # rather than let the database fail.
    if not isinstance(value, _CURSOR_TYPES[sort]) or isinstance(value, bool) or not 0 <= lead_id < 2**63 or (
        isinstance(value, int) and not -(2**31) <= value < 2**31
    ):
        raise InvalidInput("The page cursor is not valid; start from the first page", field="cursor")
    return {"after_value": value, "after_id": lead_id}


def _after(sort: str, v: dict[str, Any]) -> ColumnElement[bool]:
    col, desc = SORTS[sort]
    key = tuple_(bindparam("after_value", v["after_value"], type_=col.type),
                 bindparam("after_id", v["after_id"], type_=Integer))
    # A row-value comparison, not "col < v OR (col = v AND id < i)": both engines turn it into an index range on
    # (team_id, col, id), so a page in the middle of a million leads costs what the first one does.
    # Every sort column is NOT NULL (name sorts on coalesce), so the two forms select the same rows.
    return tuple_(col, Lead.id) < key if desc else tuple_(col, Lead.id) > key







def _owner_name(owner_id: Any) -> Any:
    """The owner's display name as a column, evaluated for the page's rows only (after the LIMIT)."""
    return select(User.display_name).where(User.id == owner_id).scalar_subquery().label("owner_name")


_PAGE_COLUMNS = tuple(getattr(Lead, c) for c in LEAD_COLUMNS)


def _page(session: Session, f: LeadFilters, v: dict[str, Any], sort: str, *, with_total: bool) -> Select[Any]:
    """One page of plain rows of the visible columns with their owner's name (not ORM objects: a page then costs
    what its SQL costs); ``with_total``, the capped total rides along as one more column (computed once, in the
    same snapshot): one round trip for the page and its total instead of two."""
    where = _where(session, f, v)
    q = select(*_PAGE_COLUMNS, _owner_name(Lead.owner_id)).where(where)
    if "after_id" in v:
        q = q.where(_after(sort, v))
    elif "offset" in v:
        q = q.offset(bindparam("offset", v["offset"], type_=Integer))
    if with_total:
        q = q.add_columns(totals.count_upto(where, totals.PAGE_COUNT).scalar_subquery().label("capped_total"))
    return _ordered(q, sort).limit(bindparam("limit", v["limit"], type_=Integer))


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
        v = _bound(uow.dialect, actor, f) | {"limit": limit + 1}
        if cursor:
            v |= _cursor_values(sort, cursor)
        elif offset:
            v["offset"] = offset
        counted: int | None = None
        at_least: int | None = None  # a lower bound of the total, known without counting
        whole_count = False  # ``counted`` is every match, however many (the search saw them all)
        if f.q and not offset and uow.dialect == "postgresql":
            rows, matches, whole = _search_page(s, f, v, sort)
            if not cursor:  # the matches seen are all of them (whole), or at least that many
                counted, at_least = (matches, None) if whole else (None, matches)
                whole_count = whole
        else:
            rows = run(s, ("page", sort, with_total, *_shape(f, v)),
                        lambda: _page(s, f, v, sort, with_total=with_total), v)
            counted = rows[0]["capped_total"] if with_total and rows else None
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = None
        if more and rows:
            last = rows[-1]
            value = last[_SORT_ATTRIBUTES[sort]]
            next_cursor = encode_cursor(value if value is not None else "", last["id"])
        if not with_total:
            total, estimate = -1, False
        elif counted is not None and (whole_count or int(counted) <= totals.PAGE_COUNT):
            total, estimate = int(counted), False
        else:  # more than the page's own count saw, or a page past the end (nothing to carry the total)
            total, estimate = _true_total(s, f, v, at_least=max(int(counted or 0), at_least or 0))
        return LeadPage(items=[row_dict(r) for r in rows], total=total, next_cursor=next_cursor, offset=offset,
                        limit=limit, sort=sort, owners={r["owner_id"]: r["owner_name"] for r in rows if r["owner_id"]},
                        total_is_estimate=estimate)


def _true_total(session: Session, f: LeadFilters, v: dict[str, Any], *, at_least: int) -> tuple[int, bool]:
    """``(total, is_estimate)`` past the page's own count, in the cheapest exact way ``grid.totals`` knows."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres and totals.rollup_keyed(f):
        return totals.rollup_total(session, v["team_id"], f), False
    where = _where(session, f, v)
    # counting every match of a common fragment ("gmail") would cost what the search walk avoided
    n, over = totals.capped_count(session, where, totals.SEARCH_BUDGET if postgres and f.q else totals.EXACT_BUDGET)
    if not over:
        return n, False
    if postgres:
        return totals.about(_estimated_matches(session, f, v), totals.EXACT_BUDGET + 1), True
    return int(session.connection().scalar(select(func.count()).select_from(Lead).where(where)) or 0), False


def _search_page(session: Session, f: LeadFilters, v: dict[str, Any], sort: str
                 ) -> tuple[list[dict[str, Any]], int, bool]:
    """The first ``v["limit"]`` text-search matches in sort order, on PostgreSQL, in at most two bounded steps; with
    how many matches were seen and whether that is all of them (else it is a lower bound of the total).

    Left to itself the planner either walks the sort index until enough rows match — fast when many do, but
    through half the table when the matches sit low in the sort (a term like "gmail" among low scores) — or
    collects every match through the trigram index and sorts them, fast only when few do. So: first the best
    matches among the next SEARCH_WALK leads in sort order; if those hold enough matches they are the page (any
    lead further down sorts after all of them), and the matches counted in that window are a lower bound of the
    total: counting them all would cost what the walk avoided. Otherwise, when the planner expects more than
    SEARCH_COMMON matches and the walk reads ix_leads_team_score alone (score order, no other filter), the walk
    goes on until the page is full: the matches are many, so it ends long before the table does, and each step costs
    an index entry rather than a table row. Else every match, found through the trigram index (the OFFSET 0 fence
    keeps the planner from turning that back into a walk), is counted and sorted for the page in one statement."""
    term = (f.q or "").strip()
    v = v | {"walk": SEARCH_WALK}
    shape = (sort, *_shape(f, v))
    rows = run(session, ("search-walk", *shape), lambda: _walk_page(session, f, v, sort, term, counted=True), v)
    if len(rows) == v["limit"]:
        return rows, int(rows[0]["matches"]), False
    if sort == "score" and replace(f, q=None) == LeadFilters() and \
            _estimated_matches(session, f, v) > SEARCH_COMMON:
        rows = run(session, ("search-on", *shape), lambda: _walk_page(session, f, v, sort, term, counted=False),
                    v | {"walk": None})  # LIMIT NULL: no window; a short page is every match
        return rows, len(rows), len(rows) < v["limit"]

    def found() -> Select[Any]:
        matches = select(*_PAGE_COLUMNS).where(*_unsearched(session, f, v, sort), _text_search(session, term,
                                               bindparam("q_pattern"))).offset(0).subquery()
        return _matches_page(matches, true(), sort)

    rows = run(session, ("search-all", *shape), found, v)
    return rows, int(rows[0]["matches"]) if rows else 0, True


def _walk_page(session: Session, f: LeadFilters, v: dict[str, Any], sort: str, term: str, *, counted: bool
               ) -> Select[Any]:
    """The best matches among the next ``walk`` leads in sort order (all of them when ``walk`` is NULL), with how
    many matched in that window when ``counted``. The walk reads the sort key, id and the searched fields only (on
    PostgreSQL, ix_leads_team_score holds them all); the page's other columns are read for its rows alone."""
    sort_column, _ = SORTS[sort]
    walk = select(Lead.id, sort_column.label("sort_key"), *_SEARCHED_COLUMNS) \
        .where(*_unsearched(session, f, v, sort))
    window = _ordered(walk, sort).limit(bindparam("walk", type_=Integer)).subquery()
    hits = select(window.c.id, window.c.sort_key, *([func.count().over().label("matches")] if counted else [])) \
        .where(_text_search_on(window, term))
    hits_page = _ordered_by(hits, window.c.sort_key, window.c.id, sort).limit(bindparam("limit", type_=Integer)) \
        .subquery()
    page = select(*_PAGE_COLUMNS, _owner_name(Lead.owner_id), *hits_page.c[2:]).join(hits_page,
                                                                                    hits_page.c.id == Lead.id)
    return _ordered_by(page, hits_page.c.sort_key, hits_page.c.id, sort)


def _estimated_matches(session: Session, f: LeadFilters, v: dict[str, Any]) -> float:
    """The planner's estimate of how many leads match ``f`` (from the statistics of the search expression that
    ix_leads_search_trgm gives PostgreSQL): one quick round trip, nothing read."""
    compiled = statement_for(session, ("search-estimate", *_shape(f, v)),
                              lambda: select(literal(1)).select_from(Lead).where(_where(session, f, v)))
    plan: Any = driver_rows(session, "EXPLAIN (FORMAT JSON) " + (compiled.sql or ""), compiled.constants | v)[0]
    return float(plan[0][0]["Plan"]["Plan Rows"])


def _unsearched(session: Session, f: LeadFilters, v: dict[str, Any], sort: str) -> list[ColumnElement[bool]]:
    """The search's other filters and its keyset cursor."""
    return [_where(session, replace(f, q=None), v), *([_after(sort, v)] if "after_id" in v else [])]


def _matches_page(rows: Any, where: ColumnElement[bool], sort: str) -> Select[Any]:
    """The first ``limit`` of a subquery's rows in sort order, with their owners' names and how many there are."""
    q = select(*rows.c, _owner_name(rows.c.owner_id), func.count().over().label("matches")).where(where)
    return _ordered_on(q, rows, sort).limit(bindparam("limit", type_=Integer))


def _text_search_on(rows: Any, term: str) -> ColumnElement[bool]:
    """The text search over a subquery's columns (no index involved), spelled as on the leads table."""
    pattern: Any = bindparam("q_pattern")
    if "\n" not in term:  # one LIKE over the joined, lowercased fields: cheaper than three ILIKEs
        joined = func.lower(func.concat_ws(literal("\n"), *(func.coalesce(rows.c[f], "") for f in SEARCHED)))
        return joined.like(func.lower(pattern), escape="\\")
    return _ilike_any(pattern, *(rows.c[f] for f in SEARCHED))


def _ordered_on(q: Select[Any], rows: Any, sort: str) -> Select[Any]:
    """``_ordered`` for a subquery of page columns."""
    column = {"score": rows.c.lead_score, "created": rows.c.created_at, "updated": rows.c.updated_at,
              "name": func.coalesce(rows.c.lead_name, "")}[sort]
    return _ordered_by(q, column, rows.c.id, sort)


def _ordered_by(q: Select[Any], column: Any, lead_id: Any, sort: str) -> Select[Any]:
    _, desc = SORTS[sort]
    return q.order_by(column.desc(), lead_id.desc()) if desc else q.order_by(column.asc(), lead_id.asc())
