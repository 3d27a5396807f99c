"""The grid's read side: filters, free-text search, sort and server-side pages (offset or keyset)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Select, and_, exists, false, func, literal, or_, select, true
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from leadcore.actors import Actor
from leadcore.candidates import LEAD_TYPES, STATUSES
from leadcore.db import UnitOfWork
from leadcore.errors import InvalidInput
from leadcore.models import Lead, User
from leadcore.records import lead_dict

SORTS = {
    # name: (column expression, descending?)
    "score": (Lead.lead_score, True),
    "created": (Lead.created_at, True),
    "updated": (Lead.updated_at, True),
    "name": (func.coalesce(Lead.lead_name, ""), False),
}
DEFAULT_SORT = "score"
MAX_PAGE_SIZE = 500
UNASSIGNED = 0  # owner filter value meaning "nobody"


@dataclass(frozen=True)
class LeadFilters:
    """Everything the grid can filter on; empty means "any". Round-trips through URL query params."""

    statuses: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    owner_ids: tuple[int, ...] = ()  # UNASSIGNED (0) means no owner
    tags: tuple[str, ...] = ()
    score_min: int | None = None
    score_max: int | None = None
    created_from: date | None = None
    created_to: date | None = None
    search_id: int | None = None
    search_query: str | None = None
    imported: bool | None = None
    q: str | None = None
    deleted: bool = False  # True shows the trash (soft-deleted leads) instead

    def validated(self) -> LeadFilters:
        for s in self.statuses:
            if s not in STATUSES:
                raise InvalidInput(f"Unknown status '{s}'", field="status")
        for t in self.types:
            if t not in LEAD_TYPES:
                raise InvalidInput(f"Unknown lead type '{t}'", field="type")
        for name in ("score_min", "score_max"):
            v = getattr(self, name)
            if v is not None and not 0 <= v <= 100:
                raise InvalidInput(f"{name} must be between 0 and 100", field=name)
        if self.score_min is not None and self.score_max is not None and self.score_min > self.score_max:
            raise InvalidInput("score_min is above score_max", field="score_min")
        if self.created_from and self.created_to and self.created_from > self.created_to:
            raise InvalidInput("created_from is after created_to", field="created_from")
        if self.q is not None and len(self.q) > 200:
            raise InvalidInput("Search text is limited to 200 characters", field="q")
        return self

    def to_params(self) -> dict[str, str]:
        """Compact URL query params (only what is set)."""
        out: dict[str, str] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if v in (None, (), False, ""):
                continue
            if isinstance(v, tuple):
                out[f.name] = ",".join(str(x) for x in v)
            elif isinstance(v, bool):
                out[f.name] = "1" if v else "0"
            elif isinstance(v, date):
                out[f.name] = v.isoformat()
            else:
                out[f.name] = str(v)
        return out

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> LeadFilters:
        """Parse URL params defensively: anything unreadable is ignored rather than failing the page."""

        def text(name: str) -> str | None:
            v = params.get(name)
            if isinstance(v, list):
                v = v[-1] if v else None
            v = str(v).strip() if v is not None else ""
            return v or None

        def split(name: str) -> list[str]:
            v = text(name)
            return [p.strip() for p in v.split(",") if p.strip()] if v else []

        def integer(name: str) -> int | None:
            try:
                return int(text(name) or "")
            except ValueError:
                return None

        def day(name: str) -> date | None:
            try:
                return date.fromisoformat(text(name) or "")
            except ValueError:
                return None

        imported = text("imported")
        owners = tuple(int(x) for x in split("owner_ids") if x.isdigit())
        score_min, score_max = integer("score_min"), integer("score_max")
        return cls(
            statuses=tuple(s.upper() for s in split("statuses") if s.upper() in STATUSES),
            types=tuple(t.upper() for t in split("types") if t.upper() in LEAD_TYPES),
            owner_ids=owners,
            tags=tuple(split("tags")),
            score_min=score_min if score_min is not None and 0 <= score_min <= 100 else None,
            score_max=score_max if score_max is not None and 0 <= score_max <= 100 else None,
            created_from=day("created_from"),
            created_to=day("created_to"),
            search_id=integer("search_id"),
            search_query=text("search_query"),
            imported={"1": True, "true": True, "0": False, "false": False}.get((imported or "").lower()),
            q=(text("q") or "")[:200] or None,
            deleted=text("deleted") == "1",
        )


@dataclass
class LeadPage:
    items: list[dict[str, Any]]
    total: int
    next_cursor: str | None = None
    offset: int = 0
    limit: int = 20
    sort: str = DEFAULT_SORT
    owners: dict[int, str] = field(default_factory=dict)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _tags_any(session: Session, tags: tuple[str, ...]) -> ColumnElement[bool]:
    if session.get_bind().dialect.name == "postgresql":
        return Lead.tags.op("&&")(postgresql.array(list(tags)))  # type: ignore[no-any-return]
    each = func.json_each(Lead.tags).table_valued("value")
    return exists(select(literal(1)).select_from(each).where(each.c.value.in_(tags)))


def filter_clause(session: Session, actor: Actor, f: LeadFilters) -> ColumnElement[bool]:
    """The WHERE clause for ``f`` within the actor's team."""
    conds: list[ColumnElement[bool]] = [Lead.team_id == actor.team_id, Lead.is_active == (not f.deleted)]
    if f.statuses:
        conds.append(Lead.status.in_(f.statuses))
    if f.types:
        conds.append(Lead.type.in_(f.types))
    if f.owner_ids:
        owners = [o for o in f.owner_ids if o != UNASSIGNED]
        parts = []
        if owners:
            parts.append(Lead.owner_id.in_(owners))
        if UNASSIGNED in f.owner_ids:
            parts.append(Lead.owner_id.is_(None))
        conds.append(or_(*parts))
    if f.tags:
        conds.append(_tags_any(session, f.tags))
    if f.score_min is not None:
        conds.append(Lead.lead_score >= f.score_min)
    if f.score_max is not None:
        conds.append(Lead.lead_score <= f.score_max)
    if f.created_from:
        conds.append(Lead.created_at >= datetime.combine(f.created_from, time.min))
    if f.created_to:
        conds.append(Lead.created_at < datetime.combine(f.created_to, time.max))
    if f.search_id is not None:
        conds.append(Lead.search_id == f.search_id)
    if f.search_query:
        conds.append(Lead.search_query == f.search_query)
    if f.imported is not None:
        conds.append(Lead.imported == (true() if f.imported else false()))
    if f.q:
        pattern = f"%{_like_escape(f.q.strip())}%"
        conds.append(
            or_(
                Lead.lead_name.ilike(pattern, escape="\\"),
                Lead.email.ilike(pattern, escape="\\"),
                Lead.company.ilike(pattern, escape="\\"),
            )
        )
    return and_(*conds)


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


