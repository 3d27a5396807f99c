"""``--mode update`` / ``upsert``: a file that is an update of leads the team already has.

A row names its lead by our export's ``id`` column, or else by the match keys (email, LinkedIn profile, company
domain, name + company). Only the columns the file has are written, through the same rules as an edit on the lead
page (:func:`leadcore.leads.edits.apply_changes`: permissions, validation, events, version bump); a row exported at
an older ``version`` than the lead has now is a conflict and changes nothing. A blank cell clears the field only in
our own export (a full copy of the lead); in other files a blank means "not known here". A lead converted into a
contact (IMPORTED) keeps its status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leadcore.accounts.actors import Actor
from leadcore.db.models import Lead
from leadcore.errors import InvalidInput, PermissionDenied
from leadcore.fileimport.rows import BuiltRow, ImportSpec
from leadcore.intake.candidates import TEXT_FIELDS
from leadcore.intake.matcher import DUPLICATE_EXISTING, plan_batch
from leadcore.leads.edits import apply_changes, normalize_changes

UPDATED = "updated"
UNCHANGED = "unchanged"
NOT_FOUND = "not_found"
CONFLICT = "conflict"
MODES = ("create", "update", "upsert")
# Fields a blank cell never clears (a lead always has a type, a status and a score).
_NEVER_CLEARED = frozenset({"type", "status", "lead_score", "lead_name"})


@dataclass
class UpdateOutcome:
    outcome: str
    lead_id: int | None = None
    reason: str = ""
    fields: tuple[str, ...] = ()


def find_targets(
    session: Session, actor: Actor, rows: dict[int, BuiltRow], *, by_keys: bool = True
) -> dict[int, int]:
    """Row position → id of the team's lead it names (by ``id``, else by match keys unless ``by_keys`` is False);
    rows naming none are absent."""
    out: dict[int, int] = {}
    by_id = {pos: r.lead_id for pos, r in rows.items() if r.lead_id is not None}
    if by_id:
        found = set(session.scalars(select(Lead.id).where(
            Lead.id.in_(set(by_id.values())), Lead.team_id == actor.team_id, Lead.deleted_at.is_(None))))
        out.update({pos: lead_id for pos, lead_id in by_id.items() if lead_id in found})
    keyed = [(pos, r) for pos, r in rows.items() if by_keys and r.lead_id is None and r.candidate is not None]
    if keyed:
        plans, _, _ = plan_batch(session, actor.team_id, [r.candidate for _, r in keyed])  # type: ignore[misc]
        for (pos, _), plan in zip(keyed, plans, strict=True):
            if plan.outcome == DUPLICATE_EXISTING and plan.lead_id is not None:
                out[pos] = plan.lead_id
    return out


def changes_for(row: BuiltRow, lead: Lead, spec: ImportSpec) -> dict[str, Any]:
    """The edit a row asks of its lead: the file's columns, blanks clearing only in our own export."""
    own_export = spec.fmt is not None and spec.fmt.key == "leadcore"
    out: dict[str, Any] = {}
    for name, value in row.present.items():
        blank = value is None or value == []
        if blank and (not own_export or name in _NEVER_CLEARED):
            continue
        if name == "status" and (lead.status == "IMPORTED" or row.status_original == "IMPORTED"):
            continue  # conversion's status: an import neither sets nor undoes it
        if name == "tags":
            value = list(value or [])
        out[name] = value
    return out


def update_lead_from_row(session: Session, actor: Actor, lead: Lead, row: BuiltRow, spec: ImportSpec) -> UpdateOutcome:
    """Apply one row to its (locked) lead in a savepoint of its own; a refused row changes nothing."""
    if row.version is not None and row.version != lead.version:
        return UpdateOutcome(CONFLICT, lead.id, f"lead {lead.id} changed since this file was exported (version "
                                                f"{row.version} in the file, {lead.version} now): not updated")
    try:
        clean = normalize_changes(changes_for(row, lead, spec))
        with session.begin_nested():
            diff = apply_changes(session, actor, lead, clean)
            session.flush()
    except IntegrityError:
        session.expire(lead)
        return UpdateOutcome(CONFLICT, lead.id, "another lead of your team already has this email, LinkedIn "
                                                "profile or company domain")
    except (InvalidInput, PermissionDenied) as e:
        session.expire(lead)
        return UpdateOutcome(CONFLICT, lead.id, str(e))
    if not diff:
        return UpdateOutcome(UNCHANGED, lead.id)
    return UpdateOutcome(UPDATED, lead.id, fields=tuple(sorted(diff)))


_FILLABLE = frozenset({*TEXT_FIELDS, "notes"})


def fills_for(row: BuiltRow, lead: Lead) -> dict[str, Any]:
    """What a create-mode row that names its lead by id gives it: the lead's empty fields, as a duplicate would."""
    return {name: value for name, value in row.present.items()
            if name in _FILLABLE and value is not None and getattr(lead, name) in (None, "")}


def fill_lead_from_row(session: Session, actor: Actor, lead: Lead, row: BuiltRow) -> UpdateOutcome:
    """Fill the empty fields of the lead a row names by id (create mode), as an edit: events, version."""
    try:
        with session.begin_nested():
            diff = apply_changes(session, actor, lead, normalize_changes(fills_for(row, lead)))
            session.flush()
    except (IntegrityError, InvalidInput, PermissionDenied):
        session.expire(lead)
        diff = {}
    return UpdateOutcome(UNCHANGED, lead.id, fields=tuple(sorted(diff)))


