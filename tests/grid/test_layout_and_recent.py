"""The grid's per-user column layout and each page's last touch / latest note."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from leadcore.db.runtime import Database
from leadcore.errors import InvalidInput
from leadcore.grid import recent
from leadcore.leads.edits import add_note
from leadcore.work import layout
from leadcore.work.activities import log_activity


@pytest.mark.parametrize("shown, pinned, expected_shown, expected_pinned", [
    (["status", "email"], [], ("lead_name", "status", "email"), ()),
    (["email", "lead_name", "status"], ["status"], ("email", "lead_name", "status"), ("status",)),
    (["status", "status", "email"], ["email", "lead_name"], ("lead_name", "status", "email"), ("lead_name", "email")),
    (["email"], ["company"], ("lead_name", "email"), ()),  # a pinned column that is not shown is not pinned
])
def test_clean_layout(shown: list[str], pinned: list[str], expected_shown: tuple[str, ...],
                      expected_pinned: tuple[str, ...]) -> None:
    got = layout.clean_layout(shown, pinned)
    assert (got.shown, got.pinned) == (expected_shown, expected_pinned)


@pytest.mark.parametrize("bad", [["nope"], "status", [1]])
def test_unknown_columns_are_refused_with_their_name(bad: Any) -> None:
    with pytest.raises(InvalidInput, match="column"):
        layout.clean_layout(bad)


def test_pinned_columns_come_first_and_return_to_their_place_when_unpinned() -> None:
    shown = ["email", "status", "lead_name", "company"]
    assert layout.clean_layout(shown, ["company", "status"]).ordered == ("status", "company", "email", "lead_name")
    assert layout.clean_layout(shown, []).ordered == tuple(shown)


def test_a_stored_layout_drops_columns_the_grid_no_longer_has() -> None:
    got = layout.layout_from({"shown": ["status", "retired_column", "email"], "pinned": ["retired_column"]})
    assert got.shown == ("lead_name", "status", "email") and got.pinned == ()
    assert layout.layout_from(None) == layout.GridLayout() == layout.layout_from({"shown": []})


def test_layout_is_remembered_per_user(db: Database, make: Any) -> None:
    ana, ben = make.user("rep"), make.user("rep")
    assert layout.get_layout(db.uow(), ana).is_default
    layout.set_layout(db.uow(), ana, shown=["lead_name", "email", "status"], pinned=["lead_name", "email"])
    assert layout.get_layout(db.uow(), ana) == layout.GridLayout(("lead_name", "email", "status"),
                                                                 ("lead_name", "email"))
    assert layout.get_layout(db.uow(), ben).is_default
    with pytest.raises(InvalidInput):
        layout.set_layout(db.uow(), ana, shown=["status", "bogus"])
    assert layout.get_layout(db.uow(), ana).shown == ("lead_name", "email", "status")  # unchanged by bad input
    layout.set_layout(db.uow(), ana, shown=None)
    assert layout.get_layout(db.uow(), ana).is_default


def test_recent_touch_and_note_per_lead(db: Database, make: Any) -> None:
    rep = make.user("rep")
    other_team = make.user("rep", team="Other")
    a, b, c = (make.lead(rep, owner_id=rep.user_id) for _ in range(3))
    foreign = make.lead(other_team)
    t0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    log_activity(db.uow(), rep, a, kind="call", occurred_at=t0)
    log_activity(db.uow(), rep, a, kind="email", occurred_at=t0 + timedelta(hours=2))
    log_activity(db.uow(), rep, a, kind="meeting", occurred_at=t0 - timedelta(days=1))  # logged late, happened earlier
    add_note(db.uow(), rep, a, "first note")
    add_note(db.uow(), rep, a, "second\n  note " + "x" * 300)
    add_note(db.uow(), rep, b, "only note")
    log_activity(db.uow(), other_team, foreign, kind="call", occurred_at=t0)

    got = recent.recent_for(db.uow(), rep, [a, b, c, foreign])
    assert set(got) == {a, b}  # c has nothing; another team's lead is not read
    assert got[a].last_touch == t0 + timedelta(hours=2) and got[a].last_touch_kind == "email"
    assert got[a].latest_note is not None and got[a].latest_note.startswith("second note x")
    assert len(got[a].latest_note) == recent.NOTE_PREVIEW and got[a].latest_note.endswith("…")
    assert got[b] == recent.Recent(latest_note="only note", latest_note_at=got[b].latest_note_at)
    assert recent.recent_for(db.uow(), rep, []) == {}
