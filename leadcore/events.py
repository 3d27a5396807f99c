"""The lead timeline: every change is an event with who and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from leadcore.actors import Actor, ensure_visible
from leadcore.db import UnitOfWork
from leadcore.errors import NotFound
from leadcore.models import Lead, LeadEvent, User

EVENT_KINDS = (
    "created",
    "status_changed",
    "fields_changed",
    "note_added",
    "tags_changed",
    "assigned",
    "imported",
    "duplicate_seen",
    "deleted",
    "restored",
)


@dataclass(frozen=True)
class TimelineEntry:
    id: int
    kind: str
    created_at: datetime
    user_id: int | None
    user_name: str | None
    search_id: int | None
    data: dict[str, Any]


def record(
    session: Session,
    *,
    lead_id: int,
    team_id: int,
    kind: str,
    actor: Actor | None,
    data: dict[str, Any] | None = None,
    search_id: int | None = None,
) -> None:
    """Add one event to the current transaction."""
    session.add(
        LeadEvent(
            lead_id=lead_id,
            team_id=team_id,
            user_id=actor.user_id if actor else None,
            kind=kind,
            search_id=search_id,
            data=data or {},
        )
    )


def record_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert many events in one statement (rows have lead_id, team_id, user_id, kind, search_id, data)."""
    if rows:
        session.execute(insert(LeadEvent), rows)


def timeline(uow: UnitOfWork, actor: Actor, lead_id: int, *, limit: int = 500) -> list[TimelineEntry]:
    """The lead's events, newest first."""
    with uow:
        s = uow.session
        team_id = s.scalar(select(Lead.team_id).where(Lead.id == lead_id))
        if team_id is None:
            raise NotFound(f"Lead {lead_id} was not found")
        ensure_visible(actor, team_id, "Lead", lead_id)
        rows = s.execute(
            select(LeadEvent, User.display_name)
            .outerjoin(User, User.id == LeadEvent.user_id)
            .where(LeadEvent.lead_id == lead_id)
            .order_by(LeadEvent.created_at.desc(), LeadEvent.id.desc())
            .limit(limit)
        ).all()
        return [
            TimelineEntry(
                id=e.id,
                kind=e.kind,
                created_at=e.created_at,
                user_id=e.user_id,
                user_name=name,
                search_id=e.search_id,
                data=dict(e.data or {}),
            )
            for e, name in rows
        ]
