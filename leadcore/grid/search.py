"""Free-text search on PostgreSQL: the first page of matches in sort order in at most two bounded steps, and a
total that is exact when counting is cheap and "about N" otherwise (see ``search_page`` and ``search_total``)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from sqlalchemy import Integer, Select, and_, bindparam, func, literal, literal_column, select, text, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.util import ClauseAdapter

from leadcore.db.models import Lead
from leadcore.db.prepared import driver_rows, run, statement_for
from leadcore.grid import totals
from leadcore.grid.clauses import (
    PAGE_COLUMNS,
    SEARCH_TEXT,
    SEARCHED,
    SEARCHED_COLUMNS,
    SORTS,
    after_cursor,
    filter_shape,
    ilike_any,
    ordered,
    ordered_by,
    ordered_on,
    owner_name,
    rows_of,
    text_search,
    where_clause,
)
from leadcore.grid.filters import LeadFilters
from leadcore.scoring.rules import MAX_SCORE

# PostgreSQL text search first looks for the page among this many leads in sort order (see search_page).
SEARCH_WALK = 2_000


# ... and when that finds too few, walks on in score order if the planner expects more matches than this (see
# search_page); fewer are all collected through the trigram index and sorted.
SEARCH_COMMON = 20_000


# ix_leads_search_bands files each lead's trigrams under its score band: 0–4, 5–9, …, 100 (migration 0024).
BAND_WIDTH = 5


_ASCII_RUN = re.compile(r"[A-Za-z0-9]{3,}")


def band_trigrams(term: str) -> list[str]:
    """The trigrams a lead's search text has whenever it contains ``term``: those inside the term's runs of three or
    more ASCII letters and digits, lowercased. pg_trgm keeps such a trigram as itself (not hashed, as it does with
    other characters), and a run lies inside one word of any text containing the term, so the trigram is in the
    text's own. Empty for a term without such a run: the band index cannot be asked then."""
    return sorted({run[i:i + 3] for run in map(str.lower, _ASCII_RUN.findall(term)) for i in range(len(run) - 2)})


# The highest band, at or below the cursor's (:start), that holds a match: one bitmap probe of the band index per
# band for the term's trigrams (:trigrams, band_trigrams joined by commas), from the top down, stopping at the first
# band that holds one. A band without a match costs a few index pages. The OFFSET 0 fence leaves the planner one
# condition inside, the band index's own, so the index is the only way in that does not compute the bands of every
# lead (whose cost the band function's COST makes plain): the team and the LIKE are checked on what it finds. The
# team was a filter on those rows anyway; inside, a stale estimate of a team's leads could pick its index instead.
# Nor can the planner ask the trigram index for the LIKE: for a common term that is every match, read to find one.
BAND_PROBE = text("""
SELECT band FROM generate_series(CAST(:start AS integer), 0, -1) AS band
WHERE EXISTS (SELECT 1 FROM (SELECT team_id, search_text FROM leads
                             WHERE leads_search_bands(lead_score, search_text) COLLATE "C" @> string_to_array(
                                       band::text || ':' || replace(:trigrams, ',', ',' || band::text || ':'), ',')
                               AND is_active OFFSET 0) AS candidate
              WHERE team_id = :team_id AND search_text LIKE lower(:q_pattern) ESCAPE '\\')
LIMIT 1""")


# A common search's "about N" is the share of matches among at most SAMPLE_ROWS leads: one in SAMPLE_EVERY, by a hash
# of their id (not the id itself: a pattern in the order leads were saved would show through), first in the order
# of that hash (ix_leads_search_sample, migration 0027: the literals must stay as they are written there, or the
# planner cannot use the partial index).
SAMPLE_EVERY = 16
SAMPLE_ROWS = 8_000
SAMPLED = literal_column(f"hashint8(leads.id) % {SAMPLE_EVERY}") == literal_column("0")
SAMPLE_ORDER = func.hashint8(Lead.id)
# Every column the grid's filters test (leadcore.grid.clauses.where_clause): the index holds them all, so a filtered
# search's sample is read from the index alone too.
SAMPLE_COLUMNS = (Lead.team_id, Lead.is_active, Lead.status, Lead.type, Lead.owner_id, Lead.tags, Lead.lead_score,
                  Lead.created_at, Lead.imported, Lead.search_id, Lead.search_query)


