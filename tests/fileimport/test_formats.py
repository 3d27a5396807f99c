"""The exports of the tools sales teams use, imported and checked field by field through the export.

The files under tests/fixtures/imports/ have the header rows those tools write (column names, order, preambles,
encodings) and synthetic people. Each is imported through the CLI's path (read_table → commit_import), then the
team's export is read back: emails, LinkedIn URLs, job titles, companies and locations must land in the right
columns, no row is refused for a CRM status, and importing the same file again saves nothing new.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from leadcore.accounts.actors import Actor
from leadcore.accounts.users import team_actor
from leadcore.db.models import Lead
from leadcore.db.runtime import Database
from leadcore.fileimport.importer import commit_import, dry_run, prepare
from leadcore.fileimport.reading import read_table
from leadcore.fileimport.values import unguard
from leadcore.grid.export import export_csv

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
COLUMNS = ("lead_name", "email", "phone", "job_title", "company", "location", "headquarters", "website",
           "linkedin_url", "status", "type", "tags", "notes", "industry")


@pytest.fixture
def actor(db: Database) -> Actor:
    return team_actor(db.uow(), "Default")


def load(name: str) -> Any:
    return read_table((FIXTURES / name).read_bytes(), name)


def exported(db: Database, actor: Actor) -> dict[str, dict[str, str]]:
    """The team's export, by lead name (or email), every cell with the export's formula guard taken off."""
    text = "".join(export_csv(db.uow(), actor))
    rows = list(csv.DictReader(io.StringIO(text)))
    return {unguard(r["lead_name"]) or r["email"]: {c: unguard(r[c]) for c in COLUMNS} for r in rows}


def raw_data(db: Database, name: str) -> dict[str, Any]:
    with db.uow() as uow:
        return uow.session.scalar(select(Lead.raw_data).where(Lead.lead_name == name)) or {}


# What each file must give, per lead name: the columns named (others unchecked).
EXPECTED: dict[str, tuple[str, dict[str, dict[str, str]]]] = {
    "google_contacts.csv": ("google", {
        "Anna Becker": {"email": "anna.becker@nordwind.example", "phone": "+49 30 1234567",
                        "job_title": "Head of Sales", "company": "Nordwind GmbH", "location": "Berlin, Germany",
                        "website": "https://nordwind.example", "tags": "Clients", "notes": "Met at trade fair"},
        "Ben J. Okafor": {"email": "ben.okafor@mail.example", "tags": "starred, Prospects, Events"},
        "pat.lindqvist@onlyemail.example": {"email": "pat.lindqvist@onlyemail.example", "tags": ""},
        "Harbor Logistics": {"type": "COMPANY", "company": "Harbor Logistics", "phone": "+1 415 555 0100"},
        "Chloé Martin": {"linkedin_url": "https://www.linkedin.com/in/chloe-martin-demo", "website": "",
                         "location": "Lyon, Auvergne-Rhône-Alpes, France", "job_title": "Founder"},
    }),
    "google_contacts_old.csv": ("google_old", {
        "Dana Whitfield": {"email": "dana@whitfield.example", "phone": "+44 20 7946 0000",
                           "job_title": "Managing Director", "company": "Whitfield & Sons",
                           "location": "London, United Kingdom", "tags": "Partners"},
        "Eli Novak": {"email": "eli.novak@mail.example", "notes": "Prefers calls after 4pm"},
        "r.moss@noname.example": {"email": "r.moss@noname.example"},
    }),
    "linkedin_connections.csv": ("linkedin", {
        "Farah Haddad": {"linkedin_url": "https://www.linkedin.com/in/farah-haddad-demo", "website": "",
                         "company": "Cedar Analytics", "job_title": "VP Engineering", "email": ""},
        "Gustav Lind": {"email": "gustav@fjord.example", "job_title": "CTO", "company": "Fjord Systems"},
        "Hana Sato": {"linkedin_url": "https://www.linkedin.com/in/hana-sato-demo"},
    }),
    "outlook_contacts.csv": ("outlook", {
        "Ingrid Vogel": {"job_title": "Chief Medical Officer", "email": "ingrid.vogel@alpenlicht.example",
                         "phone": "+41 44 000 00 00", "website": "https://alpenlicht.example",
                         "location": "Zürich, ZH, Switzerland", "company": "Alpenlicht AG", "notes": "Budget in Q3"},
        "Jonas Brandt": {"job_title": "Owner", "phone": "", "location": "Hamburg, Germany"},
    }),
    "outlook_contacts_latin1_semicolon.csv": ("outlook", {
        "Jürgen Größer": {"email": "juergen.groesser@alpenlicht.example", "job_title": "Chief Medical Officer",
                          "location": "München, ZH, Deutschland"},
        "Zoë Løvstad": {"email": "zoe@brandtbau.example", "company": "Brandt Bau"},
    }),
    "thunderbird.csv": ("thunderbird", {
        "Kai Moreau": {"email": "kai@moreau-design.example", "job_title": "Art Director", "company": "Moreau Design",
                       "location": "Paris, France", "phone": "+33 1 23 45 67 89",
                       "website": "https://moreau-design.example"},
        "Lena (Support)": {"email": "lena@support.example", "phone": "+49 151 000000"},
    }),
    "hubspot_contacts.csv": ("hubspot", {
        "Mia Chen": {"email": "mia.chen@orbit.example", "company": "Orbit Labs", "job_title": "COO",
                     "location": "New York, NY, United States", "status": "NEW"},
        "Noah Patel": {"company": "Quanta", "status": "CONTACTED"},
        "Olivia Rossi": {"status": "REJECTED"},
        "Pedro Alves": {"status": "CONTACTED"},
        "Quinn Baker": {"status": "REJECTED"},
        "Rosa Diaz": {"status": "NEW"},
    }),
    "salesforce_leads.csv": ("salesforce_leads", {
        "Sara Ivanova": {"job_title": "Procurement Lead", "company": "Borealis Mining", "status": "NEW",
                         "location": "Vancouver, BC, Canada", "industry": "Mining", "notes": "Asked for a demo"},
        "Tom Keller": {"status": "CONTACTED", "job_title": "IT Manager"},
        "Uma Rao": {"status": "QUALIFIED"},
        "Victor Hugo": {"status": "REJECTED", "company": "Misérables SA"},
    }),
    "salesforce_contacts.csv": ("salesforce_contacts", {
        "Wen Li": {"company": "Helix Bio", "job_title": "Research Director", "location": "Beijing, China",
                   "phone": "+86 10 5555 0000"},
    }),
    "zoho_leads.csv": ("zoho", {
        "Xenia Papadopoulos": {"status": "QUALIFIED", "job_title": "Operations Manager", "company": "Kestrel Drones",
                               "location": "Athens, Greece", "industry": "Aerospace"},
        "Yusuf Demir": {"status": "REJECTED", "email": "yusuf@lumen.example"},
        "Zara Khan": {"status": "CONTACTED"},
    }),
    "pipedrive_people.csv": ("pipedrive", {
        "Aiko Tanaka": {"email": "aiko@sakura.example", "company": "Sakura Tech", "job_title": "Product Lead",
                        "phone": "+81 90 0000 0000", "tags": "Hot lead"},
        "Bruno Costa": {"email": "bruno.costa@home.example", "company": "Costa Vinhos"},
    }),
    "apollo_people.csv": ("apollo", {
        "Carmen Ruiz": {"linkedin_url": "http://www.linkedin.com/in/carmen-ruiz-demo", "job_title": "Head of Growth",
                        "location": "Madrid, Community of Madrid, Spain", "headquarters": "Barcelona, Spain",
                        "phone": "+34 91 000 0000", "status": "QUALIFIED", "website": "http://www.brisa.example"},
        "Dmitri Sokolov": {"linkedin_url": "http://www.linkedin.com/in/dmitri-sokolov-demo", "status": "NEW",
                           "location": "Tallinn, Estonia"},
        "Esme Taylor": {"status": "REJECTED"},
    }),
    "apple_vcard.csv": ("apple", {
        "Greta Holm": {"email": "greta@holm.example", "company": "Holm Arkitekter", "job_title": "Partner",
                       "phone": "+46 70 000 00 00", "location": "Stockholm, Sweden", "notes": "Referral from Kai"},
    }),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_export_of_each_tool_lands_in_the_right_columns(db: Database, actor: Actor, name: str) -> None:
    fmt, expected = EXPECTED[name]
    table = load(name)
    assert prepare(table).fmt is not None and prepare(table).fmt.key == fmt  # type: ignore[union-attr]
    first = commit_import(db.uow(), actor, table, filename=name)
    assert first.invalid == 0, [r for r in first.rows if r.outcome == "invalid"]
    assert first.saved == len(expected)
    got = exported(db, actor)
    assert set(got) == set(expected)
    for lead_name, fields in expected.items():
        assert {k: got[lead_name][k] for k in fields} == fields, lead_name
    # The same file again: nothing new, nothing refused.
    again = commit_import(db.uow(), actor, load(name), filename=name)
    assert (again.saved, again.invalid, again.duplicates) == (0, 0, len(expected))
    assert set(exported(db, actor)) == set(expected)


def test_linkedin_preamble_is_skipped_and_said(db: Database, actor: Actor) -> None:
    table = load("linkedin_connections.csv")
    assert table.header_row == 4 and "row 4" in table.header_reason and "above it" in table.header_reason
    assert table.headers[:3] == ["First Name", "Last Name", "URL"]
    s = dry_run(db.uow(), actor, table)
    assert [r.outcome for r in s.rows] == ["new", "new", "new"]


def test_crm_status_values_are_mapped_and_the_original_kept(db: Database, actor: Actor) -> None:
    s = commit_import(db.uow(), actor, load("hubspot_contacts.csv"), filename="hubspot.csv")
    assert s.invalid == 0 and s.mapped_values == 5  # all but "New"
    notes = {r.row_number: r.note for r in s.rows}
    assert "'Waiting on legal' is not one we know" in notes[6]
    assert raw_data(db, "Rosa Diaz")["status_original"] == "Waiting on legal"
    assert raw_data(db, "Uma Rao") == {}  # not in this file
    assert raw_data(db, "Noah Patel")["status_original"] == "In Progress"
    assert raw_data(db, "Mia Chen")["import"]["Record ID"] == "51"  # unmapped columns are kept


def test_converted_is_qualified_never_imported(db: Database, actor: Actor) -> None:
    commit_import(db.uow(), actor, load("salesforce_leads.csv"), filename="sf.csv")
    assert raw_data(db, "Uma Rao")["status_original"] == "Closed - Converted"
    text = "name,email,status\nAl Imp,al@imp.example,IMPORTED\nBo Conv,bo@conv.example,Converted\n"
    s = commit_import(db.uow(), actor, read_table(text.encode(), "x.csv"), filename="x.csv")
    assert s.saved == 2
    got = exported(db, actor)
    assert got["Al Imp"]["status"] == got["Bo Conv"]["status"] == "QUALIFIED"
    assert raw_data(db, "Al Imp")["status_original"] == "IMPORTED"


def test_status_map_overrides_the_defaults(db: Database, actor: Actor) -> None:
    table = load("hubspot_contacts.csv")
    spec = prepare(table, status_map={"Waiting on legal": "CONTACTED", "Unqualified": "ARCHIVED"})
    commit_import(db.uow(), actor, table, filename="h.csv", spec=spec)
    got = exported(db, actor)
    assert got["Rosa Diaz"]["status"] == "CONTACTED" and got["Olivia Rossi"]["status"] == "ARCHIVED"


def test_google_multi_values_keep_the_first_and_record_the_rest(db: Database, actor: Actor) -> None:
    commit_import(db.uow(), actor, load("google_contacts_old.csv"), filename="g.csv")
    raw = raw_data(db, "Dana Whitfield")["import"]
    assert raw["Phone 1 - Value"] == "+44 20 7946 0000 ::: +44 7700 900000"
    assert raw["E-mail 2 - Value"] == "dana.w@home.example"
    assert ":::" not in exported(db, actor)["Dana Whitfield"]["tags"]


def test_phone_without_digits_is_flagged_and_kept_raw(db: Database, actor: Actor) -> None:
    s = commit_import(db.uow(), actor, load("outlook_contacts.csv"), filename="o.csv")
    assert "has no digits" in s.rows[1].note and s.rows[1].outcome == "new"
    assert raw_data(db, "Jonas Brandt")["import"]["phone"] == "mobile phone test"
    assert raw_data(db, "Ingrid Vogel")["import"]["Title"] == "Dr."  # the honorific is not the job title


def test_xlsx_with_title_rows_finds_its_header(db: Database, actor: Actor) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Q3 pipeline report"])
    ws.append(["Generated 2026-10-01 by Sales Ops"])
    ws.append([])
    ws.append(["Name", "Email", "Company", "Job Title"])
    ws.append(["Ivy Chen", "ivy@chen.example", "Chen Ltd", "CEO"])
    buf = io.BytesIO()
    wb.save(buf)
    table = read_table(buf.getvalue(), "report.xlsx")
    assert table.header_row == 4 and "title" in table.header_reason
    assert commit_import(db.uow(), actor, table, filename="report.xlsx").saved == 1
    assert exported(db, actor)["Ivy Chen"]["job_title"] == "CEO"


def test_header_row_can_be_named_and_a_wrong_one_says_which_row_it_took(db: Database, actor: Actor) -> None:
    from leadcore.errors import InvalidInput

    data = (FIXTURES / "linkedin_connections.csv").read_bytes()
    with pytest.raises(InvalidInput, match="header taken from row 1"):
        prepare(read_table(data, "c.csv", header_row=1))
    assert read_table(data, "c.csv", header_row=4).headers[0] == "First Name"


def test_map_overrides_and_ignore(db: Database, actor: Actor) -> None:
    table = load("thunderbird.csv")
    spec = prepare(table, overrides={"Secondary Email": "email", "Primary Email": None, "Notes": None})
    commit_import(db.uow(), actor, table, filename="t.csv", spec=spec)
    assert exported(db, actor)["Kai Moreau"]["email"] == "kai.m@home.example"


def test_a_matching_row_fills_empty_fields_including_notes_and_the_dry_run_says_which(
    db: Database, actor: Actor
) -> None:
    commit_import(db.uow(), actor, read_table(b"name,email\nAnna Becker,anna.becker@nordwind.example\n", "a.csv"),
                  filename="a.csv")
    table = load("google_contacts.csv")
    preview = dry_run(db.uow(), actor, table)
    assert preview.rows[0].outcome == "duplicate_existing"
    assert "would fill" in preview.rows[0].note and "notes" in preview.rows[0].note
    assert "job_title" in preview.rows[0].note and "lead_name" not in preview.rows[0].note
    commit_import(db.uow(), actor, table, filename="g.csv")
    got = exported(db, actor)["Anna Becker"]
    assert got["notes"] == "Met at trade fair" and got["job_title"] == "Head of Sales"
