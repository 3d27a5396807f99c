"""Our own export imported again: into another team every cell comes back exactly, into the same team nothing new
is saved, and ``--mode update`` with an edited export changes exactly the edited cells."""

from __future__ import annotations

import csv
import io
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from leadcore.accounts.actors import Actor
from leadcore.accounts.users import team_actor
from leadcore.db.models import Lead, LeadEvent
from leadcore.db.runtime import Database
from leadcore.fileimport.importer import commit_import, dry_run
from leadcore.fileimport.reading import read_table
from leadcore.grid.export import export_csv
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.matcher import SearchContext, save_batch

# The cells a lead carries from team to team (ids, owners, times and search columns are the team's own).
CELLS = ("type", "status", "lead_name", "email", "phone", "job_title", "company", "location", "headquarters",
         "industry", "website", "linkedin_url", "lead_score", "tags", "notes")
_teams = itertools.count(1)


def new_team(db: Database) -> Actor:
    return team_actor(db.uow(), f"Team {next(_teams)}")


def seed(db: Database, actor: Actor, *cands: LeadCandidate) -> None:
    with db.uow() as uow:
        save_batch(uow.session, actor, list(cands), SearchContext(source="manual"))
        uow.commit()


def export_text(db: Database, actor: Actor) -> str:
    return "".join(export_csv(db.uow(), actor))


def cells(text: str) -> list[tuple[str, ...]]:
    """The carried cells of every exported row, as the CSV writes them (guard included), sorted."""
    return sorted(tuple(r[c] for c in CELLS) for r in csv.DictReader(io.StringIO(text)))


def reimport(db: Database, actor: Actor, text: str, **kw: Any) -> Any:
    return commit_import(db.uow(), actor, read_table(text.encode("utf-8"), "export.csv"), filename="export.csv", **kw)


SEEDS = (
    LeadCandidate(lead_name="Ann Lee", email="ann@acme.example", phone="+49 30 1234567", job_title="CTO",
                  company="Acme", location="Berlin, Germany", lead_score=80, tags=["vip", "berlin"],
                  notes="-- call back after the fair\nsecond line", status="CONTACTED"),
    LeadCandidate(lead_name="=HYPERLINK(\"x\")", company="@home GmbH", phone="(030) 555", notes="+1 for this",
                  lead_score=12),
    LeadCandidate(lead_name="'+already quoted", company="-minus Ltd", lead_score=50),  # name only, no strong key
    LeadCandidate(type="COMPANY", lead_name="Globex", website="https://globex.example", industry="Energy",
                  headquarters="Springfield", lead_score=40, status="QUALIFIED"),
    LeadCandidate(lead_name="Bo Diaz", linkedin_url="https://www.linkedin.com/in/bo-diaz-demo", lead_score=0,
                  status="REJECTED", tags=["q3"]),
)


def test_export_import_into_another_team_reproduces_every_cell(db: Database) -> None:
    a, b = new_team(db), new_team(db)
    seed(db, a, *SEEDS)
    first = export_text(db, a)
    assert "'+49 30 1234567" in first and "''+already quoted" in first  # the formula guard is in the file
    s = reimport(db, b, first)
    assert (s.saved, s.invalid) == (len(SEEDS), 0)
    assert cells(export_text(db, b)) == cells(first)
    with db.uow() as uow:
        phones = set(uow.session.scalars(select(Lead.phone).where(Lead.team_id == b.team_id)))
    assert "+49 30 1234567" in phones and not any((p or "").startswith("'") for p in phones)


def test_export_import_into_the_same_team_saves_nothing_new(db: Database) -> None:
    a = new_team(db)
    seed(db, a, *SEEDS)
    text = export_text(db, a)
    preview = dry_run(db.uow(), a, read_table(text.encode(), "export.csv"))
    assert preview.saved == 0 and preview.duplicates == len(SEEDS)
    s = reimport(db, a, text)
    assert (s.saved, s.duplicates, s.invalid) == (0, len(SEEDS), 0)
    assert cells(export_text(db, a)) == cells(text)