def _after(sort: str, cursor: str) -> ColumnElement[bool]:
    col, desc = SORTS[sort]
    value, lead_id = decode_cursor(cursor)
    if desc:
        return or_(col < value, and_(col == value, Lead.id < lead_id))
    return or_(col > value, and_(col == value, Lead.id > lead_id))


def count_leads(session: Session, actor: Actor, f: LeadFilters) -> int:
    return int(session.scalar(select(func.count()).select_from(Lead).where(filter_clause(session, actor, f))) or 0)


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
        s = uow.session
        where = filter_clause(s, actor, f)
        q = select(Lead).where(where)
        if cursor:
            q = q.where(_after(sort, cursor))
        elif offset:
            q = q.offset(offset)
        rows = list(s.scalars(_ordered(q, sort).limit(limit + 1)))
        more = len(rows) > limit
        rows = rows[:limit]
        owner_ids = {r.owner_id for r in rows if r.owner_id}
        owners = (
            dict(s.execute(select(User.id, User.display_name).where(User.id.in_(owner_ids))).all()) if owner_ids else {}
        )
        items = [lead_dict(r, owner_name=owners.get(r.owner_id)) for r in rows]  # type: ignore[arg-type]
        next_cursor = None
        if more and rows:
            col_name = {"score": "lead_score", "created": "created_at", "updated": "updated_at", "name": "lead_name"}[sort]
            last = rows[-1]
            value = getattr(last, col_name)
            next_cursor = encode_cursor(value if value is not None else "", last.id)
        total = count_leads(s, actor, f) if with_total else -1
        return LeadPage(items=items, total=total, next_cursor=next_cursor, offset=offset, limit=limit, sort=sort,
                        owners=owners)


def iter_filtered_ids(uow: UnitOfWork, actor: Actor, filters: LeadFilters, *, max_ids: int = 100_000) -> list[int]:
    """Ids of every lead matching the filter (for bulk actions on "the whole filter")."""
    with uow:
        s = uow.session
        q = select(Lead.id).where(filter_clause(s, actor, filters.validated())).order_by(Lead.id).limit(max_ids + 1)
        ids = list(s.scalars(q))
    if len(ids) > max_ids:
        raise InvalidInput(f"The filter matches more than {max_ids:,} leads; narrow it for a bulk action")
    return ids


def replace_filters(f: LeadFilters, **changes: Any) -> LeadFilters:
    return replace(f, **changes)
