"""The grid's pure parts: editor edits (by row position) -> per-lead changes with versions; owner labels; URL view."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import unquote

import pandas as pd
import pytest

from leadcore.accounts.users import UserInfo
from leadcore.grid.filters import LeadFilters
from leadcore.grid.recent import Recent
from ui.grid import (
    NAME_IN_LINK,
    UNASSIGNED_LABEL,
    RowChange,
    describe,
    editor_frame,
    lead_link,
    new_tags,
    owner_choices,
    row_changes,
    selected_ids,
)
from ui.widgets import GridView


def lead(i: int, **over: Any) -> dict[str, Any]:
    row = {"id": i, "version": i * 10, "lead_name": f"Lead {i}", "email": f"l{i}@x.com", "status": "NEW",
           "lead_score": 50, "tags": ["hot"], "notes": None, "owner_id": None, "type": "INDIVIDUAL",
           "imported": False, "created_at": None}
    row.update(over)
    return row


ROWS = [lead(7), lead(3, owner_id=2, lead_name=None), lead(9, tags=[], notes="call back")]
OWNERS = {UNASSIGNED_LABEL: None, "Ana": 2, "Ben": 5}


def user(uid: int, name: str, *, active: bool = True, email: str | None = None) -> UserInfo:
    return UserInfo(uid, email or f"u{uid}@x.com", name, "rep", 1, "T", active, None)


def test_an_edit_maps_its_row_position_to_the_lead_and_the_version_it_was_read_at():
    assert row_changes({1: {"status": "CONTACTED"}}, ROWS, OWNERS) == [
        RowChange(lead_id=3, version=30, name="l3@x.com", changes={"status": "CONTACTED"})
    ]


def test_only_changed_rows_come_back_in_row_order_with_string_positions_too():
    out = row_changes({"2": {"lead_score": 80}, "0": {"notes": "hi"}}, ROWS, OWNERS)
    assert [(c.lead_id, c.changes) for c in out] == [(7, {"notes": "hi"}), (9, {"lead_score": 80})]


@pytest.mark.parametrize(
    "edits",
    [
        {"status": "NEW"},  # back to the original value
        {"lead_score": 50.0},  # the number column sends floats
        {"tags": ["hot", " "]},  # blank tags are no tags
        {"notes": "   "},  # blank notes are no notes (row 0 had none)
        {"select": True},  # ticking a row is not an edit
        {"owner": "Someone who left"},  # not a label we offered
        {"id": 99, "lead_name": "Renamed"},  # read-only columns
    ],
)
def test_edits_that_change_nothing_are_not_saved(edits: dict[str, Any]):
    assert row_changes({0: edits}, ROWS, OWNERS) == []


@pytest.mark.parametrize(
    "column, value, field, expected",
    [
        ("lead_score", 72.0, "lead_score", 72),
        ("lead_score", " 64 ", "lead_score", 64),
        ("lead_score", None, "lead_score", None),  # cleared: leadcore says what is allowed
        ("lead_score", "lots", "lead_score", "lots"),  # passed on so leadcore can reject it in words
        ("tags", "hot, vip;  cold", "tags", ["hot", "vip", "cold"]),
        ("tags", ["vip", "vip", " new "], "tags", ["vip", "new"]),
        ("tags", None, "tags", []),
        ("notes", "  call Monday ", "notes", "call Monday"),
        ("status", "qualified", "status", "QUALIFIED"),
        ("owner", "Ben", "owner_id", 5),
    ],
)
def test_edited_values_are_normalised_to_what_update_lead_takes(column, value, field, expected):
    assert row_changes({0: {column: value}}, ROWS, OWNERS)[0].changes == {field: expected}


def test_unassigning_an_owned_lead_is_a_change_to_none():
    assert row_changes({1: {"owner": UNASSIGNED_LABEL}}, ROWS, OWNERS)[0].changes == {"owner_id": None}


def test_clearing_notes_is_a_change_to_none():
    assert row_changes({2: {"notes": ""}}, ROWS, OWNERS)[0].changes == {"notes": None}


def test_positions_outside_the_page_and_garbage_keys_are_ignored():
    assert row_changes({5: {"status": "CONTACTED"}, -1: {"status": "CONTACTED"}, "x": {}}, ROWS, OWNERS) == []


def test_several_fields_of_one_row_make_one_change():
    out = row_changes({0: {"status": "CONTACTED", "tags": ["hot", "vip"], "select": True}}, ROWS, OWNERS)
    assert out == [RowChange(7, 70, "Lead 7", {"status": "CONTACTED", "tags": ["hot", "vip"]})]


def test_selected_ids_are_the_ticked_rows():
    edits = {0: {"select": True}, 1: {"select": False}, "2": {"select": True, "status": "NEW"}, 8: {"select": True}}
    assert selected_ids(edits, ROWS) == [7, 9]


def test_owner_choices_start_with_unassigned_and_tell_namesakes_apart():
    people = [user(4, "Ana", email="ana@a.com"), user(2, "Ana", email="ana@b.com"), user(3, "Cem"),
              user(9, "Old", active=False)]
    out = owner_choices(people, current={9: "Old", 11: "Gone"})
    assert next(iter(out)) == UNASSIGNED_LABEL and out[UNASSIGNED_LABEL] is None
    assert out["Ana (ana@a.com)"] == 4 and out["Ana (ana@b.com)"] == 2 and out["Cem"] == 3
    assert out["Old"] == 9 and out["Gone"] == 11  # owners already on the page stay nameable


def test_describe_says_what_was_not_saved():
    ch = RowChange(3, 1, "Ana", {"status": "CONTACTED", "owner_id": 5, "tags": [], "lead_score": 9})
    assert describe(ch, OWNERS) == "status → CONTACTED, owner → Ben, tags → (none), score → 9"


def test_editor_frame_is_indexed_by_lead_id_with_owner_labels():
    frame = editor_frame(ROWS, OWNERS)
    assert list(frame.index) == [7, 3, 9]
    assert list(frame["owner"]) == [UNASSIGNED_LABEL, "Ana", UNASSIGNED_LABEL]
    assert list(frame["lead_name"]) == ["lead?id=7#Lead%207", "lead?id=3#l3%40x.com", "lead?id=9#Lead%209"]
    assert not frame["select"].any()


@pytest.mark.parametrize("name", ["Ana Lima", "Jürgen Köhler", "A&B #1 / 50% + co", "O'Brien, Seán"])
def test_the_name_link_shows_the_name(name: str) -> None:
    """The Name column's text is its link's fragment, decoded the way the grid does (decodeURIComponent after
    "+" → space): whatever the name holds comes back as it was."""
    link = lead_link({"id": 5, "lead_name": name})
    assert link.startswith("lead?id=5#")
    fragment = re.match(NAME_IN_LINK, link[link.index("#"):])
    assert fragment and unquote(fragment.group(1).replace("+", "%20")) == name


def test_recent_touch_and_note_fill_their_columns() -> None:
    touched = datetime(2026, 11, 3, 8, 30, tzinfo=UTC)
    frame = editor_frame(ROWS, OWNERS, {9: Recent(last_touch=touched, latest_note="Called, no answer")})
    assert list(frame["latest_note"]) == ["", "", "Called, no answer"]
    assert frame["last_touch"].isna().tolist() == [True, True, False]
    assert frame.loc[9, "last_touch"] == pd.Timestamp("2026-11-03 08:30")


def test_editor_frame_of_an_empty_page_has_the_columns():
    assert "status" in editor_frame([], OWNERS).columns


@pytest.mark.parametrize(
    "view",
    [
        GridView(),
        GridView(LeadFilters(statuses=("NEW", "QUALIFIED"), owner_ids=(0, 4), tags=("a b",), score_min=10,
                             created_from=date(2026, 1, 2), imported=False, q="ann", search_id=5), "name", 50, 3),
        GridView(LeadFilters(deleted=True), "created", 100, 1),
    ],
)
def test_grid_view_round_trips_through_url_params(view: GridView):
    assert GridView.from_params(view.to_params()) == view


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "evil", "size": "7", "page": "-2"},
        {"sort": ["score"], "size": "lots", "page": "9999999999"},
        {"page": "0", "statuses": "BOGUS", "score_min": "900", "created_from": "yesterday"},
    ],
)
def test_unreadable_url_params_fall_back_to_defaults(params: dict[str, Any]):
    assert GridView.from_params(params) == GridView()


def test_the_signature_ignores_the_page_so_paging_keeps_the_view():
    assert GridView(page=1).signature() == GridView(page=4).signature() != GridView(sort="name").signature()


def change(**changes: Any) -> RowChange:
    return RowChange(lead_id=1, version=1, name="Lead 1", changes=changes)


@pytest.mark.parametrize(("changes", "known", "expected"), [
    ([change(status="CONTACTED")], ["hot"], set()),
    ([change(tags=["hot"])], ["hot", "cold"], set()),
    ([change(tags=[])], ["hot"], set()),
    ([change(tags=["hot", "vip"])], ["hot"], {"vip"}),
    ([change(tags=["vip"]), change(status="WON"), change(tags=["eu", "hot"])], ["hot"], {"vip", "eu"}),
    ([change(tags=["Hot"])], ["hot"], {"Hot"}),  # a tag keeps its case: "Hot" is not "hot"
    ([], [], set()),
])
def test_new_tags_are_the_saved_tags_the_filters_do_not_offer_yet(changes: list[RowChange], known: list[str],
                                                                    expected: set[str]) -> None:
    assert new_tags(changes, known) == expected
