"""A lead's events as sentences people read: "Status New → Contacted", "Seen again in search #12"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadcore.events import TimelineEntry
from ui.grid import md
from ui.work import work_sentence

ICONS = {
    "created": ":material/add_circle:",
    "status_changed": ":material/swap_horiz:",
    "fields_changed": ":material/edit:",
    "note_added": ":material/sticky_note_2:",
    "tags_changed": ":material/sell:",
    "assigned": ":material/person_add:",
    "imported": ":material/move_to_inbox:",
    "duplicate_seen": ":material/content_copy:",
    "deleted": ":material/delete:",
    "restored": ":material/restore_from_trash:",
    "activity_logged": ":material/call:",
    "task_created": ":material/add_task:",
    "task_done": ":material/task_alt:",
    "email_sent": ":material/mail:",
    "email_failed": ":material/unsubscribe:",
    "enriched": ":material/auto_fix_high:",
}
FIELD_LABELS = {"lead_score": "score", "lead_name": "name", "job_title": "title", "linkedin_url": "LinkedIn",
                "owner_id": "owner"}


def _value(v: Any) -> str:
    if v in (None, "", []):
        return "(empty)"
    if isinstance(v, list):
        return ", ".join(str(x) for x in v)
    text = str(v)
    return text if len(text) <= 60 else text[:59] + "…"


def _status(v: Any) -> str:
    return str(v or "?").title()


def sentence(e: TimelineEntry, names: Mapping[int, str]) -> str:
    """One event as Markdown (values escaped); ``names`` maps user ids to display names."""
    d = e.data or {}
    search = f" in search #{e.search_id}" if e.search_id else ""
    if e.kind == "created":
        return f"Created from **{md(d.get('source') or 'unknown source')}**{search}"
    if e.kind == "status_changed":
        return f"Status **{_status(d.get('from'))}** → **{_status(d.get('to'))}**"
    if e.kind == "fields_changed":
        parts = [f"{md(FIELD_LABELS.get(k, k.replace('_', ' ')))} {md(_value(v.get('from')))} → "
                 f"**{md(_value(v.get('to')))}**" for k, v in d.items() if isinstance(v, dict)]
        return "Changed " + "; ".join(parts) if parts else "Changed fields"
    if e.kind == "enriched":
        by = d.get("providers")
        sources = ", ".join(dict.fromkeys(str(p) for p in by.values())) if isinstance(by, dict) else ""
        parts = [f"{md(FIELD_LABELS.get(k, k.replace('_', ' ')))} **{md(_value(v.get('to')))}**"
                 for k, v in d.items() if isinstance(v, dict) and k != "providers"]
        sources = sources or "a provider"
        return f"Enriched from **{md(sources)}**: " + "; ".join(parts) if parts else f"Enriched from {md(sources)}"
    if e.kind == "note_added":
        return "Added a note"
    if e.kind == "tags_changed":
        parts = []
        if d.get("added"):
            parts.append("added " + ", ".join(f"**{md(t)}**" for t in d["added"]))
        if d.get("removed"):
            parts.append("removed " + ", ".join(f"**{md(t)}**" for t in d["removed"]))
        return "Tags: " + "; ".join(parts) if parts else "Tags changed"
    if e.kind == "assigned":
        to = d.get("to")
        who = md(names.get(to, f"user {to}")) if to else "nobody (unassigned)"
        return f"Assigned to **{who}**" + (f" by rule **{md(d['rule'])}**" if d.get("rule") else "")
    if e.kind == "imported":
        made = []
        if d.get("contact_id"):
            made.append(f"contact #{d['contact_id']}")
        if d.get("company_id"):
            made.append(f"company #{d['company_id']}" + ("" if d.get("created_company") else " (existing)"))
        return "Imported as " + " and ".join(made) if made else "Imported"
    if e.kind == "duplicate_seen":
        text = f"Seen again{search or ' in a later import'} from **{md(d.get('source') or 'unknown')}**"
        if d.get("filled"):
            text += " — filled in " + ", ".join(md(FIELD_LABELS.get(f, f.replace("_", " "))) for f in d["filled"])
        return text
    if e.kind == "deleted":
        return "Deleted" + (" (bulk action)" if d.get("bulk") else "")
    if e.kind == "restored":
        return "Restored" + (" (bulk action)" if d.get("bulk") else "")
    if e.kind in ("activity_logged", "task_created", "task_done"):
        return work_sentence(e.kind, d)
    if e.kind in ("email_sent", "email_failed"):
        how = "delivered to the server" if e.kind == "email_sent" else "**failed**"
        template = f" (template {md(d['template'])})" if d.get("template") else ""
        return f"Email “{md(d.get('subject') or '')}”{template} {how}: {md(_value(d.get('response')))}"
    return md(e.kind.replace("_", " ").capitalize())
