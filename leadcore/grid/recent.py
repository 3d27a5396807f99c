"""What happened to the leads of one grid page most recently: the last logged activity ("last touch") and the newest
timeline note. Two indexed reads for the page's ids (``ix_lead_activities_lead_occurred``,
``ix_lead_events_lead_created``), never a scan of the team: a page costs the same at 1M leads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from leadcore.accounts.actors import Actor
from leadcore.db.coltypes import aware_utc
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import LeadActivity, LeadEvent

NOTE_KIND = "note_added"
NOTE_PREVIEW = 200  # characters of a note the grid shows


@dataclass(frozen=True)
class Recent:
    last_touch: datetime | None = None
    last_touch_kind: str | None = None
    latest_note: str | None = None
    latest_note_at: datetime | None = None


def recent_for(uow: UnitOfWork, actor: Actor, lead_ids: Sequence[int]) -> dict[int, Recent]:
    """``{lead id: Recent}`` for those of ``lead_ids`` in the actor's team that have an activity or a note."""
    ids = sorted({int(i) for i in lead_ids})
    if not ids:
        return {}
    with uow:
        uow.reading()
        s = uow.session
        newest = (select(LeadActivity.lead_id, func.max(LeadActivity.occurred_at).label("at"))
                  .where(LeadActivity.lead_id.in_(ids), LeadActivity.team_id == actor.team_id)
                  .group_by(LeadActivity.lead_id).subquery())
        touches = s.execute(
            select(LeadActivity.lead_id, LeadActivity.occurred_at, LeadActivity.kind)
            .join(newest, (newest.c.lead_id == LeadActivity.lead_id) & (newest.c.at == LeadActivity.occurred_at))
            .order_by(LeadActivity.lead_id, LeadActivity.id)
        ).all()
        notes = s.execute(
            select(LeadEvent.lead_id, LeadEvent.data, LeadEvent.created_at)
            .where(LeadEvent.lead_id.in_(ids), LeadEvent.team_id == actor.team_id, LeadEvent.kind == NOTE_KIND)
            .order_by(LeadEvent.lead_id, LeadEvent.created_at.desc(), LeadEvent.id.desc())
        ).all()
    touch: dict[int, tuple[datetime, str]] = {}
    for lead_id, at, kind in touches:
        touch[int(lead_id)] = (aware_utc(at), str(kind))  # the last of equal times wins: the later-logged one
    note: dict[int, tuple[str, datetime]] = {}
    for lead_id, data, at in notes:
        if int(lead_id) not in note:
            text = str((data or {}).get("text") or "") if isinstance(data, dict) else ""
            note[int(lead_id)] = (_preview(text), aware_utc(at))
    out: dict[int, Recent] = {}
    for lead_id in touch.keys() | note.keys():
        t, n = touch.get(lead_id), note.get(lead_id)
        out[lead_id] = Recent(t[0] if t else None, t[1] if t else None, n[0] if n else None, n[1] if n else None)
    return out


def _preview(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= NOTE_PREVIEW else one_line[:NOTE_PREVIEW - 1] + "…"