def search_total(session: Session, f: LeadFilters, v: dict[str, Any], *, at_least: int, density: float | None
                 ) -> tuple[int, bool]:
    """A PostgreSQL free-text search's total past what its page saw. Each match costs a trigram recheck of a table
    row, so the matches are counted only when they are expected to be at most SEARCH_BUDGET; more are "about N" at
    once. When the page came from the first window (``density``: the share of its leads that matched, at least 1
    in 100), that share times the leads walked is a quick first guess. It runs high, because the best-scored leads
    are the most complete ones, so it only decides that counting is cheap. Past the budget, a fixed sample of the
    team's leads gives the estimate (``sampled_matches``; in the trash, which the sample leaves out, the first
    guess stays). Otherwise the planner's estimate is used: close for
    fragments common enough to be in the trigram statistics, such as "gmail"; far too low for most names."""
    if density is None:
        estimate = estimated_matches(session, f, v)
    else:
        others = {name: value for name, value in v.items() if name not in ("q_pattern", "fts_phrase")}
        walked = estimated_matches(session, replace(f, q=None), others)
        estimate = density * walked
        if estimate > totals.SEARCH_BUDGET and not f.deleted:  # the sample holds active leads: the trash keeps
            estimate = sampled_matches(session, f, v, others=others, walked=walked)  # the first guess
    if estimate <= totals.SEARCH_BUDGET:
        n, over = totals.capped_count(session, where_clause(session, f, v), totals.SEARCH_BUDGET)
        if not over:
            return n, False
        at_least = max(at_least, n + 1)  # more than the budget, however low the estimate
    return totals.about(estimate, at_least), True


def search_page(session: Session, f: LeadFilters, v: dict[str, Any], sort: str
                 ) -> tuple[list[dict[str, Any]], int, bool, float | None]:
    """The first ``v["limit"]`` text-search matches in sort order, on PostgreSQL, in at most two bounded steps; with
    how many matches were seen, whether that is all of them (else it is a lower bound of the total) and, when the
    page came from the first window, the share of its leads that matched (see ``search_total``).

    Left to itself the planner either walks the sort index until enough rows match — fast when many do, but
    through half the table when the matches sit low in the sort (a term like "gmail" among low scores) — or
    collects every match through the trigram index and sorts them, fast only when few do. So: first the best
    matches among the next SEARCH_WALK leads in sort order; if those hold enough matches they are the page (any
    lead further down sorts after all of them), and the matches counted in that window are a lower bound of the
    total: counting them all would cost what the walk avoided. Otherwise, when the planner expects more than
    SEARCH_COMMON matches and the walk reads ix_leads_team_score alone (score order, no other filter), the walk
    goes on until the page is full: the matches are many, so it ends long before the table does, and each step costs
    an index entry rather than a table row. Else every match, found through the trigram index (the OFFSET 0 fence
    keeps the planner from turning that back into a walk), is counted and sorted for the page in one statement."""
    term = (f.q or "").strip()
    v = v | {"walk": SEARCH_WALK}
    shape = (sort, *filter_shape(f, v))
    rows = run(session, ("search-walk", *shape), lambda: _walk_page(session, f, v, sort, term, counted=True), v)
    if len(rows) == v["limit"]:
        return rows, int(rows[0]["matches"]), False, int(rows[0]["matches"]) / SEARCH_WALK
    if sort == "score" and replace(f, q=None) == LeadFilters() and \
            estimated_matches(session, f, v) > SEARCH_COMMON:
        top = highest_match_band_top(session, term, v)
        if top is None:
            return [], 0, True, None
        rows = run(session, ("search-on", *shape), lambda: _walk_page(session, f, v, sort, term, counted=False,
                                                                      below=True),
                   v | {"walk": None, "band_top": top})  # LIMIT NULL: no window; a short page is every match
        return rows, len(rows), len(rows) < v["limit"], None

    def found() -> Select[Any]:
        matches = select(*PAGE_COLUMNS).where(*_unsearched(session, f, v, sort), text_search(session, term,
                                               bindparam("q_pattern"))).offset(0).subquery()
        return _matches_page(matches, true(), sort)

    rows = run(session, ("search-all", *shape), found, v)
    return rows, int(rows[0]["matches"]) if rows else 0, True, None


def _walk_page(session: Session, f: LeadFilters, v: dict[str, Any], sort: str, term: str, *, counted: bool,
               below: bool = False) -> Select[Any]:
    """The best matches among the next ``walk`` leads in sort order (all of them when ``walk`` is NULL), with how
    many matched in that window when ``counted``; ``below``: from score ``band_top`` down. The walk reads the sort
    key, id and the stored search text only (ix_leads_team_score holds them all); the page's other columns are read
    for its rows alone."""
    sort_column, _ = SORTS[sort]
    searched = SEARCHED_COLUMNS if "\n" in term else (SEARCH_TEXT.label("search_text"),)
    walk = select(Lead.id, sort_column.label("sort_key"), *searched).where(*_unsearched(session, f, v, sort))
    if below:
        walk = walk.where(Lead.lead_score <= bindparam("band_top", type_=Integer))
    window = ordered(walk, sort).limit(bindparam("walk", type_=Integer)).subquery()
    hits = select(window.c.id, window.c.sort_key, *([func.count().over().label("matches")] if counted else [])) \
        .where(_text_search_on(window, term))
    return rows_of(ordered_by(hits, window.c.sort_key, window.c.id, sort)
                   .limit(bindparam("limit", type_=Integer)).subquery(), sort)


