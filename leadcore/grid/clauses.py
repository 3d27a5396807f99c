"""How a grid filter, sort and keyset cursor become SQL: the bound values of a filter and its shape (what a
prepared statement depends on), the WHERE clause, free-text search on each engine, sort orders and cursors. The
grid's pages (``listing``), its PostgreSQL search (``search``), bulk selection and exports all build on these."""

from __future__ import annotations

import base64
import json
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
from leadcore.db.models import Lead, User
from leadcore.errors import InvalidInput
from leadcore.grid.filters import UNASSIGNED, LeadFilters
from leadcore.leads.views import LEAD_COLUMNS

SORTS: dict[str, tuple[Any, bool]] = {
    # name: (column expression, descending?)
    "score": (Lead.lead_score, True),
    "created": (Lead.created_at, True),
    "updated": (Lead.updated_at, True),
    "name": (func.coalesce(Lead.lead_name, ""), False),
}


DEFAULT_SORT = "score"


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def bound_values(dialect: str, actor: Actor, f: LeadFilters) -> dict[str, Any]:
    """The values ``filter_clause`` binds for ``f``, by parameter name. Which names are present is, with
    ``filter_shape``, all a statement depends on: the grid re-runs one compiled statement per shape with new values."""
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


def filter_shape(f: LeadFilters, v: dict[str, Any]) -> tuple[Any, ...]:
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
    return where_clause(session, f, bound_values(session.get_bind().dialect.name, actor, f))


def where_clause(session: Session, f: LeadFilters, v: dict[str, Any]) -> ColumnElement[bool]:
    """``filter_clause`` for the values ``bound_values`` gave, each a bound parameter of the same name."""
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
        conds.append(text_search(session, f.q.strip(), bound("q_pattern")))
    return and_(*conds)


def _sqlite_fts(phrase: str) -> ColumnElement[bool]:
    """SQLite: the leads whose searched fields contain the phrase per the FTS5 trigram index (migration
    0013). Its case folding is Unicode-wide where SQLite's LIKE folds ASCII only, so it finds a superset of the LIKE
    matches; the LIKE still decides. It cannot help with terms under three characters."""
    hits: Any = select(literal_column("rowid")).select_from(text("leads_search")).where(
        text("leads_search MATCH :fts_phrase").bindparams(fts_phrase=phrase)
    )
    return Lead.id.in_(hits)


# The searched fields (name, email, company, job title, location, industry). On PostgreSQL a search reads them as
# one stored, lowercased text joined by newlines, leads.search_text (a generated column, migration 0024), which the
# pg_trgm GIN index ix_leads_search_trgm and the walk index ix_leads_team_score hold. SQLite's FTS5 index
# leads_search holds the same fields.
SEARCHED = ("lead_name", "email", "company", "job_title", "location", "industry")


SEARCH_TEXT_SQL = "search_text"


SEARCH_TEXT: ColumnElement[str] = literal_column(f"leads.{SEARCH_TEXT_SQL}")


SEARCHED_COLUMNS = tuple(getattr(Lead, f) for f in SEARCHED)


def text_search(session: Session, term: str, pattern: Any = None) -> ColumnElement[bool]:
    """Case-insensitive substring search over the SEARCHED fields (``pattern``: the LIKE pattern's parameter)."""
    if pattern is None:
        pattern = bindparam("q_pattern", f"%{_like_escape(term)}%")
    if session.get_bind().dialect.name == "postgresql" and "\n" not in term:
        # One trigram index scan and one LIKE per candidate instead of six of each. A term without a newline
        # cannot match across the joined fields, so this finds exactly what the six ILIKEs below would.
        return SEARCH_TEXT.like(func.lower(pattern), escape="\\")
    return ilike_any(pattern, *SEARCHED_COLUMNS)


def ilike_any(pattern: Any, *columns: Any) -> ColumnElement[bool]:
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


def ordered(q: Select[Any], sort: str) -> Select[Any]:
    col, desc = SORTS[sort]
    return q.order_by(col.desc(), Lead.id.desc()) if desc else q.order_by(col.asc(), Lead.id.asc())


SORT_ATTRIBUTES = {"score": "lead_score", "created": "created_at", "updated": "updated_at", "name": "lead_name"}


_CURSOR_TYPES: dict[str, type] = {"score": int, "created": datetime, "updated": datetime, "name": str}


def cursor_values(sort: str, cursor: str) -> dict[str, Any]:
    """The bound values of ``after_cursor`` for ``cursor``."""
    value, lead_id = decode_cursor(cursor)
    # A cursor made for another sort (or edited by hand) would compare a timestamp with a number: refuse it here
    # rather than let the database fail.
    if not isinstance(value, _CURSOR_TYPES[sort]) or isinstance(value, bool) or not 0 <= lead_id < 2**63 or (
        isinstance(value, int) and not -(2**31) <= value < 2**31
    ):
        raise InvalidInput("The page cursor is not valid; start from the first page", field="cursor")
    return {"after_value": value, "after_id": lead_id}


def after_cursor(sort: str, v: dict[str, Any]) -> ColumnElement[bool]:
    col, desc = SORTS[sort]
    key = tuple_(bindparam("after_value", v["after_value"], type_=col.type),
                 bindparam("after_id", v["after_id"], type_=Integer))
    # A row-value comparison, not "col < v OR (col = v AND id < i)": both engines turn it into an index range on
    # (team_id, col, id), so a page in the middle of a million leads costs what the first one does.
    # Every sort column is NOT NULL (name sorts on coalesce), so the two forms select the same rows.
    return tuple_(col, Lead.id) < key if desc else tuple_(col, Lead.id) > key


def owner_name(owner_id: Any) -> Any:
    """The owner's display name as a column, evaluated for the page's rows only (after the LIMIT)."""
    return select(User.display_name).where(User.id == owner_id).scalar_subquery().label("owner_name")


PAGE_COLUMNS = tuple(getattr(Lead, c) for c in LEAD_COLUMNS)


def rows_of(page: Any, sort: str) -> Select[Any]:
    """The page's columns and owner's name for ``page``, a subquery of (id, sort_key, …) already cut to the page,
    with its further columns (a count, say), in sort order: the wide columns are read for the page's rows alone."""
    q = select(*PAGE_COLUMNS, owner_name(Lead.owner_id), *page.c[2:]).join(page, page.c.id == Lead.id)
    return ordered_by(q, page.c.sort_key, page.c.id, sort)


def ordered_on(q: Select[Any], rows: Any, sort: str) -> Select[Any]:
    """``ordered`` for a subquery of page columns."""
    column = {"score": rows.c.lead_score, "created": rows.c.created_at, "updated": rows.c.updated_at,
              "name": func.coalesce(rows.c.lead_name, "")}[sort]
    return ordered_by(q, column, rows.c.id, sort)


def ordered_by(q: Select[Any], column: Any, lead_id: Any, sort: str) -> Select[Any]:
    _, desc = SORTS[sort]
    return q.order_by(column.desc(), lead_id.desc()) if desc else q.order_by(column.asc(), lead_id.asc())
