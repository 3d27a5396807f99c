"""The grid's statements are built once per filter shape and re-run with new values (PostgreSQL: on the driver's
cursor), and a text search for a common term walks on in score order: pages, totals, cursors and items must be
exactly what a fresh query gives, whichever cached statement or search step served them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text, update

from leadcore.accounts.actors import Actor
from leadcore.accounts.users import _insert_user
from leadcore.db.models import Lead
from leadcore.db.runtime import Database
from leadcore.grid import search
from leadcore.grid.clauses import SORTS, encode_cursor, filter_clause
from leadcore.grid.filters import UNASSIGNED, LeadFilters
from leadcore.grid.listing import list_leads
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.matcher import SearchContext, save_batch
from leadcore.leads.views import lead_dict

DAY0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
STATUSES = ("NEW", "CONTACTED", "QUALIFIED", "REJECTED")


@pytest.fixture
def team(db: Database) -> tuple[Actor, Actor]:
    """40 leads with every filtered field varied, owned by a manager, a rep or nobody; another team's lookalikes."""
    with db.uow() as uow:
        s = uow.session
        manager = _insert_user(s, email="m@x.io", password=None, role="manager", team_name="A", display_name="Mona")
        rep = _insert_user(s, email="r@x.io", password=None, role="rep", team_name="A", display_name="Rex")
        other = _insert_user(s, email="o@x.io", password=None, role="manager", team_name="B", display_name="O")
        cands = [LeadCandidate(type="COMPANY" if i % 5 == 0 else "INDIVIDUAL",
                               lead_name=None if i % 11 == 0 else f"{'Acme' if i % 3 else 'Gmail'} Person {i:02d}",
                               email=f"p{i}@{'gmail.com' if i % 4 == 0 else f'x{i}.io'}", company=f"Co {i % 7}",
                               tags=[("hot", "vip", "smb")[i % 3]] if i % 2 else [])
                 for i in range(40)]
        ids = save_batch(s, manager.actor(), cands, SearchContext(query="q1", source="demo")).lead_ids
        for i, lead_id in enumerate(ids):
            s.execute(update(Lead).where(Lead.id == lead_id).values(
                status=STATUSES[i % 4], lead_score=(i * 37) % 101, owner_id=(manager.id, rep.id, None)[i % 3],
                created_at=DAY0 + timedelta(days=i % 9), updated_at=DAY0 + timedelta(days=(i * 7) % 13),
                imported=i % 6 == 0, is_active=i % 13 != 0, search_query=("q1", "q2")[i % 2]))
        save_batch(s, other.actor(), cands[:5], SearchContext())
        uow.commit()
    return manager.actor(), rep.actor()


def _reference(db: Database, actor: Actor, f: LeadFilters, sort: str) -> list[dict[str, Any]]:
    """Every match in sort order as lead_dict, from a fresh ORM query."""
    col, desc = SORTS[sort]
    with db.uow() as uow:
        s = uow.session
        order = (col.desc(), Lead.id.desc()) if desc else (col.asc(), Lead.id.asc())
        leads = s.scalars(select(Lead).where(filter_clause(s, actor, f)).order_by(*order)).all()
        names = dict(s.execute(text("SELECT id, display_name FROM users")).all())
        return [lead_dict(x, owner_name=names.get(x.owner_id)) for x in leads]


def _pages(db: Database, actor: Actor, f: LeadFilters, sort: str, *, by: str) -> tuple[list[dict[str, Any]], int]:
    """Every page of ``f`` (limit 3), following keyset cursors or offsets; and the first page's total."""
    items: list[dict[str, Any]] = []
    first = list_leads(db.uow(), actor, f, sort=sort, limit=3)
    page = first
    while True:
        items += page.items
        assert page.owners == {x["owner_id"]: x["owner_name"] for x in page.items if x["owner_id"]}
        if len(page.items) < 3 or (by == "cursor" and not page.next_cursor):
            return items, first.total
        kw = {"cursor": page.next_cursor} if by == "cursor" else {"offset": len(items)}
        page = list_leads(db.uow(), actor, f, sort=sort, limit=3, **kw)