def highest_match_band_top(session: Session, term: str, v: dict[str, Any]) -> int | None:
    """The top score of the highest score band, at or below the cursor, that holds a match of ``term`` (bound in
    ``v``), from the band index; None when no band does. A term the index cannot answer (no band_trigrams) gets the
    top score: the walk starts where it would have. So a term whose matches all score low (every free-mail
    address, which scoring counts against a lead) starts its walk among them, not at the top: each band above costs
    a probe of a few index pages instead of a walk through every lead in it. The probe's LIKE is the joined text's,
    also for a term with a newline (whose filter tests the fields one by one): it can only find a band too high,
    never skip one that holds a match."""
    start = _start_score(v)
    values = band_probe_values(term, v)
    if values is None:
        return start
    band = session.execute(BAND_PROBE, values).scalar()
    return None if band is None else min(int(band) * BAND_WIDTH + BAND_WIDTH - 1, start)


def band_probe_values(term: str, v: dict[str, Any]) -> dict[str, Any] | None:
    """BAND_PROBE's bound values for ``term`` (``v``: the search's), starting at the cursor's band; None when the
    term has no band_trigrams to ask for."""
    trigrams = band_trigrams(term)
    if not trigrams:
        return None
    return {"start": _start_score(v) // BAND_WIDTH,
            "trigrams": ",".join(trigrams), "team_id": v["team_id"], "q_pattern": v["q_pattern"]}


def _start_score(v: dict[str, Any]) -> int:
    """The score a search in score order goes on from: the cursor's, or the top."""
    return min(int(v.get("after_value", MAX_SCORE)), MAX_SCORE)


def estimated_matches(session: Session, f: LeadFilters, v: dict[str, Any]) -> float:
    """The planner's estimate of how many leads match ``f`` (from the statistics of the stored search text):
    one quick round trip, nothing read."""
    compiled = statement_for(session, ("search-estimate", *filter_shape(f, v)),
                              lambda: select(literal(1)).select_from(Lead).where(where_clause(session, f, v)))
    plan: Any = driver_rows(session, "EXPLAIN (FORMAT JSON) " + (compiled.sql or ""), compiled.constants | v)[0]
    return float(plan[0][0]["Plan"]["Plan Rows"])


def _unsearched(session: Session, f: LeadFilters, v: dict[str, Any], sort: str) -> list[ColumnElement[bool]]:
    """The search's other filters and its keyset cursor."""
    return [where_clause(session, replace(f, q=None), v), *([after_cursor(sort, v)] if "after_id" in v else [])]


def _matches_page(rows: Any, where: ColumnElement[bool], sort: str) -> Select[Any]:
    """The first ``limit`` of a subquery's rows in sort order, with their owners' names and how many there are."""
    q = select(*rows.c, owner_name(rows.c.owner_id), func.count().over().label("matches")).where(where)
    return ordered_on(q, rows, sort).limit(bindparam("limit", type_=Integer))


def _text_search_on(rows: Any, term: str) -> ColumnElement[bool]:
    """The text search over a subquery's columns (see _walk_page; no index involved), as on the leads table."""
    pattern: Any = bindparam("q_pattern")
    if "\n" not in term:
        return rows.c.search_text.like(func.lower(pattern), escape="\\")
    return ilike_any(pattern, *(rows.c[f] for f in SEARCHED))


def sampled_matches(session: Session, f: LeadFilters, v: dict[str, Any], *, others: dict[str, Any], walked: float
                    ) -> float:
    """How many leads match ``f``: the share of matches among the sampled leads that meet its other filters (bound
    by ``others``; ``walked``: the planner's estimate of how many leads meet them), times ``walked``. The sample is
    one active lead in SAMPLE_EVERY by a hash of its id, the first SAMPLE_ROWS of them in the order of that hash:
    the same leads every time (the figure does not jump between reruns), spread over the whole table rather than
    clustered by import, and read from ix_leads_search_sample alone, which holds every column a filter tests (an
    index-only scan of SAMPLE_ROWS entries whatever the filters; active leads only, so not for the trash). None of
    them meets the filters (a filter that keeps few leads): 0, so the caller counts, up to its budget."""
    row = run(session, ("search-sample", *filter_shape(f, v)), lambda: sample_counts(session, f, others), v)[0]
    return float(row["hits"] / row["seen"] * walked) if row["seen"] else 0.0


def sample_counts(session: Session, f: LeadFilters, others: dict[str, Any]) -> Select[Any]:
    """Among the sampled leads (see sampled_matches), how many meet ``f``'s other filters (``seen``) and how many of
    those also match its search (``hits``)."""
    term = (f.q or "").strip()
    searched = SEARCHED_COLUMNS if "\n" in term else (SEARCH_TEXT.label("search_text"),)
    sampled = (select(*searched, *SAMPLE_COLUMNS)
               .where(Lead.team_id == bindparam("team_id"), Lead.is_active, SAMPLED)
               .order_by(SAMPLE_ORDER).limit(SAMPLE_ROWS).subquery())
    kept = ClauseAdapter(sampled).traverse(where_clause(session, replace(f, q=None), others))
    hits: Any = func.count().filter(and_(kept, _text_search_on(sampled, term)))
    return select(hits.label("hits"), func.count().filter(kept).label("seen")).select_from(sampled)
