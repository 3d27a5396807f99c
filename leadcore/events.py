"""The lead timeline: every change is an event with who and when."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from leadcore.accounts.actors import Actor, ensure_visible
from leadcore.db.coltypes import bind_processor
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Lead, LeadEvent, User
from leadcore.errors import NotFound

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
    "activity_logged",
    "task_created",
    "task_done",
    "email_sent",
    "email_failed",
    "enriched",
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


_EVENTS = cast(Table, LeadEvent.__table__)
_EVENT_COLUMNS = ("lead_id", "team_id", "user_id", "kind", "search_id", "data")
_PG_INSERT_MANY = (
    "INSERT INTO lead_events (lead_id, team_id, user_id, kind, search_id, data) "
    "SELECT lead_id, team_id, user_id, kind, search_id, data "
    "FROM ROWS FROM (jsonb_to_recordset(CAST(%s AS jsonb)) "
    "AS (lead_id integer, team_id integer, user_id integer, kind text, search_id integer, data jsonb)) "
    "WITH ORDINALITY AS x(lead_id, team_id, user_id, kind, search_id, data, n) ORDER BY n"
)
_SQLITE_INSERT_MANY = (
    "INSERT INTO lead_events (lead_id, team_id, user_id, kind, search_id, data) VALUES (?, ?, ?, ?, ?, ?)"
)


def record_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert many events in one go, in order (rows have lead_id, team_id, user_id, kind, search_id, data).

    PostgreSQL: one INSERT … SELECT from a JSON array of the rows (one parameter, one round trip, ids in row
    order); SQLite: one executemany of plain tuples. ``created_at`` is the database's default, as for one event."""
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        doc = json.dumps([{k: row.get(k) for k in _EVENT_COLUMNS} for row in rows])
        conn.exec_driver_sql(_PG_INSERT_MANY, (doc,))
        return
    dump = bind_processor(conn.dialect, _EVENTS.c.data)
    conn.exec_driver_sql(
        _SQLITE_INSERT_MANY,
        [(r["lead_id"], r["team_id"], r.get("user_id"), r["kind"], r.get("search_id"), dump(r.get("data")))
         for r in rows],
    )


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
