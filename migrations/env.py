"""Alembic environment: the URL comes from LEADCORE_DATABASE_URL, or a connection handed in by leadcore."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection

from leadcore.config import settings
from leadcore.db.engine import make_engine
from leadcore.db.models import UNMODELED_COLUMNS, UNMODELED_INDEXES, UNMODELED_TABLE_PREFIX, Base

config = context.config
target_metadata = Base.metadata


def _include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Leave out of autogenerate what migrations make in SQL the model cannot state (UNMODELED_COLUMNS, _INDEXES)."""
    unmodeled = {"index": UNMODELED_INDEXES, "column": UNMODELED_COLUMNS}.get(type_, frozenset())
    return name not in unmodeled


def _include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Never reflect SQLite's full-text search tables (UNMODELED_TABLE_PREFIX); the model does not describe them."""
    return not (type_ == "table" and (name or "").startswith(UNMODELED_TABLE_PREFIX))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_include_object,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or settings().database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("leadcore migrations run online only: set LEADCORE_DATABASE_URL and run 'alembic upgrade head'")
run_migrations_online()
