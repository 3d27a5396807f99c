"""An import's dry run warns on each new row that looks like a lead another rep owns ("probably exists, owned by
X"): reps only (a manager may edit every lead), the row still counts as new, nothing is written."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from leadcore.db.models import Lead
from leadcore.db.runtime import Database
from leadcore.fileimport.importer import dry_run
from leadcore.fileimport.reading import read_table

FILE = ("name,company,phone,email\n"
        "Bob Fischer,ACME,030 123-4567,\n"          # Robert Fischer of Acme GmbH, the same phone: Olga's lead
        "Zoe Park,Park Labs,,zoe@parklabs.io\n")   # nobody like her


def test_dry_run_names_the_owner_of_a_lookalike_for_a_rep_only(db: Database, make: Any) -> None:
    manager = make.user("manager")
    olga, rep = make.user("rep", name="Olga Owner"), make.user("rep")
    lead = make.lead(manager, lead_name="Robert Fischer", company="Acme GmbH", phone="+49 30 1234567", email=None,
                     owner_id=olga.user_id)
    table = read_table(FILE.encode(), "people.csv")
    with db.uow() as uow:
        before = uow.session.scalar(select(func.count()).select_from(Lead))
    s = dry_run(db.uow(), rep, table)
    assert [r.outcome for r in s.rows] == ["new", "new"] and s.lookalikes == 1
    assert f"Lead {lead} (Robert Fischer) probably exists already, owned by Olga Owner" in s.rows[0].note
    assert "probably exists" not in s.rows[1].note
    assert dry_run(db.uow(), manager, table).lookalikes == 0  # a manager may edit it: no warning
    assert dry_run(db.uow(), olga, table).lookalikes == 0  # her own lead: she sees it
    with db.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Lead)) == before
