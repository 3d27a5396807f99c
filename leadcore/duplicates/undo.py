"""Undoing a whole import or discovery run: remove the leads it created that nobody touched since, empty again the
fields it filled on existing leads that nobody touched since, and say what was kept and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select

from leadcore import events
from leadcore.accounts.actors import Actor, ensure_manager
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import IntakeFill, Lead, LeadEvent, LeadSearch
from leadcore.errors import NotFound

_FILL_KEYS = {"email": "email_norm", "linkedin_url": "linkedin_norm", "website": "domain", "phone": "phone_norm"}


@dataclass
class UndoResult:
    removed: int = 0
    reverted: int = 0
    kept: int = 0
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"removed": self.removed, "reverted": self.reverted, "kept": self.kept, "reasons": self.reasons}


def undo_search(uow: UnitOfWork, actor: Actor, search_id: int) -> UndoResult:
    """Managers: take back import/discovery run ``search_id`` (one transaction). A lead is "touched" when it has any
    event after the run's own, or its version moved past what the run left."""
    ensure_manager(actor, "undo an import or discovery run")
    result = UndoResult()
    with uow:
        uow.writing()
        s = uow.session
        run = s.get(LeadSearch, search_id)
        if run is None or run.team_id != actor.team_id:
            raise NotFound(f"Search {search_id} was not found")
        run_events = s.execute(select(LeadEvent.lead_id, LeadEvent.kind, LeadEvent.id, LeadEvent.data)
                               .where(LeadEvent.search_id == search_id, LeadEvent.team_id == actor.team_id)
                               .order_by(LeadEvent.id)).all()
        created = {lid for lid, kind, _, _ in run_events if kind == "created"}
        fills: dict[int, list[str]] = {}
        seen: dict[int, int] = {}
        last_run_event: dict[int, int] = {}
        for lid, kind, eid, data in run_events:
            last_run_event[lid] = max(eid, last_run_event.get(lid, 0))
            if kind == "duplicate_seen" and lid not in created:
                seen[lid] = seen.get(lid, 0) + 1
            if kind == "duplicate_seen" and lid not in created and (data or {}).get("filled"):
                fills.setdefault(lid, []).extend(data["filled"])
        ids = sorted(last_run_event)
        later: dict[int, int] = {lid: top for lid, top in s.execute(
            select(LeadEvent.lead_id, func.max(LeadEvent.id)).where(LeadEvent.lead_id.in_(ids))
            .group_by(LeadEvent.lead_id))} if ids else {}
        touched = {lid for lid in ids if later.get(lid, 0) > last_run_event[lid]}
        edited_created = sorted(created & touched)
        seen_only = [lid for lid in ids if lid not in created and lid not in fills]
        for start in range(0, len(created), 500):
            chunk = sorted(created - touched)[start:start + 500]
            if chunk:
                result.removed += s.execute(delete(Lead).where(Lead.id.in_(chunk), Lead.team_id == actor.team_id)
                                            ).rowcount or 0  # type: ignore[attr-defined]
        now = datetime.now(UTC)
        for lid in seen_only:
            lead = s.get(Lead, lid)
            if lead is not None and lid not in touched:  # the run only counted it: count it no more
                lead.duplicate_count = max(0, (lead.duplicate_count or 0) - seen[lid])
        earlier = _before_the_run(s, search_id)
        for lid, filled in sorted(fills.items()):
            if lid in touched:
                continue
            lead = s.get(Lead, lid)
            if lead is None:
                continue
            lead.duplicate_count = max(0, (lead.duplicate_count or 0) - seen.get(lid, 1))
            if lid in earlier:  # the matcher kept the lead as it was: put back exactly that
                columns, version, updated_at = earlier[lid]
                for column, value in columns.items():
                    setattr(lead, column, value)
                lead.version, lead.updated_at = version, updated_at
            else:  # a run saved before the matcher kept what it filled: empty the fields again
                for f in filled:
                    setattr(lead, f, None)
                    if f in _FILL_KEYS:
                        setattr(lead, _FILL_KEYS[f], None)
                lead.touch(now)
            events.record(s, lead_id=lid, team_id=lead.team_id, actor=actor, kind="fields_changed",
                          data={f: {"from": f"(filled by search {search_id})", "to": None} for f in filled})
            result.reverted += 1
        kept_filled = [lid for lid in fills if lid in touched]
        result.kept = len(edited_created) + len(kept_filled)
        if edited_created:
            result.reasons.append(f"{len(edited_created)} leads were edited after the import; kept")
        if kept_filled:
            result.reasons.append(f"{len(kept_filled)} existing leads were edited after the import filled them; "
                                  "their filled fields were kept")
        if seen_only:
            result.reasons.append(f"{len(seen_only)} existing leads were only seen again; their counters went back")
        uow.commit()
    return result


def _before_the_run(s: Any, search_id: int) -> dict[int, tuple[dict[str, Any], int, datetime]]:
    """Per lead the run filled: the columns it changed, its version and its time, as they were before the run's
    first batch that changed it (a later batch's record adds only the columns the earlier ones did not change)."""
    out: dict[int, tuple[dict[str, Any], int, datetime]] = {}
    rows = s.execute(select(IntakeFill.lead_id, IntakeFill.before).where(IntakeFill.search_id == search_id)
                     .order_by(IntakeFill.id))
    for lead_id, before in rows:
        if lead_id not in out:
            out[lead_id] = ({}, before["version"], datetime.fromisoformat(before["updated_at"]))
        columns = out[lead_id][0]
        for column, value in before["columns"].items():
            columns.setdefault(column, value)
    return out