def _edit(text: str, edits: dict[tuple[str, str], str]) -> str:
    """The export with cells changed: (lead_name as exported, column) → new text."""
    rows = list(csv.DictReader(io.StringIO(text)))
    for (name, column), value in edits.items():
        next(r for r in rows if r["lead_name"] == name)[column] = value
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    return out.getvalue()


def test_update_mode_with_an_edited_export_changes_exactly_the_edited_cells(db: Database) -> None:
    a = new_team(db)
    seed(db, a, *SEEDS)
    before = export_text(db, a)
    edited = _edit(before, {("Ann Lee", "job_title"): "CEO", ("Globex", "industry"): "",
                            ("''+already quoted", "lead_score"): "77", ("Bo Diaz", "tags"): "q3, won"})
    s = reimport(db, a, edited, mode="update")
    assert (s.updated, s.unchanged, s.not_found, s.conflicts, s.saved) == (4, 1, 0, 0, 0)
    notes = {r.row_number: r.note for r in s.rows if r.outcome == "updated"}
    assert any("changes job_title" in n for n in notes.values())
    after = {r["lead_name"]: r for r in csv.DictReader(io.StringIO(export_text(db, a)))}
    old = {r["lead_name"]: r for r in csv.DictReader(io.StringIO(before))}
    changed = {(name, c) for name in old for c in CELLS if old[name][c] != after[name][c]}
    assert changed == {("Ann Lee", "job_title"), ("Globex", "industry"), ("''+already quoted", "lead_score"),
                       ("Bo Diaz", "tags")}
    assert after["Ann Lee"]["job_title"] == "CEO" and after["Globex"]["industry"] == ""
    with db.uow() as uow:  # through the edit rules: an event per change, version bumped
        kinds = list(uow.session.scalars(select(LeadEvent.kind).where(LeadEvent.team_id == a.team_id,
                                                                      LeadEvent.kind != "created")))
    assert sorted(kinds) == ["fields_changed", "fields_changed", "fields_changed", "tags_changed"]


def test_update_mode_refuses_rows_edited_since_the_export_and_reports_unknown_leads(db: Database) -> None:
    a, other = new_team(db), new_team(db)
    seed(db, a, *SEEDS[:2])
    text = _edit(export_text(db, a), {("Ann Lee", "job_title"): "CEO"})
    with db.uow() as uow:  # someone edits Ann after the export
        uow.session.execute(update(Lead).where(Lead.email == "ann@acme.example").values(version=Lead.version + 1))
        uow.commit()
    s = reimport(db, a, text, mode="update")
    names = [r["lead_name"] for r in csv.DictReader(io.StringIO(text))]
    outcome = {names[r.row_number - 1]: r for r in s.rows}
    assert (outcome["Ann Lee"].outcome, outcome["'=HYPERLINK(\"x\")"].outcome) == ("conflict", "unchanged")
    assert "changed since this file was exported" in outcome["Ann Lee"].reason
    s2 = reimport(db, other, text, mode="update")  # another team: the ids are not its leads, nothing matches
    assert [r.outcome for r in s2.rows] == ["not_found", "not_found"] and s2.saved == 0
    s3 = reimport(db, other, text, mode="upsert")
    assert s3.saved == 2


def test_update_mode_by_keys_for_a_file_without_ids(db: Database) -> None:
    a = new_team(db)
    seed(db, a, SEEDS[0])
    text = "Email,Job Title,Phone,Notes\nann@acme.example,VP Sales,,\nnew@person.example,CFO,,\n"
    s = reimport(db, a, text, mode="update")
    assert [r.outcome for r in s.rows] == ["updated", "not_found"]
    with db.uow() as uow:
        lead = uow.session.scalars(select(Lead).where(Lead.team_id == a.team_id)).one()
        assert (lead.job_title, lead.phone, lead.notes is not None) == ("VP Sales", "+49 30 1234567", True)


