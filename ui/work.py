"""The work sections of the app: timeline sentences for activities and tasks (more below as the pages grow)."""

from __future__ import annotations

from typing import Any

from ui.grid import md

KIND_LABELS = {"call": "Call", "email": "Email", "meeting": "Meeting", "other": "Other touch"}


def work_sentence(kind: str, d: dict[str, Any]) -> str:
    """A timeline sentence for an activity or a task event (values escaped)."""
    if kind == "activity_logged":
        text = f"**{KIND_LABELS.get(d.get('kind') or '', 'Activity')}**"
        if d.get("outcome"):
            text += f" — {md(d['outcome'])}"
        if d.get("duration_minutes"):
            text += f" ({d['duration_minutes']} min)"
        return text
    if kind == "task_created":
        return f"Follow-up planned: **{md(d.get('title') or '')}**"
    return f"Follow-up done: **{md(d.get('title') or '')}**"
