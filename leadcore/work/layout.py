"""Each user's leads-grid layout: which columns show, in which order, and which stay pinned on the left while the
rest scrolls. Remembered per user (``work_prefs.grid_layout``); a saved view can carry its own columns.

The column ids are the grid's, not the database's: ``owner`` is the owner's name, ``last_touch`` the newest logged
activity, ``latest_note`` the newest timeline note (see :mod:`leadcore.grid.recent`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from leadcore.accounts.actors import Actor
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import WorkPrefs
from leadcore.errors import InvalidInput

# id -> label, in the order the chooser offers them
COLUMNS: dict[str, str] = {
    "lead_name": "Name",
    "status": "Status",
    "lead_score": "Score",
    "owner": "Owner",
    "tags": "Tags",
    "notes": "Summary",
    "latest_note": "Latest note",
    "last_touch": "Last touch",
    "company": "Company",
    "job_title": "Title",
    "email": "Email",
    "phone": "Phone",
    "location": "Location",
    "industry": "Industry",
    "website": "Website",
    "type": "Type",
    "search_query": "Source query",
    "imported": "Imported",
    "created_at": "Created",
    "updated_at": "Updated",
    "do_not_contact": "Do not contact",
}
ALWAYS_SHOWN = "lead_name"  # a row must say whose it is
# What a rep edits comes first, right after the name, so it fits a 1400-pixel screen; then what identifies the lead.
DEFAULT_SHOWN = ("lead_name", "status", "lead_score", "owner", "tags", "latest_note", "last_touch", "company",
                 "job_title", "email", "location", "notes", "type", "search_query", "imported", "created_at",
                 "do_not_contact")
DEFAULT_PINNED = ("lead_name",)


@dataclass(frozen=True)
class GridLayout:
    shown: tuple[str, ...] = DEFAULT_SHOWN
    pinned: tuple[str, ...] = DEFAULT_PINNED

    @property
    def ordered(self) -> tuple[str, ...]:
        """The display order: pinned columns first (a grid draws them on the left), then the rest, each in the
        order the user chose; unpinning a column puts it back where it was."""
        return (*(c for c in self.shown if c in self.pinned), *(c for c in self.shown if c not in self.pinned))

    @property
    def is_default(self) -> bool:
        return self == GridLayout()

    def as_json(self) -> dict[str, list[str]]:
        return {"shown": list(self.shown), "pinned": list(self.pinned)}


def _ids(raw: Any, what: str, *, strict: bool) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str) or not isinstance(raw, Iterable):
        if strict:
            raise InvalidInput(f"{what} must be a list of column names", field=what)
        return []
    out: list[str] = []
    for c in raw:
        if c not in COLUMNS:
            if strict:
                known = ", ".join(COLUMNS)
                raise InvalidInput(f"{c!r} is not a grid column; the columns are {known}", field=what)
            continue  # a column the grid no longer has, in a layout saved by an older version
        if c not in out:
            out.append(c)
    return out


def clean_layout(shown: Any, pinned: Any = None, *, strict: bool = True) -> GridLayout:
    """A valid layout: known columns once each in the order given, the name always shown (first unless placed),
    only shown columns pinned. ``strict`` refuses unknown columns (user input); otherwise they are dropped (a stored
    layout)."""
    shown_ids = _ids(shown, "shown", strict=strict)
    if ALWAYS_SHOWN not in shown_ids:
        shown_ids.insert(0, ALWAYS_SHOWN)
    pinned_set = set(_ids(pinned, "pinned", strict=strict)) & set(shown_ids)
    return GridLayout(tuple(shown_ids), tuple(c for c in shown_ids if c in pinned_set))


def layout_from(doc: Any) -> GridLayout:
    """The layout stored in a preference or a saved view (None or unusable: the default)."""
    if not isinstance(doc, dict) or not doc.get("shown"):
        return GridLayout()
    return clean_layout(doc.get("shown"), doc.get("pinned"), strict=False)


def get_layout(uow: UnitOfWork, actor: Actor) -> GridLayout:
    if actor.user_id is None:
        return GridLayout()
    with uow:
        uow.reading()
        doc = uow.session.scalar(select(WorkPrefs.grid_layout).where(WorkPrefs.user_id == actor.user_id))
    return layout_from(doc)


def set_layout(uow: UnitOfWork, actor: Actor, *, shown: Any, pinned: Any = None) -> GridLayout:
    """Remember the actor's grid columns; ``shown=None`` goes back to the default layout."""
    if actor.user_id is None:
        raise InvalidInput("Only a signed-in user has a grid layout", field="shown")
    layout = GridLayout() if shown is None else clean_layout(shown, pinned)
    doc = None if layout.is_default else layout.as_json()
    with uow:
        s = uow.session
        row = s.scalar(select(WorkPrefs).where(WorkPrefs.user_id == actor.user_id))
        if row is None:
            s.add(WorkPrefs(user_id=actor.user_id, grid_layout=doc))
        else:
            row.grid_layout = doc
        uow.commit()
    return layout
