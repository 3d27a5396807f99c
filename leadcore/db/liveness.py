"""A PostgreSQL pool connection's health checked at checkout without a round trip when it was just in use.

SQLAlchemy's ``pool_pre_ping`` sends ``SELECT 1`` at every checkout: under load that is one extra round trip per
unit of work, a fifth of an API request's time (docs/performance.md). Instead, at checkout:

- a connection back in the pool for less than ``PING_AFTER_IDLE_S`` is checked by looking at its socket: an idle,
  healthy connection has nothing to read; one whose server went away (a restart, ``pg_terminate_backend``, an idle
  timeout) has the server's goodbye or the end of the stream waiting. Readable means: ping it for real;
- one idle longer (a silent network drop leaves nothing to read) is pinged as before.

A failed ping raises ``DisconnectionError``: the pool replaces that connection and checks out again, exactly what
``pool_pre_ping`` did.
"""

from __future__ import annotations

import select
import time
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError

PING_AFTER_IDLE_S = 5.0
_CHECKED_IN = "leadcore_checked_in"


def _has_input(dbapi_connection: Any) -> bool:
    """True when the server sent something to an idle connection (its goodbye, or the end of the stream)."""
    try:
        fd = dbapi_connection.pgconn.socket
        readable, _, _ = select.select([fd], [], [], 0)
    except Exception:  # noqa: BLE001 - closed connection or bad descriptor: suspect, ping it
        return True
    return bool(readable)


def install(engine: Engine, *, ping_after_idle_s: float = PING_AFTER_IDLE_S) -> None:
    """Check each checkout of ``engine``'s pool as above (PostgreSQL/psycopg engines, created without pre-ping)."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _stamp(dbapi_connection: Any, record: Any) -> None:
        record.info[_CHECKED_IN] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.pop(_CHECKED_IN, None)
        if since is None:  # a brand-new connection: just connected
            return
        if time.monotonic() - since < ping_after_idle_s and not _has_input(dbapi_connection):
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as e:
            lost = dialect.is_disconnect(e, dbapi_connection, None)  # type: ignore[arg-type]
            if lost or getattr(dbapi_connection, "closed", False):
                raise DisconnectionError(str(e)) from e
            raise
