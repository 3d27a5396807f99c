"""The Import page remembers a team's mapping: saved once, offered again for a file with the same columns."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, event
from streamlit.testing.v1 import AppTest

from leadcore.fileimport.saved_mappings import find_for
from tests.ui.importing import open_import, upload

CSV = b"Full Name,E-mail,Company,Stage\nAna Lee,ana@acme.io,Acme,Hot\nBob Stone,bob@beta.io,Beta,Cold\n"
# The same columns in another order and spelling: the same header set.
AGAIN = b"stage,e_mail,full name,company\nHot,cy@gamma.io,Cy Lo,Gamma\n"


@pytest.fixture
def page(make, new_app, logged_in):
    def open_page(rep=None) -> AppTest:  # type: ignore[no-untyped-def]
        rep = rep or make.user("rep", name="Rita Rep")
        return open_import(logged_in(new_app(), rep), rep)

    return open_page


def box(at: AppTest, prefix: str, label: str):  # type: ignore[no-untyped-def]
    return next(s for s in at.selectbox if s.key and s.key.startswith(prefix) and s.label == label)


def mapping_boxes(at: AppTest) -> dict[str, str]:
    return {s.label: s.value for s in at.selectbox if s.key and s.key.startswith("map_")}


def preset_reads(at: AppTest) -> int:
    """How many statements one rerun of the page sends for the team's saved mappings (on the app's own engine)."""
    seen: list[str] = []

    def statement(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(Engine, "before_cursor_execute", statement)
    try:
        at.run()
    finally:
        event.remove(Engine, "before_cursor_execute", statement)
    assert not at.exception
    return len([s for s in seen if "import_mappings" in s])


def test_saved_mapping_is_offered_for_the_same_columns(page, make, app_db):
    at = upload(page(), CSV, "fair.csv")
    assert mapping_boxes(at)["Stage"] == "(ignore)"
    assert not [i for i in at.info if "saved mapping" in i.value]
    box(at, "map_", "Stage").set_value("status").run()
    box(at, "map_", "Company").set_value("(ignore)").run()
    box(at, "status_", "Hot (1)").set_value("QUALIFIED").run()
    name = next(t for t in at.text_input if t.key and t.key.startswith("import_mapping_name_"))
    assert name.value == "fair"  # no known format: the file's name
    name.set_value("Trade fair").run()
    next(b for b in at.button if b.label == "Save this mapping").click().run()
    assert not at.exception
    assert any('Saved the mapping "Trade fair"' in s.value for s in at.success)
    saved = find_for(app_db.uow(), at.actor, ["Full Name", "E-mail", "Company", "Stage"])
    assert saved is not None and saved.mapping["Stage"] == "status" and saved.status_map["Hot"] == "QUALIFIED"

    # A teammate uploads a file with the same columns: the saved mapping is used and said so.
    mate = make.user("rep", name="Mo Mate")
    at = upload(page(mate), AGAIN, "again.csv")
    info = next(i.value for i in at.info if "saved mapping" in i.value)
    assert 'Using the saved mapping "Trade fair" for these columns (saved by Rita Rep on ' in info
    assert mapping_boxes(at) == {"stage": "status", "e_mail": "email", "full name": "lead_name",
                                 "company": "(ignore)"}
    assert box(at, "status_", "Hot (1)").value == "QUALIFIED"
    assert preset_reads(at) == 1  # the panel's list also finds the file's preset

    # Back to the detected defaults, and forward again.
    next(b for b in at.button if b.label == "Use the detected defaults instead").click().run()
    assert not at.exception
    assert mapping_boxes(at) == {"stage": "(ignore)", "e_mail": "email", "full name": "lead_name",
                                 "company": "company"}
    next(b for b in at.button if b.label == "Use the saved mapping").click().run()
    assert mapping_boxes(at)["stage"] == "status"


def test_a_bad_name_is_refused_in_words(page):
    at = upload(page(), CSV, "fair.csv")
    next(t for t in at.text_input if t.key and t.key.startswith("import_mapping_name_")).set_value("  ").run()
    next(b for b in at.button if b.label == "Save this mapping").click().run()
    assert not at.exception
    assert "Give the mapping a name" in at.error[0].value


def test_the_teams_saved_mappings_are_listed_and_can_be_deleted(page, make, app_db):
    """Saved mappings are listed on the Import page (name, columns, who saved them); Delete asks first, removes the
    mapping for the whole team, and the next file with those columns starts from the detected defaults."""
    at = page()
    assert not [e for e in at.expander if e.label.startswith("Saved column mappings")]  # none yet: no panel
    at = upload(at, CSV, "fair.csv")
    box(at, "map_", "Stage").set_value("status").run()
    next(t for t in at.text_input if t.key and t.key.startswith("import_mapping_name_")).set_value("Trade fair").run()
    next(b for b in at.button if b.label == "Save this mapping").click().run()

    mate = make.user("rep", name="Mo Mate")
    at = page(mate)
    panel = next(e for e in at.expander if e.label == "Saved column mappings (1)")
    listed = " ".join(m.value for m in panel.markdown)
    assert "**Trade fair** · 4 columns: Full Name, E\\-mail, Company, Stage" in listed  # Markdown-escaped
    assert "Saved by Rita Rep on " in listed
    next(b for b in at.button if b.label == "Delete mapping").click().run()
    assert not at.exception
    assert at.success[0].value == 'Deleted the saved mapping "Trade fair".'
    assert not [e for e in at.expander if e.label.startswith("Saved column mappings")]
    assert find_for(app_db.uow(), at.actor, ["Full Name", "E-mail", "Company", "Stage"]) is None

    at = upload(at, AGAIN, "again.csv")  # the same columns: the detected defaults now
    assert not [i for i in at.info if "saved mapping" in i.value]
    assert mapping_boxes(at)["stage"] == "(ignore)"


def test_a_mapping_is_only_listed_for_its_own_team(page, make):
    at = upload(page(), CSV, "fair.csv")
    next(b for b in at.button if b.label == "Save this mapping").click().run()
    other = make.user("rep", name="Olga Other", team="Elsewhere")
    assert not [e for e in page(other).expander if e.label.startswith("Saved column mappings")]
