"""Merging two leads field by field, and taking a merge back.

A merge is one transaction: the kept lead gets the chosen values (by default its own non-empty values, else the
other's), tags combined, notes joined, the imported contact/company links kept; the other lead is retired (inactive,
its match keys released so the kept lead may take its email), its events move to the kept lead, and a ``merged``
event records every field's before and after. The merge row keeps both leads' rows as they were, so unmerge restores
them exactly, unless the kept lead was changed since in a field the merge set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from leadcore import events
from leadcore.accounts.actors import Actor, ensure_can_edit
from leadcore.config import settings
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import DuplicatePair, Lead, LeadEvent, LeadMerge
from leadcore.errors import InvalidInput, NotFound
from leadcore.intake.candidates import TEXT_FIELDS, LeadCandidate
from leadcore.intake.dedupe import match_keys
from leadcore.leads.edits import load_lead, user_name

# What a reviewer picks per field; tags and notes are always combined.
MERGE_FIELDS = (*TEXT_FIELDS, "type", "status", "lead_score", "owner_id")
_KEYS = ("email_norm", "linkedin_norm", "domain", "phone_norm", "name_key")
_LINKS = ("imported", "imported_at", "imported_contact_id", "imported_company_id")
# Every column a snapshot holds (all but the id).
_SNAPSHOT = tuple(c.name for c in Lead.__table__.columns if c.name != "id")


class MergeConflict(InvalidInput):
    """The kept lead was changed since the merge in fields the merge set; ``fields`` names them."""

    def __init__(self, message: str, *, fields: list[str]) -> None:
        super().__init__(message)
        self.fields = fields


@dataclass(frozen=True)
class MergeResult:
    merge_id: int
    lead_id: int
    other_id: int
    changed: dict[str, tuple[Any, Any]]


def _dump(value: Any) -> Any:
    return {"$dt": value.isoformat()} if isinstance(value, datetime) else value


def _load(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"$dt"}:
        return datetime.fromisoformat(value["$dt"])
    return value


def snapshot(lead: Lead) -> dict[str, Any]:
    """Every column of the lead as JSON-safe values (datetimes tagged), to restore it exactly."""
    return {c: _dump(list(v) if c == "tags" and v is not None else v) for c in _SNAPSHOT
            for v in [getattr(lead, c)]}


def restore(lead: Lead, snap: dict[str, Any], only: set[str] | None = None) -> None:
    for c in _SNAPSHOT:
        if c in snap and (only is None or c in only):
            setattr(lead, c, _load(snap[c]))


def chosen_values(kept: Lead, other: Lead, take: list[str]) -> dict[str, Any]:
    """The kept lead's value per field, or the other's where ``take`` says so or the kept one is empty."""
    unknown = set(take) - set(MERGE_FIELDS)
    if unknown:
        raise InvalidInput(f"Cannot take {', '.join(sorted(unknown))}; fields are {', '.join(MERGE_FIELDS)}",
                           field="take")
    out: dict[str, Any] = {}
    for f in MERGE_FIELDS:
        mine, theirs = getattr(kept, f), getattr(other, f)
        out[f] = theirs if f in take or (mine in (None, "") and f != "owner_id") else mine
    if kept.owner_id is None and "owner_id" not in take:
        out["owner_id"] = other.owner_id
    out["tags"] = list(dict.fromkeys([*(kept.tags or []), *(other.tags or [])]))
    notes = [n for n in (kept.notes, other.notes) if n]
    out["notes"] = "\n\n".join(dict.fromkeys(notes)) or None
    if not kept.imported and other.imported:
        for f in _LINKS:
            out[f] = getattr(other, f)
    return out


def merge_leads(uow: UnitOfWork, actor: Actor, keep_id: int, other_id: int, *, take: list[str] | None = None,
                clock: Any = None) -> MergeResult:
    """Merge ``other_id`` into ``keep_id`` (one transaction). ``take`` lists the fields to take from the other."""
    if keep_id == other_id:
        raise InvalidInput("A lead cannot be merged with itself", field="otherId")
    now = (clock or (lambda: datetime.now(UTC)))()
    with uow:
        uow.writing()
        s = uow.session
        first, second = sorted((keep_id, other_id))
        leads = {first: load_lead(s, actor, first, lock=True), second: load_lead(s, actor, second, lock=True)}
        kept, other = leads[keep_id], leads[other_id]
        for lead in (kept, other):
            if not lead.is_active:
                raise InvalidInput(f"Lead {lead.id} is deleted or already merged; restore it first")
            ensure_can_edit(actor, lead.id, lead.owner_id, user_name(s, lead.owner_id))
        values = chosen_values(kept, other, list(take or []))
        before = {"kept": snapshot(kept), "other": snapshot(other)}
        moved = list(s.scalars(select(LeadEvent.id).where(LeadEvent.lead_id == other.id)))
        # Release the other lead's keys first: the kept lead may take its email, LinkedIn or domain.
        other.is_active, other.deleted_at = False, now
        for k in _KEYS:
            setattr(other, k, None)
        other.touch(now)
        s.flush()
        changed = {f: (getattr(kept, f), v) for f, v in values.items() if getattr(kept, f) != v}
        for f, (_, v) in changed.items():
            setattr(kept, f, v)
        _rekey(kept)
        kept.touch(now)
        if moved:
            s.execute(update(LeadEvent).where(LeadEvent.id.in_(moved)).values(lead_id=kept.id))
        s.flush()
        row = LeadMerge(team_id=actor.team_id, kept_id=kept.id, other_id=other.id, user_id=actor.user_id,
                        before=before | {"moved_events": moved}, after=snapshot(kept))
        s.add(row)
        s.flush()
        fields = {f: {"from": _dump(a), "to": _dump(b)} for f, (a, b) in changed.items()}
        events.record(s, lead_id=kept.id, team_id=kept.team_id, actor=actor, kind="merged",
                      data={"merge_id": row.id, "other_id": other.id, "fields": fields})
        events.record(s, lead_id=other.id, team_id=other.team_id, actor=actor, kind="merged_into",
                      data={"merge_id": row.id, "kept_id": kept.id})
        s.execute(update(DuplicatePair).where(
            DuplicatePair.team_id == actor.team_id, DuplicatePair.lead_a == first, DuplicatePair.lead_b == second
        ).values(status="merged", decided_by=actor.user_id, decided_at=now))
        uow.commit()
        return MergeResult(merge_id=row.id, lead_id=kept.id, other_id=other.id, changed=changed)


def _rekey(lead: Lead) -> None:
    candidate = LeadCandidate(type=lead.type, **{f: getattr(lead, f) for f in TEXT_FIELDS})
    keys = match_keys(candidate, default_region=settings().default_phone_region or None)
    for k in _KEYS:
        setattr(lead, k, getattr(keys, k))


def _load_merge(s: Session, actor: Actor, merge_id: int) -> LeadMerge:
    row = s.get(LeadMerge, merge_id)
    if row is None or row.team_id != actor.team_id:
        raise NotFound(f"Merge {merge_id} was not found")
    if row.undone_at is not None:
        raise InvalidInput(f"Merge {merge_id} was already undone")
    return row


def unmerge(uow: UnitOfWork, actor: Actor, merge_id: int, *, keep_edits: bool = False) -> dict[str, Any]:
    """Restore both leads as they were before the merge (one transaction).

    When the kept lead was changed since in a field the merge set, refuses with :class:`MergeConflict` naming the
    fields; with ``keep_edits`` it restores everything else and keeps those edits."""
    with uow:
        uow.writing()
        s = uow.session
        row = _load_merge(s, actor, merge_id)
        first, second = sorted((row.kept_id, row.other_id))
        leads = {first: load_lead(s, actor, first, lock=True), second: load_lead(s, actor, second, lock=True)}
        kept, other = leads[row.kept_id], leads[row.other_id]
        for lead in (kept, other):
            ensure_can_edit(actor, lead.id, lead.owner_id, user_name(s, lead.owner_id))
        before, after = row.before, row.after
        now_state = snapshot(kept)
        ignore = {"version", "updated_at"}
        edited = {c for c in _SNAPSHOT if c not in ignore and now_state.get(c) != after.get(c)}
        merge_set = {c for c in _SNAPSHOT if c not in ignore and after.get(c) != before["kept"].get(c)}
        conflicts = sorted(edited & merge_set)
        if conflicts and not keep_edits:
            raise MergeConflict(
                f"Lead {kept.id} was changed since the merge in {', '.join(conflicts)}; unmerge would undo that "
                "change. Unmerge keeping those edits, or change them back first", fields=conflicts)
        # The kept lead may hold a key that was the other's: release it before the other takes its keys back.
        for k in _KEYS:
            setattr(kept, k, None)
        s.flush()
        restore(other, before["other"])
        s.flush()
        if edited:  # later edits stay; the fields the merge set (and nobody changed since) go back
            restore(kept, before["kept"], only=merge_set - edited)
            for k in _KEYS:
                setattr(kept, k, None if k not in now_state else _load(now_state[k]))
            kept.version = max(kept.version, int(now_state["version"])) + 1
            kept.updated_at = datetime.now(UTC)
            _rekey(kept)
        else:
            restore(kept, before["kept"])  # exactly as before, version and time included
        moved = list(before.get("moved_events") or [])
        if moved:
            s.execute(update(LeadEvent).where(LeadEvent.id.in_(moved)).values(lead_id=other.id))
        row.undone_at = datetime.now(UTC)
        s.execute(update(DuplicatePair).where(
            DuplicatePair.team_id == actor.team_id, DuplicatePair.lead_a == first, DuplicatePair.lead_b == second
        ).values(status="open", decided_by=None, decided_at=None))
        events.record(s, lead_id=kept.id, team_id=kept.team_id, actor=actor, kind="unmerged",
                      data={"merge_id": row.id, "other_id": other.id, "kept_edits": conflicts})
        s.flush()
        uow.commit()
        return {"mergeId": row.id, "leadId": kept.id, "otherId": other.id, "keptEdits": conflicts}