def test_an_imported_lead_keeps_its_status_and_imported_is_never_set(db: Database) -> None:
    a = new_team(db)
    seed(db, a, SEEDS[0])
    with db.uow() as uow:
        uow.session.execute(update(Lead).where(Lead.team_id == a.team_id).values(status="IMPORTED"))
        uow.commit()
    text = export_text(db, a)
    s = reimport(db, a, _edit(text, {("Ann Lee", "job_title"): "CEO"}), mode="update")
    assert s.updated == 1
    b = new_team(db)
    reimport(db, b, text)
    with db.uow() as uow:
        assert uow.session.scalar(select(Lead.status).where(Lead.team_id == a.team_id)) == "IMPORTED"
        assert uow.session.scalar(select(Lead.status).where(Lead.team_id == b.team_id)) == "QUALIFIED"


_cell_text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\x00") | st.sampled_from("'=+-@\n"),
    min_size=1, max_size=40,
).map(str.strip).filter(bool)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_cell_text, company=_cell_text, notes=_cell_text, title=_cell_text,
       phone=_cell_text.map(lambda t: "'+1" + t if t[:1] == "'" else t + " 1"))
def test_export_import_export_is_identical_for_any_cell_text(
    db: Database, name: str, company: str, notes: str, title: str, phone: str
) -> None:
    """Text with formula triggers, quotes, delimiters, line breaks and any script survives export → import →
    export byte for byte (a phone has a digit: text without one is not a phone, see test_formats)."""
    a, b = new_team(db), new_team(db)
    seed(db, a, LeadCandidate(lead_name=name, company=company, notes=notes, job_title=title, phone=phone.strip(),
                              lead_score=50, tags=["t"]))
    first = export_text(db, a)
    s = reimport(db, b, first)
    assert s.saved == 1, s.rows
    assert cells(export_text(db, b)) == cells(first)


@pytest.mark.parametrize("mode", ["update", "upsert"])
def test_update_dry_run_writes_nothing(db: Database, mode: str) -> None:
    a = new_team(db)
    seed(db, a, SEEDS[0])
    text = _edit(export_text(db, a), {("Ann Lee", "job_title"): "CEO"})
    s = dry_run(db.uow(), a, read_table(text.encode(), "e.csv"), mode=mode)
    assert s.updated == 1 and "changes job_title" in s.rows[0].note
    with db.uow() as uow:
        assert uow.session.scalar(select(Lead.job_title).where(Lead.team_id == a.team_id)) == "CTO"


KEYLESS = (
    LeadCandidate(lead_name="Ann Lee", location="Berlin, Germany"),
    LeadCandidate(lead_name="Ann Lee", location="Hamburg, Germany"),  # a namesake elsewhere
    LeadCandidate(lead_name="Bo Chan", email="info@chan.example", job_title="Owner"),  # a role address only
    LeadCandidate(lead_name="Cy Diaz", phone="+49 30 7654321", company="Freelance"),
    LeadCandidate(lead_name="Cy Diaz", phone="+49 40 1112223", company="Freelance"),  # a namesake, another phone
)


def test_reimporting_the_export_of_keyless_people_saves_nothing_new(db: Database) -> None:
    """People without an email, a profile or a company (or with only a role address) are found again by all that
    is known of them, and namesakes stay apart."""
    a = new_team(db)
    seed(db, a, *KEYLESS)
    text = export_text(db, a)
    assert len(cells(text)) == len(KEYLESS)
    s = reimport(db, a, text)
    assert (s.saved, s.duplicates, s.invalid) == (0, len(KEYLESS), 0)
    assert cells(export_text(db, a)) == cells(text)
    b = new_team(db)
    first = reimport(db, b, text)
    again = reimport(db, b, text)
    assert (first.saved, again.saved, again.duplicates) == (len(KEYLESS), 0, len(KEYLESS))
