"""Working one lead: create, read, edit with optimistic concurrency, notes, soft delete and restore."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leadcore import events
from leadcore.accounts.actors import (
    Actor,
    ensure_can_assign,
    ensure_can_edit,
    ensure_visible,
)
from leadcore.config import settings
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Lead, LeadEvent, User
from leadcore.errors import InvalidInput, NotFound, StaleLead
from leadcore.inputs import TAG_MAX, has_nul, split_tags, whole_number
from leadcore.intake.candidates import NOTES_MAX, STATUSES, TEXT_FIELDS, LeadCandidate
from leadcore.intake.dedupe import match_keys
from leadcore.intake.matcher import SaveResult, SearchContext, save_batch
from leadcore.intake.validation import validate_candidate
from leadcore.leads.views import lead_dict

EDITABLE_FIELDS = frozenset(TEXT_FIELDS) | {"type", "status", "lead_score", "tags", "notes", "owner_id",
                                            "do_not_contact"}
MAX_TAG_LENGTH = TAG_MAX


def create_lead(uow: UnitOfWork, actor: Actor, candidate: LeadCandidate) -> SaveResult:
    """Add one lead by hand, through the same matcher as every other path (a duplicate is merged)."""
    with uow:
        result = save_batch(uow.session, actor, [candidate], SearchContext(source="manual"))
        uow.commit()
    return result


def load_lead(session: Session, actor: Actor, lead_id: int, *, lock: bool = False) -> Lead:
    lead = session.get(Lead, lead_id, with_for_update=lock and session.get_bind().dialect.name == "postgresql")
    if lead is None:
        raise NotFound(f"Lead {lead_id} was not found")
    ensure_visible(actor, lead.team_id, "Lead", lead_id)
    return lead


def user_name(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return session.scalar(select(User.display_name).where(User.id == user_id))


def get_lead(uow: UnitOfWork, actor: Actor, lead_id: int) -> dict[str, Any]:
    """Every field of one lead, its raw provider record and score breakdown included."""
    with uow:
        lead = load_lead(uow.session, actor, lead_id)
        return lead_dict(lead, detail=True, owner_name=user_name(uow.session, lead.owner_id))


def clean_tags(tags: Any) -> list[str]:
    if isinstance(tags, str):
        tags = split_tags(tags)
    if not isinstance(tags, list | tuple):
        raise InvalidInput("tags must be a list of words", field="tags")
    out: list[str] = []
    for t in tags:
        t = str(t).strip()
        if not t:
            continue
        if len(t) > MAX_TAG_LENGTH:
            raise InvalidInput(f"tag '{t[:20]}…' is longer than {MAX_TAG_LENGTH} characters", field="tags")
        _no_nul(t, "tags")
        if t not in out:
            out.append(t)
    return out


def _no_nul(text: str | None, field: str) -> None:
    """PostgreSQL cannot store NUL (\\x00) in text: refuse it as bad input rather than fail in the database."""
    if has_nul(text):
        raise InvalidInput(f"{field} contains a NUL character (\\x00), which cannot be stored", field=field)


# Imported means "a contact and company were made from this lead": only the conversion sets it, never an edit.
IMPORTED_BY_HAND = ("Status Imported is set by importing the lead as a contact (“Import as contact” on the lead, or "
                    "the Import bulk action), not by hand")


def normalize_changes(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(f"Cannot edit {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "tags":
            out[name] = clean_tags(value or [])
        elif name == "status":
            status = str(value or "").strip().upper()
            if status not in STATUSES:
                raise InvalidInput(f"status must be one of {', '.join(STATUSES)}, got '{value}'", field="status")
            out[name] = status
        elif name == "type":
            kind = str(value or "").strip().upper()
            out[name] = kind
        elif name == "lead_score":
            out[name] = _score(value)
        elif name == "notes":
            notes = (str(value) if value is not None else "").strip() or None
            if notes and len(notes) > NOTES_MAX:
                raise InvalidInput(f"notes are longer than {NOTES_MAX:,} characters", field="notes")
            _no_nul(notes, "notes")
            out[name] = notes
        elif name == "owner_id":
            out[name] = _owner_id(value)
        elif name == "do_not_contact":
            if not isinstance(value, bool):
                raise InvalidInput(f"do_not_contact must be true or false, got '{value}'", field="do_not_contact")
            out[name] = value
        else:
            text = str(value).strip() if value is not None else ""
            out[name] = text or None
    return out


def _score(value: Any) -> int:
    """A whole number 0–100, the same rule as the CSV path ("80", " 80 " and "80.0" are 80)."""
    text = str(value).strip() if value is not None and not isinstance(value, bool) else ""
    score = whole_number(text)
    if score is None or score > 100:
        raise InvalidInput(f"lead_score must be a whole number 0–100, got '{value}'", field="lead_score")
    return score


def _owner_id(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.isascii() or not text.isdigit():
        raise InvalidInput(f"owner must be a user id, got '{value}'", field="owner_id")
    return int(text)


# Which lead fields each timeline event of an edit (apply_changes) says were changed.
_EVENT_FIELDS = {"status_changed": ("status",), "assigned": ("owner_id",), "tags_changed": ("tags",)}


def changed_since(session: Session, lead: Lead, version: int) -> set[str] | None:
    """The fields changed since ``version`` of ``lead``, from its timeline; None when some change since is not an
    edit that says what it changed (an import, a merge, a delete): then every field counts as changed."""
    if version >= lead.version:
        return set()
    seen: set[int] = set()
    fields: set[str] = set()
    rows = session.execute(select(LeadEvent.kind, LeadEvent.data).where(LeadEvent.lead_id == lead.id)
                           .order_by(LeadEvent.id.desc()).limit(500))
    for kind, data in rows:
        v = (data or {}).get("version") if isinstance(data, dict) else None
        if not isinstance(v, int) or v <= version:
            continue
        seen.add(v)
        fields.update(_EVENT_FIELDS.get(kind) or ((data or {}).keys() - {"version", "bulk", "batch", "undo_of",
                                                                          "providers"}
                                                  if kind in ("fields_changed", "enriched") else ()))
    return fields if seen == set(range(version + 1, lead.version + 1)) else None


def _clashes(session: Session, lead: Lead, version: int, changes: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """``{field: (yours, theirs)}`` for the fields of ``changes`` somebody else changed since ``version`` to
    something else than what ``changes`` asks for."""
    since = changed_since(session, lead, version)
    return {k: (v, getattr(lead, k)) for k, v in changes.items()
            if (since is None or k in since) and getattr(lead, k) != v}


def _stale_message(session: Session, lead: Lead, clashes: dict[str, tuple[Any, Any]] | None = None) -> str:
    last = session.execute(
        select(User.display_name, LeadEvent.created_at)
        .join(User, User.id == LeadEvent.user_id, isouter=True)
        .where(LeadEvent.lead_id == lead.id)
        .order_by(LeadEvent.created_at.desc(), LeadEvent.id.desc())
        .limit(1)
    ).first()
    who = (last[0] if last and last[0] else "Someone") if last else "Someone"
    when = f" at {last[1]:%H:%M}" if last and last[1] else ""
    name = lead.lead_name or lead.email or "unnamed"
    if clashes:
        both = "; ".join(f"{k.replace('_', ' ')}: yours {_shown(y)}, theirs {_shown(t)}"
                         for k, (y, t) in clashes.items())
        return f"{who} changed the same field of lead {lead.id} ({name}){when} ({both})"
    return f"{who} changed lead {lead.id} ({name}){when}, after you opened it"


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "(empty)"
    return ", ".join(map(str, value)) if isinstance(value, list) else f"“{value}”"


def apply_changes(session: Session, actor: Actor, lead: Lead, changes: dict[str, Any], *,
                  event_data: dict[str, Any] | None = None, fields_kind: str = "fields_changed",
                  now: datetime | None = None) -> dict[str, tuple[Any, Any]]:
    """Apply validated changes to a loaded lead, with permission checks and events (each also carrying
    ``event_data``, e.g. the bulk batch). Text fields are logged as one ``fields_kind`` event ("enriched" when a
    provider filled them). Returns what changed."""
    ensure_can_edit(actor, lead.id, lead.owner_id, user_name(session, lead.owner_id))
    diff = {k: (getattr(lead, k), v) for k, v in changes.items() if getattr(lead, k) != v}
    if not diff:
        return {}
    if diff.get("status", (None, None))[1] == "IMPORTED" and not lead.imported:
        raise InvalidInput(IMPORTED_BY_HAND, field="status")
    if "owner_id" in diff:
        new_owner = diff["owner_id"][1]
        ensure_can_assign(actor, new_owner)
        if new_owner is not None:
            owner = session.get(User, new_owner)
            if owner is None or owner.team_id != actor.team_id or not owner.is_active:
                raise InvalidInput(f"User {new_owner} is not an active member of your team", field="owner_id")
    if set(diff) & (set(TEXT_FIELDS) | {"type"}):
        candidate = LeadCandidate(
            type=changes.get("type", lead.type),
            **{f: changes.get(f, getattr(lead, f)) for f in TEXT_FIELDS},
        )
        reason = validate_candidate(candidate)
        if reason:
            raise InvalidInput(reason)
        keys = match_keys(candidate, default_region=settings().default_phone_region or None)
        for column in ("email_norm", "linkedin_norm", "domain", "phone_norm", "name_key"):
            setattr(lead, column, getattr(keys, column))
    for name, (_, new) in diff.items():
        setattr(lead, name, new)
    lead.touch(now)
    def log(kind: str, data: dict[str, Any]) -> None:
        # "version": the lead's version this change made, so a later edit can tell which fields changed since the
        # version it was made on (changed_since)
        events.record(session, lead_id=lead.id, team_id=lead.team_id, actor=actor, kind=kind,
                      data=data | (event_data or {}) | {"version": lead.version})

    if "status" in diff:
        log("status_changed", {"from": diff["status"][0], "to": diff["status"][1]})
    if "owner_id" in diff:
        log("assigned", {"from": diff["owner_id"][0], "to": diff["owner_id"][1]})
    if "tags" in diff:
        before, after = diff["tags"]
        log("tags_changed", {"added": [t for t in after if t not in before],
                             "removed": [t for t in before if t not in after]})
    other = {k: {"from": _jsonable(v[0]), "to": _jsonable(v[1])} for k, v in diff.items()
             if k not in ("status", "owner_id", "tags")}
    if other:
        log(fields_kind, other)
    return diff


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def update_lead(
    uow: UnitOfWork, actor: Actor, lead_id: int, changes: dict[str, Any], *, expected_version: int
) -> dict[str, Any]:
    """Change a lead if nobody else changed it since ``expected_version``; otherwise StaleLead, nothing written."""
    clean = normalize_changes(changes)
    with uow:
        uow.writing()
        s = uow.session
        lead = load_lead(s, actor, lead_id, lock=True)
        if lead.version != expected_version:
            clashes = _clashes(s, lead, expected_version, clean)
            if clashes:  # somebody changed the same field since: refuse, showing both values
                raise StaleLead(_stale_message(s, lead, clashes), lead_id=lead.id, current_version=lead.version,
                                conflicts=clashes)
            # nobody touched these fields since: the edit lands on the newer version
        apply_changes(s, actor, lead, clean)
        try:
            s.flush()
        except IntegrityError:
            raise InvalidInput(
                f"Another lead of your team already has this email, LinkedIn profile or company domain (lead {lead_id})"
            ) from None
        out = lead_dict(lead, detail=True, owner_name=user_name(s, lead.owner_id))
        uow.commit()
    return out


def add_note(uow: UnitOfWork, actor: Actor, lead_id: int, text: str) -> None:
    """Add a note to the lead's history (any team member may comment)."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput("A note cannot be empty", field="note")
    if len(text) > NOTES_MAX:
        raise InvalidInput(f"A note is limited to {NOTES_MAX:,} characters", field="note")
    _no_nul(text, "note")
    with uow:
        uow.writing()
        lead = load_lead(uow.session, actor, lead_id)
        events.record(uow.session, lead_id=lead.id, team_id=lead.team_id, actor=actor, kind="note_added",
                      data={"text": text})
        lead.updated_at = datetime.now(UTC)
        uow.commit()