def _same_shape_pairs(rep_id: int, manager_id: int) -> list[tuple[LeadFilters, LeadFilters]]:
    """Pairs of filters that share a statement (same shape) with different values."""
    return [
        (LeadFilters(), LeadFilters(deleted=False)),
        (LeadFilters(statuses=("NEW",)), LeadFilters(statuses=("REJECTED",))),
        (LeadFilters(statuses=("NEW", "CONTACTED")), LeadFilters(statuses=("QUALIFIED", "REJECTED", "NEW"))),
        (LeadFilters(types=("COMPANY",)), LeadFilters(types=("INDIVIDUAL",))),
        (LeadFilters(owner_ids=(rep_id,)), LeadFilters(owner_ids=(manager_id,))),
        (LeadFilters(owner_ids=(rep_id, UNASSIGNED)), LeadFilters(owner_ids=(manager_id, UNASSIGNED))),
        (LeadFilters(owner_ids=(UNASSIGNED,)), LeadFilters(owner_ids=(UNASSIGNED,), deleted=False)),
        (LeadFilters(tags=("hot",)), LeadFilters(tags=("vip", "smb"))),
        (LeadFilters(score_min=10, score_max=60), LeadFilters(score_min=50, score_max=100)),
        (LeadFilters(created_from=date(2024, 3, 3)), LeadFilters(created_from=date(2024, 3, 7))),
        (LeadFilters(created_to=date(2024, 3, 3)), LeadFilters(created_to=date(2024, 3, 6))),
        (LeadFilters(search_query="q1"), LeadFilters(search_query="q2")),
        (LeadFilters(imported=True), LeadFilters(imported=True, statuses=("NEW", "QUALIFIED"))),
        (LeadFilters(q="acme"), LeadFilters(q="gmail")),
        (LeadFilters(q="person 1", statuses=("NEW",)), LeadFilters(q="co 3", statuses=("CONTACTED",))),
        (LeadFilters(deleted=True), LeadFilters(deleted=True, score_min=20)),
        (LeadFilters(statuses=("NEW", "CONTACTED"), types=("INDIVIDUAL",), tags=("hot",), score_min=5,
                     owner_ids=(rep_id, UNASSIGNED), created_from=date(2024, 3, 2), search_query="q1"),
         LeadFilters(statuses=("QUALIFIED", "REJECTED"), types=("COMPANY",), tags=("smb",), score_min=0,
                     owner_ids=(manager_id, UNASSIGNED), created_from=date(2024, 3, 1), search_query="q2")),
    ]


@pytest.mark.parametrize("sort", list(SORTS))
def test_each_filter_shape_rerun_with_other_values_pages_like_a_fresh_query(db: Database, team: tuple[Actor, Actor],
                                                                          sort: str) -> None:
    manager, rep = team
    for pair in _same_shape_pairs(rep.user_id or 0, manager.user_id or 0):
        for f in pair:
            want = _reference(db, manager, f, sort)
            for by in ("cursor", "offset"):
                got, total = _pages(db, manager, f, sort, by=by)
                assert got == want, (f, by)
                if not f.q:
                    assert total == len(want), (f, by)


def test_a_page_past_the_end_still_has_the_total(db: Database, team: tuple[Actor, Actor]) -> None:
    manager, _ = team
    page = list_leads(db.uow(), manager, LeadFilters(statuses=("NEW",)), offset=100)
    assert page.items == [] and page.total == len(_reference(db, manager, LeadFilters(statuses=("NEW",)), "score"))


@pytest.mark.parametrize("common", [0, 10**9])
@pytest.mark.parametrize("walk", [2, 5, 2000])
@pytest.mark.parametrize("term", ["acme", "gmail", "person 1", "zz"])
def test_search_pages_are_the_sorted_matches_whichever_step_serves_them(
    db: Database, team: tuple[Actor, Actor], monkeypatch: pytest.MonkeyPatch, common: int, walk: int, term: str
) -> None:
    """A small window makes the first step miss; SEARCH_COMMON 0 sends the rest to the walk in score order, a
    huge one to the trigram index. Totals are exact, or a lower bound flagged as an estimate."""
    monkeypatch.setattr(search, "SEARCH_WALK", walk)
    monkeypatch.setattr(search, "SEARCH_COMMON", common)
    manager, _ = team
    f = LeadFilters(q=term)
    want = _reference(db, manager, f, "score")
    got, _ = _pages(db, manager, f, "score", by="cursor")
    assert got == want
    first = list_leads(db.uow(), manager, f, limit=3)
    assert first.total == len(want) or (first.total_is_estimate and first.total <= len(want))


def test_postgresql_score_index_carries_the_search_text(pg_db: Database) -> None:
    """The search walk reads ix_leads_team_score alone: it holds the stored search text (migrations 0004, 0024)."""
    with pg_db.uow() as uow:
        definition = uow.session.scalar(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_leads_team_score' "
                                             "AND schemaname = current_schema()"))
    included = "INCLUDE (search_text) WHERE is_active"
    assert definition is not None and included in definition


def test_driver_errors_come_out_as_sqlalchemy_errors(db: Database, team: tuple[Actor, Actor]) -> None:
    """Statements run on the driver's cursor fail the way SQLAlchemy's do, so the API and UI map them alike: bad
    input (PostgreSQL refuses NUL in text) is a DataError, nothing else."""
    from sqlalchemy.exc import DataError


    manager, _ = team
    cursor = encode_cursor("a\x00", 1)
    if db.engine.dialect.name != "postgresql":
        list_leads(db.uow(), manager, sort="name", cursor=cursor)  # SQLite compares it fine
        return
    for _ in range(2):  # (the second time from the cached statement)
        with pytest.raises(DataError):
            list_leads(db.uow(), manager, sort="name", cursor=cursor)
    assert list_leads(db.uow(), manager).items  # the connection is fine afterwards


def test_a_connection_lost_under_a_driver_statement_is_invalidated(pg_db: Database) -> None:
    """The server ends the session's connection: SQLAlchemy's OperationalError, marked invalidated, and the pool
    hands out a working connection next time."""
    from sqlalchemy.exc import OperationalError

    from leadcore.db.prepared import driver_rows

    with pg_db.uow() as uow:
        s = uow.session
        pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with pg_db.engine.connect() as killer:
            killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(OperationalError) as lost:
            driver_rows(s, "SELECT 1", {})
        assert lost.value.connection_invalidated
    with pg_db.uow() as uow:
        assert driver_rows(uow.session, "SELECT 41 + %(n)s", {"n": 1}) == [(42,)]
