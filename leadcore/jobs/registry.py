"""Which job kinds exist and how each is retried: ``@job(kind)`` and ``periodic(kind, every=...)`` register a body.

A body takes a :class:`JobContext` and must be idempotent: after a crash or a lost result it may run again.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from leadcore.errors import LeadcoreError

JobBody = Callable[["JobContext"], None]


class PermanentFailure(LeadcoreError):
    """Raised by a body when trying again cannot help (bad payload, a record that is gone): no retry."""


@dataclass(frozen=True)
class JobSpec:
    kind: str
    body: JobBody
    retries: int = 5            # attempts after the first
    backoff_base_s: float = 5.0
    backoff_max_s: float = 3600.0
    every: timedelta | None = None   # periodic jobs: one row, run again this long after each run

    @property
    def max_attempts(self) -> int:
        return self.retries + 1


@dataclass
class JobContext:
    """What a body gets: the row's fields, the database, and a checkpoint to call between steps."""

    job_id: int
    kind: str
    team_id: int | None
    ref: str | None
    payload: dict[str, Any]
    attempt: int
    database: Any  # leadcore.db.runtime.Database (Any: the registry stays import-free)
    checkpoint: Callable[[], bool] = field(default=lambda: False)
    max_attempts: int = 1

    @property
    def last_attempt(self) -> bool:
        """True on the attempt after which a failure is final (clean up what the job owns)."""
        return self.attempt >= self.max_attempts

    def should_stop(self) -> bool:
        """Report that the job is alive; True when it was cancelled (or taken back): stop cleanly, now."""
        return self.checkpoint()


_REGISTRY: dict[str, JobSpec] = {}


def register(spec: JobSpec) -> JobSpec:
    """Add (or replace, on re-import) a job kind."""
    _REGISTRY[spec.kind] = spec
    return spec


def job(kind: str, *, retries: int = 5, backoff_base_s: float = 5.0,
        backoff_max_s: float = 3600.0) -> Callable[[JobBody], JobBody]:
    """Register ``fn`` as the body of jobs of ``kind``, enqueued with :func:`leadcore.jobs.enqueue`."""
    def wrap(fn: JobBody) -> JobBody:
        register(JobSpec(kind, fn, retries=retries, backoff_base_s=backoff_base_s, backoff_max_s=backoff_max_s))
        return fn
    return wrap


def periodic(kind: str, *, every: timedelta, retries: int = 0) -> Callable[[JobBody], JobBody]:
    """Register ``fn`` to run every ``every`` (one row per kind; :func:`leadcore.jobs.wake` runs it now)."""
    def wrap(fn: JobBody) -> JobBody:
        register(JobSpec(kind, fn, retries=retries, every=every))
        return fn
    return wrap


def get(kind: str) -> JobSpec | None:
    return _REGISTRY.get(kind)


def all_specs() -> list[JobSpec]:
    return sorted(_REGISTRY.values(), key=lambda s: s.kind)


def backoff(attempt: int, *, base_s: float = 5.0, max_s: float = 3600.0,
            rng: Callable[[], float] = random.random) -> float:
    """Seconds to wait before attempt ``attempt + 1``: ``base * 2^(attempt-1)`` capped at ``max``, times a random
    factor in [0.5, 1) so jobs that failed together do not all come back together ("equal jitter")."""
    exp = min(max_s, base_s * 2 ** max(0, attempt - 1))
    return exp * (0.5 + rng() / 2)
