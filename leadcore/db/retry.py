"""Retry a whole transaction when the database chose it as a deadlock or serialization victim, or it was locked."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from leadcore.db import faults
from leadcore.errors import DatabaseBusy

T = TypeVar("T")
log = logging.getLogger(__name__)

# Past this many seconds of trying, give up even with attempts left: a SQLite writer already waited its busy
# timeout (5 s) on each attempt, and a user should hear "busy, try again" rather than watch a spinner.
RETRY_BUDGET_S = 10.0


def is_retryable(exc: BaseException) -> bool:
    """A lock not granted in time (deadlock, serialization failure, SQLite busy): the transaction can run again.

    A lost connection is not retried here: a write whose COMMIT was in flight may have been saved.
    """
    return faults.is_locked(exc)


def retry_on_deadlock(fn: Callable[[], T], *, attempts: int = 5, budget_s: float = RETRY_BUDGET_S) -> T:
    """Run ``fn`` (one whole transaction) again when it lost a deadlock or a lock wait; then DatabaseBusy."""
    started = time.monotonic()
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except (DBAPIError, DatabaseBusy) as e:
            if not is_retryable(e):
                raise
            if attempt == attempts or time.monotonic() - started >= budget_s:
                raise DatabaseBusy(faults.BUSY_MESSAGE) from e
            cause = e.orig if isinstance(e, DBAPIError) else e.__cause__
            log.info("transaction retry %d after %s", attempt, type(cause).__name__)
            time.sleep(random.uniform(0.01, 0.05) * attempt)
    raise AssertionError("unreachable")  # pragma: no cover
