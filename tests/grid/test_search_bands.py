"""PostgreSQL's band index (migration 0024): a search in score order asks it which score band holds the first match,
and walks from there. Whatever the index answers, the pages must be exactly the sorted matches; and the keys a term
asks for must be keys every text containing the term has, or a search would miss leads."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text, update

from leadcore.accounts.actors import Actor
from leadcore.accounts.users import _insert_user
from leadcore.db.models import Lead
from leadcore.db.runtime import Database
from leadcore.grid import search
from leadcore.grid.clauses import bound_values, filter_clause
from leadcore.grid.filters import LeadFilters
from leadcore.grid.listing import list_leads
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.matcher import SearchContext, save_batch


@pytest.fixture
def floor(pg_db: Database) -> Actor:
    """90 leads, scores 0–100; the free-mail ones (every third) score 23 at most, "Müller" ones 60–64."""
    with pg_db.uow() as uow:
        s = uow.session
        manager = _insert_user(s, email="m@x.io", password=None, role="manager", team_name="A", display_name="Mona")
        cands = [LeadCandidate(lead_name=f"{'Jo Müller' if i % 10 == 1 else 'Person'} {i:02d}",
                               email=f"p{i}@{'freemail.example' if i % 3 == 0 else f'corp{i}.io'}",
                               company="Ab%c_d Ltd" if i % 7 == 0 else f"Co {i % 4}")
                 for i in range(90)]
        ids = save_batch(s, manager.actor(), cands, SearchContext(query="q")).lead_ids
        for i, lead_id in enumerate(ids):
            score = i % 24 if i % 3 == 0 else 60 + i % 5 if i % 10 == 1 else (i * 37) % 101
            s.execute(update(Lead).where(Lead.id == lead_id).values(lead_score=score))
        uow.commit()
    return manager.actor()


def _reference(db: Database, actor: Actor, f: LeadFilters) -> list[int]:
    with db.uow() as uow:
        s = uow.session
        return list(s.scalars(select(Lead.id).where(filter_clause(s, actor, f))
                              .order_by(Lead.lead_score.desc(), Lead.id.desc())).all())


def _paged(db: Database, actor: Actor, f: LeadFilters) -> tuple[list[int], Any]:
    got: list[int] = []
    first = page = list_leads(db.uow(), actor, f, limit=4)
    while True:
        got += [x["id"] for x in page.items]
        if not page.next_cursor:
            return got, first
        page = list_leads(db.uow(), actor, f, limit=4, cursor=page.next_cursor)


@pytest.mark.parametrize("term", ["freemail", "FREEMAIL.example", "müller", "Jo Mü", "jo", "b%c_d", "zzqx", "p1"])
def test_a_common_search_in_score_order_pages_the_sorted_matches(pg_db: Database, floor: Actor,
                                                                 monkeypatch: pytest.MonkeyPatch, term: str) -> None:
    """SEARCH_COMMON 0 and a window of 2 send every search to the band probe and the walk below it: free mail sits
    in the bottom bands under 60 leads that do not match, "müller" in one band, "jo" has no trigram to ask for,
    "b%c_d" holds LIKE's wildcards, "zzqx" matches nothing."""
    monkeypatch.setattr(search, "SEARCH_COMMON", 0)
    monkeypatch.setattr(search, "SEARCH_WALK", 2)
    f = LeadFilters(q=term)
    want = _reference(pg_db, floor, f)
    got, first = _paged(pg_db, floor, f)
    assert got == want
    assert first.total == len(want) or (first.total_is_estimate and first.total <= len(want))


