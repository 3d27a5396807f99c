"""The matcher's bulk paths against a real database: each gives what the careful path gives.

- new leads stream in with COPY on PostgreSQL; a key the lookup missed makes the batch run again the careful way
  (ON CONFLICT), where a row that still loses becomes a duplicate;
- duplicates are merged with one UPDATE per batch (PostgreSQL) or per set of changed columns (SQLite); the
  lead-by-lead ORM merge is the reference;
- events go in with one statement, in row order;
- lookups are chunked for big batches and still find each lead once.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from leadcore.accounts.actors import Actor
from leadcore.accounts.users import team_actor
from leadcore.db.models import Lead, LeadEvent, LeadSearch
from leadcore.db.runtime import Database
from leadcore.intake import lookup, merging, writes
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.matcher import DUPLICATE_EXISTING, NEW, SaveResult, SearchContext, save_batch


def save(db: Database, actor: Actor, cands: list[LeadCandidate], ctx: SearchContext | None = None) -> SaveResult:
    with db.uow() as uow:
        result = save_batch(uow.session, actor, cands, ctx or SearchContext())
        uow.commit()
    return result


@pytest.fixture
def actor(db: Database) -> Actor:
    return team_actor(db.uow(), "Default")


def P(name: str, **kw: Any) -> LeadCandidate:
    return LeadCandidate(type="INDIVIDUAL", lead_name=name, **kw)


def _leads(db: Database, team_id: int) -> list[dict[str, Any]]:
    skip = {"id", "team_id", "created_at", "updated_at", "search_id"}
    with db.uow() as uow:
        rows = uow.session.scalars(select(Lead).where(Lead.team_id == team_id).order_by(Lead.id)).all()
        return [{c.name: getattr(r, c.key) for c in Lead.__table__.columns if c.name not in skip} for r in rows]


def _events(db: Database, team_id: int) -> list[tuple[str, Any]]:
    with db.uow() as uow:
        rows = uow.session.scalars(
            select(LeadEvent).where(LeadEvent.team_id == team_id).order_by(LeadEvent.id)
        ).all()
        return [(e.kind, e.data) for e in rows]


def test_a_key_the_lookup_missed_makes_the_batch_take_the_conflict_path(
    db: Database, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer outside the save lock took a key after the lookup: COPY (PostgreSQL) hits the unique index, the batch
    rolls back and runs again the ON CONFLICT way, where (its lookup still blind here) the row loses again and
    becomes a duplicate of that lead; the rest are saved, once."""
    (existing,) = save(db, actor, [P("Ann Lee", email="ann@acme.io")]).lead_ids
    real = lookup.load_existing
    calls: list[int] = []
    blind = 2 if db.engine.dialect.name == "postgresql" else 1  # the quick attempt's lookup and the careful one's

    def blind_first_lookup(session: Any, team_id: int, chunks: Any, meanwhile: Any = None) -> Any:
        rows = [row for chunk in chunks for row in chunk]
        calls.append(len(rows))
        if len(calls) > blind:
            return real(session, team_id, [rows], meanwhile)
        if meanwhile is not None:
            meanwhile()
        return lookup.Index()

    monkeypatch.setattr(lookup, "load_existing", blind_first_lookup)
    staged: list[int] = []
    real_staged = writes.insert_postgresql_staged

    def count_staged(cursor: Any, ids: list[int], rows: list[Any]) -> list[int | None]:
        staged.append(len(rows))
        return real_staged(cursor, ids, rows)

    monkeypatch.setattr(writes, "insert_postgresql_staged", count_staged)
    batch = [P("Bo Chan", email="bo@acme.io"), P("Ann Lee", email="ANN@acme.io", job_title="CTO"),
             P("Cy Dee", linkedin_url="https://www.linkedin.com/in/cy-dee")]
    result = save(db, actor, batch)
    assert [r.outcome for r in result.rows] == [NEW, DUPLICATE_EXISTING, NEW]
    assert result.rows[1].lead_id == existing
    assert (result.saved, result.duplicates) == (2, 1)
    assert len(calls) == blind + 1  # the planning lookup(s), then the one for the row that lost
    assert staged == ([3] if db.engine.dialect.name == "postgresql" else [])  # COPY gave way to ON CONFLICT
    with db.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Lead)) == 3
        ann = uow.session.get(Lead, existing)
        assert ann is not None and (ann.job_title, ann.duplicate_count) == ("CTO", 1)
    kinds = sorted(k for k, _ in _events(db, actor.team_id))
    assert kinds == ["created", "created", "created", "duplicate_seen"]
    # The ids of the saved rows are real leads, and a later batch finds them all.
    again = save(db, actor, batch)
    assert [r.outcome for r in again.rows] == [DUPLICATE_EXISTING] * 3
    assert again.lead_ids == result.lead_ids


