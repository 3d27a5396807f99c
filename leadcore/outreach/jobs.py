"""Outreach sending as a background job: ``outreach.send`` drains the outbox every few seconds (and at once when a
user queues email, through :func:`request_send`), so no page or request waits on an SMTP server."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.orm import Session

from leadcore import jobs
from leadcore.config import settings
from leadcore.db.engine import UnitOfWork
from leadcore.outreach import sending
from leadcore.outreach.mailer import SmtpConfig, SmtpMailer

log = logging.getLogger(__name__)

KIND = "outreach.send"
EVERY = timedelta(seconds=15)


@jobs.periodic(KIND, every=EVERY)
def drain_outbox(ctx: jobs.JobContext) -> None:
    """Send what is queued, within the rate limit and daily caps (nothing to do without an SMTP server)."""
    s = settings()
    config = SmtpConfig.from_settings(s)
    if config is None:
        return
    result = sending.send_pending(ctx.database.uow(), lambda: SmtpMailer(config), per_minute=s.mail_per_minute,
                                  daily_cap=s.mail_daily_cap)
    if result.sent or result.failed:
        log.info("outbox drain: %s", result.summary())
    if result.error:
        raise RuntimeError(result.error)  # recorded on the job row: the Admin page shows what to fix


def request_send(session: Session) -> int | None:
    """Drain the outbox as soon as the caller's transaction commits (the periodic job would, within 15 s)."""
    return jobs.wake(session, KIND)


def send_soon(uow: UnitOfWork) -> bool:
    """Ask the background worker to drain the outbox now; False when no worker has started yet (the first one
    drains it as it starts)."""
    with uow:
        uow.writing()
        woken = request_send(uow.session)
        uow.commit()
    return woken is not None
