"""The analytics read side in SQL: each function is one aggregate query over the team's leads, events or searches.

Every lead query takes ``where`` — the grid's own filter clause (team, active, created range, owner, type) — so a
number on the Analytics page and the grid it opens always count the same leads. Python only reshapes the few
aggregated rows that come back; it never sees a lead row.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
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

    The database groups by (status, type) — a dozen groups, read in index order on PostgreSQL — and Python adds
    the groups up: a few sums per lead instead of two dozen conditional aggregates.
    """
    imported = Lead.imported.is_(true())
    cols: list[Any] = [
        Lead.status,
        Lead.type,
        func.count().label("n"),
        func.sum(Lead.lead_score).label("score"),
        _count_if(Lead.created_at >= since).label("recent"),
        _count_if(imported).label("imported"),
    ]
    query = select(*cols).select_from(Lead)
    if with_imports:
        done = and_(imported, Lead.imported_at.is_not(None))
        query = query.add_columns(
            func.sum(_import_days(dialect)).filter(done).label("import_days"),
            _count_if(done).label("import_n"),
            func.count(Lead.imported_contact_id).label("contacts_created"),
            func.count(Company.id).label("companies_created"),
        ).outerjoin(Company, and_(Company.id == Lead.imported_company_id, Company.source_lead_id == Lead.id))
    groups = session.execute(query.where(where).group_by(Lead.status, Lead.type)).all()
    n: dict[str, int] = {key: 0 for key in ("", *STATUSES, *LEAD_TYPES)}
    score: dict[str, Any] = dict.fromkeys(n, 0)
    out: dict[str, Any] = {"recent": 0, "imported": 0}
    import_days: Any = 0
    import_n = 0
    for g in groups:
        for key in ("", g.status, g.type):
            if key in n:
                n[key] += int(g.n)
                score[key] += g.score or 0
        out["recent"] += int(g.recent)
        out["imported"] += int(g.imported)
        if with_imports:
            import_days += g.import_days or 0
            import_n += int(g.import_n)
            out["contacts_created"] = out.get("contacts_created", 0) + int(g.contacts_created)
            out["companies_created"] = out.get("companies_created", 0) + int(g.companies_created)
    out["total"], out["avg_score"] = n[""], _mean(score[""], n[""])
    for key in (*STATUSES, *LEAD_TYPES):
        out[f"n_{key}"], out[f"avg_{key}"] = n[key], _mean(score[key], n[key])
    if with_imports:
        out["import_days"] = _mean(import_days, import_n)
        out.setdefault("contacts_created", 0)
        out.setdefault("companies_created", 0)
    return out


def _mean(total: Any, count: int) -> Any:
    """What SQL ``avg`` gives: None over nothing; exact (Decimal) when the sum is."""
    if not count:
        return None
    if isinstance(total, int):
        return Decimal(total) / count
    return total / count


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
        if period == "day":
            return cast(utc, Date)
        return cast(func.date_trunc(literal_column(f"'{period}'"), utc), Date)
    # SQLite stores UTC text; 'weekday 0' moves to the coming Sunday (or stays), -6 days is that week's Monday.
    if period == "week":
        return func.date(Lead.created_at, literal_column("'weekday 0'"), literal_column("'-6 days'"))
    # leadcore writes "YYYY-MM-DD HH:MM:SS…" in UTC: the day is its first ten characters, far cheaper than date().
    return func.substr(Lead.created_at, 1, 10)


def created_per_period(session: Session, where: ColumnElement[bool], *, period: str, dialect: str) -> dict[date, int]:
    """New leads per UTC day or week start; periods without leads are absent.

    The database always groups by day (a cheap cast per lead, where truncating to weeks is not); weeks are the
    days added up here."""
    inner = select(_period_start(dialect, "day").label("start")).where(where).subquery()
    rows = session.execute(
        select(inner.c.start, func.count()).group_by(inner.c.start).order_by(inner.c.start)
    ).all()
    days = {_as_date(s): int(n) for s, n in rows if s is not None}
    if period == "day":
        return days
    weeks: dict[date, int] = {}
    for day, count in days.items():
        monday = day - timedelta(days=day.weekday())
        weeks[monday] = weeks.get(monday, 0) + count
    return weeks


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

