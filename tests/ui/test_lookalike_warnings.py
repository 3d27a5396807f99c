""""Probably exists, owned by X" in the app: the Leads page's Add a lead form and the Import page's dry run warn a
rep before they save a second copy of a lead another rep owns."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from leadcore.db.models import Lead


def _olgas_lead(make: Any) -> tuple[Any, int]:
    manager = make.user("manager")
    olga, rep = make.user("rep", name="Olga Owner"), make.user("rep", name="Rita Rep")
    lead = make.lead(manager, lead_name="Robert Fischer", company="Acme GmbH", phone="+49 30 1234567", email=None,
                     owner_id=olga.user_id)
    return rep, lead


def _count(app_db: Any) -> int:
    with app_db.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Lead)) or 0)


def _open(at: AppTest, page: str) -> AppTest:
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_add_a_lead_warns_about_another_reps_lookalike_and_adds_only_when_asked(make, new_app, logged_in, app_db):
    rep, lead = _olgas_lead(make)
    at = _open(logged_in(new_app(), rep), "pages/leads.py")
    before = _count(app_db)
    at.text_input(key="lc_add_lead_name").input("Bob Fischer")
    at.text_input(key="lc_add_company").input("ACME")
    at.text_input(key="lc_add_phone").input("030 123-4567")
    next(b for b in at.button if b.label == "Add lead").click()
    at.run()
    assert not at.exception, at.exception
    warnings = "\n".join(w.value for w in at.warning)
    assert f"Lead {lead} (Robert Fischer) probably exists already, owned by Olga Owner" in warnings
    assert _count(app_db) == before  # nothing saved yet
    at.button(key="lc_add_anyway").click()
    at.run()
    assert not at.exception, at.exception
    assert _count(app_db) == before + 1
    assert any("Lead added" in s.value for s in at.success)


def test_add_a_lead_without_lookalike_saves_at_once(make, new_app, logged_in, app_db):
    rep, _ = _olgas_lead(make)
    at = _open(logged_in(new_app(), rep), "pages/leads.py")
    before = _count(app_db)
    at.text_input(key="lc_add_lead_name").input("Zoe Park")
    at.text_input(key="lc_add_email").input("zoe@parklabs.io")
    next(b for b in at.button if b.label == "Add lead").click()
    at.run()
    assert not at.exception, at.exception
    assert not at.warning and _count(app_db) == before + 1


def test_import_dry_run_warns_on_rows_like_another_reps_lead(make, new_app, logged_in, app_db):
    rep, lead = _olgas_lead(make)
    at = _open(logged_in(new_app(), rep), "pages/import.py")
    at.file_uploader[0].upload("people.csv", b"name,company,phone\nBob Fischer,ACME,030 123-4567\n", "text/csv")
    at.run()
    next(b for b in at.button if b.label.startswith("Dry run")).click()
    at.run()
    assert not at.exception, at.exception
    assert any("1 new row looks like a lead another rep owns" in w.value for w in at.warning)
    notes = at.dataframe[-1].value["Note"].tolist()
    assert any(f"Lead {lead} (Robert Fischer) probably exists already, owned by Olga Owner" in n for n in notes)
