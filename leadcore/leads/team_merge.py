"""Merge team A into team B (admins), in one transaction, with a dry run that counts what would move.

Everything of A moves to B: users, leads with their events, activities and tasks, searches, contacts and companies,
duplicate pairs and merges, templates and outbox, assignment rules, saved views, bulk batches, saved import mappings.
Then A is deleted.

A lead of A that is the same lead as one of B by a unique key (email, LinkedIn profile, a company's domain, or the
name key of a lead without any of these) cannot sit beside it: B's lead is kept, A's is moved retired (inactive, its
match keys released, a ``deleted`` event naming B's lead), so nothing is lost and nothing breaks the unique keys.
Two companies with one domain are not folded: the merge is refused naming them (fold them by hand first). A template
name B already has gets " (from A)" appended; A's saved import mapping for a set of columns B has one for is dropped
(B's is kept). The rollups follow through their update triggers (on both engines).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, text, update
from sqlalchemy.orm import Session, aliased

from leadcore import events
from leadcore.accounts.actors import Actor, ensure_admin
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import (
    AssignmentRule,
    BulkBatch,
    Company,
    Contact,
    DuplicatePair,
    DuplicateScan,
    EmailTemplate,
    ImportMapping,
    Lead,
    LeadActivity,
    LeadEvent,
    LeadMerge,
    LeadSearch,
    LeadTask,
    OutboxMessage,
    SavedView,
    Team,
    User,
)
from leadcore.errors import InvalidInput, NotFound

# Every table with a team_id, moved with one UPDATE each (users and leads are counted in the answer).
_MOVED = (User, Lead, LeadEvent, LeadSearch, Company, Contact, DuplicatePair, DuplicateScan, LeadMerge,
          EmailTemplate, OutboxMessage, AssignmentRule, LeadActivity, LeadTask, SavedView, BulkBatch, ImportMapping)
_SAVE_LOCK = 0x1EAD  # the matcher's per-team save lock: no import or discovery writes into A or B meanwhile
_KEYS = ("email_norm", "linkedin_norm", "domain", "name_key")


@dataclass
class TeamMergeResult:
    source: str
    target: str
    users: int = 0
    leads: int = 0
    folded: list[tuple[int, int]] = field(default_factory=list)  # (A's lead retired, B's lead kept)
    moved: dict[str, int] = field(default_factory=dict)  # rows per table
    dry_run: bool = True


def _same_lead(a: Any, b: Any) -> Any:
    """A's lead ``a`` collides with B's lead ``b`` on one of the unique keys of leads."""
    weak_a = and_(a.email_norm.is_(None), a.linkedin_norm.is_(None), or_(a.type == "INDIVIDUAL", a.domain.is_(None)))
    weak_b = and_(b.email_norm.is_(None), b.linkedin_norm.is_(None), or_(b.type == "INDIVIDUAL", b.domain.is_(None)))
    return or_(a.email_norm == b.email_norm, a.linkedin_norm == b.linkedin_norm,
               and_(a.type == "COMPANY", b.type == "COMPANY", a.domain == b.domain),
               and_(weak_a, weak_b, a.name_key == b.name_key))


def _collisions(s: Session, source: int, target: int) -> list[tuple[int, int]]:
    a, b = aliased(Lead), aliased(Lead)
    rows = s.execute(select(a.id, func.min(b.id)).join(b, and_(b.team_id == target, _same_lead(a, b)))
                     .where(a.team_id == source).group_by(a.id).order_by(a.id)).all()
    return [(int(x), int(y)) for x, y in rows]


def merge_teams(uow: UnitOfWork, actor: Actor, source_id: int, target_id: int, *,
                dry_run: bool = False) -> TeamMergeResult:
    """Move everything of team ``source_id`` into ``target_id`` and delete the source team (see the module doc).
    With ``dry_run`` nothing is written: the answer counts what would move and which leads would be folded."""
    ensure_admin(actor, "merge teams")
    if source_id == target_id:
        raise InvalidInput("Pick two different teams to merge", field="team")
    with uow:
        if not dry_run:
            uow.writing()
        s = uow.session
        q = select(Team).where(Team.id.in_([source_id, target_id])).order_by(Team.id)
        teams = {t.id: t for t in s.scalars(q if dry_run else q.with_for_update())}
        for tid in (source_id, target_id):
            if tid not in teams:
                raise NotFound(f"Team {tid} was not found")
        if actor.team_id == source_id:
            raise InvalidInput("You cannot merge away your own team; sign in from the other team or merge the "
                               "other way round", field="team")
        if not dry_run and s.get_bind().dialect.name == "postgresql":
            for tid in sorted((source_id, target_id)):
                s.execute(text("SELECT pg_advisory_xact_lock(:space, :team)"), {"space": _SAVE_LOCK, "team": tid})
        ca, cb = aliased(Company), aliased(Company)
        clash = s.execute(select(ca.name, cb.name, ca.domain).join(cb, and_(cb.team_id == target_id,
                                                                            cb.domain == ca.domain))
                          .where(ca.team_id == source_id).order_by(ca.domain).limit(20)).all()
        if clash:
            listed = "; ".join(f"{x} / {y} ({d})" for x, y, d in clash)
            raise InvalidInput(f"Both teams have a company with the same domain: {listed}. Fold these companies "
                               "first; nothing was merged.", field="team")
        out = TeamMergeResult(source=teams[source_id].name, target=teams[target_id].name, dry_run=dry_run,
                              folded=_collisions(s, source_id, target_id))
        for model in _MOVED:
            n = s.scalar(select(func.count()).select_from(model).where(model.team_id == source_id)) or 0
            out.moved[model.__tablename__] = int(n)
        out.users, out.leads = out.moved["users"], out.moved["leads"]
        if dry_run:
            return out
        _fold(s, actor, out.folded, source_id)
        _rename_templates(s, source_id, target_id, teams[source_id].name)
        theirs = select(ImportMapping.header_signature).where(ImportMapping.team_id == target_id)
        s.execute(delete(ImportMapping).where(ImportMapping.team_id == source_id,
                                              ImportMapping.header_signature.in_(theirs))
                  .execution_options(synchronize_session=False))
        for model in _MOVED:
            s.execute(update(model).where(model.team_id == source_id).values(team_id=target_id)
                      .execution_options(synchronize_session=False))
        s.execute(delete(Team).where(Team.id == source_id))
        uow.commit()
    return out


def _fold(s: Session, actor: Actor, folded: list[tuple[int, int]], source_id: int) -> None:
    """Retire A's copies of B's leads and release their keys, so they may move without breaking a unique key."""
    if not folded:
        return
    ids = [a for a, _ in folded]
    s.execute(update(Lead).where(Lead.id.in_(ids))
              .values(is_active=False, version=Lead.version + 1, **dict.fromkeys(_KEYS))
              .execution_options(synchronize_session=False))
    for a, b in folded:
        events.record(s, lead_id=a, team_id=source_id, kind="deleted", actor=actor,
                      data={"reason": "team merge", "same_as": b})
    s.flush()


def _rename_templates(s: Session, source_id: int, target_id: int, source_name: str) -> None:
    taken = set(s.scalars(select(EmailTemplate.name).where(EmailTemplate.team_id == target_id)))
    for t in s.scalars(select(EmailTemplate).where(EmailTemplate.team_id == source_id, EmailTemplate.name.in_(taken))):
        t.name = f"{t.name} (from {source_name})"[:200]
    s.flush()


__all__ = ["TeamMergeResult", "merge_teams"]
