"""The analytics read side in SQL: each function is one aggregate query over the team's leads, events or searches.

Every lead query takes ``where`` — the grid's own filter clause (team, active, created range, owner, type) — so a
number on the Analytics page and the grid it opens always count the same leads. Python only reshapes the few
aggregated rows that come back; it never sees a lead row.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Date, and_, case, cast, extract, func, literal_column, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from leadcore.candidates import LEAD_TYPES, STATUSES
from leadcore.models import Company, Lead, LeadEvent, LeadSearch, User

# The funnel: a lead has reached a stage when its *current* status is that stage or a later one. REJECTED and
# ARCHIVED leads reached NEW only (we do not replay the timeline to find how far they got before).
STAGES = ("NEW", "CONTACTED", "QUALIFIED", "IMPORTED")
STAGE_STATUSES: dict[str, tuple[str, ...]] = {
    "NEW": STATUSES,
    "CONTACTED": ("CONTACTED", "QUALIFIED", "IMPORTED"),
    "QUALIFIED": ("QUALIFIED", "IMPORTED"),
    "IMPORTED": ("IMPORTED",),
}


def _count_if(cond: ColumnElement[bool]) -> Any:
    return func.count().filter(cond)


def _avg_if(cond: ColumnElement[bool], value: Any) -> Any:
    return func.avg(value).filter(cond)


def _reached(stage: str) -> ColumnElement[bool]:
    return Lead.status.in_(STAGE_STATUSES[stage])


def _import_days(dialect: str) -> Any:
    """Days from discovery (created_at) to import (imported_at), as a float."""
    if dialect == "postgresql":
        return extract("epoch", Lead.imported_at - Lead.created_at) / 86400.0
    return func.julianday(Lead.imported_at) - func.julianday(Lead.created_at)


def lead_metrics(
    session: Session, where: ColumnElement[bool], *, since: datetime, dialect: str, with_imports: bool = True
) -> dict[str, Any]:
    """One pass over the filtered leads: totals, per-status and per-type counts and average scores, imports.
    Keys are flat (``n_NEW``, ``avg_COMPANY``…); the funnel is summed from the status counts.

    ``with_imports`` adds mean days to import and the contacts and companies imports created. A contact is only
    ever created from its own lead (``contacts.source_lead_id`` is unique), so a set ``imported_contact_id`` means
    one was created; a company counts when this lead's import created it rather than linking an existing one. The
    company join is on the primary key, so it never multiplies lead rows and keeps this a single pass.
    """
    imported = Lead.imported.is_(true())
    cols: list[Any] = [
        func.count().label("total"),
        _count_if(Lead.created_at >= since).label("recent"),
        func.avg(Lead.lead_score).label("avg_score"),
        _count_if(imported).label("imported"),
    ]
    for status in STATUSES:
        cols.append(_count_if(Lead.status == status).label(f"n_{status}"))
        cols.append(_avg_if(Lead.status == status, Lead.lead_score).label(f"avg_{status}"))
    for kind in LEAD_TYPES:
        cols.append(_count_if(Lead.type == kind).label(f"n_{kind}"))
        cols.append(_avg_if(Lead.type == kind, Lead.lead_score).label(f"avg_{kind}"))
    query = select(*cols).select_from(Lead)
    if with_imports:
        query = query.add_columns(
            _avg_if(and_(imported, Lead.imported_at.is_not(None)), _import_days(dialect)).label("import_days"),
            func.count(Lead.imported_contact_id).label("contacts_created"),
            func.count(Company.id).label("companies_created"),
        ).outerjoin(Company, and_(Company.id == Lead.imported_company_id, Company.source_lead_id == Lead.id))
    row = session.execute(query.where(where)).one()
    return dict(row._mapping)


def score_buckets(session: Session, where: ColumnElement[bool], *, bucket: int) -> dict[int, int]:
    """Lead count per score bucket start; the top bucket is closed (100 falls into 90–100 for bucket 10)."""
    top = (99 // bucket) * bucket
    start = case((Lead.lead_score >= top, top), else_=(Lead.lead_score // bucket) * bucket)
    # Grouping on a subquery's column keeps the bound bucket size out of GROUP BY (PostgreSQL would see two
    # different parameters in SELECT and GROUP BY and refuse).
    inner = select(start.label("start")).where(where).subquery()
    rows = session.execute(select(inner.c.start, func.count()).group_by(inner.c.start)).all()
    return {int(s): int(n) for s, n in rows}


def _period_start(dialect: str, period: str) -> Any:
    """The UTC day or ISO week (Monday) a lead was created in; ``period`` is already whitelisted."""
    if dialect == "postgresql":
        utc = func.timezone(literal_column("'UTC'"), Lead.created_at)
        return cast(func.date_trunc(literal_column(f"'{period}'"), utc), Date)
    # SQLite stores UTC text; 'weekday 0' moves to the coming Sunday (or stays), -6 days is that week's Monday.
    if period == "week":
        return func.date(Lead.created_at, literal_column("'weekday 0'"), literal_column("'-6 days'"))
    return func.date(Lead.created_at)


def created_per_period(session: Session, where: ColumnElement[bool], *, period: str, dialect: str) -> dict[date, int]:
    """New leads per UTC day or week start; periods without leads are absent."""
    inner = select(_period_start(dialect, period).label("start")).where(where).subquery()
    rows = session.execute(
        select(inner.c.start, func.count()).group_by(inner.c.start).order_by(inner.c.start)
    ).all()
    return {_as_date(s): int(n) for s, n in rows if s is not None}


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def by_query(
    session: Session, where: ColumnElement[bool], *, min_sample: int, limit: int
) -> list[dict[str, Any]]:
    """Per search query: found, reached each later stage, average score; busiest queries first."""
    found = func.count()
    rows = session.execute(
        select(
            Lead.search_query,
            found.label("found"),
            _count_if(_reached("CONTACTED")).label("contacted"),
            _count_if(_reached("QUALIFIED")).label("qualified"),
            _count_if(_reached("IMPORTED")).label("imported"),
            func.avg(Lead.lead_score).label("avg_score"),
        )
        .where(where)
        .group_by(Lead.search_query)
        .having(found >= min_sample)
        .order_by(found.desc(), Lead.search_query.is_(None), Lead.search_query)
        .limit(limit)
    ).all()
    return [dict(r._mapping) for r in rows]


def events_by_user(session: Session, team_id: int, *, since: datetime) -> dict[int, dict[str, int]]:
    """Events each user recorded since ``since``, by kind (system events without a user are left out)."""
    rows = session.execute(
        select(LeadEvent.user_id, LeadEvent.kind, func.count())
        .where(LeadEvent.team_id == team_id, LeadEvent.created_at >= since, LeadEvent.user_id.is_not(None))
        .group_by(LeadEvent.user_id, LeadEvent.kind)
    ).all()
    out: dict[int, dict[str, int]] = {}
    for user_id, kind, n in rows:
        if user_id is not None:
            out.setdefault(user_id, {})[kind] = int(n)
    return out


def owned(session: Session, where: ColumnElement[bool]) -> dict[int, int]:
    """How many of the filtered leads each owner has (unassigned leads left out)."""
    rows = session.execute(
        select(Lead.owner_id, func.count()).where(where, Lead.owner_id.is_not(None)).group_by(Lead.owner_id)
    ).all()
    return {owner: int(n) for owner, n in rows if owner is not None}


def team_users(session: Session, team_id: int, *, user_ids: tuple[int, ...] | None) -> list[dict[str, Any]]:
    """The team's users (or just ``user_ids`` among them), by name."""
    q = (
        select(User.id.label("user_id"), User.display_name.label("name"), User.role, User.is_active)
        .where(User.team_id == team_id)
        .order_by(User.display_name, User.id)
    )
    if user_ids is not None:
        q = q.where(User.id.in_(user_ids))
    return [dict(r._mapping) for r in session.execute(q).all()]


