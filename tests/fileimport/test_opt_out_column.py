"""An unsubscribe / do-not-contact column in an imported file marks those leads do-not-contact."""

from __future__ import annotations

import pytest

from leadcore.fileimport.importer import commit_import
from leadcore.fileimport.mapping import guess_mapping, opted_out
from leadcore.fileimport.reading import read_table
from leadcore.leads.edits import get_lead


@pytest.mark.parametrize("header", ["Unsubscribed", "Do Not Contact", "DNC", "Email Opt Out", "HasOptedOutOfEmail",
                                    "opt_out", "leadDoNotContact"])
def test_common_unsubscribe_headers_map_to_do_not_contact(header):
    assert guess_mapping(["Email", header])[header] == "do_not_contact"


@pytest.mark.parametrize("cell, flag", [("yes", True), ("TRUE", True), ("1", True), ("x", True),
                                        ("Unsubscribed", True), ("no", False), ("0", False), ("", False),
                                        (None, False), ("false", False)])
def test_which_cells_mean_opted_out(cell, flag):
    assert opted_out(cell) is flag


def test_import_marks_opted_out_rows_and_never_clears_a_flag(db, make):
    rep = make.user("rep")
    csv = ("Name,Email,Unsubscribed\n"
           "Ana Lopez,ana@north.io,yes\n"
           "Ben Okafor,ben@south.io,no\n"
           "Bad Row,not-an-email,yes\n"
           "Cy Dune,cy@east.io,TRUE\n")
    summary = commit_import(db.uow(), rep, read_table(csv.encode(), "people.csv"), filename="people.csv")
    flags = {get_lead(db.uow(), rep, i)["email"]: get_lead(db.uow(), rep, i)["do_not_contact"]
             for i in summary.lead_ids}
    assert flags == {"ana@north.io": True, "ben@south.io": False, "cy@east.io": True}
    again = "Name,Email,Unsubscribed\nAna Lopez,ana@north.io,no\nBen Okafor,ben@south.io,yes\n"
    commit_import(db.uow(), rep, read_table(again.encode(), "again.csv"), filename="again.csv")
    flags = {get_lead(db.uow(), rep, i)["email"]: get_lead(db.uow(), rep, i)["do_not_contact"]
             for i in summary.lead_ids}
    assert flags == {"ana@north.io": True, "ben@south.io": True, "cy@east.io": True}
