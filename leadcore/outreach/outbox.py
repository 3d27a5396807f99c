"""Queueing outreach email: who may be emailed (the preview of a send), the outbox rows for those who may, and the
do-not-contact flag. Nothing here talks to SMTP; :func:`leadcore.outreach.sending.send_pending` drains the outbox.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leadcore import events
from leadcore.accounts.actors import Actor, can_edit_lead, ensure_can_edit
from leadcore.config import settings
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import EmailTemplate, Lead, OutboxMessage, User
from leadcore.emails import is_plausible_email
from leadcore.errors import InvalidInput
from leadcore.grid.clauses import filter_clause
from leadcore.grid.filters import LeadFilters
from leadcore.outreach.templates import Rendered, lead_fields, load_template, render

Clock = Callable[[], datetime]
MAX_BULK = 5_000

# Why a lead is left out of a send (the keys of SendPlan.skipped reasons, worded for the preview).
REASONS = {
    "not_found": "not found",
    "deleted": "deleted",
    "do_not_contact": "do-not-contact",
    "no_email": "no email",
    "invalid_email": "invalid email",
    "not_yours": "another rep's lead",
    "recently_sent": "sent this template recently",
}


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class SendPlan:
    """What a send would do: the leads that get the email and, per lead left out, why."""

    template_id: int
    template_name: str
    send_ids: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    outbox_ids: list[int] = field(default_factory=list)

    def summary(self) -> str:
        """ "send to 47, 3 skipped: 1 no email, 2 do-not-contact" """
        head = f"send to {len(self.send_ids)}"
        if not self.skipped:
            return head
        counts = Counter(reason for _, reason in self.skipped)
        parts = ", ".join(f"{n} {REASONS.get(r, r)}" for r, n in sorted(counts.items()))
        return f"{head}, {len(self.skipped)} skipped: {parts}"


def skip_reason(actor: Actor, lead: Lead | None, *, recently_sent: bool) -> str | None:
    """Why this lead may not get the email now (a key of REASONS), or None when it may."""
    if lead is None or lead.team_id != actor.team_id:
        return "not_found"
    if not lead.is_active:
        return "deleted"
    if lead.do_not_contact:
        return "do_not_contact"
    if not (lead.email or "").strip():
        return "no_email"
    if not is_plausible_email((lead.email or "").strip()):
        return "invalid_email"
    if not can_edit_lead(actor, lead.owner_id):
        return "not_yours"
    if recently_sent:
        return "recently_sent"
    return None


def _recent(session: Session, template_id: int, lead_ids: list[int], since: datetime) -> set[int]:
    if not lead_ids:
        return set()
    return set(session.scalars(
        select(OutboxMessage.lead_id).where(
            OutboxMessage.template_id == template_id, OutboxMessage.lead_id.in_(lead_ids),
            OutboxMessage.created_at >= since, OutboxMessage.status.in_(("queued", "sending", "sent")))
    ).all())


def _target_ids(session: Session, actor: Actor, ids: list[int] | None, filters: LeadFilters | None) -> list[int]:
    if (ids is None) == (filters is None):
        raise InvalidInput("Give either lead ids or a filter", field="ids")
    if filters is not None:
        found = list(session.scalars(select(Lead.id).where(filter_clause(session, actor, filters))
                                     .order_by(Lead.id).limit(MAX_BULK + 1)).all())
    else:
        found = list(dict.fromkeys(int(i) for i in ids or []))
    if not found:
        raise InvalidInput("No leads to email", field="ids")
    if len(found) > MAX_BULK:
        raise InvalidInput(f"A bulk send is limited to {MAX_BULK:,} leads; narrow the filter", field="ids")
    return found


def _plan(session: Session, actor: Actor, template: EmailTemplate, lead_ids: list[int], *, confirm_repeat: bool,
          now: datetime) -> tuple[SendPlan, dict[int, Lead]]:
    leads = {lead.id: lead for lead in session.scalars(select(Lead).where(Lead.id.in_(lead_ids))).all()}
    window = settings().mail_repeat_window_days
    recent = set() if confirm_repeat or window == 0 else _recent(
        session, template.id, lead_ids, now - timedelta(days=window))
    plan = SendPlan(template_id=template.id, template_name=template.name)
    for lead_id in lead_ids:
        reason = skip_reason(actor, leads.get(lead_id), recently_sent=lead_id in recent)
        if reason:
            plan.skipped.append((lead_id, reason))
        else:
            plan.send_ids.append(lead_id)
    return plan, leads


def _sender(actor: Actor) -> dict[str, str]:
    return {"name": actor.name, "email": actor.email}


def preview_send(
    uow: UnitOfWork, actor: Actor, template_id: int, *, ids: list[int] | None = None,
    filters: LeadFilters | None = None, confirm_repeat: bool = False, clock: Clock = utc_now,
) -> SendPlan:
    """Who a send would reach and who it would skip, and why; nothing is written."""
    with uow:
        s = uow.session
        template = load_template(s, actor, template_id)
        plan, _ = _plan(s, actor, template, _target_ids(s, actor, ids, filters), confirm_repeat=confirm_repeat,
                        now=clock())
        return plan


def preview_lead(uow: UnitOfWork, actor: Actor, template_id: int, lead_id: int) -> Rendered:
    """The template rendered for one lead, with the merge fields that would be empty."""
    with uow:
        s = uow.session
        template = load_template(s, actor, template_id)
        lead = s.get(Lead, lead_id)
        if skip_reason(actor, lead, recently_sent=False) == "not_found" or lead is None:
            raise InvalidInput(f"Lead {lead_id} was not found", field="leadId")
        return render(template.subject, template.body, lead_fields(lead), _sender(actor))


def queue_send(
    uow: UnitOfWork, actor: Actor, template_id: int, *, ids: list[int] | None = None,
    filters: LeadFilters | None = None, confirm_repeat: bool = False, clock: Clock = utc_now,
) -> SendPlan:
    """Put one message per sendable lead in the outbox (one transaction) and say who was skipped and why.

    Sending happens in :func:`leadcore.outreach.sending.send_pending`, which honours the rate limit and daily cap."""
    if not actor.email or not is_plausible_email(actor.email):
        raise InvalidInput("Your account has no valid email address for replies; ask an admin to set it")
    now = clock()
    with uow:
        uow.writing()
        s = uow.session
        template = load_template(s, actor, template_id)
        plan, leads = _plan(s, actor, template, _target_ids(s, actor, ids, filters), confirm_repeat=confirm_repeat,
                            now=now)
        rows = []
        for lead_id in plan.send_ids:
            lead = leads[lead_id]
            r = render(template.subject, template.body, lead_fields(lead), _sender(actor))
            rows.append(OutboxMessage(
                team_id=actor.team_id, lead_id=lead_id, template_id=template.id, template_name=template.name,
                sender_id=actor.user_id, to_addr=(lead.email or "").strip(), subject=r.subject, body_text=r.text,
                body_html=r.html, status="queued", created_at=now, attempts=0, repeat_confirmed=confirm_repeat))
        s.add_all(rows)
        s.flush()
        plan.outbox_ids = [m.id for m in rows]
        uow.commit()
    return plan


@dataclass(frozen=True)
class FlagResult:
    changed: int
    unchanged: int
    refused: int  # another rep's leads (only their owner or a manager may)
    not_found: int


def set_do_not_contact(uow: UnitOfWork, actor: Actor, lead_ids: list[int], flag: bool) -> FlagResult:
    """Mark leads do-not-contact (or clear it, which undoes it) in one transaction, an event per lead changed.

    Leads the actor may not change are counted as refused; for a single lead that is PermissionDenied."""
    if not lead_ids:
        raise InvalidInput("No leads selected", field="ids")
    changed = unchanged = refused = 0
    with uow:
        uow.writing()
        s = uow.session
        found = s.scalars(select(Lead).where(Lead.id.in_(lead_ids), Lead.team_id == actor.team_id)).all()
        for lead in found:
            if lead.do_not_contact == flag:
                unchanged += 1
                continue
            if not can_edit_lead(actor, lead.owner_id):
                if len(lead_ids) == 1:
                    ensure_can_edit(actor, lead.id, lead.owner_id)
                refused += 1
                continue
            lead.do_not_contact = flag
            lead.touch()
            events.record(s, lead_id=lead.id, team_id=lead.team_id, actor=actor, kind="fields_changed",
                          data={"do_not_contact": {"from": not flag, "to": flag}})
            changed += 1
        uow.commit()
    return FlagResult(changed, unchanged, refused, len(set(lead_ids)) - len(found))


def is_do_not_contact(uow: UnitOfWork, actor: Actor, lead_id: int) -> bool:
    with uow:
        value = uow.session.scalar(select(Lead.do_not_contact).where(Lead.id == lead_id,
                                                                     Lead.team_id == actor.team_id))
        return bool(value)


@dataclass(frozen=True)
class OutboxRow:
    id: int
    lead_id: int
    to_addr: str
    subject: str
    template_name: str | None
    sender_id: int
    status: str
    message_id: str | None
    smtp_response: str | None
    created_at: datetime
    attempted_at: datetime | None


def recent_messages(uow: UnitOfWork, actor: Actor, *, lead_id: int | None = None, limit: int = 50) -> list[OutboxRow]:
    """The team's newest outbox messages (of one lead with ``lead_id``)."""
    with uow:
        q = select(OutboxMessage).where(OutboxMessage.team_id == actor.team_id)
        if lead_id is not None:
            q = q.where(OutboxMessage.lead_id == lead_id)
        rows = uow.session.scalars(q.order_by(OutboxMessage.id.desc()).limit(limit)).all()
        return [OutboxRow(id=m.id, lead_id=m.lead_id, to_addr=m.to_addr, subject=m.subject,
                          template_name=m.template_name, sender_id=m.sender_id, status=m.status,
                          message_id=m.message_id, smtp_response=m.smtp_response, created_at=m.created_at,
                          attempted_at=m.attempted_at) for m in rows]


def sent_counts(uow: UnitOfWork, actor: Actor) -> dict[str, list[dict[str, Any]]]:
    """Emails sent per rep and per template (one SQL aggregate each)."""
    with uow:
        s = uow.session
        sent = (OutboxMessage.team_id == actor.team_id) & (OutboxMessage.status == "sent")
        per_rep = s.execute(select(User.display_name, func.count()).select_from(OutboxMessage)
                            .join(User, User.id == OutboxMessage.sender_id)
                            .where(sent).group_by(User.display_name).order_by(func.count().desc())).all()
        per_template = s.execute(select(OutboxMessage.template_name, func.count()).where(sent)
                                 .group_by(OutboxMessage.template_name).order_by(func.count().desc())).all()
        return {"per_rep": [{"rep": r, "sent": n} for r, n in per_rep],
                "per_template": [{"template": t or "(deleted)", "sent": n} for t, n in per_template]}

