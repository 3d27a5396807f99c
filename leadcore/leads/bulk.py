"""Changing many leads at once: bulk status, tags, owner, delete/restore, and purging old rejected leads."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert

from leadcore.accounts.actors import Actor, can_edit_lead, ensure_can_assign, ensure_manager
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import BulkBatch, BulkBatchLead, Lead
from leadcore.errors import InvalidInput
from leadcore.leads.edits import (
    IMPORTED_BY_HAND,
    apply_changes,
    clean_tags,
    lock_leads,
    mark_active,
    normalize_changes,
    user_name,
)


def purge_rejected(uow: UnitOfWork, actor: Actor, *, older_than_days: int) -> int:
    """Managers: permanently remove REJECTED leads not touched for ``older_than_days``. Returns how many."""
    ensure_manager(actor, "purge rejected leads")
    if older_than_days < 0:
        raise InvalidInput("older_than_days must be 0 or more", field="older_than_days")
    cutoff = datetime.now(UTC) - timedelta(days=older_than_days)
    with uow:
        uow.writing()
        res = uow.session.execute(
            delete(Lead).where(Lead.team_id == actor.team_id, Lead.status == "REJECTED", Lead.updated_at < cutoff)
        )
        uow.commit()
    return int(res.rowcount or 0)  # type: ignore[attr-defined]


_UNSET: Any = object()


@dataclass(frozen=True)
class BulkChange:
    """What a bulk action does to each lead; unset parts are left alone."""

    status: str | None = None
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    owner_id: Any = _UNSET  # an id, None to unassign, or unset
    delete: bool = False
    restore: bool = False

    def with_owner(self, owner_id: int | None) -> BulkChange:
        return dataclasses.replace(self, owner_id=owner_id)

    def action(self) -> str:
        """The batch's kind: delete, restore, status, tags, assign, or several joined by "+"."""
        if self.delete or self.restore:
            return "delete" if self.delete else "restore"
        parts = [name for name, on in (("status", self.status), ("tags", self.add_tags or self.remove_tags),
                                       ("assign", self.owner_id is not _UNSET)) if on]
        return "+".join(parts) or "none"


@dataclass
class BulkResult:
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    not_found: int = 0
    refused_ids: list[int] = field(default_factory=list)
    reasons: dict[int, str] = field(default_factory=dict)  # refused lead -> the name of the owner it belongs to
    batch_id: int | None = None  # the batch to undo (None when nothing changed)


def bulk_update(uow: UnitOfWork, actor: Actor, ids: list[int], change: BulkChange, *, label: str = "") -> BulkResult:
    """Apply one change to many leads in one transaction; leads the actor may not edit are refused, not failed.

    Every lead it changes is remembered in one batch (``result.batch_id``), with its changed fields before and
    after, and its timeline events carry ``{"batch": id}``: ``leads.undo.undo_batch`` takes the whole batch back."""
    result = BulkResult()
    if change.owner_id is not _UNSET:
        ensure_can_assign(actor, change.owner_id)
    add = clean_tags(list(change.add_tags))
    remove = set(clean_tags(list(change.remove_tags)))
    status = normalize_changes({"status": change.status})["status"] if change.status else None
    if status == "IMPORTED":
        raise InvalidInput(IMPORTED_BY_HAND, field="status")
    with uow:
        uow.writing()
        s = uow.session
        unique_ids = list(dict.fromkeys(int(i) for i in ids))
        batch = BulkBatch(team_id=actor.team_id, user_id=actor.user_id, action=change.action(),
                          label=(label or change.action())[:500], lead_count=0)
        s.add(batch)
        s.flush()
        tag = {"bulk": True, "batch": batch.id}
        found = lock_leads(s, unique_ids, team_id=actor.team_id)
        owners: dict[int | None, str] = {}
        changed: list[dict[str, Any]] = []
        for lead_id in unique_ids:
            lead = found.get(lead_id)
            if lead is None:
                result.not_found += 1
                continue
            if not can_edit_lead(actor, lead.owner_id):
                result.refused += 1
                result.refused_ids.append(lead_id)
                if lead.owner_id not in owners:
                    owners[lead.owner_id] = user_name(s, lead.owner_id) or "another rep"
                result.reasons[lead_id] = owners[lead.owner_id]
                continue
            if change.delete or change.restore:
                active = change.restore
                if lead.is_active == active:
                    result.unchanged += 1
                    continue
                changed.append({"batch_id": batch.id, "lead_id": lead.id, "before": {"is_active": lead.is_active},
                                "after": {"is_active": active}})
                mark_active(s, actor, lead, active, event_data=tag)
                result.updated += 1
                continue
            changes: dict[str, Any] = {}
            if status:
                changes["status"] = status
            if add or remove:
                tags = [t for t in lead.tags if t not in remove] + [t for t in add if t not in lead.tags]
                changes["tags"] = [t for t in tags if t not in remove]
            if change.owner_id is not _UNSET:
                changes["owner_id"] = change.owner_id
            diff = apply_changes(s, actor, lead, changes, event_data=tag)
            if diff:
                result.updated += 1
                changed.append({"batch_id": batch.id, "lead_id": lead.id,
                                "before": {k: v[0] for k, v in diff.items()},
                                "after": {k: v[1] for k, v in diff.items()}})
            else:
                result.unchanged += 1
        if changed:
            batch.lead_count = len(changed)
            s.execute(insert(BulkBatchLead), changed)
            result.batch_id = batch.id
        else:
            s.delete(batch)  # nothing to undo
        s.flush()
        uow.commit()
    return result
