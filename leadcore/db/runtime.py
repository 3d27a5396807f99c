"""Process-wide database wiring: one engine per URL, migrated on first use; a fresh UnitOfWork per action."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from leadcore.config import settings
from leadcore.db import migrate
from leadcore.db.engine import UnitOfWork, make_engine, session_factory


@dataclass
class Database:
    """An engine and its session factory. Cache this (never a Session) for the life of the process."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)


_lock = threading.Lock()
_databases: dict[str, Database] = {}


def open_database(url: str | None = None, *, migrate_schema: bool = True) -> Database:
    """The database at ``url`` (default: the configured one), brought to the latest schema once per process."""
    url = url or settings().database_url
    with _lock:
        db = _databases.get(url)
        if db is None:
            engine = make_engine(url)
            if migrate_schema and not migrate.is_current(engine):
                migrate.upgrade(engine)
            db = Database(url=url, engine=engine, sessions=session_factory(engine))
            _databases[url] = db
        return db