@pytest.mark.parametrize(("term", "cursor_score", "top"), [
    ("freemail", None, 24),  # 0–23: the band 20–24 is the highest holding one
    ("freemail", 12, 12),  # below a cursor at 12: its own band, capped at the cursor
    ("müller", None, 64),
    ("zzqx", None, None),  # no band holds a match
    ("jo", 40, 40),  # no trigram to ask the index for: walk from the cursor
])
def test_the_band_probe_finds_the_highest_band_holding_a_match(pg_db: Database, floor: Actor, term: str,
                                                                cursor_score: int | None, top: int | None) -> None:
    v = bound_values("postgresql", floor, LeadFilters(q=term)) | ({"after_value": cursor_score, "after_id": 0}
                                                      if cursor_score is not None else {})
    with pg_db.uow() as uow:
        assert search.highest_match_band_top(uow.session, term, v) == top


@pytest.mark.parametrize("term", ["freemail", "müller", "zzqx"])
def test_the_band_probe_reads_the_band_index_even_when_planned_for_its_values(pg_db: Database, floor: Actor,
                                                                             term: str) -> None:
    """A plan made for the probe's own values (a custom plan: every unprepared run, and a prepared statement's
    first five) must still read the band index. Computing the bands of every lead instead, once per band, took a
    probe from milliseconds to minutes under load: the band function's COST is what tells the planner. (With the
    table's statistics, as autovacuum keeps them: a table never analyzed looks like one row.)"""
    v = bound_values("postgresql", floor, LeadFilters(q=term))
    values = search.band_probe_values(term, v)
    assert values is not None
    with pg_db.uow() as uow:
        s = uow.session
        s.execute(text("ANALYZE leads"))
        s.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        plan = "\n".join(s.execute(text("EXPLAIN " + search.BAND_PROBE.text), values).scalars())
    assert "ix_leads_search_bands" in plan, plan
    assert "Seq Scan on leads" not in plan, plan


def test_our_postgresql_connections_never_jit_compile(pg_db: Database) -> None:
    """The probe's estimated cost (the band function's COST) passes jit_above_cost at a million leads: compiling it
    took 350 ms of a 2 ms probe. Every connection of ours turns JIT off, its schema (search_path) kept."""
    with pg_db.engine.connect() as conn:
        assert conn.execute(text("SHOW jit")).scalar() == "off"
        assert conn.execute(text("SELECT to_regclass('leads') IS NOT NULL")).scalar()


_texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)
# Letters that fold unevenly (final sigma, dotted I, the Kelvin sign, ligatures, a combining accent) beside ASCII.
_tricky = st.text(st.sampled_from(list("abcXYZ019 .@'-_%ßÜüİıKﬁσςΣ日本ǅ\u0301")), max_size=24)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text_=st.one_of(_texts, _tricky), start=st.integers(0, 40), length=st.integers(1, 20),
       score=st.integers(0, 100))
def test_a_term_asks_only_for_trigrams_every_text_containing_it_has(pg_db: Database, text_: str, start: int,
                                                                    length: int, score: int) -> None:
    """Any piece of any text, in any case and script, asks the band index only for keys that the index holds for
    the text's lead: otherwise a search would skip the band of a lead that matches."""
    term = text_[start:start + length]
    trigrams = search.band_trigrams(term)
    assert all(len(t) == 3 and t.isascii() and t.isalnum() and t == t.lower() for t in trigrams)
    if not trigrams:
        return
    band = score // search.BAND_WIDTH
    with pg_db.engine.connect() as conn:
        held = conn.execute(text("SELECT leads_search_bands(:score, lower(:t)) @> CAST(:keys AS text[])"),
                            {"score": score, "t": text_, "keys": [f"{band}:{t}" for t in trigrams]}).scalar()
    assert held, (text_, term, trigrams)


@pytest.mark.parametrize(("term", "trigrams"), [
    ("Gmail", ["ail", "gma", "mai"]),
    ("o'brien", ["bri", "ien", "rie"]),
    ("Jo Mü", []),
    ("Müller", ["ler", "lle"]),
    ("ab%cd_ef", []),
    ("x@ACME.io", ["acm", "cme"]),
    ("", []),
])
def test_band_trigrams_are_the_lowercased_trigrams_inside_ascii_runs(term: str, trigrams: list[str]) -> None:
    assert search.band_trigrams(term) == trigrams
