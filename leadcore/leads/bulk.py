"""Changing many leads at once: bulk status, tags, owner, delete/restore, and purging old rejected leads."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from leadcore import events
from leadcore.accounts.actors import Actor, can_edit_lead, ensure_can_assign, ensure_manager
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Lead
from leadcore.errors import InvalidInput
from leadcore.leads.edits import apply_changes, clean_tags, normalize_changes, user_name


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


@dataclass
class BulkResult:
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    not_found: int = 0
    refused_ids: list[int] = field(default_factory=list)
    reasons: dict[int, str] = field(default_factory=dict)


def bulk_update(uow: UnitOfWork, actor: Actor, ids: list[int], change: BulkChange) -> BulkResult:
    """Apply one change to many leads in one transaction; leads the actor may not edit are refused, not failed."""
    result = BulkResult()
    if change.owner_id is not _UNSET:
        ensure_can_assign(actor, change.owner_id)
    add = clean_tags(list(change.add_tags))
    remove = set(clean_tags(list(change.remove_tags)))
    status = normalize_changes({"status": change.status})["status"] if change.status else None
    with uow:
        uow.writing()
        s = uow.session
        unique_ids = list(dict.fromkeys(int(i) for i in ids))
        found: dict[int, Lead] = {}
        for start in range(0, len(unique_ids), 500):
            chunk = unique_ids[start : start + 500]
            q = select(Lead).where(Lead.id.in_(chunk), Lead.team_id == actor.team_id).order_by(Lead.id)
            if s.get_bind().dialect.name == "postgresql":
                q = q.with_for_update()
            found.update({lead.id: lead for lead in s.scalars(q)})
        owner_names: dict[int, str | None] = {}
        for lead_id in unique_ids:
            lead = found.get(lead_id)
            if lead is None:
                result.not_found += 1
                continue
            if not can_edit_lead(actor, lead.owner_id):
                result.refused += 1
                result.refused_ids.append(lead_id)
                if lead.owner_id not in owner_names:
                    owner_names[lead.owner_id] = user_name(s, lead.owner_id)  # type: ignore[index]
                result.reasons[lead_id] = f"belongs to {owner_names[lead.owner_id] or 'another rep'}"  # type: ignore[index]
                continue
            if change.delete or change.restore:
                active = change.restore
                if lead.is_active == active:
                    result.unchanged += 1
                    continue
                lead.is_active, lead.deleted_at = active, None if active else datetime.now(UTC)
                lead.version += 1
                lead.updated_at = datetime.now(UTC)
                events.record(s, lead_id=lead.id, team_id=lead.team_id, actor=actor,
                              kind="restored" if active else "deleted", data={"bulk": True})
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
            if apply_changes(s, actor, lead, changes):
                result.updated += 1
            else:
                result.unchanged += 1
        s.flush()
        uow.commit()
    return result
