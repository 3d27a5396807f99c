"""Draining the outbox: :func:`send_pending` hands queued messages to SMTP within the per-minute rate limit and each
rep's daily cap, and records every outcome on the lead's timeline.

The database is the queue, so the Send button, ``python -m leadcore send-pending`` and (later) a job worker all call
this one function. Each message is claimed (``queued`` → ``sending``) in its own short transaction before the SMTP
conversation and settled (``sent``/``failed``) in another, so two drains never send the same row and no transaction
is held open while a server answers. A message left ``sending`` by a crash is not re-sent automatically: its
outcome is unknown, and sending twice is worse than asking.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Protocol

from sqlalchemy import func, select, update

from leadcore import events
from leadcore.accounts.actors import Actor
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Lead, OutboxMessage, User
from leadcore.outreach.mailer import Delivery, Outgoing, SmtpUnavailable
from leadcore.outreach.outbox import Clock, utc_now

RATE_WINDOW = timedelta(minutes=1)


class Mailer(Protocol):
    def send(self, out: Outgoing) -> Delivery: ...


MailerFactory = Callable[[], AbstractContextManager[Mailer]]


@dataclass
class DrainResult:
    sent: int = 0
    failed: int = 0
    deferred: int = 0       # still queued: the per-minute limit was reached
    capped: int = 0         # still queued: the sender reached today's cap
    error: str | None = None  # the SMTP server could not be used at all (what to fix)
    next_at: datetime | None = None  # when the rate limit allows the next message
    failures: list[tuple[int, str]] = field(default_factory=list)  # (lead id, server's answer)

    def summary(self) -> str:
        parts = [f"{self.sent} sent"]
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.deferred:
            parts.append(f"{self.deferred} waiting for the rate limit")
        if self.capped:
            parts.append(f"{self.capped} held: daily cap reached")
        return ", ".join(parts)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def send_pending(
    uow: UnitOfWork, mailer_factory: MailerFactory, *, per_minute: int, daily_cap: int, clock: Clock = utc_now,
    outbox_ids: list[int] | None = None, limit: int | None = None,
) -> DrainResult:
    """Send queued messages (all, or those in ``outbox_ids``) oldest first, as far as the limits allow now.

    Within any minute at most ``per_minute`` messages are attempted (server-wide, counted from the outbox); a rep
    who sent ``daily_cap`` messages today (UTC) has the rest held until tomorrow. If the server cannot be reached
    or refuses our login, the messages this drain would have sent are marked failed with that reason, and
    ``error`` says what to fix; nothing is counted as sent."""
    result = DrainResult()
    with uow:
        q = select(OutboxMessage.id, OutboxMessage.sender_id).where(OutboxMessage.status == "queued")
        if outbox_ids is not None:
            q = q.where(OutboxMessage.id.in_(outbox_ids))
        pending = uow.session.execute(q.order_by(OutboxMessage.id).limit(limit)).all()
    if not pending:
        return result
    mailer_cm = mailer_factory()
    try:
        mailer = mailer_cm.__enter__()
    except SmtpUnavailable as e:
        budget = _rate_budget(uow, clock(), per_minute)
        for outbox_id, _ in pending[:max(budget, 1)]:
            if _claim(uow, outbox_id, clock()):
                lead_id = _settle(uow, outbox_id, Delivery(False, "", str(e)), clock())
                result.failed += 1
                result.failures.append((lead_id, str(e)))
        result.error = str(e)
        return result
    try:
        for i, (outbox_id, sender_id) in enumerate(pending):
            now = clock()
            budget = _rate_budget(uow, now, per_minute)
            if budget <= 0:
                result.deferred = len(pending) - i
                result.next_at = _next_slot(uow, now, per_minute)
                break
            if _sent_today(uow, sender_id, now) >= daily_cap:
                result.capped += 1
                continue
            if not _claim(uow, outbox_id, now):
                continue  # another drain took it
            try:
                delivery = mailer.send(_outgoing(uow, outbox_id))
            except SmtpUnavailable as e:
                lead_id = _settle(uow, outbox_id, Delivery(False, "", str(e)), clock())
                result.failed += 1
                result.failures.append((lead_id, str(e)))
                result.error = str(e)
                result.deferred = len(pending) - i - 1
                break
            lead_id = _settle(uow, outbox_id, delivery, clock())
            if delivery.ok:
                result.sent += 1
            else:
                result.failed += 1
                result.failures.append((lead_id, delivery.response))
    finally:
        mailer_cm.__exit__(None, None, None)
    return result


def _rate_budget(uow: UnitOfWork, now: datetime, per_minute: int) -> int:
    with uow:
        recent = uow.session.scalar(select(func.count()).select_from(OutboxMessage)
                                    .where(OutboxMessage.attempted_at > now - RATE_WINDOW)) or 0
    return per_minute - recent


def _next_slot(uow: UnitOfWork, now: datetime, per_minute: int) -> datetime | None:
    """When the oldest attempt of the current window leaves it (then one more message may go)."""
    with uow:
        times = uow.session.scalars(select(OutboxMessage.attempted_at)
                                    .where(OutboxMessage.attempted_at > now - RATE_WINDOW)
                                    .order_by(OutboxMessage.attempted_at).limit(1)).all()
    return _aware(times[0]) + RATE_WINDOW if times and times[0] else None


def _sent_today(uow: UnitOfWork, sender_id: int, now: datetime) -> int:
    day_start = datetime.combine(now.astimezone(UTC).date(), time(0), tzinfo=UTC)
    with uow:
        return uow.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.sender_id == sender_id, OutboxMessage.attempted_at >= day_start,
            OutboxMessage.status.in_(("sent", "sending")))) or 0


def _claim(uow: UnitOfWork, outbox_id: int, now: datetime) -> bool:
    with uow:
        uow.writing()
        done = uow.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == outbox_id, OutboxMessage.status == "queued")
            .values(status="sending", attempted_at=now, attempts=OutboxMessage.attempts + 1))
        uow.commit()
    return bool(getattr(done, "rowcount", 0))


def _outgoing(uow: UnitOfWork, outbox_id: int) -> Outgoing:
    with uow:
        m, name, email = uow.session.execute(
            select(OutboxMessage, User.display_name, User.email).join(User, User.id == OutboxMessage.sender_id)
            .where(OutboxMessage.id == outbox_id)).one()
        return Outgoing(outbox_id=m.id, lead_id=m.lead_id, to_addr=m.to_addr, subject=m.subject, text=m.body_text,
                        html=m.body_html, sender_name=name, sender_email=email,
                        date=_aware(m.attempted_at or utc_now()))


def _settle(uow: UnitOfWork, outbox_id: int, delivery: Delivery, now: datetime) -> int:
    """Record the outcome: the outbox row, an event on the lead's timeline, and NEW → CONTACTED on a first send."""
    with uow:
        uow.writing()
        s = uow.session
        m = s.get(OutboxMessage, outbox_id)
        assert m is not None
        m.status = "sent" if delivery.ok else "failed"
        m.message_id = delivery.message_id or None
        m.smtp_response = delivery.response
        actor = Actor(user_id=m.sender_id, team_id=m.team_id, role="rep")
        events.record(s, lead_id=m.lead_id, team_id=m.team_id, actor=actor,
                      kind="email_sent" if delivery.ok else "email_failed",
                      data={"subject": m.subject, "body": m.body_text, "to": m.to_addr, "template_id": m.template_id,
                            "template": m.template_name, "message_id": m.message_id, "outbox_id": m.id,
                            "status": m.status, "response": delivery.response})
        lead = s.get(Lead, m.lead_id)
        if delivery.ok and lead is not None and lead.status == "NEW":
            lead.status = "CONTACTED"
            lead.touch(now)
            events.record(s, lead_id=lead.id, team_id=lead.team_id, actor=actor, kind="status_changed",
                          data={"from": "NEW", "to": "CONTACTED", "reason": "first email sent"})
        uow.commit()
        return m.lead_id

