"""The job registry, the retry backoff and where the queue lives: pure functions, no database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leadcore import jobs
from leadcore.jobs import registry
from leadcore.jobs.queue import make_huey, queue_location


@pytest.mark.parametrize("attempt, low, high", [
    (1, 2.5, 5.0), (2, 5.0, 10.0), (3, 10.0, 20.0), (12, 1800.0, 3600.0), (40, 1800.0, 3600.0),
])
def test_backoff_doubles_per_attempt_with_jitter_and_a_cap(attempt: int, low: float, high: float) -> None:
    assert registry.backoff(attempt, rng=lambda: 0.0) == low
    assert registry.backoff(attempt, rng=lambda: 0.999999) == pytest.approx(high, rel=1e-5)
    assert low <= registry.backoff(attempt) < high


def test_jitter_spreads_jobs_that_failed_together() -> None:
    waits = {round(registry.backoff(4), 3) for _ in range(50)}
    assert len(waits) > 10


def test_a_job_and_a_periodic_job_register_in_a_few_lines() -> None:
    @jobs.job("test.unit.once", retries=2)
    def once(ctx: jobs.JobContext) -> None: ...

    @jobs.periodic("test.unit.tick", every=timedelta(seconds=5))
    def tick(ctx: jobs.JobContext) -> None: ...

    spec = registry.get("test.unit.once")
    assert spec is not None and spec.body is once and spec.max_attempts == 3 and spec.every is None
    tick_spec = registry.get("test.unit.tick")
    assert tick_spec is not None and tick_spec.every == timedelta(seconds=5)
    assert {"test.unit.once", "test.unit.tick"} <= {s.kind for s in registry.all_specs()}


@pytest.mark.parametrize("queue_url, database_url, expected", [
    ("", "sqlite:///leads.db", "sqlite:///leads.queue.db"),
    ("", "sqlite:////srv/data/leads.db", "sqlite:////srv/data/leads.queue.db"),
    ("", "postgresql+psycopg://app@db/leads", "sqlite:///var/leadcore/queue.db"),
    ("redis://127.0.0.1:6379/0", "sqlite:///leads.db", "redis://127.0.0.1:6379/0"),
])
def test_the_queue_lives_beside_the_database_unless_configured(queue_url: str, database_url: str,
                                                               expected: str) -> None:
    assert queue_location(queue_url, database_url, "var/leadcore") == expected


def test_an_unknown_queue_url_is_refused_with_what_is_accepted() -> None:
    with pytest.raises(ValueError, match="redis://, sqlite:/// or memory://"):
        make_huey("amqp://broker")
