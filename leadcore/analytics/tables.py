"""The Analytics page's tables: the aggregated rows of :mod:`leadcore.analytics.queries` shaped into plain dicts.

Python here only touches aggregates (one metrics row, a handful of groups, users, searches), never lead rows.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from leadcore.analytics import queries as q
from leadcore.analytics.facts import Facts
from leadcore.analytics.queries import STAGE_STATUSES, STAGES, as_float, utc
from leadcore.events import EVENT_KINDS
from leadcore.grid.filters import UNASSIGNED
from leadcore.intake.candidates import LEAD_TYPES, STATUSES

NO_QUERY = "(no query)"
MAX_FILLED_PERIODS = 3_700  # about ten years of days; a wider range is shown from the first to the last lead


def ratio(part: int, whole: int, digits: int = 4) -> float | None:
    """``part / whole`` rounded; None (not 0) when there is nothing to divide by."""
    return round(part / whole, digits) if whole else None


def summary(m: dict[str, Any]) -> dict[str, Any]:
    total, imported = int(m["total"]), int(m["imported"])
    return {
        "total": total,
        "new_this_week": int(m["recent"]),
        "average_score": as_float(m["avg_score"]),
        "imported": imported,
        "imported_pct": ratio(imported * 100, total, 1),
        "status_counts": {status: int(m[f"n_{status}"]) for status in STATUSES},
    }


def funnel(m: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    previous: int | None = None
    for stage in STAGES:
        reached = sum(int(m[f"n_{status}"]) for status in STAGE_STATUSES[stage])
        out.append(
            {
                "stage": stage,
                "reached": reached,
                "conversion": None if previous is None else ratio(reached, previous),
                "drop_off": 0 if previous is None else previous - reached,
                "statuses": STAGE_STATUSES[stage],
            }
        )
        previous = reached
    return out


def by_status(m: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"status": s, "count": int(m[f"n_{s}"]), "avg_score": as_float(m[f"avg_{s}"])} for s in STATUSES]


def by_type(m: dict[str, Any], types: tuple[str, ...]) -> list[dict[str, Any]]:
    """Both types, or only the ones the filter asks for."""
    kinds = [t for t in LEAD_TYPES if not types or t in types]
    return [{"type": t, "count": int(m[f"n_{t}"]), "avg_score": as_float(m[f"avg_{t}"])} for t in kinds]


def imports(m: dict[str, Any]) -> dict[str, Any]:
    total, imported = int(m["total"]), int(m["imported"])
    return {
        "total": total,
        "imported": imported,
        "rate": ratio(imported, total),
        "avg_days_to_import": as_float(m["import_days"]),
        "contacts_created": int(m["contacts_created"]),
        "companies_created": int(m["companies_created"]),
    }


def conversion(session: Session, facts: Facts, *, min_sample: int, limit: int) -> list[dict[str, Any]]:
    out = []
    for r in q.by_query(session, facts, min_sample=min_sample, limit=limit):
        found = int(r["found"])
        out.append(
            {
                "query": r["search_query"] if r["search_query"] is not None else NO_QUERY,
                "search_query": r["search_query"],  # None for "(no query)": the grid cannot filter on a missing query
                "found": found,
                "contacted": int(r["contacted"]),
                "qualified": int(r["qualified"]),
                "imported": int(r["imported"]),
                "rate": ratio(int(r["imported"]), found),
                "qualified_rate": ratio(int(r["qualified"]), found),
                "avg_score": as_float(r["avg_score"]),
            }
        )
    return out


def distribution(session: Session, facts: Facts, *, bucket: int) -> list[dict[str, Any]]:
    counts = q.score_buckets(session, facts, bucket=bucket)
    starts = list(range(0, 100, bucket))
    out = []
    for i, start in enumerate(starts):
        end = 100 if i == len(starts) - 1 else start + bucket - 1
        out.append(
            {"bucket": start, "score_min": start, "score_max": end, "label": f"{start}–{end}",
             "count": counts.get(start, 0)}
        )
    return out


def over_time(
    session: Session,
    facts: Facts,
    *,
    created_from: date | None,
    created_to: date | None,
    period: str,
) -> list[dict[str, Any]]:
    counts = q.created_per_period(session, facts, period=period)
    step = timedelta(days=1 if period == "day" else 7)

    def start_of(d: date) -> date:
        return d if period == "day" else d - timedelta(days=d.weekday())

    # Zeros across the filter's range make gaps visible; without a range the data's own span is used.
    first = created_from or (min(counts) if counts else None)
    last = created_to or (max([utc(None).date(), *counts]) if created_from else max(counts, default=None))
    if first is None or last is None:
        return []
    first, last = start_of(first), start_of(last)
    if (last - first) / step > MAX_FILLED_PERIODS:
        if not counts:
            return []
        first, last = min(counts), max(counts)
    out = []
    day = first
    while day <= last:
        out.append({"period_start": day, "period_end": day + step - timedelta(days=1), "count": counts.get(day, 0)})
        day += step
    return out


def people(owner_ids: tuple[int, ...]) -> tuple[int, ...] | None:
    """The people an owner filter names (None: everyone; the unassigned marker names nobody)."""
    return tuple(o for o in owner_ids if o != UNASSIGNED) if owner_ids else None


def reps(session: Session, facts: Facts, *, owner_ids: tuple[int, ...], since: date) -> list[dict[str, Any]]:
    """Team members (only the filtered owners, when the filter names any), busiest first."""
    users = q.team_users(session, facts.team_id, user_ids=people(owner_ids))
    owned = q.owned(session, facts)
    events = q.events_by_user(session, facts, since=since)
    out = []
    for u in users:
        kinds = events.get(u["user_id"], {})
        row: dict[str, Any] = {**u, "leads_owned": owned.get(u["user_id"], 0)}
        row.update({kind: kinds.get(kind, 0) for kind in EVENT_KINDS})
        row["total_events"] = sum(kinds.values())
        out.append(row)
    out.sort(key=lambda r: (-r["total_events"], r["name"] or "", r["user_id"]))
    return out


def searches(session: Session, team_id: int, *, limit: int) -> list[dict[str, Any]]:
    out = []
    for r in q.recent_searches(session, team_id, limit=limit):
        returned = int(r["returned"] or 0)
        out.append({**r, "yield": ratio(int(r["saved"] or 0), returned),
                    "duplicate_rate": ratio(int(r["duplicates"] or 0), returned)})
    return out
