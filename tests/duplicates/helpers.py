"""Saving labelled rows through the real matcher, and exporting a team's leads, for the duplicate tests."""

from __future__ import annotations

import csv
import io
from typing import Any

from leadcore.accounts.actors import Actor
from leadcore.db.runtime import Database
from leadcore.grid.export import export_csv
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.matcher import SearchContext, save_batch


def save_rows(db: Database, actor: Actor, rows: list[dict[str, Any]]) -> list[int | None]:
    """Save rows in one batch; the lead id each row ended up in (None when invalid)."""
    with db.uow() as uow:
        result = save_batch(uow.session, actor, [LeadCandidate(**r) for r in rows], SearchContext(source="test"))
        uow.commit()
    return [p.lead_id for p in result.rows]


def exported(db: Database, actor: Actor) -> dict[str, dict[str, str]]:
    """The team's CSV export (active leads), by id."""
    text = "".join(export_csv(db.uow(), actor))
    return {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
