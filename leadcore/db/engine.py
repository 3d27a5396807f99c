"""Engines, sessions and the unit of work: one transaction per user action, rollback unless committed."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import partial
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from leadcore.db import faults, liveness

SQLITE_BUSY_TIMEOUT_MS = 5_000


def make_engine(
    url: str, *, search_path: str | None = None, sqlite_busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **kwargs: Any
) -> Engine:
    """An engine tuned per backend: SQLite gets WAL, foreign keys and a busy timeout; PostgreSQL a pool whose
    connections are checked at checkout (``leadcore.db.liveness``).

    ``search_path`` (PostgreSQL only) puts every table in that schema, with ``public`` behind it for
    extensions; tests use it to give each run its own schema. ``sqlite_busy_timeout_ms`` is how long a SQLite
    writer waits for another writer's lock before the action fails with DatabaseBusy (tests lower it).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"timeout": sqlite_busy_timeout_ms / 1000, "check_same_thread": False},
            **kwargs,
        )
        event.listen(engine, "connect", partial(_sqlite_pragmas, busy_timeout_ms=sqlite_busy_timeout_ms))
        # pysqlite's legacy transaction handling breaks SAVEPOINT; emit BEGIN ourselves.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    connect_args: dict[str, Any] = dict(kwargs.pop("connect_args", {}))
    if search_path:
        connect_args["options"] = f"-csearch_path={search_path},public"
    kwargs.setdefault("pool_size", 5)
    kwargs.setdefault("max_overflow", 10)
    # Pre-pinged, but without a round trip for a connection that was just in use (see leadcore.db.liveness).
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    liveness.install(engine)
    event.listen(engine, "connect", _postgresql_settings)
    return engine


def _postgresql_settings(dbapi_connection: Any, _record: object) -> None:
    """No JIT on our connections: every statement here is short, and compiling one costs 10–350 ms. PostgreSQL
    compiles any plan whose estimated cost passes jit_above_cost, and the search's band probe (leadcore.grid.search)
    carries the band function's deliberately high COST: with JIT on, a 2 ms probe spent 350 ms compiling. Set on
    connecting (not in libpq's ``options``, which would replace a PGOPTIONS search_path)."""
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    dbapi_connection.execute("SET jit = off")
    dbapi_connection.autocommit = autocommit


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object, *, busy_timeout_ms: int) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN in _sqlite_begin
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A batch of leads dirties a page in each of the leads table's indexes per row; with SQLite's default 2 MB page
    # cache the next batch reads most of them back, and the default checkpoint (every 1,000 WAL pages) ran after
    # nearly every batch. Together these made bulk saves 20–25% slower at 100,000 leads (docs/performance.md).
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_CHECKPOINT_PAGES}")
    cursor.close()


# Per connection, an upper bound (the cache grows only as pages are read); 32 or 64 MB made saves no faster.
SQLITE_CACHE_KIB = 16 * 1024
SQLITE_CHECKPOINT_PAGES = 10_000  # about 40 MB of WAL between automatic checkpoints


_SQLITE_BEGIN_MODES = {"DEFERRED", "IMMEDIATE", "EXCLUSIVE"}


def _sqlite_begin(connection: Any) -> None:
    # ``engine.execution_options(sqlite_begin="IMMEDIATE")`` takes the write lock up front (migrations: a
    # deferred transaction that read first cannot become a writer once someone else wrote).
    mode = str(connection.get_execution_options().get("sqlite_begin", "DEFERRED")).upper()
    if mode not in _SQLITE_BEGIN_MODES:
        raise ValueError(f"sqlite_begin must be one of {sorted(_SQLITE_BEGIN_MODES)}")
    connection.exec_driver_sql(f"BEGIN {mode}")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit so services can return them."""
    return sessionmaker(engine, expire_on_commit=False, autoflush=False)


def begin_write(session: Session) -> None:
    """On SQLite, begin the transaction as a writer (``BEGIN IMMEDIATE``) so the action waits its turn behind other
    writers (for the busy timeout). A transaction that read first cannot turn writer once someone else has written:
    SQLite fails it at once with "database is locked". No-op on PostgreSQL and once the transaction has begun."""
    if session.get_transaction() is None and session.get_bind().dialect.name == "sqlite":
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


class UnitOfWork:
    """One user action: ``with uow: ...; uow.commit()``. Leaving the block without commit rolls back.

    A lock that was not granted in time or a connection lost mid-action leaves the block as
    :class:`~leadcore.errors.DatabaseBusy` (see :mod:`leadcore.db.faults`), already rolled back, so every page, the
    CLI and the API show "busy / lost the connection, try again" instead of a stack trace; the next action gets a
    fresh connection from the pre-pinged pool.
    """

    def __init__(self, sessions: Callable[[], Session]) -> None:
        self._sessions = sessions
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside its 'with' block")
        return self._session

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        bind = self.session.get_bind()
        return bind.dialect.name

    def __enter__(self) -> UnitOfWork:
        if self._session is not None:
            raise RuntimeError("UnitOfWork is not re-entrant")
        self._session = self._sessions()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        try:
            self._session.rollback()
        except DBAPIError as e:
            # Rolling back on a connection that just died: the server has dropped the transaction already.
            if exc is None or not faults.is_connection_lost(e):
                raise
        finally:
            self._session.close()
            self._session = None
        if exc is not None:
            busy = faults.translate(exc)
            if busy is not None:
                raise busy from exc

    def reading(self) -> None:
        """Say, first thing in the block, that this action only reads, each statement complete in itself. On
        PostgreSQL the statements then run in autocommit (each its own snapshot) and the action costs one round trip
        per statement instead of BEGIN … ROLLBACK around them. No-op on SQLite and once the transaction has begun."""
        if self.session.get_transaction() is None and self.dialect == "postgresql":
            self.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})

    def writing(self) -> None:
        """Say, first thing in the block, that this action writes (see :func:`begin_write`)."""
        begin_write(self.session)

    def commit(self) -> None:
        """Write and commit. A connection lost during COMMIT itself leaves the outcome unknown, and says so."""
        self.session.flush()
        try:
            self.session.commit()
        except DBAPIError as e:
            if faults.is_connection_lost(e):
                raise faults.ConnectionLost(faults.LOST_IN_COMMIT_MESSAGE) from e
            raise
