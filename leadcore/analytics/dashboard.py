"""Analytics for the managers' page (SPEC §8): where good leads come from, how far they get, who works them.

Every number is an SQL aggregate over the actor's team (active leads only) narrowed by :class:`AnalyticsFilters`,
which map one-to-one onto the grid's :class:`~leadcore.grid.filters.LeadFilters`, so clicking a bar opens the grid
showing exactly the leads that were counted. Only :func:`summary` is open to reps (the REST API and CLI use it);
everything else is for managers and admins. :func:`dashboard` reads it all in one transaction for the page.

Definitions:

- *new this week*: created on the UTC day of ``now`` or one of the 6 days before (rolling, not since Monday).
- *rep activity* over ``days`` days: events recorded on the UTC day of ``now`` or the ``days - 1`` days before.
- *funnel*: a lead has reached a stage when its current status is that stage or a later one
  (NEW < CONTACTED < QUALIFIED < IMPORTED); REJECTED and ARCHIVED leads count as having reached NEW only.
  The same reach is used for contacted/qualified/imported in :func:`conversion_by_query`.
- *imported* in :func:`summary` and :func:`import_stats` is the import-tracking flag (a lead imported and then
  archived still counts), while the funnel goes by status; they differ only where someone set the status by hand
  after (or instead of) importing.
- Rates are fractions 0–1 (``imported_pct`` is a percentage); a rate over nothing is None, not 0.
- Days and weeks are UTC; weeks start on Monday.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from leadcore.accounts.actors import Actor, ensure_manager
from leadcore.analytics import queries as q
from leadcore.analytics import tables as rows
from leadcore.analytics.facts import Facts, facts
from leadcore.analytics.per_rep import per_rep_rows
from leadcore.analytics.queries import utc
from leadcore.db.engine import UnitOfWork
from leadcore.errors import InvalidInput
from leadcore.grid.filters import LeadFilters

T = TypeVar("T")
PERIODS = ("day", "week")
NO_QUERY = rows.NO_QUERY  # the label of leads found without a search query


@dataclass(frozen=True)
class AnalyticsFilters:
    """The page's filters: created date range, owners (0 = unassigned, as in the grid) and lead types."""

    created_from: date | None = None
    created_to: date | None = None
    owner_ids: tuple[int, ...] = ()
    types: tuple[str, ...] = ()

    def to_lead_filters(self, **extra: Any) -> LeadFilters:
        """The grid filter showing the same leads, narrowed by ``extra`` (e.g. ``statuses=("QUALIFIED",)``)."""
        values: dict[str, Any] = {
            "created_from": self.created_from,
            "created_to": self.created_to,
            "owner_ids": tuple(self.owner_ids),
            "types": tuple(self.types),
        }
        values.update(extra)
        return LeadFilters(**values)


# -- the public reads ---------------------------------------------------------------------------------------------


def summary(uow: UnitOfWork, actor: Actor, f: AnalyticsFilters, *, now: datetime | None = None) -> dict[str, Any]:
    """Total, new in the last 7 days, average score, imported (count and %) and a count for every status.

    Any team member may read it."""
    sources = _facts_for(actor, f)
    with uow:
        m = q.lead_metrics(uow.session, sources(uow.session), since=_week_start(now), dialect=uow.dialect,
                           with_imports=False)
    return rows.summary(m)


def team_summary(
    uow: UnitOfWork, actor: Actor, f: AnalyticsFilters, *, min_sample: int = 1, now: datetime | None = None
) -> dict[str, Any]:
    """``/api/analytics/summary``: :func:`summary` for everyone, plus for managers the breakdowns (average score by
    status and type, conversion by query; None for a rep, with ``manager_view`` false), all read from one snapshot
    like the page's :func:`dashboard`."""
    _check_range("min_sample", min_sample, 1, 1_000_000)
    sources = _facts_for(actor, f)
    with uow:
        s = uow.session
        _snapshot(s, uow.dialect)
        w = sources(s)
        m = q.lead_metrics(s, w, since=_week_start(now), dialect=uow.dialect, with_imports=False)
        out: dict[str, Any] = {**rows.summary(m), "manager_view": actor.is_manager, "conversion_by_query": None,
                               "score_by_status": None, "score_by_type": None}
        if actor.is_manager:
            out["conversion_by_query"] = rows.conversion(s, w, min_sample=min_sample, limit=100)
            out["score_by_status"] = rows.by_status(m)
            out["score_by_type"] = rows.by_type(m, f.types)
    return out


