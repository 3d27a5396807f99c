"""Taking back a bulk action: every lead of its batch returns to what it was before, in one transaction.

A lead somebody changed again since the batch keeps that later change for the fields it touched (nothing a user
saved is lost): only fields still holding the batch's value go back, and the result says how many leads were
skipped that way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from leadcore.accounts.actors import Actor
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import BulkBatch, BulkBatchLead, Lead
from leadcore.errors import InvalidInput, NotFound, PermissionDenied
from leadcore.leads.edits import apply_changes, lock_leads, mark_active


@dataclass
class UndoResult:
    restored: int = 0  # leads put back as they were
    changed_since: int = 0  # leads left alone: every field the batch set was changed again since
    gone: int = 0  # leads purged since


def undo_batch(uow: UnitOfWork, actor: Actor, batch_id: int) -> UndoResult:
    """Undo bulk action ``batch_id`` (its author or a manager), once; each restored lead gets an "undone" event."""
    result = UndoResult()
    with uow:
        uow.writing()
        s = uow.session
        q = select(BulkBatch).where(BulkBatch.id == batch_id, BulkBatch.team_id == actor.team_id)
        if s.get_bind().dialect.name == "postgresql":
            q = q.with_for_update()  # two clicks on Undo: the second waits, then sees it undone
        batch = s.scalars(q).first()
        if batch is None:
            raise NotFound(f"Bulk action {batch_id} was not found")
        if batch.user_id != actor.user_id and not actor.is_manager:
            raise PermissionDenied("Only the person who ran a bulk action, or a manager, can undo it")
        if batch.undone_at is not None:
            raise InvalidInput(f"This bulk action ({batch.label}) was already undone")
        items = {i.lead_id: i for i in s.scalars(select(BulkBatchLead).where(BulkBatchLead.batch_id == batch.id))}
        ids = sorted(items)
        leads = lock_leads(s, ids)
        tag = {"undo_of": batch.id}
        for lead_id in ids:
            lead = leads.get(lead_id)
            if lead is None:
                result.gone += 1
                continue
            back = _still_ours(lead, items[lead_id].before, items[lead_id].after)
            if not back:
                result.changed_since += 1
                continue
            if "is_active" in back:
                mark_active(s, actor, lead, bool(back["is_active"]), event_data=tag)
            else:
                apply_changes(s, actor, lead, back, event_data=tag)
            result.restored += 1
        batch.undone_at = datetime.now(UTC)
        batch.undone_by = actor.user_id
        s.flush()
        uow.commit()
    return result


def _still_ours(lead: Lead, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The fields to put back: those still holding what the batch set (tags: list equality)."""
    return {k: before[k] for k, v in after.items() if getattr(lead, k) == v}
