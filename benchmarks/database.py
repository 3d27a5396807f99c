"""A fresh, migrated database for one run: its own schema on PostgreSQL, its own file on SQLite; dropped after."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from leadcore.db import migrate
from leadcore.db.engine import make_engine, session_factory
from leadcore.db.runtime import Database


@dataclass
class BenchDatabase:
    url: str
    engine: Engine
    db: Database
    dialect: str
    schema: str | None = None  # PostgreSQL: the run's own schema (search_path "<schema>,public")
    path: Path | None = None  # SQLite: the run's own file

    def child_env(self) -> dict[str, str]:
        """Environment for a subprocess to reach the same schema."""
        env = dict(os.environ)
        if self.schema:
            env["PGOPTIONS"] = f"-csearch_path={self.schema},public"
        return env


class BenchSetupError(Exception):
    """The run cannot start (for example the SQLite file already exists)."""


@contextmanager
def fresh_database(url: str, *, keep: bool = False) -> Iterator[BenchDatabase]:
    """Create, migrate, yield and (unless ``keep``) drop the run's database."""
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        yield from _sqlite(url, keep=keep)
    elif backend == "postgresql":
        yield from _postgresql(url, keep=keep)
    else:
        raise BenchSetupError(f"unsupported database {backend!r}: use sqlite:/// or postgresql+psycopg://")


def _sqlite(url: str, *, keep: bool) -> Iterator[BenchDatabase]:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BenchSetupError("give the SQLite benchmark a file: sqlite:////tmp/bench.db")
    path = Path(database)
    if path.exists():
        raise BenchSetupError(f"{path} already exists; the benchmark only writes a fresh file (it deletes it after)")
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        yield BenchDatabase(url=url, engine=engine, db=Database(url, engine, session_factory(engine)),
                            dialect="sqlite", path=path)
    finally:
        engine.dispose()
        if not keep:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)


def _postgresql(url: str, *, keep: bool) -> Iterator[BenchDatabase]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url, pool_size=1)
    with admin.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url, search_path=schema)
    try:
        migrate.upgrade(engine)
        yield BenchDatabase(url=url, engine=engine, db=Database(url, engine, session_factory(engine)),
                            dialect="postgresql", schema=schema)
    finally:
        engine.dispose()
        if not keep:
            _drop_schema(admin, schema)
        admin.dispose()


def _drop_schema(admin: Engine, schema: str) -> None:
    # Dropping a schema can deadlock with another session dropping its own (shared catalog rows): try again.
    for attempt in range(5):
        try:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            return
        except DBAPIError:
            if attempt == 4:
                raise
            time.sleep(1 + attempt)
