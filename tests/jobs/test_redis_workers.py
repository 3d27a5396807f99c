"""Redis storage with two consumers (as two worker processes would have): every job runs exactly once.

Redis at 127.0.0.1:6379 (CI and the dev machine have it); skipped cleanly when it cannot be reached.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest

from leadcore import jobs
from leadcore.db.models import Job
from leadcore.db.runtime import Database
from leadcore.jobs import queue as queues
from leadcore.jobs import runner
from tests.jobs.conftest import wait_for
from tests.redis_support import redis_or_skip

REDIS_URL = "redis://127.0.0.1:6379/15"
ran: Counter[str] = Counter()
who: dict[str, str] = {}
lock = threading.Lock()


@jobs.job("test.redis", retries=2)
def _count(ctx: jobs.JobContext) -> None:
    with lock:
        ran[str(ctx.ref)] += 1
        who[str(ctx.ref)] = threading.current_thread().name


@pytest.fixture
def redis_name() -> Iterator[str]:
    client = redis_or_skip(REDIS_URL)
    name = f"leadcore-test-{uuid.uuid4().hex[:8]}"
    yield name
    for key in client.scan_iter(f"huey.*{name}*"):
        client.delete(key)


def test_two_workers_on_redis_run_each_job_exactly_once(db: Database, redis_name: str) -> None:
    first = runner.make_queue(db, location=REDIS_URL, name=redis_name)
    second = runner.make_queue(db, location=REDIS_URL, name=redis_name)  # another process's view of the queue
    ran.clear()
    try:
        with db.uow() as uow:
            ids = [jobs.enqueue(uow.session, "test.redis", ref=f"r{i}", queue=first) for i in range(200)]
            uow.commit()
        for job_id in ids[:50]:  # and some duplicated messages on top
            second.send(job_id)
        consumers = [first.consumer(workers=2, signals=False), second.consumer(workers=2, signals=False)]
        for c in consumers:
            c.start()
        try:
            def all_done() -> bool:
                with db.uow() as uow:
                    states = uow.session.query(Job.state).filter(Job.id.in_(ids)).all()
                return all(s == "succeeded" for (s,) in states)

            wait_for(all_done, timeout=60, what="200 jobs on two Redis consumers")
            wait_for(lambda: first.pending() == 0, what="the duplicated messages to be consumed")
        finally:
            for c in consumers:
                c.stop(graceful=True)
    finally:
        queues.unbind(db.engine)
    assert len(ran) == 200 and set(ran.values()) == {1}
