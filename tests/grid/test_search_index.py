"""Free-text search runs on an index on both engines (PostgreSQL pg_trgm, SQLite FTS5 trigram) and still finds
exactly what a case-insensitive substring match over name, email and company finds."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select, text, update

from leadcore.accounts.actors import Actor
from leadcore.accounts.users import _insert_user
from leadcore.db.models import Lead
from leadcore.db.runtime import Database
from leadcore.grid.filters import LeadFilters
from leadcore.grid.listing import list_leads
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.matcher import SearchContext, save_batch
from leadcore.leads.edits import update_lead

PEOPLE = [
    ("Ann O'Brien", "ann.obrien@acme.io", "Acme Labs"),
    ("Bob Müller", "bob@mueller.de", "Müller & Söhne"),
    ("Carla 100% Sure", "carla@sure.io", "Sure_Thing"),
    ('Dan "The Man"', "dan@quotes.io", "Quote Co"),
    ("Eve", "eve@acme.io", None),
    ("Frank", None, "Acme Robotics"),
    ("GIANT CAPS", "caps@BIG.io", "BIG"),
]
TERMS = ["acme", "ACME", "o'brien", "müller", "MÜLLER", "100%", "sure_", '"the man"', "the man", "ev", "a", "zz",
         "acme.io", "io\nacme", "robotics", "big", "lab acme", "caps@big"]


def _contains(term: str, fields: tuple[str | None, ...], lower: object = str.lower) -> bool:
    return any(lower(term) in lower(f) for f in fields if f)  # type: ignore[operator]


def _ascii_lower(text: str) -> str:
    """SQLite's lower(): ASCII letters only."""
    return "".join(ch.lower() if ch.isascii() else ch for ch in text)


@pytest.fixture
def people(db: Database) -> Actor:
    with db.uow() as uow:
        actor = _insert_user(uow.session, email="m@x.io", password=None, role="manager", team_name="A",
                             display_name="M").actor()
        save_batch(uow.session, actor, [LeadCandidate(lead_name=n, email=e, company=c) for n, e, c in PEOPLE],
                   SearchContext())
        uow.commit()
    return actor


def _names(db: Database, actor: Actor, q: str) -> set[str]:
    return {r["lead_name"] for r in list_leads(db.uow(), actor, LeadFilters(q=q), limit=100).items}


@pytest.mark.parametrize("term", TERMS)
def test_search_finds_exactly_the_substring_matches(db: Database, backend, people: Actor, term: str) -> None:
    # SQLite's lower() folds ASCII only ("MÜLLER" does not find "Müller"), as it always has; PostgreSQL's all.
    lower = _ascii_lower if backend.name == "sqlite" else str.lower
    want = {n for n, e, c in PEOPLE if _contains(term.strip(), (n, e, c), lower)}
    assert _names(db, people, term) == want


