"""Background work: the job registry, the task queue (Huey) and the ``jobs`` table that is its source of truth.

It owns: ``registry`` (``@job("discovery.run", retries=5)``, ``periodic("outreach.send", every=...)`` and the
retry backoff), ``store`` (the rows: :func:`enqueue` in the caller's transaction, claim, retry, cancel, the sweep
that re-sends lost messages, listing for the Admin page and the CLI), ``queue`` (building the Huey queue from
configuration: an embedded SQLite file by default, Redis for many workers; consumers) and ``runner`` (running one
job: claim, call its body, record the outcome).

A queue message carries only a job id. A lost message delays a job until the sweep re-sends it; a duplicated one
finds the row already claimed and does nothing. Feature packages define their job bodies in their own ``jobs``
module; ``leadcore.background`` imports them all for the worker. It imports only ``leadcore.db`` and ``config``.
"""

from leadcore.jobs.registry import JobContext, JobSpec, backoff, job, periodic
from leadcore.jobs.store import cancel, enqueue, list_jobs, retry, wake

__all__ = ["JobContext", "JobSpec", "backoff", "cancel", "enqueue", "job", "list_jobs", "periodic", "retry", "wake"]
