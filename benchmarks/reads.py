"""The grid, the analytics page and one inline edit, each through leadcore's own service function."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from benchmarks.database import BenchDatabase
from benchmarks.dataset import search_terms
from benchmarks.timing import Samples, sample
from leadcore.accounts.actors import Actor
from leadcore.analytics import dashboard
from leadcore.grid.clauses import encode_cursor
from leadcore.grid.filters import LeadFilters
from leadcore.grid.listing import list_leads
from leadcore.leads import edits

FILTERED = (
    LeadFilters(statuses=("NEW",), types=("INDIVIDUAL",), score_min=30, score_max=70),
    LeadFilters(statuses=("CONTACTED", "QUALIFIED"), types=("INDIVIDUAL",), score_min=50, score_max=100),
    LeadFilters(statuses=("QUALIFIED",), types=("COMPANY",), score_min=20, score_max=90),
)


def _middle_cursors(bench: BenchDatabase, actor: Actor, n: int) -> list[str]:
    """Keyset cursors for pages around the middle of the default sort (score, newest id first)."""
    out = []
    with bench.engine.connect() as conn:
        for k in range(-5, 6):
            offset = max(0, n // 2 + k * max(1, n // 200))
            row = conn.execute(
                text("SELECT lead_score, id FROM leads WHERE team_id = :t AND is_active "
                     "ORDER BY lead_score DESC, id DESC LIMIT 1 OFFSET :o"),
                {"t": actor.team_id, "o": offset},
            ).first()
            if row:
                out.append(encode_cursor(row[0], row[1]))
    return out


def middle_cursor(bench: BenchDatabase, actor: Actor, n: int) -> str:
    """The keyset cursor of the page in the very middle of the default sort."""
    cursors = _middle_cursors(bench, actor, n)
    return cursors[len(cursors) // 2]


def grid(bench: BenchDatabase, actor: Actor, n: int, *, budget_s: float) -> dict[str, Samples]:
    """First page, a keyset page near the middle, a filtered page and a free-text search, totals included."""
    uow = bench.db.uow
    cursors = _middle_cursors(bench, actor, n)
    terms = search_terms()

    def page(**kw: Any) -> None:
        p = list_leads(uow(), actor, **kw)
        assert p.items or kw.get("filters") is not None

    return {
        "first": sample(lambda i: page(filters=None), budget_s=budget_s),
        "deep": sample(lambda i: page(filters=None, cursor=cursors[i % len(cursors)]), budget_s=budget_s),
        "filtered": sample(lambda i: page(filters=FILTERED[i % len(FILTERED)]), budget_s=budget_s),
        "search": sample(lambda i: page(filters=LeadFilters(q=terms[i % len(terms)])), budget_s=budget_s,
                         min_n=len(terms)),
    }


def dashboard_page(bench: BenchDatabase, actor: Actor, *, budget_s: float) -> Samples:
    """Every query of the Analytics page (``dashboard``), unfiltered; no cache."""
    f = dashboard.AnalyticsFilters()
    return sample(lambda i: dashboard.dashboard(bench.db.uow(), actor, f), warmup=1, min_n=3, max_n=15,
                  budget_s=budget_s)


def analytics_page(bench: BenchDatabase, actor: Actor, *, budget_s: float) -> dict[str, Samples]:
    """The Analytics page (``dashboard_page``), and conversion by search query alone; no cache."""
    f = dashboard.AnalyticsFilters()
    return {
        "dashboard": dashboard_page(bench, actor, budget_s=budget_s),
        "conversion": sample(lambda i: dashboard.conversion_by_query(bench.db.uow(), actor, f), warmup=1, min_n=3,
                             max_n=15, budget_s=budget_s),
    }


def update(bench: BenchDatabase, actor: Actor, n: int, *, budget_s: float) -> Samples:
    """One inline edit (status and notes) with its version check and events, on leads spread over the table."""
    with bench.engine.connect() as conn:
        ids = [r[0] for r in conn.execute(
            text("SELECT id FROM leads WHERE team_id = :t AND is_active ORDER BY id"), {"t": actor.team_id}
        ).fetchall()[:: max(1, n // 60)]]
    versions: dict[int, int] = {}
    with bench.engine.connect() as conn:
        listed = ", ".join(str(i) for i in ids)
        for lead_id, version in conn.execute(text(f"SELECT id, version FROM leads WHERE id IN ({listed})")):
            versions[lead_id] = version
    statuses = ("CONTACTED", "QUALIFIED", "NEW")

    def edit(i: int) -> None:
        lead_id = ids[i % len(ids)]
        out = edits.update_lead(
            bench.db.uow(), actor, lead_id, {"status": statuses[i % 3], "notes": f"bench edit {i}"},
            expected_version=versions[lead_id],
        )
        versions[lead_id] = out["version"]

    return sample(edit, warmup=3, min_n=20, max_n=len(ids) * 2, budget_s=budget_s)
