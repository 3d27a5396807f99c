"""CSV import through the shared matcher: header mapping, the dry-run report, the commit as a search run."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from leadcore.accounts.actors import Actor
from leadcore.accounts.users import team_actor
from leadcore.db.models import Lead, LeadEvent, LeadSearch
from leadcore.db.runtime import Database
from leadcore.errors import InvalidInput
from leadcore.fileimport.importer import REPORT_HEADER, commit_import, dry_run, write_report
from leadcore.fileimport.reading import read_table
from leadcore.leads.edits import get_lead


def table(text: str):  # type: ignore[no-untyped-def]
    return read_table(text.encode("utf-8"), "leads.csv")


def lead_count(db: Database) -> int:
    with db.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Lead)) or 0)


@pytest.fixture
def actor(db: Database) -> Actor:
    return team_actor(db.uow(), "Default")


ORIGINAL = (
    "leadName,email,companyName,jobTitle,linkedinLink,leadScore,type,tags\n"
    "Ann Lee,ann@acme.io,Acme,CTO,https://linkedin.com/in/annlee,80,INDIVIDUAL,vip;berlin\n"
    "Ann Lee,ANN@acme.io,Acme,,,,individual,\n"                      # 2: duplicate of row 1 (email)
    "Bob Stone,bob@@x,Globex,,,,,\n"                                 # 3: invalid email
    "Acme,,,,https://www.linkedin.com/company/acme,,COMPANY,\n"     # 4: a company
    ",,,CEO,,,,\n"                                                   # 5: invalid: no name, no email
    "Cara Diaz,,Initech,,http://de.linkedin.com/in/AnnLee/,,,\n"     # 6: joins row 1 through LinkedIn
    "Dan Roe,dan@initech.com,Initech,,,101,,\n"                      # 7: invalid score
    "Eve Moss,eve@initech.com,Initech,,,  42 ,PERSON," + "t" * 51 + "\n"  # 8: invalid tag (the type is read)
)


def test_dry_run_reports_every_row_and_writes_nothing(db: Database, actor: Actor, tmp_path: Path) -> None:
    s = dry_run(db.uow(), actor, table(ORIGINAL))
    got = [(r.row_number, r.outcome, r.cluster) for r in s.rows]
    assert got == [
        (1, "new", "row-1"), (2, "duplicate_in_file", "row-1"), (3, "invalid", ""), (4, "new", "row-4"),
        (5, "invalid", ""), (6, "duplicate_in_file", "row-1"), (7, "invalid", ""), (8, "invalid", ""),
    ]
    reasons = {r.row_number: r.reason for r in s.rows}
    assert "bob@@x" in reasons[3] and "name or an email" in reasons[5]
    assert "lead_score" in reasons[7] and "tag" in reasons[8]
    assert all(not r.reason for r in s.rows if r.outcome != "invalid")
    assert (s.saved, s.duplicates, s.invalid, s.count, s.search_id) == (2, 2, 4, 8, None)
    assert lead_count(db) == 0
    with db.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(LeadSearch)) == 0
    report = tmp_path / "report.csv"
    write_report(s.rows, report)
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(REPORT_HEADER) == "row_number,outcome,cluster,reason,note"
    assert len(lines) == 9


def test_commit_saves_through_the_matcher_and_records_the_run(db: Database, actor: Actor) -> None:
    s = commit_import(db.uow(), actor, table(ORIGINAL), filename="/some/dir/leads.csv")
    assert (s.saved, s.duplicates, s.invalid) == (2, 2, 4)
    assert lead_count(db) == 2
    with db.uow() as uow:
        run = uow.session.get(LeadSearch, s.search_id)
        assert run is not None
        assert (run.provider, run.outcome, run.requested, run.returned, run.saved, run.duplicates, run.invalid) == (
            "file:leads.csv", "ok", 8, 8, 2, 2, 4)
        assert run.finished_at is not None
    ann = get_lead(db.uow(), actor, s.lead_ids[0])
    assert (ann["lead_name"], ann["job_title"], ann["lead_score"], ann["tags"], ann["source"], ann["search_id"],
            ann["search_query"]) == ("Ann Lee", "CTO", 80, ["vip", "berlin"], "csv", s.search_id, "file:leads.csv")
    # Importing the same file again: every valid row is a duplicate of an existing lead, clustered by its id.
    again = dry_run(db.uow(), actor, table(ORIGINAL))
    assert [(r.outcome, r.cluster) for r in again.rows if r.outcome != "invalid"] == [
        ("duplicate_existing", str(ann["id"])), ("duplicate_existing", str(ann["id"])),
        ("duplicate_existing", again.rows[3].cluster), ("duplicate_existing", str(ann["id"]))]
    second = commit_import(db.uow(), actor, table(ORIGINAL), filename="leads.csv")
    assert (second.saved, second.duplicates, second.invalid) == (0, 4, 4)
    assert lead_count(db) == 2
    assert get_lead(db.uow(), actor, ann["id"])["duplicate_count"] == 2 + 3  # two copies in file 1, three in file 2


def test_report_links_in_file_duplicates_to_an_existing_lead(db: Database, actor: Actor) -> None:
    commit_import(db.uow(), actor, table("name,email\nAnn Lee,ann@acme.io\n"), filename="a.csv")
    lead_id = get_lead(db.uow(), actor, 1)["id"]
    s = dry_run(db.uow(), actor, table(
        "name,email,linkedin\n"
        "Ann L.,,https://linkedin.com/in/annlee\n"          # 1: in-file cluster with row 2...
        "Ann Lee,ann@acme.io,https://linkedin.com/in/annlee\n"  # 2: ...which is the existing lead
        "New Person,new@acme.io,\n"
        "New Person,NEW@acme.io,\n"
    ))
    assert [(r.outcome, r.cluster) for r in s.rows] == [
        ("duplicate_existing", str(lead_id)), ("duplicate_existing", str(lead_id)),
        ("new", "row-3"), ("duplicate_in_file", "row-3")]


@pytest.mark.parametrize("header, field", [
    ("name", "lead_name"), ("Full Name", "lead_name"), ("leadName", "lead_name"),
    ("E-mail Address", "email"), ("title", "job_title"), ("score", "lead_score"),
    ("linkedin", "linkedin_url"), ("linkedinLink", "linkedin_url"),
])
def test_common_header_names_are_mapped(db: Database, actor: Actor, header: str, field: str) -> None:
    values = {"lead_name": "Ann Lee", "email": "ann@acme.io", "job_title": "CTO", "lead_score": "55",
              "linkedin_url": "https://linkedin.com/in/annlee"}
    base = "email" if field != "email" else "name"
    text = f"{base},{header}\n{values[base if base == 'email' else 'lead_name']},{values[field]}\n"
    s = commit_import(db.uow(), actor, table(text), filename="x.csv")
    assert s.saved == 1
    stored = get_lead(db.uow(), actor, s.lead_ids[0])[field]
    assert str(stored) == values[field]


def test_first_and_last_name_columns_make_the_name(db: Database, actor: Actor) -> None:
    s = commit_import(db.uow(), actor, table("First Name,Last Name,Email\nAnn,Lee,ann@acme.io\n"), filename="x.csv")
    assert get_lead(db.uow(), actor, s.lead_ids[0])["lead_name"] == "Ann Lee"


def test_a_file_without_name_email_or_company_column_is_refused(db: Database, actor: Actor) -> None:
    with pytest.raises(InvalidInput, match="name, an email or a company"):
        dry_run(db.uow(), actor, table("industry,phone\nSaaS,123\n"))
    with pytest.raises(InvalidInput):
        commit_import(db.uow(), actor, table("industry,phone\nSaaS,123\n"), filename="x.csv")
    with db.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(LeadSearch)) == 0


def test_formula_text_and_long_notes_are_stored_as_written(db: Database, actor: Actor) -> None:
    notes = "n" * 20_000
    s = commit_import(db.uow(), actor, table(f'name,email,notes\n"=cmd|\' /C calc\'!A0",f@acme.io,{notes}\n'),
                      filename="x.csv")
    lead = get_lead(db.uow(), actor, s.lead_ids[0])
    assert lead["lead_name"] == "=cmd|' /C calc'!A0" and lead["notes"] == notes
    with db.uow() as uow:
        assert uow.session.scalar(select(func.count()).where(LeadEvent.kind == "created")) == 1


def test_an_all_invalid_file_saves_nothing_but_records_the_run(db: Database, actor: Actor) -> None:
    s = commit_import(db.uow(), actor, table("name,email,city\n,,Berlin\nBob,bob@@x,\n"), filename="x.csv")
    assert (s.saved, s.duplicates, s.invalid) == (0, 0, 2)
    assert lead_count(db) == 0
    with db.uow() as uow:
        run = uow.session.get(LeadSearch, s.search_id)
        assert run is not None and (run.outcome, run.invalid) == ("ok", 2)


def test_report_has_one_line_per_data_row_even_for_an_all_empty_row(db: Database, actor: Actor) -> None:
    s = dry_run(db.uow(), actor, table("name,email\nAnn,ann@acme.io\n,\nBob,bob@acme.io\n"))
    assert [(r.row_number, r.outcome) for r in s.rows] == [(1, "new"), (2, "blank"), (3, "new")]
    assert s.invalid == 0 and s.blank == 1
