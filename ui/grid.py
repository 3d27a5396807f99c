"""The leads grid's editor: its frame and column config, and turning the editor's edits into per-lead changes.

``st.data_editor`` reports edits by row *position* (``edited_rows = {0: {"status": "CONTACTED"}}``); the
functions here map positions back to the leads the user saw, so a save writes exactly the rows that changed,
each with the version it was read at.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pandas as pd
import streamlit as st

from leadcore.accounts.users import UserInfo
from leadcore.grid.recent import Recent
from leadcore.intake.candidates import NOTES_MAX, STATUSES
from leadcore.work.layout import COLUMNS, GridLayout

UNASSIGNED_LABEL = "Unassigned"
SELECT = "select"
OPEN = "open"
OPEN_LABEL = "Open"
TASK = "task"
TASK_LABEL = "+ Add"
ACTIONS = (SELECT, OPEN, TASK)  # always first, always pinned
# editor column -> lead field
EDITABLE = {"status": "status", "lead_score": "lead_score", "tags": "tags", "notes": "notes", "owner": "owner_id"}
COLUMN_LABELS = {"status": "Status", "lead_score": "Score", "tags": "Tags", "notes": "Summary", "owner_id": "Owner"}
NAME_IN_LINK = r"#(.*)$"  # the Name column is a link to the lead; its text is the link's fragment


@dataclass(frozen=True)
class RowChange:
    """What the user changed on one lead, with the version the row was read at."""

    lead_id: int
    version: int
    name: str
    changes: dict[str, Any]


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]<>()#+-.!|~$"})


def md(text: object) -> str:
    """``text`` safe to put inside Markdown (names with underscores or brackets stay literal)."""
    return str(text).translate(_MD_SPECIAL)


def total_label(total: int, estimate: bool) -> str:
    """``1,234`` or, for the planner's estimate of a very large filter, ``about 480,000``."""
    return f"about {total:,}" if estimate else f"{total:,}"


def lead_label(lead: Mapping[str, Any]) -> str:
    """How a lead is named to people: its name, else its email, else its number."""
    return str(lead.get("lead_name") or lead.get("email") or f"Lead {lead.get('id')}")


def lead_link(lead: Mapping[str, Any]) -> str:
    """The lead page's URL relative to the grid's, with the lead's name as the fragment the Name column shows."""
    return f"lead?id={int(lead['id'])}#{quote(lead_label(lead), safe='')}"


def owner_choices(people: Sequence[UserInfo], current: Mapping[int, str] | None = None) -> dict[str, int | None]:
    """Owner picker labels -> user id ("Unassigned" -> None). Active teammates, plus owners already on the page
    (who may have left); two people with one name are told apart by their email."""
    names: dict[int, tuple[str, str]] = {u.id: (u.display_name, u.email) for u in people if u.is_active}
    for uid, name in (current or {}).items():
        names.setdefault(uid, (name, ""))
    counts: dict[str, int] = {}
    for name, _ in names.values():
        counts[name] = counts.get(name, 0) + 1
    out: dict[str, int | None] = {UNASSIGNED_LABEL: None}
    for uid, (name, email) in sorted(names.items(), key=lambda kv: kv[1][0].lower()):
        label = name if counts[name] == 1 and name != UNASSIGNED_LABEL else f"{name} ({email or uid})"
        out[label] = uid
    return out


def _score(value: Any) -> int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text) if text else None
        except ValueError:
            return value  # type: ignore[return-value]  # leadcore reports it as invalid, in words
    return value


