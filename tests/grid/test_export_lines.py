"""PostgreSQL renders export lines itself (leadcore.grid.csvlines); they must be the cells the Python writer makes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from leadcore.accounts.actors import Actor
from leadcore.accounts.users import _insert_user
from leadcore.db.models import Lead
from leadcore.db.runtime import Database
from leadcore.grid.export import _postgresql_lines, _python_lines
from leadcore.grid.filters import LeadFilters
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.matcher import SearchContext, save_batch

TRICKY = [
    "plain", "=1+2", "+49 30 123", "-- call", "@here", "\tTAB", "\rCR", "a,b", 'say "hi"', "two\nlines",
    "cr\r\nlf", "'quoted", " =space first", "Zürich – ßtraße", "emoji 🚀", "back\\slash", "",
]


def test_postgresql_lines_equal_the_python_writer_cell_for_cell(pg_db: Database) -> None:
    with pg_db.uow() as uow:
        actor: Actor = _insert_user(uow.session, email="m@x.io", password=None, role="manager", team_name="A",
                                    display_name="=Mona, \"M\"").actor()
        uow.commit()
    cands = [
        LeadCandidate(lead_name=f"{v} {i}", email=f"p{i}@acme.io", company=v or None, job_title=v or None,
                      notes=v or None, tags=[v, "x"] if v else [], lead_score=i % 101,
                      location=v or None, phone="+1 212 555 0100" if i % 2 else None)
        for i, v in enumerate(TRICKY)
    ]
    with pg_db.uow() as uow:
        ids = save_batch(uow.session, actor, cands, SearchContext(source="=csv", query="q,1")).lead_ids
        s = uow.session
        s.execute(update(Lead).where(Lead.id == ids[0]).values(
            imported=True, imported_at=datetime(2024, 3, 1, 14, 30, 5, tzinfo=UTC), owner_id=actor.user_id))
        s.execute(update(Lead).where(Lead.id == ids[1]).values(
            created_at=datetime(2024, 3, 1, 14, 30, 5, 120, tzinfo=UTC), is_active=True, search_id=None))
        uow.commit()
    with pg_db.uow() as uow:
        want = "".join(text for text, _ in _python_lines(uow.session, actor, LeadFilters()))
    with pg_db.uow() as uow:
        got = "".join(text for text, _ in _postgresql_lines(uow.session, actor, LeadFilters()))
    assert got.splitlines(keepends=True) == want.splitlines(keepends=True)
    assert got == want


@pytest.mark.parametrize("rows", [0, 1, 501])
def test_postgresql_lines_come_in_bounded_chunks(pg_db: Database, rows: int) -> None:
    with pg_db.uow() as uow:
        actor = _insert_user(uow.session, email="m@x.io", password=None, role="manager", team_name="A",
                             display_name="M").actor()
        save_batch(uow.session, actor, [LeadCandidate(lead_name=f"L {i}", email=f"l{i}@acme.io") for i in range(rows)],
                   SearchContext())
        uow.commit()
    with pg_db.uow() as uow:
        sizes = [n for _, n in _postgresql_lines(uow.session, actor, LeadFilters())]
    assert sum(sizes) == rows and all(0 < n <= 500 for n in sizes)


def test_a_cell_that_is_copys_end_of_data_marker_is_written_bare(pg_db: Database) -> None:
    # COPY quotes \. only when a row has a single column; ours have 35, so csv.writer and COPY agree on it too.
    with pg_db.uow() as uow:
        actor = _insert_user(uow.session, email="m@x.io", password=None, role="manager", team_name="A",
                             display_name="M").actor()
        save_batch(uow.session, actor, [LeadCandidate(lead_name="Dot", email="d@acme.io", company="\\.")],
                   SearchContext())
        uow.commit()
    with pg_db.uow() as uow:
        want = "".join(text for text, _ in _python_lines(uow.session, actor, LeadFilters()))
    with pg_db.uow() as uow:
        got = "".join(text for text, _ in _postgresql_lines(uow.session, actor, LeadFilters()))
    assert ",\\.," in want
    assert got == want
