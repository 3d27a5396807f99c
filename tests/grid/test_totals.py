"""The grid's totals are true: exact past the page's own count (rollups, bounded count), "about N" only from a real
estimate; on real SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, text

from leadcore.grid import selection, totals
from leadcore.grid.filters import UNASSIGNED, LeadFilters
from leadcore.grid.listing import list_leads
from leadcore.leads.bulk import BulkChange, bulk_update


@pytest.fixture
def crowd(db: Any, make: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A manager's team with 60 leads (20 CONTACTED, 10 tagged), and the page's own count lowered to 5 so every
    total below goes past it."""
    monkeypatch.setattr(totals, "PAGE_COUNT", 5)
    manager = make.user("manager")
    ids = make.leads(manager, 60)
    bulk_update(db.uow(), manager, ids[:20], BulkChange(status="CONTACTED"))
    bulk_update(db.uow(), manager, ids[10:20], BulkChange(add_tags=("vip",)))
    bulk_update(db.uow(), manager, ids[55:], BulkChange(delete=True))
    return manager


def _bounded_counts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per bounded count of matching leads that a total runs (``totals.capped_count``)."""
    counts: list[int] = []
    real = totals.capped_count
    monkeypatch.setattr(totals, "capped_count", lambda *a, **k: counts.append(1) or real(*a, **k))
    return counts


def _past_a_small_search_budget(db: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A first search window of 10 leads and a search budget of 7, so a search matching most of the crowd goes past
    it, with fresh planner statistics on PostgreSQL (the planner knows how many leads the walk goes through); the
    bounded counts the totals then run (``_bounded_counts``)."""
    from leadcore.grid import search

    monkeypatch.setattr(search, "SEARCH_WALK", 10)
    monkeypatch.setattr(totals, "SEARCH_BUDGET", 7)
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE leads"))
    return _bounded_counts(monkeypatch)


@pytest.mark.parametrize(("filters", "expected"), [
    (LeadFilters(), 55),
    (LeadFilters(statuses=("CONTACTED",)), 20),
    (LeadFilters(statuses=("NEW",)), 35),
    (LeadFilters(tags=("vip",)), 10),
    (LeadFilters(owner_ids=(UNASSIGNED,)), 55),
    (LeadFilters(q="person"), 55),
    (LeadFilters(q="person", statuses=("CONTACTED",)), 20),
    (LeadFilters(deleted=True), 5),
])
def test_totals_past_the_page_count_are_exact(db: Any, crowd: Any, filters: LeadFilters, expected: int) -> None:
    page = list_leads(db.uow(), crowd, filters, limit=3)
    assert (page.total, page.total_is_estimate) == (expected, False)
    assert selection.count_matching(db.uow(), crowd, filters) == expected


