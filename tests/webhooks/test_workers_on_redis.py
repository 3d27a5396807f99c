"""Issue 19, acceptance 4: with Redis storage and two ``python -m leadcore worker`` processes, 1,000 webhook
deliveries reach a real localhost receiver, each exactly once (no double sends; failures would be retried, none
happen here). Redis at 127.0.0.1:6379 (database 14, emptied before and after); skipped when it is unreachable."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from leadcore.db.runtime import Database
from leadcore.webhooks import endpoints
from tests.conftest import Backend, Factory
from tests.redis_support import redis_or_skip
from tests.webhooks.receiver import Receiver

REDIS_URL = "redis://127.0.0.1:6379/14"
pytestmark = pytest.mark.slow


@pytest.fixture
def redis_queue() -> Iterator[str]:
    client = redis_or_skip(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


def test_two_worker_processes_on_redis_deliver_1000_webhooks_each_once(
        backend: Backend, db: Database, make: Factory, redis_queue: str, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.setenv("LEADCORE_WEBHOOK_ALLOW_PRIVATE", "1")
    manager = make.user("manager")
    with Receiver() as rx:
        endpoints.register(db.uow(), manager, url=rx.url, event_types=["lead.created"])
        make.leads(manager, 1000)
        env = backend.env() | {"LEADCORE_QUEUE_URL": redis_queue, "LEADCORE_WEBHOOK_ALLOW_PRIVATE": "1"}
        logs = [tmp_path / f"worker{n}.log" for n in range(2)]  # a file, not a pipe: nobody reads a pipe meanwhile
        workers = [subprocess.Popen([sys.executable, "-m", "leadcore", "worker", "--workers", "2"], env=env,
                                    stdout=subprocess.DEVNULL, stderr=log.open("w")) for log in logs]
        try:
            deadline = time.monotonic() + 150
            while len({r["doc"]["id"] for r in rx.received}) < 1000 and time.monotonic() < deadline:
                assert all(w.poll() is None for w in workers), [log.read_text()[-3000:] for log in logs]
                time.sleep(0.25)
            time.sleep(6)  # a periodic pass later: anything sent twice would have arrived by now
        finally:
            for w in workers:
                w.terminate()
            for w in workers:
                try:
                    w.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    w.kill()
                    w.wait()
        said = "\n".join(log.read_text()[-3000:] for log in logs)
        ids = [r["doc"]["id"] for r in rx.received]
        assert len(set(ids)) == 1000, f"{len(set(ids))} of 1000 events delivered; workers said:\n{said}"
        assert len(ids) == 1000, "an event was sent twice"
        assert rx.rejected == 0