def test_sqlite_search_index_follows_inserts_edits_and_deletes(db: Database, backend, people: Actor) -> None:
    if backend.name != "sqlite":
        pytest.skip("the FTS5 index is SQLite's")
    with db.uow() as uow:
        s = uow.session
        triggers = set(s.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
        assert {"leads_search_insert", "leads_search_update", "leads_search_delete"} <= triggers
        s.execute(update(Lead).where(Lead.lead_name == "Eve").values(lead_name="Evelyn Zebra"))
        s.execute(delete(Lead).where(Lead.lead_name == "Frank"))
        uow.commit()
    assert _names(db, people, "zebra") == {"Evelyn Zebra"}
    assert _names(db, people, "robotics") == set()
    assert _names(db, people, "eve@acme") == {"Evelyn Zebra"}


def test_postgresql_search_expression_is_the_trigram_index_expression(pg_db: Database) -> None:
    """The planner only uses ix_leads_search_trgm when the query spells its expression exactly."""
    from sqlalchemy import func, select
    from sqlalchemy.dialects import postgresql

    from leadcore.grid.clauses import text_search

    with pg_db.uow() as uow:
        s = uow.session
        q = select(func.count()).select_from(Lead).where(text_search(s, "person 12"))
        sql = str(q.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
        s.execute(text("SET LOCAL enable_seqscan = off"))  # nothing else could serve it
        plan = "\n".join(s.execute(text("EXPLAIN " + sql)).scalars())
    assert "ix_leads_search_trgm" in plan, plan


@pytest.mark.parametrize("walk", [3, 7, 2000])
def test_search_pages_in_sort_order_whichever_step_finds_them(db: Database, monkeypatch, walk: int) -> None:
    """PostgreSQL pages a search in two steps (the next SEARCH_WALK leads, else every match); pages must come out
    exactly as one sorted query would give them, across keyset cursors, whichever step served them."""
    from leadcore.grid import search

    monkeypatch.setattr(search, "SEARCH_WALK", walk)
    with db.uow() as uow:
        actor = _insert_user(uow.session, email="m@x.io", password=None, role="manager", team_name="A",
                             display_name="M").actor()
        cands = [LeadCandidate(lead_name=f"{'Acme' if i % 3 == 0 else 'Other'} Person {i}", email=f"p{i}@x{i}.io",
                               lead_score=(i * 37) % 101) for i in range(60)]
        save_batch(uow.session, actor, cands, SearchContext())
        uow.commit()
    with db.uow() as uow:
        want = list(uow.session.scalars(
            select(Lead.id).where(Lead.lead_name.like("Acme%")).order_by(Lead.lead_score.desc(), Lead.id.desc())))
    got: list[int] = []
    cursor = None
    while True:
        page = list_leads(db.uow(), actor, LeadFilters(q="acme"), limit=4, cursor=cursor)
        got += [r["id"] for r in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert got == want and len(want) == 20


@pytest.mark.parametrize("walk", [3, 2000])
def test_search_pages_carry_their_owners_names_whichever_step_finds_them(db: Database, monkeypatch, walk: int) -> None:
    from leadcore.grid import search

    monkeypatch.setattr(search, "SEARCH_WALK", walk)
    with db.uow() as uow:
        manager = _insert_user(uow.session, email="m@x.io", password=None, role="manager", team_name="A",
                               display_name="Maya")
        actor = manager.actor()
        cands = [LeadCandidate(lead_name=f"Acme Person {i}", email=f"p{i}@x{i}.io", lead_score=i) for i in range(6)]
        save_batch(uow.session, actor, cands, SearchContext())
        uow.session.execute(update(Lead).where(Lead.lead_score % 2 == 0).values(owner_id=manager.id))
        uow.commit()
    page = list_leads(db.uow(), actor, LeadFilters(q="acme"), limit=4)
    assert [(r["lead_score"], r["owner_name"]) for r in page.items] == [(5, None), (4, "Maya"), (3, None), (2, "Maya")]
    assert page.owners == {manager.id: "Maya"}


def test_sqlite_bulk_saves_and_single_inserts_both_reach_the_search_index(db: Database, backend, people: Actor) -> None:
    """A batch enters the FTS5 index in one statement (its insert trigger skips the batch's id range, migration
    0005); an insert from anywhere else still goes through the trigger; nothing is left marked afterwards."""
    if backend.name != "sqlite":
        pytest.skip("the FTS5 index is SQLite's")
    with db.uow() as uow:
        s = uow.session
        assert s.execute(text("SELECT count(*) FROM leads_search_bulk")).scalar() == 0
        s.execute(text("INSERT INTO leads (team_id, type, status, lead_name, lead_score, tags, source, is_active, "
                       "imported, duplicate_count, version) VALUES (:team, 'INDIVIDUAL', 'NEW', 'Quentin Solo', 0, "
                       "'[]', 'manual', 1, 0, 0, 1)"), {"team": people.team_id})
        save_batch(s, people, [LeadCandidate(lead_name=f"Zora Batch {i}", email=f"zora{i}@batch.io") for i in range(3)],
                   SearchContext())
        assert s.execute(text("SELECT count(*) FROM leads_search_bulk")).scalar() == 0
        uow.commit()
    assert _names(db, people, "quentin") == {"Quentin Solo"}
    assert _names(db, people, "zora") == {f"Zora Batch {i}" for i in range(3)}
    assert _names(db, people, "batch.io") == {f"Zora Batch {i}" for i in range(3)}
    with db.uow() as uow:  # a batch that is never committed leaves nothing in the index either
        save_batch(uow.session, people, [LeadCandidate(lead_name="Yuri Gone", email="yuri@gone.io")], SearchContext())
    assert _names(db, people, "yuri") == set()
    with db.uow() as uow:
        fts = uow.session.execute(text("SELECT count(*) FROM leads_search")).scalar()
        leads = uow.session.execute(text("SELECT count(*) FROM leads")).scalar()
    assert fts == leads


@pytest.mark.parametrize(("q", "expected"), [("vp sales", {"Ana"}), ("lisbon", {"Bo"}), ("fintech", {"Cy"}),
                                             ("acme", {"Ana", "Bo", "Cy"})])
def test_search_covers_job_title_location_and_industry(db: Any, make: Any, q: str, expected: set[str]) -> None:
    manager = make.user("manager")
    make.lead(manager, lead_name="Ana", company="Acme", job_title="VP Sales", location="Berlin")
    make.lead(manager, lead_name="Bo", company="Acme", job_title="CTO", location="Lisbon, Portugal")
    make.lead(manager, lead_name="Cy", company="Acme", job_title="CFO", industry="Fintech")
    got = {item["lead_name"] for item in list_leads(db.uow(), manager, LeadFilters(q=q)).items}
    assert got == expected
    [cy] = list_leads(db.uow(), manager, LeadFilters(q="fintech")).items
    update_lead(db.uow(), manager, cy["id"], {"industry": "Insurance"}, expected_version=cy["version"])
    assert list_leads(db.uow(), manager, LeadFilters(q="fintech")).total == 0  # the index follows an edit
    assert {i["lead_name"] for i in list_leads(db.uow(), manager, LeadFilters(q="insur")).items} == {"Cy"}
