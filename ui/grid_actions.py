"""What the grid's buttons do: save edited rows one by one, and run a confirmed bulk action. Each returns
messages in words a rep understands, as ``(kind, markdown)`` pairs for st.success / st.warning / st.error."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from leadcore.accounts.actors import Actor
from leadcore.errors import LeadcoreError, PermissionDenied, StaleLead
from leadcore.grid import selection
from leadcore.grid.filters import LeadFilters
from leadcore.leads import bulk, conversion, edits, undo
from leadcore.leads.bulk import BulkChange
from leadcore.outreach import outbox
from ui.grid import RowChange, describe, md
from ui.resources import uow
from ui.text import plural, word_for

Message = tuple[str, str]

ACTIONS = {
    "status": "Set status",
    "add_tags": "Add tags",
    "remove_tags": "Remove tags",
    "assign": "Assign owner",
    "archive": "Archive",
    "delete": "Delete",
    "import": "Import as contacts / companies",
    "do_not_contact": "Mark do-not-contact",
    "contact_ok": "Clear do-not-contact",
    "restore": "Restore",
}
TRASH_ACTIONS = ("restore",)


@dataclass(frozen=True)
class Conflict:
    """An edit refused because someone else changed the same field since the grid was read: both values, and what
    "keep mine" saves (all of the user's changes on that lead, on the version that now exists)."""

    change: RowChange
    current_version: int
    fields: dict[str, tuple[Any, Any]]  # lead field -> (yours, theirs)

    def keep_mine(self) -> RowChange:
        return replace(self.change, version=self.current_version)


def shown_value(field_name: str, value: Any, owners: Mapping[str, int | None]) -> str:
    """A field's value as the grid shows it, for the conflict dialog."""
    if field_name == "owner_id":
        return next((label for label, uid in owners.items() if uid == value), f"user {value}")
    if field_name == "status":
        return str(value).title()
    if value is None or value == "" or value == []:
        return "(empty)"
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def save_changes(actor: Actor, changes: Sequence[RowChange], owners: Mapping[str, int | None]
                 ) -> tuple[list[Message], list[Conflict]]:
    """Write each changed row with the version it was read at; a conflict or refusal on one row never stops
    the others. Conflicts (the same field changed by someone else) come back for "keep mine" / "keep theirs"."""
    saved: list[str] = []
    conflicts: list[Conflict] = []
    notes: list[str] = []
    refused: list[str] = []
    invalid: list[str] = []
    for ch in changes:
        try:
            edits.update_lead(uow(), actor, ch.lead_id, ch.changes, expected_version=ch.version)
        except StaleLead as e:
            conflicts.append(Conflict(ch, e.current_version, dict(e.conflicts)))
            notes.append(f"- **{md(ch.name)}**: {md(e)}. Your change ({md(describe(ch, owners))}) is not saved yet.")
        except PermissionDenied as e:
            refused.append(f"- **{md(ch.name)}**: {md(e)}.")
        except LeadcoreError as e:
            invalid.append(f"- **{md(ch.name)}**: {md(e)}.")
        else:
            saved.append(ch.name)
    out: list[Message] = []
    if saved:
        out.append(("success", f"Saved {plural(len(saved), 'lead')}."))
    if notes:
        out.append(("warning", f"{plural(len(notes), 'lead')} changed by someone else while you were editing "
                               "(conflict): keep yours or theirs below.\n\n" + "\n".join(notes)))
    if refused:
        out.append(("error", "You may not change " + plural(len(refused), "lead") + ":\n\n" + "\n".join(refused)))
    if invalid:
        out.append(("error", "Not saved, please correct:\n\n" + "\n".join(invalid)))
    return out, conflicts


@dataclass(frozen=True)
class BulkRequest:
    """A bulk action waiting for its confirmation: on the ticked rows (``ids``) or on the whole filter."""

    action: str
    value: Any = None
    ids: tuple[int, ...] | None = None  # None: every lead matching ``filters``
    filters: LeadFilters = field(default_factory=LeadFilters)
    count: int = 0
    value_label: str = ""

    def label(self) -> str:
        """What the action did, for its undo offer: "Set status: Contacted"."""
        return ACTIONS[self.action] + (f": {self.value_label}" if self.value_label else "")

    def question(self) -> str:
        if self.ids is not None:
            target = plural(self.count, "lead") + " you ticked"
        elif self.count == 1:
            target = "the 1 lead matching the filter"
        else:
            target = f"all {plural(self.count, 'lead')} matching the filter"
        what = {
            "status": f"Set the status of {target} to **{md(self.value_label)}**?",
            "add_tags": f"Add the tags **{md(self.value_label)}** to {target}?",
            "remove_tags": f"Remove the tags **{md(self.value_label)}** from {target}?",
            "assign": f"Assign {target} to **{md(self.value_label)}**?",
            "archive": f"Archive {target}? Their status becomes Archived.",
            "delete": f"Delete {target}? They move to the trash (“Show deleted leads”) and can be restored.",
            "import": f"Import {target} as contacts and companies? Leads already imported are left as they are.",
            "restore": f"Restore {target} from the trash?",
            "do_not_contact": f"Mark {target} do-not-contact? Nobody can email them until it is cleared.",
            "contact_ok": f"Clear do-not-contact on {target}? They can be emailed again.",
        }
        return what[self.action]


def _change(req: BulkRequest) -> BulkChange:
    if req.action == "status":
        return BulkChange(status=str(req.value))
    if req.action == "add_tags":
        return BulkChange(add_tags=tuple(req.value or ()))
    if req.action == "remove_tags":
        return BulkChange(remove_tags=tuple(req.value or ()))
    if req.action == "assign":
        return BulkChange().with_owner(req.value)
    if req.action == "archive":
        return BulkChange(status="ARCHIVED")
    if req.action == "delete":
        return BulkChange(delete=True)
    if req.action == "restore":
        return BulkChange(restore=True)
    raise ValueError(f"unknown bulk action {req.action}")


def _no_longer_exist(n: int) -> str:
    return f"{plural(n, 'lead')} no longer {word_for(n, 'exists', many='exist')}"


def _flag(res: outbox.FlagResult) -> list[Message]:
    out: list[Message] = [("success", f"Updated {plural(res.changed, 'lead')}.")] if res.changed else []
    if res.unchanged:
        out.append(("info", f"{plural(res.unchanged, 'lead')} already had this change."))
    if res.refused:
        out.append(("warning", f"{plural(res.refused, 'lead')} not changed: only "
                               f"{word_for(res.refused, 'its', many='their')} owner or a manager may."))
    if res.not_found:
        out.append(("warning", f"{_no_longer_exist(res.not_found)}."))
    return out or [("info", "Nothing changed.")]


def run_bulk(actor: Actor, req: BulkRequest) -> tuple[list[Message], int | None]:
    """Apply a confirmed bulk action; says how many leads changed, were already so, or were refused and why, with
    the batch that undoes it (None when nothing changed or the action cannot be undone: import)."""
    try:
        ids = list(req.ids) if req.ids is not None else selection.iter_filtered_ids(uow(), actor, req.filters)
        if not ids:
            return [("info", "No leads to change.")], None
        if req.action in ("do_not_contact", "contact_ok"):
            return _flag(outbox.set_do_not_contact(uow(), actor, ids, req.action == "do_not_contact")), None
        if req.action == "import":
            res = conversion.bulk_import(uow(), actor, ids)
            out: list[Message] = [("success", f"Imported {plural(res.imported, 'lead')}.")] if res.imported else []
            if res.already:
                out.append(("info", f"{plural(res.already, 'lead')} had been imported before."))
            if res.refused:
                out.append(("warning", f"{plural(res.refused, 'lead')} not imported: "
                                       f"{word_for(res.refused, 'it belongs', many='they belong')} to another rep."))
            if res.not_found:
                out.append(("warning", f"{_no_longer_exist(res.not_found)}."))
            return out or [("info", "Nothing was imported.")], None
        result = bulk.bulk_update(uow(), actor, ids, _change(req), label=req.label())
    except LeadcoreError as e:
        return [("error", md(e))], None
    verb = {"delete": "Deleted", "restore": "Restored", "archive": "Archived", "import": "Imported"}.get(
        req.action, "Updated")
    out = [("success", f"{verb} {plural(result.updated, 'lead')}.")] if result.updated else []
    if result.unchanged:
        out.append(("info", f"{plural(result.unchanged, 'lead')} already had this change."))
    if result.refused:
        owners = Counter(result.reasons.values())
        detail = "; ".join(f"{plural(n, 'lead')} {word_for(n, 'belongs', many='belong')} to {md(owner)}"
                           for owner, n in owners.most_common(5))
        out.append(("warning", f"{plural(result.refused, 'lead')} not changed: only "
                               f"{word_for(result.refused, 'its', many='their')} owner or a manager may ({detail})."))
    if result.not_found:
        out.append(("warning", f"{_no_longer_exist(result.not_found)}."))
    return out or [("info", "Nothing changed.")], result.batch_id


def undo_bulk(actor: Actor, batch_id: int) -> list[Message]:
    """Take a bulk action back; says how many leads returned and how many kept a later change."""
    try:
        res = undo.undo_batch(uow(), actor, batch_id)
    except LeadcoreError as e:
        return [("error", f"Could not undo: {md(e)}")]
    out: list[Message] = [("success", f"Undone: {plural(res.restored, 'lead')} back as before.")]
    if res.changed_since:
        out.append(("info", f"{plural(res.changed_since, 'lead')} kept a change made after the bulk action."))
    if res.gone:
        out.append(("info", f"{_no_longer_exist(res.gone)}."))
    return out
