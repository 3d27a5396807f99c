"""Webhook delivery as a background job: ``webhooks.deliver`` runs every few seconds on any worker and drains what
is due (the event log past each endpoint's cursor, then the leased deliveries), so a worker that was down delivers
everything that happened meanwhile when it returns. Any number of workers may run it at once (deliveries are
leased), so a duplicated queue message repeats a pass, never a send."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import httpx

from leadcore import jobs
from leadcore.webhooks.delivery import deliver_due

log = logging.getLogger(__name__)

KIND = "webhooks.deliver"
EVERY = timedelta(seconds=5)
MAX_PASSES = 50  # per run; the next run goes on where this one stopped
TIMEOUT = httpx.Timeout(10.0, connect=5.0)


@jobs.periodic(KIND, every=EVERY)
def deliver(ctx: jobs.JobContext) -> None:
    """Deliver in passes of 100 while there is work, stopping early when the worker asks."""
    with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
        for _ in range(MAX_PASSES):
            report = deliver_due(ctx.database.engine, now=datetime.now(UTC), client=client)
            if report.succeeded or report.failed or report.disabled_endpoints:
                log.info("webhooks: %s", report)
            if not report.claimed or ctx.should_stop():
                return