def funnel(uow: UnitOfWork, actor: Actor, f: AnalyticsFilters) -> list[dict[str, Any]]:
    """NEW → CONTACTED → QUALIFIED → IMPORTED: leads that reached each stage, conversion from and drop-off since
    the previous stage, and the statuses that count as having reached it (for the grid click-through)."""
    return _with_metrics(uow, actor, f, rows.funnel)


def score_by_status(uow: UnitOfWork, actor: Actor, f: AnalyticsFilters) -> list[dict[str, Any]]:
    """Count and average score for every status, in workflow order (None average where there are no leads)."""
    return _with_metrics(uow, actor, f, rows.by_status)


def score_by_type(uow: UnitOfWork, actor: Actor, f: AnalyticsFilters) -> list[dict[str, Any]]:
    """Count and average score per lead type (the filtered types, or both)."""
    return _with_metrics(uow, actor, f, lambda m: rows.by_type(m, f.types))


def import_stats(uow: UnitOfWork, actor: Actor, f: AnalyticsFilters) -> dict[str, Any]:
    """Imported leads, their share, mean days from discovery to import, contacts and companies the imports created."""
    return _with_metrics(uow, actor, f, rows.imports)


def conversion_by_query(
    uow: UnitOfWork, actor: Actor, f: AnalyticsFilters, *, min_sample: int = 1, limit: int = 100
) -> list[dict[str, Any]]:
    """Per search query (leads without one under "(no query)"): found, contacted, qualified, imported, ``rate``
    (imported / found) and ``qualified_rate``; only queries with at least ``min_sample`` leads, busiest first."""
    ensure_manager(actor, "read analytics")
    _check_range("min_sample", min_sample, 1, 1_000_000)
    _check_range("limit", limit, 1, 1_000)
    sources = _facts_for(actor, f)
    with uow:
        return rows.conversion(uow.session, sources(uow.session), min_sample=min_sample, limit=limit)


def score_distribution(uow: UnitOfWork, actor: Actor, f: AnalyticsFilters, *, bucket: int = 10) -> list[dict[str, Any]]:
    """Leads per score bucket (0–9, 10–19, …, 90–100 for ``bucket`` 10); every bucket is present, empty ones as 0."""
    ensure_manager(actor, "read analytics")
    _check_range("bucket", bucket, 1, 100)
    sources = _facts_for(actor, f)
    with uow:
        return rows.distribution(uow.session, sources(uow.session), bucket=bucket)


def new_leads_over_time(
    uow: UnitOfWork, actor: Actor, f: AnalyticsFilters, *, period: str = "day"
) -> list[dict[str, Any]]:
    """New leads per UTC day or week (Monday start), gaps filled with 0 across the filter's range (or the data's)."""
    ensure_manager(actor, "read analytics")
    _check_period(period)
    sources = _facts_for(actor, f)
    with uow:
        return rows.over_time(uow.session, sources(uow.session), created_from=f.created_from,
                              created_to=f.created_to, period=period)


