"""CSV export on real databases: every column, formula cells neutralized, the filter respected, streamed lazily."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from leadcore.accounts.actors import Actor
from leadcore.accounts.users import _insert_user
from leadcore.db.prepared import driver_cursor
from leadcore.db.runtime import Database
from leadcore.grid import export
from leadcore.grid.export import EXPORT_COLUMNS, export_csv, export_to_file
from leadcore.grid.filters import LeadFilters
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.matcher import SearchContext, save_batch
from leadcore.leads.views import LEAD_COLUMNS


def parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def manager(db: Database) -> Actor:
    with db.uow() as uow:
        a = _insert_user(uow.session, email="m@x.io", password=None, role="manager", team_name="Alpha",
                         display_name="Mona Manager").actor()
        uow.commit()
    return a


def add(db: Database, actor: Actor, cands: list[LeadCandidate]) -> list[int]:
    with db.uow() as uow:
        r = save_batch(uow.session, actor, cands, SearchContext(source="csv", query="file:x.csv"))
        uow.commit()
    return r.lead_ids


def test_header_is_every_visible_column_and_rows_hold_the_values(db: Database, manager: Actor) -> None:
    [lead_id] = add(db, manager, [LeadCandidate(lead_name="Ann Lee", email="ann@acme.io", company="Acme, Inc.",
                                                job_title="CTO", tags=["vip", "berlin"], lead_score=77,
                                                notes='said "hi"\nand left', location="Zürich")])
    text = "".join(export_csv(db.uow(), manager))
    header = text.splitlines()[0].split(",")
    assert tuple(header) == EXPORT_COLUMNS == (*LEAD_COLUMNS, "owner_name")
    for internal in ("email_norm", "linkedin_norm", "domain", "name_key", "raw_data", "team_id"):
        assert internal not in header
    [row] = parse(text)
    assert row["id"] == str(lead_id)
    assert (row["lead_name"], row["email"], row["company"], row["job_title"], row["lead_score"], row["tags"],
            row["notes"], row["location"], row["status"], row["source"]) == (
        "Ann Lee", "ann@acme.io", "Acme, Inc.", "CTO", "77", "vip, berlin", 'said "hi"\nand left', "Zürich", "NEW",
        "csv")
    assert row["created_at"][:4].isdigit() and row["owner_name"] == ""


@pytest.mark.parametrize("value", ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1",
                                   "=HYPERLINK(\"http://evil.example\",\"x\")"])
def test_formula_cells_are_neutralized(db: Database, manager: Actor, value: str) -> None:
    add(db, manager, [LeadCandidate(lead_name=value, email="f@acme.io", company=value, job_title=value,
                                    notes=value, tags=[value])])
    [row] = parse("".join(export_csv(db.uow(), manager)))
    for column in ("lead_name", "company", "job_title", "notes", "tags"):
        assert row[column] == "'" + value, column
    plain = parse("".join(export_csv(db.uow(), manager, LeadFilters(q="acme.io"))))[0]
    assert plain["email"] == "f@acme.io"  # ordinary text is untouched


def test_export_respects_the_filter_and_the_team(db: Database, manager: Actor) -> None:
    ids = add(db, manager, [LeadCandidate(lead_name=f"Lead {i}", email=f"l{i}@acme.io", tags=["a"] if i % 2 else [])
                            for i in range(6)])
    with db.uow() as uow:
        other = _insert_user(uow.session, email="o@x.io", password=None, role="manager", team_name="Beta",
                             display_name="O").actor()
        uow.commit()
    add(db, other, [LeadCandidate(lead_name="Lead 1", email="l1@acme.io", tags=["a"])])
    rows = parse("".join(export_csv(db.uow(), manager, LeadFilters(tags=("a",)))))
    assert sorted(int(r["id"]) for r in rows) == sorted(ids[1::2])
    assert parse("".join(export_csv(db.uow(), manager, LeadFilters(q="nobody")))) == []
    assert len(parse("".join(export_csv(db.uow(), other)))) == 1


def test_export_is_streamed_lazily_in_chunks(db: Database, backend: Any, manager: Actor,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    add(db, manager, [LeadCandidate(lead_name=f"Lead {i}", email=f"l{i}@acme.io") for i in range(1234)])
    selects: list[str] = []  # through SQLAlchemy (SQLite) or on the driver's cursor (PostgreSQL's COPY)

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    def on_driver(session: Any, sql: str, params: Any) -> Any:
        selects.append(sql)
        return driver_cursor(session, sql, params)

    monkeypatch.setattr(export, "driver_cursor", on_driver)
    event.listen(backend.engine, "before_cursor_execute", count)
    try:
        chunks = export_csv(db.uow(), manager)
        assert selects == []  # nothing runs until someone reads
        header = next(chunks)
        assert header.count("\n") == 1 and header.startswith("id,type,status")
        first = next(chunks)
        assert len(selects) == 1
        assert first.count("\n") <= 500  # a bounded chunk, not the whole table
        rest = list(chunks)
    finally:
        event.remove(backend.engine, "before_cursor_execute", count)
    rows = parse(header + first + "".join(rest))
    assert len(rows) == 1234 and len({r["id"] for r in rows}) == 1234
    assert len(selects) == 1


def test_abandoned_export_releases_the_database(db: Database, manager: Actor) -> None:
    add(db, manager, [LeadCandidate(lead_name=f"Lead {i}", email=f"l{i}@acme.io") for i in range(600)])
    chunks = export_csv(db.uow(), manager)
    next(chunks), next(chunks)
    chunks.close()  # type: ignore[attr-defined]  # the browser went away mid-download
    add(db, manager, [LeadCandidate(lead_name="After", email="after@acme.io")])
    assert len(parse("".join(export_csv(db.uow(), manager)))) == 601


def test_export_to_file_counts_rows(db: Database, manager: Actor, tmp_path: Path) -> None:
    add(db, manager, [LeadCandidate(lead_name=f"Lead {i}", email=f"l{i}@acme.io") for i in range(3)])
    out = tmp_path / "leads.csv"
    assert export_to_file(db.uow(), manager, str(out)) == 3
    assert len(parse(out.read_text(encoding="utf-8"))) == 3
    assert export_to_file(db.uow(), manager, str(tmp_path / "none.csv"), LeadFilters(statuses=("REJECTED",))) == 0
    assert (tmp_path / "none.csv").read_text(encoding="utf-8").splitlines() == [",".join(EXPORT_COLUMNS)]
