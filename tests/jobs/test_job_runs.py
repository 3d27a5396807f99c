"""Jobs through a real Huey consumer on SQLite and PostgreSQL: run, retry with the reason kept, a duplicated
message runs the body once, a lost message is recovered by the sweep, cancel."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from leadcore import jobs
from leadcore.db.runtime import Database
from leadcore.jobs import runner, store
from leadcore.jobs.queue import Queue
from tests.jobs.conftest import wait_for

calls: Counter[str] = Counter()
gate = threading.Event()


@jobs.job("test.ok", retries=0)
def _ok(ctx: jobs.JobContext) -> None:
    calls[f"ok:{ctx.ref}"] += 1


@jobs.job("test.flaky", retries=3, backoff_base_s=0.05, backoff_max_s=0.1)
def _flaky(ctx: jobs.JobContext) -> None:
    calls[f"flaky:{ctx.ref}"] += 1
    if ctx.attempt < 2:
        raise ConnectionError("provider said 503")


@jobs.job("test.broken", retries=1, backoff_base_s=0.01, backoff_max_s=0.01)
def _broken(ctx: jobs.JobContext) -> None:
    raise ValueError(f"bad row {ctx.ref}")


@jobs.job("test.loop", retries=0)
def _loop(ctx: jobs.JobContext) -> None:
    gate.set()
    while not ctx.should_stop():
        threading.Event().wait(0.02)
    calls[f"loop-stopped:{ctx.ref}"] += 1


@pytest.fixture(autouse=True)
def _fresh_counts() -> None:
    calls.clear()


def _new(db: Database, kind: str, ref: str, **kw: Any) -> int:
    with db.uow() as uow:
        job_id = jobs.enqueue(uow.session, kind, ref=ref, **kw)
        uow.commit()
    return job_id


def _job(db: Database, job_id: int) -> dict[str, Any]:
    return store.get_job(db.uow(), job_id)


def _finished(db: Database, job_id: int) -> dict[str, Any] | None:
    j = _job(db, job_id)
    return j if j["state"] in ("succeeded", "failed", "cancelled") else None


def test_a_job_runs_through_a_real_consumer(db: Database, consumer: Any) -> None:
    job_id = _new(db, "test.ok", "a1")
    done = wait_for(lambda: _finished(db, job_id), what="the job to finish")
    assert done["state"] == "succeeded" and done["attempts"] == 1 and done["finished_at"] is not None
    assert calls["ok:a1"] == 1


def test_a_failed_attempt_is_retried_with_its_reason_recorded(db: Database, consumer: Any) -> None:
    job_id = _new(db, "test.flaky", "f1")
    done = wait_for(lambda: _finished(db, job_id), what="the retried job to finish")
    assert done["state"] == "succeeded" and done["attempts"] == 2
    assert calls["flaky:f1"] == 2


def test_a_job_that_keeps_failing_ends_failed_with_the_reason(db: Database, consumer: Any) -> None:
    job_id = _new(db, "test.broken", "b1")
    done = wait_for(lambda: _finished(db, job_id), what="the job to fail")
    assert done["state"] == "failed" and done["attempts"] == 2
    assert done["last_error"] == "ValueError: bad row b1"
    again = store.retry(db.uow(), job_id)
    assert again["state"] in ("queued", "running", "failed")
    assert wait_for(lambda: _finished(db, job_id) and _job(db, job_id)["attempts"] == 2 and
                    _job(db, job_id)["state"] == "failed", what="the retried job to fail again")


def test_a_duplicated_message_runs_the_body_once(db: Database, job_queue: Queue, consumer: Any) -> None:
    with db.uow() as uow:
        job_id = jobs.enqueue(uow.session, "test.ok", ref="d1")
        uow.commit()
    for _ in range(5):  # the same message, delivered again and again
        job_queue.send(job_id)
    wait_for(lambda: _finished(db, job_id), what="the job to finish")
    wait_for(lambda: job_queue.pending() == 0, what="the duplicates to be consumed")
    assert calls["ok:d1"] == 1


def test_a_lost_message_is_recovered_by_the_sweep(db: Database, job_queue: Queue) -> None:
    with db.uow() as uow:
        job_id = jobs.enqueue(uow.session, "test.ok", ref="l1")
        uow.commit()
    job_queue.huey.flush()  # the message is lost (a Redis restart, a crash between commit and send)
    assert job_queue.pending() == 0
    now = datetime.now(UTC)
    assert _sweep(job_queue, now) == 0  # not yet overdue: its message may still be on its way
    later = now + timedelta(minutes=2)
    assert _sweep(job_queue, later) == 1
    assert _sweep(job_queue, later) == 0  # a second sweeper does not send it again
    c = job_queue.consumer(workers=1, signals=False)
    c.start()
    try:
        done = wait_for(lambda: _finished(db, job_id), what="the recovered job to finish")
    finally:
        c.stop(graceful=True)
    assert done["state"] == "succeeded" and calls["ok:l1"] == 1


def test_a_job_whose_worker_died_is_taken_back_by_the_sweep(db: Database, job_queue: Queue) -> None:
    job_id = _new(db, "test.flaky", "s1")
    job_queue.huey.flush()
    claimed = store.claim(db.uow(), job_id)  # a worker took it ... and died
    assert claimed is not None
    later = datetime.now(UTC) + timedelta(hours=1)
    assert _sweep(job_queue, later) == 1
    j = _job(db, job_id)
    assert j["state"] == "queued" and "stopped answering" in j["last_error"]
    only_once = _new(db, "test.ok", "s2")  # no retries left: taken back as failed, with the reason
    assert store.claim(db.uow(), only_once) is not None
    _sweep(job_queue, later)
    j = _job(db, only_once)
    assert j["state"] == "failed" and "stopped answering" in j["last_error"]


def test_cancel_stops_a_running_job_and_a_queued_one_never_starts(db: Database, consumer: Any) -> None:
    gate.clear()
    job_id = _new(db, "test.loop", "c1")
    assert gate.wait(20)
    assert store.cancel(db.uow(), job_id)["state"] == "cancelled"
    wait_for(lambda: calls["loop-stopped:c1"] == 1, what="the job to see its cancel")
    assert _job(db, job_id)["state"] == "cancelled"  # finishing did not overwrite the cancel
    later = _new(db, "test.ok", "c2", delay=timedelta(hours=1))
    assert store.cancel(db.uow(), later)["state"] == "cancelled"
    assert runner.run_job(consumer.huey and _queue_of(consumer), later) == "skipped"
    assert calls["ok:c2"] == 0


def _sweep(queue: Queue, when: datetime) -> int:
    """The sweep's recovery alone (runner.sweep also creates the periodic rows of whatever job modules are loaded)."""
    return store.sweep(queue.database.uow, queue, stale=timedelta(seconds=600), clock=lambda: when)


def _queue_of(consumer: Any) -> Queue:
    from leadcore.jobs import queue as queues

    return next(q for q in queues._bound.values() if q.huey is consumer.huey)
