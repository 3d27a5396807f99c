"""The task queue (Huey) built from configuration, and which queue a database's jobs are sent to.

``LEADCORE_QUEUE_URL`` empty: an embedded SQLite queue file beside a SQLite database (``leads.db`` →
``leads.queue.db``), or ``queue.db`` in ``LEADCORE_DATA_DIR`` when the database is PostgreSQL. ``redis://...``:
Redis storage, shared by worker processes on any number of machines. ``memory://``: Huey's immediate mode, for unit
tests only. The queue only carries job ids; what must happen is in the ``jobs`` table.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from leadcore.config import settings

log = logging.getLogger(__name__)

QUEUE_NAME = "leadcore"
Handler = Callable[["Queue", int], None]


def queue_location(queue_url: str, database_url: str, data_dir: str = ".") -> str:
    """The queue's URL: the configured one, else a SQLite file beside the database (or in ``data_dir``)."""
    if queue_url:
        return queue_url
    db = make_url(database_url)
    if db.get_backend_name() == "sqlite" and db.database and db.database != ":memory:":
        path = Path(db.database)
        return f"sqlite:///{path.with_name(path.stem + '.queue.db')}"
    return f"sqlite:///{Path(data_dir) / 'queue.db'}"


def make_huey(location: str, *, name: str = QUEUE_NAME) -> Huey:
    """A Huey instance for ``location`` (sqlite:///file, redis://..., memory://)."""
    if location.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=location, results=False, blocking=True, read_timeout=1)
    if location.startswith("memory://"):
        return MemoryHuey(name, results=False, immediate=True)
    if location.startswith("sqlite:///"):
        path = Path(location[len("sqlite:///"):])
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path), results=False)
    raise ValueError(f"LEADCORE_QUEUE_URL must start with redis://, sqlite:/// or memory://, not {location!r}")


class Queue:
    """A Huey queue bound to one database. Sending needs nothing more; consuming needs the handlers that
    :mod:`leadcore.jobs.runner` supplies (``runner.make_queue``)."""

    def __init__(self, huey: Huey, database: Any, *, handler: Handler | None = None,
                 sweeper: Callable[[Queue], None] | None = None) -> None:
        self.huey = huey
        self.database = database
        self.handler = handler
        self.sweeper = sweeper

        @huey.task(name="leadcore.job")
        def run_job(job_id: int) -> None:
            if self.handler is None:
                raise RuntimeError("this queue only sends; start a worker (python -m leadcore worker)")
            self.handler(self, job_id)

        @huey.periodic_task(crontab(), name="leadcore.sweep")
        def sweep() -> None:
            if self.sweeper is not None:
                self.sweeper(self)

        self._task = run_job

    def send(self, job_id: int, *, delay_s: float = 0.0) -> None:
        """Ask a worker to look at job ``job_id`` (after ``delay_s``). Losing this only delays the job."""
        if delay_s > 0 and not self.huey.immediate:
            self._task.schedule(args=(job_id,), delay=delay_s)
        else:
            self._task(job_id)

    def pending(self) -> int:
        """Messages waiting in the queue (not counting scheduled retries)."""
        return int(self.huey.pending_count())

    def consumer(self, *, workers: int = 1, signals: bool = True, periodic: bool = True) -> Consumer:
        """A Huey consumer of this queue with ``workers`` threads. ``signals=False`` for one started in a
        thread that is not the main one (the Streamlit server, tests): it is stopped with ``.stop()``.
        ``periodic=False``: no minutely sweep (tests that call the sweep themselves)."""
        opts: dict[str, Any] = {"workers": workers, "worker_type": "thread", "max_delay": 1.0,
                                "check_worker_health": False, "periodic": periodic}
        consumer = _QuietConsumer(self.huey, **opts) if not signals else Consumer(self.huey, **opts)
        return consumer


class _QuietConsumer(Consumer):
    """Signal handlers can only be set from the main thread."""

    def _set_signal_handlers(self) -> None:
        return None


_lock = threading.Lock()
_bound: dict[int, Queue] = {}


def bind(engine: Engine, queue: Queue) -> None:
    """Send the jobs of ``engine``'s database to ``queue`` (the worker's own queue, a test's queue)."""
    with _lock:
        _bound[id(engine)] = queue


def unbind(engine: Engine) -> None:
    with _lock:
        _bound.pop(id(engine), None)


def queue_for(engine: Engine, database: Any = None) -> Queue:
    """The queue that jobs written to ``engine``'s database go to: a bound one, else one built from settings."""
    with _lock:
        queue = _bound.get(id(engine))
        if queue is None:
            s = settings()
            location = queue_location(s.queue_url, engine.url.render_as_string(hide_password=False), s.data_dir)
            queue = Queue(make_huey(location), database)
            _bound[id(engine)] = queue
        return queue
