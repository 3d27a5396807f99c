"""The Duplicates page: pairs side by side, merge with chosen fields, undo the merge, dismiss, undo an import."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from leadcore.duplicates.scan import scan_team
from leadcore.fileimport.importer import commit_import
from leadcore.fileimport.reading import read_table
from leadcore.leads.edits import get_lead
from tests.duplicates.helpers import save_rows

ROWS = [
    {"lead_name": "Robert Fischer", "company": "Acme GmbH", "email": "robert.fischer@acme.de"},
    {"lead_name": "Bob Fischer", "company": "ACME", "email": "bob.fischer@gmail.com", "phone": "+49 30 1234567"},
    {"lead_name": "Jürgen Köhler", "company": "Globex", "email": "jk@globex.com"},
    {"lead_name": "Juergen Koehler", "company": "Globex AG"},
]


def _texts(at: AppTest) -> str:
    return " ".join(str(e.value) for kind in ("markdown", "caption", "info", "success", "error", "warning")
                    for e in getattr(at, kind))


@pytest.fixture
def page(app_db: Any, make: Any, new_app: Any, logged_in: Any) -> Any:
    def open_page(role: str = "manager") -> tuple[AppTest, Any, list[int]]:
        user = make.user(role)
        ids = [i for i in save_rows(app_db, user, ROWS) if i is not None]
        scan_team(app_db.uow(), user)
        at = logged_in(new_app(), user).run()
        at.switch_page("pages/duplicates.py").run()
        assert not at.exception
        return at, user, ids

    return open_page


def test_pairs_show_side_by_side_with_reasons(page: Any) -> None:
    at, _user, _ids = page()
    text = _texts(at)
    assert "Robert Fischer" in text and "Bob Fischer" in text and "Koehler" in text
    assert "Bob = Robert" in text or "Robert = Bob" in text
    frame = at.dataframe[0].value
    assert "Differs" in frame.columns and "≠" in set(frame["Differs"])


def test_merge_then_undo_merge(page: Any, app_db: Any) -> None:
    at, user, ids = page()
    a, b = sorted(ids[:2])  # Robert and Bob Fischer
    key = f"merge_{a}_{b}"
    at.multiselect(f"take_{a}_{b}_{a}").set_value(["email", "phone"]).run()
    at.button(key).click().run()
    assert not at.exception
    assert "Merged lead" in _texts(at)
    assert get_lead(app_db.uow(), user, b)["is_active"] is False
    assert get_lead(app_db.uow(), user, a)["phone"] is not None
    at.button("unmerge").click().run()
    assert not at.exception and "Unmerged" in _texts(at)
    assert get_lead(app_db.uow(), user, b)["is_active"] is True


def test_not_a_duplicate_removes_the_pair(page: Any) -> None:
    at, _user, _ids = page()
    before = [b.key for b in at.button if b.key and b.key.startswith("dismiss_")]
    at.button(before[0]).click().run()
    after = [b.key for b in at.button if b.key and b.key.startswith("dismiss_")]
    assert not at.exception and after == before[1:]
    assert "will not be suggested again" in _texts(at)


def test_undo_an_import_from_the_page(page: Any, app_db: Any) -> None:
    at, user, _ids = page()
    csv = b"name,email,company\nAnn Lee,ann@acme.io,Acme\nBo Chan,bo@globex.io,Globex\n"
    summary = commit_import(app_db.uow(), user, read_table(csv, "x.csv"), filename="x.csv")
    at.number_input("undo_search_id").set_value(summary.search_id).run()
    at.button("undo_search").click().run()
    assert not at.exception and "Removed 2 leads" in _texts(at)


def test_reps_cannot_open_the_page(make: Any, new_app: Any, logged_in: Any) -> None:
    at = logged_in(new_app(), make.user("rep")).run()
    with pytest.raises(ValueError):
        at.switch_page("pages/duplicates.py")