def test_a_score_range_is_exact_past_the_budget_from_the_score_rollup(db: Any, crowd: Any,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A status + score range total is a sum of lead_score_rollup counters (migration 0023; SQLite keeps them since
    0025), never an estimate and never a count of leads, on both engines."""
    monkeypatch.setattr(totals, "EXACT_BUDGET", 7)
    counts = _bounded_counts(monkeypatch)
    summed: list[int] = []
    rollup_total = totals.rollup_total
    monkeypatch.setattr(totals, "rollup_total", lambda *a, **k: summed.append(rollup_total(*a, **k)) or summed[-1])
    for f, expected in ((LeadFilters(statuses=("NEW",), score_min=0, score_max=100), 35),
                        (LeadFilters(statuses=("CONTACTED",), types=("INDIVIDUAL", "COMPANY"), score_min=0), 20),
                        (LeadFilters(statuses=("REJECTED",), score_min=0), 0)):
        page = list_leads(db.uow(), crowd, f, limit=3)
        assert (page.total, page.total_is_estimate) == (expected, False), f
    assert (counts, summed) == ([], [35, 20, 0])  # an empty page carries no count: the rollup has it too


def test_a_page_past_the_end_still_knows_the_total(db: Any, crowd: Any) -> None:
    page = list_leads(db.uow(), crowd, LeadFilters(), limit=10, offset=500)
    assert page.items == [] and (page.total, page.total_is_estimate) == (55, False)


def test_past_the_exact_budget_postgresql_estimates_and_sqlite_counts(db: Any, crowd: Any,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(totals, "EXACT_BUDGET", 7)
    page = list_leads(db.uow(), crowd, LeadFilters(tags=("vip",)), limit=3)
    if db.engine.dialect.name == "postgresql":  # the planner's figure, never below what was already counted
        assert page.total_is_estimate and page.total >= 8
    else:
        assert (page.total, page.total_is_estimate) == (10, False)
    # a filter the rollups key stays exact at any size
    page = list_leads(db.uow(), crowd, LeadFilters(statuses=("NEW",)), limit=3)
    assert (page.total, page.total_is_estimate) == (35, False)


@pytest.mark.parametrize(("estimate", "at_least", "expected"), [
    (480_123.0, 100_001, 480_000), (1234.0, 10, 1200), (99.0, 5, 99), (50.0, 120, 120), (0.0, 0, 0),
])
def test_about_reads_like_a_person_would_say_it(estimate: float, at_least: int, expected: int) -> None:
    assert totals.about(estimate, at_least) == expected


def test_a_common_search_past_the_budget_is_about_n_without_counting_on_postgresql(
        db: Any, crowd: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every lead of the first window matches, so the walk's share says far more than SEARCH_BUDGET match: the
    total is "about N" from the sample of leads at once, never below what the page saw.
    Under the budget the same search is counted."""
    counts = _past_a_small_search_budget(db, monkeypatch)
    page = list_leads(db.uow(), crowd, LeadFilters(q="person"), limit=3)
    if db.engine.dialect.name == "postgresql":
        assert page.total_is_estimate and 10 <= page.total <= 100 and counts == []
    else:  # SQLite has no estimate: it counts
        assert (page.total, page.total_is_estimate) == (55, False)
    monkeypatch.setattr(totals, "SEARCH_BUDGET", 1_000)
    page = list_leads(db.uow(), crowd, LeadFilters(q="person"), limit=3)
    assert (page.total, page.total_is_estimate) == (55, False)


def test_a_common_search_in_the_trash_past_the_budget_is_about_n_too(db: Any, crowd: Any,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample of leads holds active leads only: in the trash the walk's first guess gives "about N" (never
    the budget plus one, which counting up to the budget would say)."""
    ids = [r["id"] for r in list_leads(db.uow(), crowd, LeadFilters(), limit=100).items]
    bulk_update(db.uow(), crowd, ids, BulkChange(delete=True))
    counts = _past_a_small_search_budget(db, monkeypatch)
    page = list_leads(db.uow(), crowd, LeadFilters(q="person", deleted=True), limit=3)
    if db.engine.dialect.name == "postgresql":
        assert page.total_is_estimate and 30 <= page.total <= 120 and counts == [], (page.total, counts)
    else:  # SQLite counts
        assert (page.total, page.total_is_estimate) == (60, False)


@pytest.mark.parametrize("sort", ["score", "name", "created", "updated"])
def test_a_search_first_page_is_counted_with_the_page_on_sqlite(db: Any, crowd: Any, monkeypatch: pytest.MonkeyPatch,
                                                                sort: str) -> None:
    """SQLite counts a search's matches in the first page's own statement (one pass over the matches, not two);
    the page is the first rows of the same order as the next pages."""
    searches: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "leads_search MATCH" in statement:
            searches.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        first = list_leads(db.uow(), crowd, LeadFilters(q="person"), limit=3, sort=sort)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert (first.total, first.total_is_estimate, len(first.items)) == (55, False, 3)
    if db.engine.dialect.name == "sqlite":
        assert len(searches) == 1, searches
    rest = list_leads(db.uow(), crowd, LeadFilters(q="person"), limit=100, sort=sort, cursor=first.next_cursor)
    everything = list_leads(db.uow(), crowd, LeadFilters(q="person"), limit=100, sort=sort, with_total=False)
    assert [x["id"] for x in first.items + rest.items] == [x["id"] for x in everything.items]
