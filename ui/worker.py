"""The Streamlit server's own job worker: one Huey consumer per server process, so ``streamlit run app.py`` runs
background jobs (discovery searches, the outbox) with nothing else started.

Off with ``LEADCORE_INLINE_WORKER=0`` (when separate ``python -m leadcore worker`` processes run the jobs, and in
AppTests that run jobs themselves). The consumer's threads never call ``st.*``.
"""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st

import leadcore.background  # noqa: F401  (registers every job kind)
from leadcore.config import settings
from leadcore.db.runtime import Database
from leadcore.jobs import runner
from ui.resources import database

log = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False)
def _consumer(_db: Database, key: str) -> Any:
    queue = runner.make_queue(_db)
    runner.sweep(queue)  # jobs left waiting while no worker ran
    consumer = queue.consumer(workers=settings().inline_workers, signals=False)
    consumer.start()
    _running.append(consumer)
    log.info("in-process job worker started (%s thread(s))", settings().inline_workers)
    return consumer


def ensure_running() -> None:
    """Start this server's worker on first use (cached: once per server and database)."""
    if not settings().inline_worker:
        return
    db = database()
    _consumer(db, f"{db.url}#{id(db)}")


_running: list[Any] = []


def stop() -> None:
    """Stop every worker this process started (tests)."""
    while _running:
        _running.pop().stop(graceful=True)
    _consumer.clear()
