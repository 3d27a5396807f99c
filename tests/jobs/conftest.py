"""A real Huey queue (a SQLite file per test) bound to the test database, and a real consumer in threads."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from leadcore.db.runtime import Database
from leadcore.jobs import queue as queues
from leadcore.jobs import runner
from leadcore.jobs.queue import Queue


@pytest.fixture
def job_queue(db: Database, tmp_path: Path) -> Iterator[Queue]:
    q = runner.make_queue(db, location=f"sqlite:///{tmp_path / 'queue.db'}")
    yield q
    queues.unbind(db.engine)


@pytest.fixture
def consumer(job_queue: Queue) -> Iterator[Any]:
    c = job_queue.consumer(workers=2, signals=False, periodic=False)  # the tests run the sweep themselves
    c.start()
    yield c
    c.stop(graceful=True)


def wait_for(check: Callable[[], Any], *, timeout: float = 20.0, what: str = "condition") -> Any:
    """Poll ``check`` until it returns something truthy, failing after ``timeout`` seconds (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
