"""Running one job: claim its row, call its body, record the outcome (retry with backoff, or the reason it failed).

Also the worker-side queue: :func:`make_queue` gives a :class:`~leadcore.jobs.queue.Queue` whose messages run here.
"""

from __future__ import annotations

import functools
import logging
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from leadcore.config import settings
from leadcore.jobs import registry, store
from leadcore.jobs.queue import Queue, bind, make_huey, queue_location
from leadcore.jobs.registry import JobContext, PermanentFailure
from leadcore.jobs.store import Clock, utc_now

log = logging.getLogger(__name__)


def run_job(queue: Queue, job_id: int, *, clock: Clock = utc_now, rng: Callable[[], float] = random.random) -> str:
    """Run job ``job_id`` if it is due and nobody else has it; returns what happened ('skipped' for a duplicate
    or early message, else the job's new state)."""
    database = queue.database
    job = store.claim(database.uow(), job_id, clock=clock)
    if job is None:
        return "skipped"
    spec = registry.get(job.kind)
    error: str | None = None
    retry = True
    if spec is None:
        error, retry = f"No job kind '{job.kind}' is known to this worker (is it up to date?)", False
    else:
        ctx = JobContext(job.id, job.kind, job.team_id, job.ref, job.payload, job.attempts, database,
                         checkpoint=functools.partial(store.checkpoint, database.uow(), job.id, clock=clock),
                         max_attempts=job.max_attempts)
        try:
            spec.body(ctx)
        except PermanentFailure as e:
            error, retry = str(e) or type(e).__name__, False
        except Exception as e:  # any failure is recorded with its reason and retried
            error = f"{type(e).__name__}: {e}"[:2000]
            log.warning("job %s (%s) attempt %s failed: %s", job.id, job.kind, job.attempts, error, exc_info=True)
    wait = registry.backoff(job.attempts, base_s=spec.backoff_base_s, max_s=spec.backoff_max_s, rng=rng) \
        if spec else 0.0
    state, delay = store.settle(database.uow(), job, error=error, retry=retry, every=spec.every if spec else None,
                                backoff_s=wait, clock=clock)
    if state == "queued":
        queue.send(job.id, delay_s=delay)
    return state


def sweep(queue: Queue, *, clock: Clock = utc_now) -> int:
    """The queue's periodic recovery: stale running jobs taken back, lost messages re-sent."""
    store.ensure_periodic(queue.database.uow, clock=clock)
    return store.sweep(queue.database.uow, queue, stale=timedelta(seconds=settings().job_stale_s), clock=clock)


def make_queue(database: Any, *, location: str | None = None, name: str = "leadcore") -> Queue:
    """A queue that runs jobs against ``database`` (the configured queue unless ``location`` is given), bound so
    jobs written to that database are sent to it."""
    s = settings()
    where = location or queue_location(s.queue_url, database.url, s.data_dir)
    queue = Queue(make_huey(where, name=name), database, handler=lambda q, job_id: _handle(q, job_id),
                  sweeper=lambda q: _sweep_quietly(q))
    bind(database.engine, queue)
    return queue


def _handle(queue: Queue, job_id: int) -> None:
    run_job(queue, job_id)


def _sweep_quietly(queue: Queue) -> None:
    sent = sweep(queue)
    if sent:
        log.info("sweep re-sent %s job message(s)", sent)
