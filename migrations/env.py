"""Alembic environment: the URL comes from LEADCORE_DATABASE_URL, or a connection handed in by leadcore."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from leadcore.config import settings
from leadcore.db import make_engine
from leadcore.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
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
