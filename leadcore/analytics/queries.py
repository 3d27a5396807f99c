"""The analytics read side in SQL: each function is one aggregate query over the team's lead and event counts
(:mod:`leadcore.analytics.facts`: the rollups, on both engines) or its searches.

The counts are narrowed exactly as the grid's own filter clause (team, active, created range, owner, type), so a
number on the Analytics page and the grid it opens always count the same leads. Python only reshapes the few
aggregated rows that come back; it never sees a lead row.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, extract, func, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from leadcore.analytics.facts import Facts, no_query
from leadcore.db.models import Company, Lead, LeadSearch, User
from leadcore.grid.filters import UNASSIGNED
from leadcore.intake.candidates import LEAD_TYPES, STATUSES

# The funnel: a lead has reached a stage when its *current* status is that stage or a later one. REJECTED and
# ARCHIVED leads reached NEW only (we do not replay the timeline to find how far they got before).
STAGES = ("NEW", "CONTACTED", "QUALIFIED", "IMPORTED")
STAGE_STATUSES: dict[str, tuple[str, ...]] = {
    "NEW": STATUSES,
    "CONTACTED": ("CONTACTED", "QUALIFIED", "IMPORTED"),
    "QUALIFIED": ("QUALIFIED", "IMPORTED"),
    "IMPORTED": ("IMPORTED",),
}


def _sum(n: Any, cond: ColumnElement[bool] | None = None) -> Any:
    total = func.sum(n)
    return total if cond is None else total.filter(cond)


def _import_days(dialect: str) -> Any:
    """Days from discovery (created_at) to import (imported_at), as a float."""
    if dialect == "postgresql":
        return extract("epoch", Lead.imported_at - Lead.created_at) / 86400.0
    return func.julianday(Lead.imported_at) - func.julianday(Lead.created_at)


def lead_metrics(
    session: Session, facts: Facts, *, since: date, dialect: str, with_imports: bool = True
) -> dict[str, Any]:
    """Totals, per-status and per-type counts and average scores, leads created from ``since`` (a UTC day) on and
    the imported ones. Keys are flat (``n_NEW``, ``avg_COMPANY``…); the funnel is summed from the status counts.

    The sources are grouped by (status, type) — a dozen groups — and Python adds the groups up.

    ``with_imports`` adds mean days to import and the contacts and companies imports created, read from the
    imported leads alone (a partial index holds them). A contact is only ever created from its own lead
    (``contacts.source_lead_id`` is unique), so a set ``imported_contact_id`` means one was created; a company counts
    when this lead's import created it rather than linking an existing one.
    """
    src = facts.leads.c
    groups = session.execute(
        select(
            src.status,
            src.type,
            _sum(src.n).label("n"),
            _sum(src.score_sum).label("score"),
            _sum(src.n, src.day >= since).label("recent"),
            _sum(src.n, src.imported.is_(true())).label("imported"),
        ).group_by(src.status, src.type)
    ).all()
    n: dict[str, int] = {key: 0 for key in ("", *STATUSES, *LEAD_TYPES)}
    score: dict[str, int] = dict.fromkeys(n, 0)
    out: dict[str, Any] = {"recent": 0, "imported": 0}
    for g in groups:
        for key in ("", g.status, g.type):
            if key in n:
                n[key] += int(g.n or 0)
                score[key] += int(g.score or 0)
        out["recent"] += int(g.recent or 0)
        out["imported"] += int(g.imported or 0)
    out["total"], out["avg_score"] = n[""], _mean(score[""], n[""])
    for key in (*STATUSES, *LEAD_TYPES):
        out[f"n_{key}"], out[f"avg_{key}"] = n[key], _mean(score[key], n[key])
    if with_imports:
        out.update(_import_metrics(session, facts.where, dialect))
    return out


def _import_metrics(session: Session, where: ColumnElement[bool], dialect: str) -> dict[str, Any]:
    done = Lead.imported_at.is_not(None)
    row = session.execute(
        select(
            func.sum(_import_days(dialect)).filter(done).label("import_days"),
            func.count().filter(done).label("import_n"),
            func.count(Lead.imported_contact_id).label("contacts_created"),
            func.count(Company.id).label("companies_created"),
        )
        .select_from(Lead)
        .outerjoin(Company, and_(Company.id == Lead.imported_company_id, Company.source_lead_id == Lead.id))
        # "= true" (not "IS TRUE"): the planner matches it to the partial index ix_leads_team_imported.
        .where(where, Lead.imported == true())
    ).one()
    return {
        "import_days": _mean(row.import_days or 0, int(row.import_n or 0)),
        "contacts_created": int(row.contacts_created or 0),
        "companies_created": int(row.companies_created or 0),
    }


def _mean(total: Any, count: int) -> Any:
    """What SQL ``avg`` gives: None over nothing; exact (Decimal) when the sum is."""
    if not count:
        return None
    if isinstance(total, int):
        return Decimal(total) / count
    return total / count


def score_buckets(session: Session, facts: Facts, *, bucket: int) -> dict[int, int]:
    """Lead count per score bucket start; the top bucket is closed (100 falls into 90–100 for bucket 10)."""
    rows = session.execute(
        select(facts.scores.c.score, _sum(facts.scores.c.n)).group_by(facts.scores.c.score)
    ).all()
    top = (99 // bucket) * bucket
    out: dict[int, int] = {}
    for score, n in rows:  # at most 101 scores: bucketing them here keeps the bucket size out of the SQL
        start = min(top, (int(score) // bucket) * bucket)
        out[start] = out.get(start, 0) + int(n or 0)
    return {start: n for start, n in out.items() if n}


def created_per_period(session: Session, facts: Facts, *, period: str) -> dict[date, int]:
    """New leads per UTC day or week start (Monday); periods without leads are absent."""
    src = facts.leads.c
    rows = session.execute(select(src.day, _sum(src.n)).group_by(src.day).order_by(src.day)).all()
    days = {_as_date(d): int(n or 0) for d, n in rows if d is not None and n}
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


def by_query(session: Session, facts: Facts, *, min_sample: int, limit: int) -> list[dict[str, Any]]:
    """Per search query ('' for none): found, reached each later stage, average score; busiest queries first."""
    src = facts.leads.c
    found = _sum(src.n)
    rows = session.execute(
        select(
            src.search_query,
            found.label("found"),
            _sum(src.n, src.status.in_(STAGE_STATUSES["CONTACTED"])).label("contacted"),
            _sum(src.n, src.status.in_(STAGE_STATUSES["QUALIFIED"])).label("qualified"),
            _sum(src.n, src.status.in_(STAGE_STATUSES["IMPORTED"])).label("imported"),
            _sum(src.score_sum).label("score_sum"),
        )
        .group_by(src.search_query)
        .having(found >= min_sample)
        .order_by(found.desc(), no_query(src.search_query), src.search_query)
        .limit(limit)
    ).all()
    out = []
    for r in rows:
        found_n = int(r.found or 0)
        out.append({
            "search_query": r.search_query or None,
            "found": found_n,
            "contacted": int(r.contacted or 0),
            "qualified": int(r.qualified or 0),
            "imported": int(r.imported or 0),
            "avg_score": _mean(int(r.score_sum or 0), found_n),
        })
    return out


def events_by_user(session: Session, facts: Facts, *, since: date) -> dict[int, dict[str, int]]:
    """Events each user recorded from ``since`` (a UTC day) on, by kind (system events without a user left out)."""
    src = facts.events(session, since).c
    rows = session.execute(select(src.user_id, src.kind, _sum(src.n)).group_by(src.user_id, src.kind)).all()
    out: dict[int, dict[str, int]] = {}
    for user_id, kind, n in rows:
        if user_id is not None and n:
            out.setdefault(user_id, {})[kind] = int(n)
    return out


def owned(session: Session, facts: Facts) -> dict[int, int]:
    """How many of the filtered leads each owner has (unassigned leads left out)."""
    src = facts.leads.c
    rows = session.execute(
        select(src.owner_id, _sum(src.n)).where(src.owner_id != UNASSIGNED).group_by(src.owner_id)
    ).all()
    return {int(owner): int(n) for owner, n in rows if owner is not None and n}


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

