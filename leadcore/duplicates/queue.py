"""The review queue: a team's open pairs by score with both leads' fields side by side, dismissing a pair, and a
warning when a lead being created looks like one the user cannot see."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from leadcore.accounts.actors import Actor, can_edit_lead
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import DuplicatePair, Lead, User
from leadcore.duplicates.merge import MERGE_FIELDS
from leadcore.duplicates.scan import find_pairs, load_records
from leadcore.duplicates.scoring import MIN_SCORE, record
from leadcore.errors import InvalidInput, NotFound

SHOWN = ("lead_name", "email", "phone", "job_title", "company", "location", "headquarters", "industry", "website",
         "linkedin_url", "type", "status", "lead_score", "owner_id", "tags", "notes")


@dataclass(frozen=True)
class QueuedPair:
    a: int
    b: int
    score: float
    reasons: list[str]
    lead_a: dict[str, Any]
    lead_b: dict[str, Any]
    differs: list[str]
    can_merge: bool

    def as_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "score": self.score, "reasons": self.reasons}


def _check_score(min_score: float) -> None:
    if not 0 <= min_score <= 1:
        raise InvalidInput(f"min score must be between 0 and 1, got {min_score}", field="minScore")


def list_pairs(uow: UnitOfWork, actor: Actor, *, min_score: float = MIN_SCORE, limit: int = 200) -> list[QueuedPair]:
    """Open pairs of the actor's team whose leads are both active, best first."""
    _check_score(min_score)
    la, lb = aliased(Lead), aliased(Lead)
    oa, ob = aliased(User), aliased(User)
    with uow:
        rows = uow.session.execute(
            select(DuplicatePair, la, lb, oa.display_name, ob.display_name)
            .join(la, la.id == DuplicatePair.lead_a).join(lb, lb.id == DuplicatePair.lead_b)
            .outerjoin(oa, oa.id == la.owner_id).outerjoin(ob, ob.id == lb.owner_id)
            .where(DuplicatePair.team_id == actor.team_id, DuplicatePair.status == "open",
                   DuplicatePair.score >= min_score, la.is_active, lb.is_active)
            .order_by(DuplicatePair.score.desc(), DuplicatePair.lead_a, DuplicatePair.lead_b)
            .limit(limit)
        ).all()
        out = []
        for pair, a, b, owner_a, owner_b in rows:
            da, db_ = _fields(a, owner_a), _fields(b, owner_b)
            out.append(QueuedPair(
                a=a.id, b=b.id, score=pair.score, reasons=list(pair.reasons or []), lead_a=da, lead_b=db_,
                differs=[f for f in SHOWN if da[f] != db_[f]],
                can_merge=can_edit_lead(actor, a.owner_id) and can_edit_lead(actor, b.owner_id)))
        return out


def _fields(lead: Lead, owner: str | None) -> dict[str, Any]:
    out = {f: getattr(lead, f) for f in SHOWN}
    out["tags"] = list(out["tags"] or [])
    out["owner"] = owner
    out["id"] = lead.id
    out["version"] = lead.version
    return out


def dismiss(uow: UnitOfWork, actor: Actor, a: int, b: int) -> None:
    """Mark a pair "not a duplicate"; no later scan reopens it."""
    first, second = sorted((int(a), int(b)))
    with uow:
        uow.writing()
        s = uow.session
        teams = {i: t for i, t in s.execute(select(Lead.id, Lead.team_id).where(Lead.id.in_([first, second])))}
        if teams.get(first) != actor.team_id or teams.get(second) != actor.team_id or first == second:
            raise NotFound(f"Pair {first}/{second} was not found")
        pair = s.scalar(select(DuplicatePair).where(DuplicatePair.team_id == actor.team_id,
                                                    DuplicatePair.lead_a == first, DuplicatePair.lead_b == second))
        now = datetime.now(UTC)
        if pair is None:
            s.add(DuplicatePair(team_id=actor.team_id, lead_a=first, lead_b=second, score=0.0, reasons=[],
                                status="dismissed", decided_by=actor.user_id, decided_at=now))
        else:
            pair.status, pair.decided_by, pair.decided_at = "dismissed", actor.user_id, now
        uow.commit()


def stats(uow: UnitOfWork, actor: Actor) -> dict[str, int]:
    """How many pairs the team has, by status."""
    with uow:
        rows = uow.session.execute(
            select(DuplicatePair.status, func.count()).where(DuplicatePair.team_id == actor.team_id)
            .group_by(DuplicatePair.status)).all()
    counts = {"open": 0, "dismissed": 0, "merged": 0} | {status: int(n) for status, n in rows}
    return {"total": sum(counts.values()), **counts}


def hidden_lookalikes(uow: UnitOfWork, actor: Actor, fields: dict[str, Any]) -> list[str]:
    """Warnings for a lead about to be created that looks like an existing lead the user cannot edit:
    "probably exists, owned by X" (reps see only what they may edit as theirs)."""
    with uow:
        return lookalikes_of(uow.session, actor, {0: fields}).get(0, [])


def lookalikes_of(session: Session, actor: Actor, probes: Mapping[int, dict[str, Any]]) -> dict[int, list[str]]:
    """:func:`hidden_lookalikes` for many leads about to be created at once (an import's new rows), keyed as
    ``probes``: the team's leads are read and blocked once. Managers may edit every lead, so they get no warnings
    and cost nothing."""
    if actor.is_manager or not probes:
        return {}
    keys = list(probes)
    records = load_records(session, actor.team_id)
    probe_records = [record({**probes[k], "id": -(i + 1)}) for i, k in enumerate(keys)]
    pairs, _ = find_pairs([*probe_records, *records], floor=MIN_SCORE)
    hits = [(keys[-p.a - 1], p.b) for p in pairs if p.a < 0 < p.b]
    if not hits:
        return {}
    rows = {lid: (name or company, owner_id, owner) for lid, name, company, owner_id, owner in session.execute(
        select(Lead.id, Lead.lead_name, Lead.company, Lead.owner_id, User.display_name)
        .outerjoin(User, User.id == Lead.owner_id).where(Lead.id.in_({b for _, b in hits})))}
    out: dict[int, list[str]] = {}
    for key, lid in hits:
        shown, owner_id, owner = rows[lid]
        if not can_edit_lead(actor, owner_id):
            out.setdefault(key, []).append(
                f"Lead {lid} ({shown}) probably exists already, owned by {owner or 'nobody'}")
    return out


__all__ = ["MERGE_FIELDS", "QueuedPair", "dismiss", "hidden_lookalikes", "list_pairs", "lookalikes_of", "stats"]
