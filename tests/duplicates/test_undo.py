from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from leadcore.db.models import Lead
from leadcore.db.runtime import Database
from leadcore.duplicates.undo import undo_search
from leadcore.errors import NotFound, PermissionDenied
from leadcore.fileimport.importer import commit_import
from leadcore.fileimport.reading import read_table
from leadcore.leads.edits import get_lead, update_lead
from tests.duplicates.helpers import exported, save_rows

CSV = (b"name,email,company,phone\n"
       b"Ann Lee,ann@acme.io,Acme,\n"
       b"Bo Chan,bo@globex.io,Globex,\n"
       b"Cy Diaz,cy@initech.io,Initech,+1 415 555 0100\n")


def test_undo_import_brings_the_export_back(db: Database, make: Any) -> None:
    manager = make.user("manager")
    (existing,) = save_rows(db, manager, [{"lead_name": "Cy Diaz", "email": "cy@initech.io", "company": "Initech"}])
    before = exported(db, manager)
    summary = commit_import(db.uow(), manager, read_table(CSV, "leads.csv"), filename="leads.csv")
    assert summary.saved == 2 and summary.duplicates == 1
    assert get_lead(db.uow(), manager, existing)["phone"] == "+1 415 555 0100"  # filled by the import
    result = undo_search(db.uow(), manager, summary.search_id)  # type: ignore[arg-type]
    assert (result.removed, result.reverted, result.kept) == (2, 1, 0)
    after = exported(db, manager)
    # The filled lead's fields, tags, owner, status and counters are back (version and time too: see below).
    for row in (before, after):
        for lead in row.values():
            lead.pop("version"), lead.pop("updated_at")
    assert after == before


def test_undo_import_keeps_leads_edited_since(db: Database, make: Any) -> None:
    manager = make.user("manager")
    summary = commit_import(db.uow(), manager, read_table(CSV, "leads.csv"), filename="leads.csv")
    lead_id = int(next(iter(exported(db, manager))))
    update_lead(db.uow(), manager, lead_id, {"status": "CONTACTED"}, expected_version=1)
    result = undo_search(db.uow(), manager, summary.search_id)  # type: ignore[arg-type]
    assert (result.removed, result.kept) == (2, 1)
    assert result.reasons == ["1 leads were edited after the import; kept"]
    assert list(exported(db, manager)) == [str(lead_id)]


def test_undo_import_is_for_managers_of_the_team(db: Database, make: Any) -> None:
    manager, rep = make.user("manager"), make.user("rep")
    summary = commit_import(db.uow(), manager, read_table(CSV, "leads.csv"), filename="leads.csv")
    with pytest.raises(PermissionDenied):
        undo_search(db.uow(), rep, summary.search_id)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        undo_search(db.uow(), make.user("manager", team="Other"), summary.search_id)  # type: ignore[arg-type]


def _every_column(db: Database, team_id: int) -> dict[int, dict[str, Any]]:
    with db.uow() as uow:
        rows = uow.session.execute(select(Lead.__table__).where(Lead.team_id == team_id).order_by(Lead.id))
        return {r.id: dict(r._mapping) for r in rows}


FILLS = (b"name,email,company,phone,title,notes\n"
         b"Ann Lee,ANN@acme.io,Acme,+49 30 1234567,CTO,\n"  # fills phone (and its key) and the job title
         b"Ann Lee,ann@acme.io,Acme,,,met at a fair\n"  # the same lead again in the file: fills the notes
         b"Bo Chan,bo@globex.io,Globex,,,\n"  # matched, fills nothing
         b"Dee Ray,dee@umbrella.io,Umbrella,,,\n")  # new


def test_undo_of_an_import_that_filled_duplicates_restores_every_column(db: Database, make: Any) -> None:
    """Import, import again with a file that fills some fields of some leads, undo the second import: every lead
    is what it was before it, every column (version, time and counters included)."""
    manager = make.user("manager")
    commit_import(db.uow(), manager, read_table(CSV, "leads.csv"), filename="leads.csv")
    before = _every_column(db, manager.team_id)
    second = commit_import(db.uow(), manager, read_table(FILLS, "fills.csv"), filename="fills.csv")
    assert (second.saved, second.duplicates) == (1, 3)
    filled = _every_column(db, manager.team_id)
    ann = next(lid for lid, row in before.items() if row["lead_name"] == "Ann Lee")
    assert (filled[ann]["job_title"], filled[ann]["notes"], filled[ann]["phone_norm"]) == (
        "CTO", "met at a fair", "+49301234567")
    assert filled[ann]["version"] == before[ann]["version"] + 2
    result = undo_search(db.uow(), manager, second.search_id)  # type: ignore[arg-type]
    assert (result.removed, result.reverted) == (1, 1)
    assert _every_column(db, manager.team_id) == before


def test_undo_of_a_run_that_filled_one_lead_on_two_pages_restores_it_as_before_the_first(
    db: Database, make: Any
) -> None:
    """A discovery run saves page by page; when two pages fill the same lead, undo goes back to before the first
    page (the oldest record wins), with both pages' fields emptied again."""
    from leadcore.discovery.providers.base import SearchQuery
    from leadcore.discovery.runs import close_search, open_search, save_page
    from leadcore.intake.candidates import LeadCandidate
    from leadcore.intake.matcher import SearchContext

    manager = make.user("manager")
    (ann,) = save_rows(db, manager, [{"lead_name": "Ann Lee", "email": "ann@acme.io", "company": "Acme"}])
    before = _every_column(db, manager.team_id)
    search_id = open_search(db.uow(), manager, provider="test", query=SearchQuery(text="q"), requested=2)
    ctx = SearchContext(search_id=search_id, source="test", query="q")
    save_page(db.uow(), manager, search_id, ctx, [LeadCandidate(lead_name="Ann Lee", email="ann@acme.io",
                                                                job_title="CTO")])
    save_page(db.uow(), manager, search_id, ctx, [LeadCandidate(lead_name="Ann Lee", email="ann@acme.io",
                                                                location="Berlin", notes="met twice")])
    close_search(db.uow(), search_id, outcome="ok")
    filled = _every_column(db, manager.team_id)[ann]  # type: ignore[index]
    assert (filled["job_title"], filled["location"], filled["version"]) == ("CTO", "Berlin", 3)
    result = undo_search(db.uow(), manager, search_id)
    assert result.reverted == 1
    assert _every_column(db, manager.team_id) == before
