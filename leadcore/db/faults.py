"""Database faults a user can do nothing about but wait and try again, turned into :class:`DatabaseBusy`.

Only two kinds are translated; every other database error is a bug and stays loud:

- the database is locked: SQLite's busy timeout ran out while another writer held the lock, or PostgreSQL chose
  this transaction as a deadlock or serialization victim;
- the connection was lost: the server closed it (restart, ``pg_terminate_backend``, a network cut) or refuses new
  ones for a moment. SQLAlchemy has already invalidated the connection (and, for a disconnect, every older
  connection of the pool), so the next action gets a fresh one after ``pool_pre_ping``.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import DBAPIError

from leadcore.errors import DatabaseBusy

try:  # PostgreSQL support is optional at import time; without psycopg there are no raw psycopg errors to see.
    import psycopg

    _PG_DRIVER_ERRORS: tuple[type[Exception], ...] = (psycopg.Error,)
    _PG_CONNECTION_ERRORS: tuple[type[Exception], ...] = (psycopg.OperationalError, psycopg.InterfaceError)
except ImportError:  # pragma: no cover
    _PG_DRIVER_ERRORS = _PG_CONNECTION_ERRORS = ()

BUSY_MESSAGE = "The database is busy with another change; nothing was saved — try again in a moment"
LOST_MESSAGE = "Lost the connection to the database; nothing was saved — try again"
LOST_IN_COMMIT_MESSAGE = (
    "Lost the connection to the database while saving; the change may or may not have been saved — "
    "reload to check before trying again"
)

# PostgreSQL SQLSTATEs: serialization_failure, deadlock_detected, lock_not_available.
_PG_LOCKED = {"40001", "40P01", "55P03"}
# admin_shutdown, crash_shutdown, cannot_connect_now; class 08 (connection exception) is matched by prefix.
_PG_GONE = {"57P01", "57P02", "57P03"}
_SQLITE_LOCKED = ("database is locked", "database table is locked", "database schema is locked")


class DatabaseLocked(DatabaseBusy):
    """Another writer held the lock longer than we wait; retrying the whole transaction is safe."""


class ConnectionLost(DatabaseBusy):
    """The connection died during the action; the transaction was rolled back by the server."""


def _driver_error(exc: BaseException) -> BaseException | None:
    """The driver's own exception behind ``exc``: SQLAlchemy wraps it, but code that uses the driver's cursor
    directly (the matcher's COPY on PostgreSQL) raises it bare."""
    if isinstance(exc, DBAPIError):
        return exc.orig
    if isinstance(exc, (sqlite3.Error, *_PG_DRIVER_ERRORS)):
        return exc
    return None


def _sqlstate(orig: BaseException | None) -> str | None:
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def _pg_connection_broken(orig: BaseException) -> bool:
    """A bare psycopg error about the connection itself: raised by the client library (no SQLSTATE from the
    server), e.g. "server closed the connection unexpectedly" or "the connection is lost"."""
    return isinstance(orig, _PG_CONNECTION_ERRORS) and _sqlstate(orig) is None


def is_locked(exc: BaseException) -> bool:
    """True for a lock that was not granted in time (SQLite busy, PostgreSQL deadlock or serialization victim)."""
    if isinstance(exc, DatabaseLocked):
        return True
    orig = _driver_error(exc)
    if orig is None:
        return False
    if _sqlstate(orig) in _PG_LOCKED:
        return True
    return isinstance(orig, sqlite3.OperationalError) and any(marker in str(orig) for marker in _SQLITE_LOCKED)


def is_connection_lost(exc: BaseException) -> bool:
    """True when the connection to the server broke (SQLAlchemy's own disconnect detection, or the SQLSTATE)."""
    if isinstance(exc, ConnectionLost):
        return True
    orig = _driver_error(exc)
    if orig is None:
        return False
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    code = _sqlstate(orig) or ""
    return code in _PG_GONE or code.startswith("08") or _pg_connection_broken(orig)


def translate(exc: BaseException) -> DatabaseBusy | None:
    """The user-facing error for a transient database fault, or None when ``exc`` is something else."""
    if isinstance(exc, DatabaseBusy):
        return None  # already worded for the user
    if is_connection_lost(exc):
        return ConnectionLost(LOST_MESSAGE)
    if is_locked(exc):
        return DatabaseLocked(BUSY_MESSAGE)
    return None