def _tags(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    parts = value.replace(";", ",").split(",") if isinstance(value, str) else [str(v) for v in value]
    out: list[str] = []
    for p in parts:
        p = p.strip()
        if p and p not in out:
            out.append(p)
    return out


def _notes(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value).strip() or None


def new_tags(changes: Sequence[RowChange], known: Iterable[str]) -> set[str]:
    """The tags these changes put on leads that are not among ``known`` (the team's tags as last read)."""
    have = set(known)
    return {t for ch in changes for t in ch.changes.get("tags") or () if t not in have}


def row_changes(
    edited_rows: Mapping[Any, Mapping[str, Any]],
    rows: Sequence[Mapping[str, Any]],
    owners: Mapping[str, int | None],
) -> list[RowChange]:
    """The leads whose editable values really changed, in row order; unknown positions, the selection column,
    unknown owner labels and edits back to the original value are left out."""
    out: list[RowChange] = []
    for pos in sorted(_positions(edited_rows)):
        if not 0 <= pos < len(rows):
            continue
        lead = rows[pos]
        edits = edited_rows.get(pos, edited_rows.get(str(pos), {})) or {}
        changes: dict[str, Any] = {}
        for column, value in edits.items():
            field = EDITABLE.get(column)
            if field is None:
                continue
            if field == "owner_id":
                if value not in owners:
                    continue
                new: Any = owners[value]
            elif field == "lead_score":
                new = _score(value)
            elif field == "tags":
                new = _tags(value)
            elif field == "notes":
                new = _notes(value)
            else:
                new = str(value or "").strip().upper()
            old = lead.get(field)
            if field == "tags":
                old = _tags(old)
            elif field == "notes":
                old = _notes(old)
            if new != old:
                changes[field] = new
        if changes:
            out.append(RowChange(int(lead["id"]), int(lead["version"]), lead_label(lead), changes))
    return out


def selected_ids(edited_rows: Mapping[Any, Mapping[str, Any]], rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Ids of the rows whose "Select" box is ticked, in row order."""
    ids = []
    for pos in sorted(_positions(edited_rows)):
        edits = edited_rows.get(pos, edited_rows.get(str(pos), {})) or {}
        if 0 <= pos < len(rows) and edits.get(SELECT) is True:
            ids.append(int(rows[pos]["id"]))
    return ids


def _positions(edited_rows: Mapping[Any, Any]) -> set[int]:
    out = set()
    for k in edited_rows:
        try:
            out.add(int(k))
        except (TypeError, ValueError):
            continue
    return out


def describe(change: RowChange, owners: Mapping[str, int | None]) -> str:
    """``status → CONTACTED, tags → hot, vip`` for messages about a change that was not saved."""
    names = {v: k for k, v in owners.items()}
    parts = []
    for field, value in change.changes.items():
        if field == "owner_id":
            value = names.get(value, value)
        elif field == "tags":
            value = ", ".join(value) or "(none)"
        elif field == "notes":
            value = (value[:30] + "…") if value and len(value) > 30 else (value or "(empty)")
        label = {"lead_score": "score", "owner_id": "owner"}.get(field, field)
        parts.append(f"{label} → {value}")
    return ", ".join(parts)


def _naive_utc(values: Sequence[Any]) -> pd.Series:
    """Timestamps as naive UTC: PostgreSQL returns aware datetimes, SQLite naive (UTC) ones."""
    return pd.to_datetime(pd.Series(list(values), dtype="object"), utc=True).dt.tz_localize(None).astype(
        "datetime64[us]")


def _text(values: Sequence[Any]) -> pd.Series:
    """A read-only text column: a missing value is an empty cell (the editor draws None as a grey "None").

    Only display columns go through here; the editable ones keep their own empty values, and saving compares
    edits with the rows as read (``row_changes``), never with this frame, so a blank here is never a change."""
    return pd.Series(["" if v is None else v for v in values], dtype="object")


def editor_frame(items: Sequence[Mapping[str, Any]], owners: Mapping[str, int | None],
                 recent: Mapping[int, Recent] | None = None) -> pd.DataFrame:
    """One page of leads as the editor's input, indexed by lead id; ``owners`` is :func:`owner_choices`,
    ``recent`` each lead's last touch and latest note (:func:`leadcore.grid.recent.recent_for`)."""
    labels: dict[int | None, str] = {uid: label for label, uid in owners.items() if uid is not None}
    recent = recent or {}
    none = Recent()
    extra = [recent.get(int(i["id"]), none) for i in items]
    frame = pd.DataFrame(
        {
            "id": pd.Series([int(i["id"]) for i in items], dtype="int64"),
            SELECT: pd.Series([False] * len(items), dtype="bool"),
            OPEN: pd.Series([OPEN_LABEL] * len(items), dtype="object"),
            TASK: pd.Series([TASK_LABEL] * len(items), dtype="object"),
            "lead_name": pd.Series([lead_link(i) for i in items], dtype="object"),
            "status": pd.Series([i["status"] for i in items], dtype="object"),
            "lead_score": pd.Series([i["lead_score"] for i in items], dtype="Int64"),
            "tags": pd.Series([list(i.get("tags") or []) for i in items], dtype="object"),
            "owner": pd.Series([labels.get(i.get("owner_id"), UNASSIGNED_LABEL) for i in items], dtype="object"),
            "notes": pd.Series([i.get("notes") or "" for i in items], dtype="object"),
            "latest_note": _text([r.latest_note for r in extra]),
            "last_touch": _naive_utc([r.last_touch for r in extra]),
            "type": pd.Series([(i.get("type") or "").title() for i in items], dtype="object"),
            **{c: _text([i.get(c) for i in items])
               for c in ("company", "job_title", "email", "phone", "location", "industry", "website", "search_query")},
            "imported": pd.Series([bool(i.get("imported")) for i in items], dtype="bool"),
            "created_at": _naive_utc([i.get("created_at") for i in items]),
            "updated_at": _naive_utc([i.get("updated_at") for i in items]),
            "do_not_contact": pd.Series([bool(i.get("do_not_contact")) for i in items], dtype="bool"),
        }
    )
    return frame.set_index("id")


def column_config(*, tag_options: Sequence[str], owner_labels: Sequence[str], can_assign: bool, layout: GridLayout,
                  on_open: Any, open_key: str, on_task: Any, task_key: str) -> dict[str, Any]:
    cc = st.column_config
    config: dict[str, Any] = {
        "_index": cc.NumberColumn("#", format="%d", width=56, help="Lead number"),
        SELECT: cc.CheckboxColumn("Select", width=74, help="Tick leads for a bulk action", pinned=True),
        OPEN: cc.ButtonColumn("", type="tertiary", on_click=on_open, key=open_key, width=60, pinned=True,
                              help="Open the lead's detail page"),
        TASK: cc.ButtonColumn("Task", type="tertiary", on_click=on_task, key=task_key, width=64, pinned=True,
                              help="Plan a follow-up task on this lead"),
        "lead_name": cc.LinkColumn("Name", width=170, display_text=NAME_IN_LINK,
                                   help="Opens the lead in a new tab; Open on the left opens it here"),
        "status": cc.SelectboxColumn("Status", options=list(STATUSES), required=True, width=110,
                                      format_func=lambda status: str(status).title()),
        "lead_score": cc.NumberColumn("Score", min_value=0, max_value=100, step=1, format="%d", width=64,
                                      help="0–100; open the lead to see why it scored what it did"),
        "tags": cc.MultiselectColumn("Tags", options=list(tag_options), accept_new_options=True, width=170,
                                     color="auto"),
        "owner": cc.SelectboxColumn("Owner", options=list(owner_labels), required=True, width=130,
                                    disabled=not can_assign,
                                    help=None if can_assign else "Only a manager can reassign leads"),
        "notes": cc.TextColumn("Summary", max_chars=NOTES_MAX, width=200,
                               help="The lead's summary, one text you keep up to date (the timeline keeps notes)"),
        "latest_note": cc.TextColumn("Latest note", width=200, help="The newest note on the lead's timeline"),
        "last_touch": cc.DatetimeColumn("Last touch", format="distance", width=110,
                                        help="When a call, email, meeting or other activity was last logged"),
        "type": cc.TextColumn("Type", width=100),
        "company": cc.TextColumn("Company", width="medium"),
        "job_title": cc.TextColumn("Title", width="medium"),
        "email": cc.TextColumn("Email", width="medium"),
        "phone": cc.TextColumn("Phone", width=140),
        "location": cc.TextColumn("Location", width="medium"),
        "industry": cc.TextColumn("Industry", width=140),
        "website": cc.TextColumn("Website", width="medium"),
        "search_query": cc.TextColumn("Source query", width="medium"),
        "imported": cc.CheckboxColumn("Imported", width=80),
        "created_at": cc.DatetimeColumn("Created", format="YYYY-MM-DD HH:mm", width=140),
        "updated_at": cc.DatetimeColumn("Updated", format="YYYY-MM-DD HH:mm", width=140),
        "do_not_contact": cc.CheckboxColumn("Do not contact", width=110,
                                            help="Opted out of email; change it on the lead's page"),
    }
    for column in COLUMNS:
        config[column]["pinned"] = column in layout.pinned
    return config


def column_order(layout: GridLayout) -> list[str]:
    return [*ACTIONS, *layout.ordered]


def disabled_columns(*, can_assign: bool) -> list[str]:
    """Everything but the selection box and the editable fields (owner only for managers)."""
    editable = {SELECT, *EDITABLE} - (set() if can_assign else {"owner"})
    return ["_index", *(c for c in (OPEN, TASK, *COLUMNS) if c not in editable)]