def rep_activity(
    uow: UnitOfWork, actor: Actor, f: AnalyticsFilters, *, days: int = 30, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Per team member: events they recorded in the last ``days`` days by kind, their total, and how many of the
    filtered leads they own. The owner filter narrows the people listed; the date filter applies to leads owned
    only (activity always covers the last ``days`` days)."""
    ensure_manager(actor, "read analytics")
    _check_range("days", days, 1, 3_660)
    sources = _facts_for(actor, f)
    with uow:
        return rows.reps(uow.session, sources(uow.session), owner_ids=f.owner_ids, since=_days_start(now, days))


def search_history(uow: UnitOfWork, actor: Actor, *, limit: int = 50) -> list[dict[str, Any]]:
    """The team's recent searches and file imports with counts, outcome, ``yield`` (saved / returned) and
    ``duplicate_rate`` (duplicates / returned)."""
    ensure_manager(actor, "read analytics")
    _check_range("limit", limit, 1, 1_000)
    with uow:
        return rows.searches(uow.session, actor.team_id, limit=limit)


def dashboard(
    uow: UnitOfWork,
    actor: Actor,
    f: AnalyticsFilters,
    *,
    min_sample: int = 1,
    period: str = "day",
    bucket: int = 10,
    activity_days: int = 30,
    query_limit: int = 100,
    search_limit: int = 50,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Everything the Analytics page shows, read in one transaction on one connection (a consistent snapshot)."""
    ensure_manager(actor, "read analytics")
    _check_range("min_sample", min_sample, 1, 1_000_000)
    _check_range("query_limit", query_limit, 1, 1_000)
    _check_range("search_limit", search_limit, 1, 1_000)
    _check_range("bucket", bucket, 1, 100)
    _check_range("activity_days", activity_days, 1, 3_660)
    _check_period(period)
    sources = _facts_for(actor, f)
    moment = utc(now)
    with uow:
        s = uow.session
        dialect = uow.dialect
        _snapshot(s, dialect)
        w = sources(s)
        m = q.lead_metrics(s, w, since=_week_start(moment), dialect=dialect)
        return {
            "generated_at": moment,
            "summary": rows.summary(m),
            "funnel": rows.funnel(m),
            "score_by_status": rows.by_status(m),
            "score_by_type": rows.by_type(m, f.types),
            "import_stats": rows.imports(m),
            "conversion_by_query": rows.conversion(s, w, min_sample=min_sample, limit=query_limit),
            "score_distribution": rows.distribution(s, w, bucket=bucket),
            "new_leads_over_time": rows.over_time(s, w, created_from=f.created_from, created_to=f.created_to,
                                                  period=period),
            "rep_activity": rows.reps(s, w, owner_ids=f.owner_ids, since=_days_start(moment, activity_days)),
            "search_history": rows.searches(s, actor.team_id, limit=search_limit),
            "per_rep": per_rep_rows(s, actor, dialect=dialect, since=_days_start(moment, activity_days), now=moment,
                                    user_ids=rows.people(f.owner_ids), facts=w),
        }


# -- plumbing -----------------------------------------------------------------------------------------------------


def _facts_for(actor: Actor, f: AnalyticsFilters) -> Callable[[Session], Facts]:
    """Validate ``f`` up front (before any transaction) and return a builder of the filtered count sources."""
    lead_filters = f.to_lead_filters().validated()

    def build(session: Session) -> Facts:
        return facts(session, actor, lead_filters)

    return build


def _with_metrics(uow: UnitOfWork, actor: Actor, f: AnalyticsFilters, shape: Callable[[dict[str, Any]], T]) -> T:
    """A manager-only read shaped from the one metrics pass."""
    ensure_manager(actor, "read analytics")
    sources = _facts_for(actor, f)
    with uow:
        m = q.lead_metrics(uow.session, sources(uow.session), since=_week_start(None), dialect=uow.dialect)
    return shape(m)


def _snapshot(session: Session, dialect: str) -> None:
    """Make the rest of this transaction one read-only snapshot. SQLite's deferred read transaction already is
    one (WAL keeps it stable until the transaction ends); PostgreSQL needs REPEATABLE READ for that."""
    if dialect == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True})


def _days_start(now: datetime | None, days: int) -> date:
    """The first UTC day of the ``days`` days ending with today (``now``'s day)."""
    return utc(now).date() - timedelta(days=days - 1)


def _week_start(now: datetime | None) -> date:
    return _days_start(now, 7)


def _check_range(name: str, value: int, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{name} must be a whole number from {low} to {high:,}", field=name)


def _check_period(period: str) -> None:
    if period not in PERIODS:
        raise InvalidInput(f"period must be one of {', '.join(PERIODS)}, got '{period}'", field="period")