def recent_searches(session: Session, team_id: int, *, limit: int) -> list[dict[str, Any]]:
    """The team's discovery runs and file imports, newest first, with who ran them."""
    rows = session.execute(
        select(
            LeadSearch.id,
            LeadSearch.provider,
            LeadSearch.query,
            LeadSearch.mode,
            LeadSearch.user_id,
            User.display_name.label("user_name"),
            LeadSearch.started_at,
            LeadSearch.finished_at,
            LeadSearch.requested,
            LeadSearch.returned,
            LeadSearch.saved,
            LeadSearch.duplicates,
            LeadSearch.invalid,
            LeadSearch.outcome,
            LeadSearch.error,
        )
        .outerjoin(User, User.id == LeadSearch.user_id)
        .where(LeadSearch.team_id == team_id)
        .order_by(LeadSearch.started_at.desc(), LeadSearch.id.desc())
        .limit(limit)
    ).all()
    return [dict(r._mapping) for r in rows]


def as_float(value: Any, digits: int = 2) -> float | None:
    """SQL averages arrive as Decimal (PostgreSQL) or float (SQLite); NULL stays None."""
    return None if value is None else round(float(value), digits)


def utc(moment: datetime | None) -> datetime:
    """``moment`` in UTC (now when None): SQLite compares stored UTC text, so bound times must be UTC too."""
    if moment is None:
        return datetime.now(UTC)
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)