MERGE_BATCHES = [
    [P("Ann Lee", email="ann@acme.io", company="Acme"),
     P("Bo Chan", linkedin_url="https://linkedin.com/in/bo-chan", raw_data={"src": "a"}),
     LeadCandidate(type="COMPANY", lead_name="Acme", website="https://acme.io"),
     P("Cy Dee", company="Dee Corp")],
    [P("Ann Lee", email="ANN@acme.io", phone="+49 30 1234567", job_title="CTO"),
     P("Ann Lee", email="ann@acme.io", location="Berlin", job_title="CEO"),  # the same lead twice in one batch
     P("Bo Chan", linkedin_url="http://de.linkedin.com/in/bo-chan/", email="bo@chan.io", raw_data={"src": "b"}),
     LeadCandidate(type="COMPANY", lead_name="ACME Inc", website="acme.io/about", phone="+44 20 7946 0958",
                   raw_data={"n": 1}),
     P("Cy Dee", company="Dee Corp", email="cy@dee.io", headquarters="Paris")],
    [P("Bo Chan", email="bo@chan.io", industry="SaaS"),
     P("Cy Dee", email="cy@dee.io")],
]


def test_bulk_merge_writes_what_the_lead_by_lead_merge_writes(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = team_actor(db.uow(), "Fast")
    for batch in MERGE_BATCHES:
        save(db, fast, [LeadCandidate(**vars(c)) for c in batch])
    careful = team_actor(db.uow(), "Careful")

    def one_by_one(session: Any, merges: list[Any], index: Any, states: Any, fills: Any) -> dict[int, dict[str, Any]]:
        if not merges:
            return fills
        return merging.merge_lead_by_lead(session, merges, index, states)

    monkeypatch.setattr(merging, "write_merged", one_by_one)
    for batch in MERGE_BATCHES:
        save(db, careful, [LeadCandidate(**vars(c)) for c in batch])
    got, expected = _leads(db, fast.team_id), _leads(db, careful.team_id)
    assert got == expected
    by_name = {lead["lead_name"]: lead for lead in got}
    assert {name: lead["duplicate_count"] for name, lead in by_name.items()} == {
        "Ann Lee": 2, "Bo Chan": 2, "Acme": 1, "Cy Dee": 2}
    ann, bo, acme, cy = by_name["Ann Lee"], by_name["Bo Chan"], by_name["Acme"], by_name["Cy Dee"]
    assert (ann["job_title"], ann["location"], ann["phone_norm"]) == ("CTO", "Berlin", "+49301234567")
    assert ann["version"] == 3  # two merges filled something: one per copy of Ann in the second batch
    assert (bo["email"], bo["email_norm"], bo["industry"]) == ("bo@chan.io", "bo@chan.io", "SaaS")
    assert bo["raw_data"] == {"src": "a"}
    assert (acme["phone"], acme["phone_norm"], acme["raw_data"]) == ("+44 20 7946 0958", "+442079460958", {"n": 1})
    assert (cy["email"], cy["headquarters"], cy["version"]) == ("cy@dee.io", "Paris", 2)
    assert _events(db, fast.team_id) == _events(db, careful.team_id)


def test_a_bulk_merge_that_hits_a_taken_key_is_redone_lead_by_lead(
    db: Database, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key another lead holds is not copied, the other fields are, and the duplicate is counted once."""
    ann, zed = save(db, actor, [P("Ann Lee", company="Acme"), P("Zed", email="zed@acme.io")]).lead_ids
    monkeypatch.setattr(lookup.Index, "add", _forget_emails(lookup.Index.add))
    with db.uow() as uow:  # the rep gives Zed the address the next batch brings for Ann
        uow.session.get(Lead, zed).email_norm = "ann@acme.io"  # type: ignore[union-attr]
        uow.commit()
    result = save(db, actor, [P("Ann Lee", company="Acme", email="ann@acme.io", job_title="CTO")])
    assert result.lead_ids == [ann] and result.duplicates == 1
    with db.uow() as uow:
        lead = uow.session.get(Lead, ann)
        assert lead is not None
        assert (lead.job_title, lead.email, lead.email_norm, lead.duplicate_count) == ("CTO", None, None, 1)


def _forget_emails(real: Any) -> Any:
    """_Index.add that does not index email keys, so the merge believes the address is free."""

    def add(self: Any, e: Any) -> None:
        real(self, lookup.Existing(e.id, e.type, None, e.linkedin_norm, e.domain, e.name_key))

    return add


def test_events_go_in_in_row_order_with_their_data(db: Database, actor: Actor) -> None:
    save(db, actor, [P("Ann Lee", email="ann@acme.io")])
    ctx = SearchContext(source="bench", query="q")
    rows = [P(f"P{i}", email=f"p{i}@acme.io") for i in range(5)] + [P("Ann Lee", email="ann@acme.io", phone="+4930123")]
    result = save(db, actor, rows, ctx)
    events = _events(db, actor.team_id)[1:]
    new_ids = [r.lead_id for r in result.rows if r.outcome == NEW]
    with db.uow() as uow:
        ordered = uow.session.execute(
            select(LeadEvent.lead_id, LeadEvent.kind, LeadEvent.created_at, LeadEvent.user_id)
            .where(LeadEvent.team_id == actor.team_id).order_by(LeadEvent.id)
        ).all()[1:]
    assert [lead_id for lead_id, *_ in ordered[:5]] == new_ids
    assert all(created is not None for *_, created, _u in ordered)
    assert events[:5] == [("created", {"source": "bench"})] * 5
    assert events[5] == ("duplicate_seen", {"source": "bench", "filled": ["phone"]})


def test_big_batches_are_looked_up_in_chunks_and_find_each_lead_once(
    db: Database, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = [P(f"Person {i}", email=f"p{i}@acme.io", company="Acme") for i in range(12)]
    ids = save(db, actor, first).lead_ids
    monkeypatch.setattr(lookup, "LOOKUP_CHUNK", 5)
    # Each lead is wanted by rows in several chunks (by email in one, by name and company in another).
    again = [P(f"Person {i}", email=f"P{i}@ACME.io") for i in range(12)]
    again += [P(f"Person {i}", company="Acme") for i in reversed(range(12))]
    result = save(db, actor, again)
    assert result.duplicates == 24 and result.saved == 0
    assert result.lead_ids == ids + ids[::-1]
    with db.uow() as uow:
        counts = uow.session.scalars(select(Lead.duplicate_count).order_by(Lead.id)).all()
    assert counts == [2] * 12


def test_a_lead_held_by_the_session_is_refreshed_after_a_merge(db: Database, actor: Actor) -> None:
    (lead_id,) = save(db, actor, [P("Ann Lee", email="ann@acme.io")]).lead_ids
    with db.uow() as uow:
        held = uow.session.get(Lead, lead_id)
        assert held is not None and held.duplicate_count == 0
        save_batch(uow.session, actor, [P("Ann Lee", email="ann@acme.io", job_title="CTO")], SearchContext())
        assert (held.duplicate_count, held.job_title, held.version) == (1, "CTO", 2)
        uow.commit()


def test_page_counters_add_up_without_reading_the_run_first(db: Database, actor: Actor) -> None:
    from leadcore.discovery.providers.base import SearchQuery
    from leadcore.discovery.runs import open_search, save_page

    search_id = open_search(db.uow(), actor, provider="test", query=SearchQuery(text="q"), requested=6)
    ctx = SearchContext(search_id=search_id, source="test", query="q")
    save_page(db.uow(), actor, search_id, ctx, [P("A", email="a@x.io"), P("B", email="bad@")])
    save_page(db.uow(), actor, search_id, ctx, [P("A", email="A@x.io"), P("C", email="c@x.io")])
    with db.uow() as uow:
        run = uow.session.get(LeadSearch, search_id)
        assert run is not None
        assert (run.returned, run.saved, run.duplicates, run.invalid) == (4, 2, 1, 1)


def test_text_that_needs_escaping_comes_back_as_written(db: Database, actor: Actor) -> None:
    """Tags, JSON and text with quotes, backslashes, tabs, newlines and braces survive the bulk encodings."""
    tags = ["a", "b c", 'q"uote', "back\\slash", "{x,y}", "NULL", "tab\there", "über", "ünïcödé ✓"]
    raw = {"note": 'say "hi"\n\\o/', "nested": {"list": [1, None, "x\ty"]}, "emoji": "🙂"}
    weird = P('Ann "The" Lee\\', email="ann@acme.io", job_title="Head\tof\nSales", company="{Acme}", tags=tags,
              raw_data=raw, notes="line1\nline2\r\n\\N")
    (lead_id,) = save(db, actor, [weird, P("Bo", email="bo@acme.io", tags=[])]).lead_ids[:1]
    with db.uow() as uow:
        lead = uow.session.get(Lead, lead_id)
        assert lead is not None
        assert (lead.lead_name, lead.job_title, lead.company, lead.notes) == (
            'Ann "The" Lee\\', "Head\tof\nSales", "{Acme}", "line1\nline2\r\n\\N")
        assert lead.tags == tags and lead.raw_data == raw
        bo = uow.session.scalars(select(Lead).where(Lead.email == "bo@acme.io")).one()
        assert bo.tags == [] and bo.raw_data is None
        assert lead.score_breakdown and lead.score_breakdown[0] == {"rule": "base", "label": "Base score",
                                                                    "points": lead.score_breakdown[0]["points"]}
        assert sum(row["points"] for row in lead.score_breakdown) == lead.lead_score


def test_new_and_merged_leads_get_the_phone_key_planning_skipped(db: Database, actor: Actor) -> None:
    """Planning leaves the phone out (it matches nothing); every lead the batch writes still gets its phone_norm."""
    save(db, actor, [P("Ann Lee", email="ann@acme.io")])
    result = save(db, actor, [
        P("Bo Chan", email="bo@acme.io", phone="+49 (30) 123-4567"),
        P("Cy Dee", email="cy@acme.io", phone="n/a"),
        P("Ann Lee", email="ANN@acme.io", phone="0044 20 7946 0958"),
    ])
    assert [r.outcome for r in result.rows] == [NEW, NEW, DUPLICATE_EXISTING]
    with db.uow() as uow:
        keys = dict(uow.session.execute(select(Lead.lead_name, Lead.phone_norm)).all())
    assert keys == {"Bo Chan": "+49301234567", "Cy Dee": None, "Ann Lee": "+442079460958"}


def test_one_merge_statement_bumps_only_the_leads_it_filled(db: Database, actor: Actor) -> None:
    """Leads that gained a field and leads that only counted a copy are written together: the first get a new
    version and time, the others keep theirs, and every one counts the copy."""
    ann, bo = save(db, actor, [P("Ann Lee", email="ann@acme.io"), P("Bo Chan", email="bo@acme.io")]).lead_ids
    with db.uow() as uow:
        before = dict(uow.session.execute(select(Lead.id, Lead.updated_at)).all())
    save(db, actor, [P("Ann Lee", email="ann@acme.io", job_title="CTO"), P("Bo Chan", email="bo@acme.io")])
    with db.uow() as uow:
        rows = {r.id: r for r in uow.session.execute(
            select(Lead.id, Lead.job_title, Lead.version, Lead.duplicate_count, Lead.updated_at))}
    assert (rows[ann].job_title, rows[ann].version, rows[ann].duplicate_count) == ("CTO", 2, 1)
    assert rows[ann].updated_at > before[ann]
    assert (rows[bo].job_title, rows[bo].version, rows[bo].duplicate_count) == (None, 1, 1)
    assert rows[bo].updated_at == before[bo]
