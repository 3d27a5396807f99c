"""Retry a whole transaction when the database chose it as a deadlock or serialization victim."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from leadcore.errors import DatabaseBusy

T = TypeVar("T")
log = logging.getLogger(__name__)

# PostgreSQL: serialization_failure, deadlock_detected.
_RETRYABLE_PG = {"40001", "40P01"}


def is_retryable(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code in _RETRYABLE_PG:
        return True
    return "database is locked" in str(orig or "")


def retry_on_deadlock(fn: Callable[[], T], *, attempts: int = 5) -> T:
    """Run ``fn`` (one whole transaction) again when it lost a deadlock or a lock wait; then DatabaseBusy."""
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except DBAPIError as e:
            if not is_retryable(e):
                raise
            if attempt == attempts:
                raise DatabaseBusy("The database is busy with other changes; try again in a moment") from e
            log.info("transaction retry %d after %s", attempt, type(e.orig).__name__)
            time.sleep(random.uniform(0.01, 0.05) * attempt)
    raise AssertionError("unreachable")  # pragma: no cover
