"""A common PostgreSQL search's "about N" comes from a fixed sample of leads read from ix_leads_search_sample
(leadcore.grid.search.sampled_matches): the index serves it, and the sample is spread over the whole table, so a
term whose matches came in one import is estimated as well as one spread evenly."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select, text

from leadcore.accounts.actors import Actor
from leadcore.db import prepared
from leadcore.db.models import Lead
from leadcore.db.prepared import driver_rows
from leadcore.db.runtime import Database
from leadcore.grid import search
from leadcore.grid.clauses import bound_values
from leadcore.grid.filters import LeadFilters
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.matcher import SearchContext, save_batch
from tests.conftest import Factory

# One import of 600 "Acme" people between two imports of others: the matches sit together in the table.
BATCHES = [("Other", 1_400), ("Acme", 600), ("Other", 1_000)]


@pytest.fixture
def crowd(pg_db: Database) -> Actor:
    actor = Factory(pg_db).user("manager")
    n = 0
    for company, size in BATCHES:
        with pg_db.uow() as uow:
            save_batch(uow.session, actor, [LeadCandidate(lead_name=f"Person {n + i}", email=f"p{n + i}@x{n + i}.io",
                                                          company=f"{company} Co", status=("NEW", "CONTACTED")[i % 2])
                                            for i in range(size)], SearchContext(query=company))
            uow.commit()
        n += size
    with pg_db.engine.connect() as conn:  # as autovacuum would (index-only scans need the visibility map)
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE leads"))
    return actor


def _values(actor: Actor, f: LeadFilters) -> tuple[dict[str, object], dict[str, object]]:
    v = bound_values("postgresql", actor, f)
    others = {k: x for k, x in v.items() if k not in ("q_pattern", "fts_phrase")}
    return v, others


def _expected(db: Database, actor: Actor, f: LeadFilters, rows: int) -> tuple[int, int]:
    """(matches, leads) in the sample as its definition says, computed here from every lead of the team: one in
    SAMPLE_EVERY by the hash of its id, the first ``rows`` of them in hash order; of those, the ones the other
    filters keep."""
    with db.uow() as uow:
        leads = uow.session.execute(select(func.hashint8(Lead.id), Lead.company, Lead.status)
                                    .where(Lead.team_id == actor.team_id, Lead.is_active)).all()
    sampled = sorted(lead for lead in leads if lead[0] % search.SAMPLE_EVERY == 0)[:rows]
    kept = [company for _, company, status in sampled if not f.statuses or status in f.statuses]
    return sum((f.q or "") in company.lower() for company in kept), len(kept)


@pytest.mark.parametrize("rows", [search.SAMPLE_ROWS, 60])
@pytest.mark.parametrize(("f", "exact"), [
    (LeadFilters(q="acme"), 600),
    (LeadFilters(q="other co"), 2_400),
    (LeadFilters(q="acme", statuses=("CONTACTED",)), 300),
])
def test_the_sample_is_what_its_definition_says(pg_db: Database, crowd: Actor, monkeypatch: pytest.MonkeyPatch,
                                                f: LeadFilters, exact: int, rows: int) -> None:
    """The share of matches among the sampled leads (every one of them, or the first ``rows`` in hash order) times
    the planner's count of the leads searched; close to the true count, within the sample's own spread."""
    monkeypatch.setattr(search, "SAMPLE_ROWS", rows)
    monkeypatch.setattr(prepared, "_STATEMENTS", {})  # the limit is a literal of the compiled statement
    v, others = _values(crowd, f)
    with pg_db.uow() as uow:
        walked = search.estimated_matches(uow.session, replace(f, q=None), others)
        estimate = search.sampled_matches(uow.session, f, v, others=others, walked=walked)
    hits, seen = _expected(pg_db, crowd, f, rows)
    assert seen <= rows and estimate == pytest.approx(hits / seen * walked)
    share = exact / walked
    assert abs(hits / seen - share) <= 4 * (share * (1 - share) / seen) ** 0.5  # four standard deviations


def test_a_sample_with_nothing_in_it_says_zero_so_the_search_is_counted(pg_db: Database, crowd: Actor) -> None:
    f = LeadFilters(q="acme", statuses=("QUALIFIED",))  # none of the crowd
    v, others = _values(crowd, f)
    with pg_db.uow() as uow:
        assert search.sampled_matches(uow.session, f, v, others=others, walked=1_000.0) == 0.0


@pytest.mark.parametrize("f", [
    LeadFilters(q="acme"),
    LeadFilters(q="acme", statuses=("NEW", "CONTACTED"), types=("INDIVIDUAL",), owner_ids=(1, 0), tags=("vip",),
                score_min=10, score_max=90, created_from=date(2026, 1, 1), created_to=date(2030, 1, 1), search_id=1,
                search_query="Acme", imported=False),
], ids=["no filter", "every filter"])
def test_the_sample_reads_its_index_alone(pg_db: Database, crowd: Actor, f: LeadFilters) -> None:
    """The partial index is only usable when the query states its condition with the same literals (migration
    0027); it holds every column a filter tests, so the sample never reads the table (an index-only scan)."""
    v, others = _values(crowd, f)
    with pg_db.uow() as uow:
        s = uow.session
        compiled = search.sample_counts(s, f, others).compile(dialect=s.get_bind().dialect)
        s.execute(text("SET LOCAL enable_seqscan = off"))  # nothing but an index could serve it
        s.execute(text("SET LOCAL enable_bitmapscan = off"))
        plan = "\n".join(r[0] for r in driver_rows(s, "EXPLAIN " + compiled.string, dict(compiled.params) | v))
    assert "Index Only Scan using ix_leads_search_sample" in plan, plan