def _set_active(uow: UnitOfWork, actor: Actor, lead_id: int, active: bool) -> None:
    with uow:
        uow.writing()
        s = uow.session
        lead = load_lead(s, actor, lead_id, lock=True)
        ensure_can_edit(actor, lead.id, lead.owner_id, user_name(s, lead.owner_id))
        if lead.is_active == active:
            return
        mark_active(s, actor, lead, active)
        uow.commit()


def mark_active(session: Session, actor: Actor, lead: Lead, active: bool, *,
                event_data: dict[str, Any] | None = None) -> None:
    """Soft-delete (``active=False``) or restore a loaded lead, with its "deleted"/"restored" timeline event
    (carrying ``event_data``, e.g. the bulk batch). The caller checked the permission and that it changes."""
    lead.is_active = active
    lead.deleted_at = None if active else datetime.now(UTC)
    lead.touch()
    events.record(session, lead_id=lead.id, team_id=lead.team_id, actor=actor, kind="restored" if active else "deleted",
                  data=event_data)


def lock_leads(session: Session, ids: Iterable[int], *, team_id: int | None = None) -> dict[int, Lead]:
    """The leads with these ids (only ``team_id``'s when given), read 500 at a time in id order and, on PostgreSQL,
    locked until the transaction ends: every writer of many leads locks them in the same order."""
    ordered = sorted(set(ids))
    postgresql = session.get_bind().dialect.name == "postgresql"
    found: dict[int, Lead] = {}
    for start in range(0, len(ordered), 500):
        q = select(Lead).where(Lead.id.in_(ordered[start:start + 500])).order_by(Lead.id)
        if team_id is not None:
            q = q.where(Lead.team_id == team_id)
        if postgresql:
            q = q.with_for_update()
        found.update({lead.id: lead for lead in session.scalars(q)})
    return found


def delete_lead(uow: UnitOfWork, actor: Actor, lead_id: int) -> None:
    """Soft delete: the lead leaves the grid but can be restored (and still blocks a second copy)."""
    _set_active(uow, actor, lead_id, False)


def restore_lead(uow: UnitOfWork, actor: Actor, lead_id: int) -> None:
    """Bring a soft-deleted lead back."""
    _set_active(uow, actor, lead_id, True)
