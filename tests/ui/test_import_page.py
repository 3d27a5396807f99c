"""The Import page: upload, guessed mapping, preview, dry run with per-row outcomes, commit, link to the leads.

Files are uploaded through AppTest's ``file_uploader(...).upload``. The page keeps the upload in session state
(``ui.state.IMPORT_UPLOAD`` = {"name", "data", "file_id"}); a test may also put bytes there directly.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from leadcore.config import settings
from leadcore.discovery.runs import list_searches
from leadcore.grid.filters import LeadFilters
from tests.ui import importing
from tests.ui.importing import open_import
from ui import state

CSV = (
    b"Full Name,E-mail,Company,Title,Favourite colour\n"
    b"Ana Lee,ana@acme.io,Acme,CTO,blue\n"
    b"Bob Stone,bob@beta.io,Beta,CEO,red\n"
    b"Ana Lee,ANA@acme.io,Acme,CTO,green\n"
    b",,Nameless Inc,,\n"
    b"Carl Known,carl@gamma.io,Gamma,VP Sales,\n"
    b"Dee Broken,dee@@x,Delta,,\n"
)


@pytest.fixture
def importer(make, new_app, logged_in):
    """The Import page opened by a rep who already has one lead (Carl), so one row is a known duplicate."""

    def open_page() -> AppTest:
        rep = make.user("rep")
        make.lead(rep, lead_name="Carl Known", email="carl@gamma.io", company="Gamma")
        return open_import(logged_in(new_app(), rep), rep)

    return open_page


def upload(at: AppTest, data: bytes = CSV, name: str = "people.csv") -> AppTest:
    return importing.upload(at, data, name)


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label.startswith(label)).click()
    at.run()
    assert not at.exception
    return at


def mapping_boxes(at: AppTest) -> dict[str, str]:
    return {s.label: s.value for s in at.selectbox if s.key and s.key.startswith("map_")}


def test_first_visit_says_what_to_do(importer):
    at = importer()
    assert at.title[0].value == "Import leads"
    assert "Upload a file to start" in at.info[0].value
    assert "up to 50 MB" in at.file_uploader[0].label


def test_upload_guesses_the_mapping_and_previews_rows(importer):
    at = upload(importer())
    assert mapping_boxes(at) == {"Full Name": "lead_name", "E-mail": "email", "Company": "company",
                                 "Title": "job_title", "Favourite colour": "(ignore)"}
    preview = at.dataframe[0].value
    assert list(preview.columns) == ["Name", "Email", "Company", "Job title"]
    assert preview.iloc[0].tolist() == ["Ana Lee", "ana@acme.io", "Acme", "CTO"]
    assert at.session_state[state.IMPORT_UPLOAD]["name"] == "people.csv"


def test_dry_run_reports_every_row_and_saves_nothing(importer, app_db):
    at = click(upload(importer()), "Dry run")
    counts = {m.label: m.value for m in at.metric}
    assert counts == {"Rows": "6", "New": "3", "Duplicate in file": "1", "Already in your leads": "1",
                      "Invalid": "1"}
    report = at.dataframe[1].value
    assert report["Outcome"].tolist() == ["New", "New", "Duplicate in file", "New", "Already in your leads",
                                          "Invalid"]
    assert report.loc[report["Row"] == 3, "Same as"].item() == "row 1"
    assert list_searches(app_db.uow(), at.actor) == []  # nothing written
    # the button says what it will save, matching the caption above it (not "Import 5 rows" over "Saves 3")
    assert any(b.label == "Import 3 new leads (+2 rows matching known leads)" for b in at.button)
    assert any("Saves 3 new leads" in c.value for c in at.caption)

    at.radio(key="import_filter").set_value("Invalid").run()
    assert not at.exception
    invalid = at.dataframe[1].value
    assert invalid["Row"].tolist() == [6]
    assert all(invalid["Reason"].str.len() > 0)


def test_import_commits_and_links_to_the_imported_leads(importer, app_db):
    at = click(click(upload(importer()), "Dry run"), "Import")
    assert "3 new leads" in at.success[0].value
    runs = list_searches(app_db.uow(), at.actor)
    assert runs[0]["provider"] == "file:people.csv" and runs[0]["saved"] == 3
    link = next(p for p in at.page_link if "imported leads" in p.value)
    assert link.proto.query_string == "&".join(f"{k}={v}" for k, v in
                                               LeadFilters(search_id=runs[0]["id"]).to_params().items())
    assert not [b for b in at.button if b.label.startswith("Import ")]  # no second import of the same file


def test_changing_the_mapping_asks_for_a_new_dry_run(importer):
    at = click(upload(importer()), "Dry run")
    at.selectbox(key=next(s.key for s in at.selectbox if s.label == "Company")).set_value("(ignore)").run()
    assert not at.exception
    assert any("run it again" in i.value for i in at.info)
    assert not [b for b in at.button if b.label.startswith("Import ")]


def test_mapping_without_name_or_email_is_refused_in_words(importer):
    at = upload(importer())
    for label in ("Full Name", "E-mail", "Company"):
        at.selectbox(key=next(s.key for s in at.selectbox if s.label == label)).set_value("(ignore)")
    at.run()
    at = click(at, "Dry run")
    assert "map at least one of them" in at.error[0].value
    assert "row 1" in at.error[0].value  # which row the column names came from


def test_a_new_upload_starts_over(importer):
    at = click(upload(importer()), "Dry run")
    at.file_uploader[0].clear()
    at = upload(at, b"name,email\nZoe Park,zoe@park.io\n", "other.csv")
    assert at.session_state[state.IMPORT_UPLOAD]["name"] == "other.csv"
    assert not at.metric  # the old dry run is gone
    assert mapping_boxes(at) == {"name": "lead_name", "email": "email"}


def test_file_over_the_limit_is_refused_with_the_limit_stated(importer, monkeypatch):
    monkeypatch.setenv("LEADCORE_MAX_UPLOAD_MB", "1")
    settings.cache_clear()
    at = importer()
    big = b"name,email\n" + b"Ana Lee,ana@acme.io\n" * 60_000  # ~1.2 MB
    at = upload(at, big, "big.csv")
    assert "the limit is 1 MB" in at.error[0].value
    assert not at.button or not [b for b in at.button if b.label == "Dry run"]


def test_unreadable_file_is_explained(importer):
    at = upload(importer(), b"\x00\x01\x02 not a table", "junk.xls")
    assert "cannot be imported" in at.error[0].value


def test_bytes_in_session_state_work_like_an_upload(importer):
    at = importer()
    at.session_state[state.IMPORT_UPLOAD] = {"name": "people.csv", "data": CSV, "file_id": "seeded"}
    at.run()
    assert not at.exception
    at = click(at, "Dry run")
    assert {m.label: m.value for m in at.metric}["New"] == "3"


def test_excel_files_are_read_like_csv(importer):
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Name", "Email", "Company"])
    ws.append(["Zoe Park", "zoe@park.io", "Park & Co"])
    buf = io.BytesIO()
    wb.save(buf)
    at = upload(importer(), buf.getvalue(), "people.xlsx")
    assert mapping_boxes(at) == {"Name": "lead_name", "Email": "email", "Company": "company"}
    at = click(at, "Dry run")
    assert {m.label: m.value for m in at.metric}["New"] == "1"


def test_a_linkedin_export_with_its_notes_preamble_imports_with_profiles(importer, app_db):
    """LinkedIn's Connections.csv starts with a "Notes:" paragraph: the page finds the header below it, says which
    format and row it used, maps URL to the LinkedIn profile, and imports every connection."""
    from pathlib import Path

    from leadcore.grid.listing import list_leads

    data = (Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "linkedin_connections.csv").read_bytes()
    at = upload(importer(), data, "Connections.csv")
    assert "Looks like a **LinkedIn Connections export**" in at.info[0].value
    assert any("Column names taken from **row 4**" in c.value for c in at.caption)
    assert at.number_input(key=next(n.key for n in at.number_input if n.label == "Header row")).value == 4
    assert mapping_boxes(at)["URL"] == "linkedin_url" and mapping_boxes(at)["Position"] == "job_title"
    at = click(at, "Dry run")
    assert {m.label: m.value for m in at.metric}["New"] == "3"
    at = click(at, "Import")
    saved = [lead for lead in list_leads(app_db.uow(), at.actor).items if lead["linkedin_url"]]
    assert sorted(lead["lead_name"] for lead in saved) == ["Farah Haddad", "Gustav Lind", "Hana Sato"]
    assert all(lead["linkedin_url"].startswith("https://www.linkedin.com/in/") for lead in saved)
