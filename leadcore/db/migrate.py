"""Bring a database to the latest schema (Alembic ``upgrade head``), or back down for tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config for our migrations; with ``engine`` it runs on that engine's connection."""
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


# pg_advisory_xact_lock key: processes that start together on an empty database migrate one after another.
_MIGRATION_LOCK = 0x1EAD_C0DE


def _with_connection(engine: Engine, fn: str, revision: str) -> None:
    """Run one Alembic command in one transaction that holds the migration lock: a second process starting at
    the same moment waits, then finds the schema current and does nothing."""
    cfg = alembic_config()
    if engine.dialect.name == "sqlite":
        engine = engine.execution_options(sqlite_begin="IMMEDIATE")
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        getattr(command, fn)(cfg, revision)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate ``engine``'s database up to ``revision`` (default: the latest)."""
    _with_connection(engine, "upgrade", revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Migrate ``engine``'s database down to ``revision`` (default: empty)."""
    _with_connection(engine, "downgrade", revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with this code."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_current(engine: Engine) -> bool:
    """True when the database is at the newest revision."""
    return current_revision(engine) == head_revision()
