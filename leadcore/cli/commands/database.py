"""The database itself: ``migrate``, and ``backup FILE`` / ``restore FILE`` as engine-neutral JSON lines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from leadcore.cli.app import DbOpt, app, open_db, run
from leadcore.config import settings
from leadcore.db import backup as backups
from leadcore.db import migrate as migrations


@app.command()
def migrate(database_url: DbOpt = None) -> None:
    """Bring the database schema to the latest version."""
    from leadcore.db.engine import make_engine

    def upgrade() -> str | None:
        engine = make_engine(database_url or settings().database_url)
        try:
            migrations.upgrade(engine)
            return migrations.current_revision(engine)
        finally:
            engine.dispose()

    typer.echo(f"schema at revision {run(upgrade)}")


FileArg = Annotated[Path, typer.Argument(help="Backup file (JSON lines; a name ending in .gz is compressed).")]


@app.command()
def backup(file: FileArg, database_url: DbOpt = None) -> None:
    """Write every table to FILE as JSON lines, from one consistent snapshot (the app may keep running)."""
    db = open_db(database_url)
    stats = run(lambda: backups.backup_to_file(db.engine, file))
    typer.echo(f"backed up {stats.rows:,} rows of {len(stats.counts)} tables (schema {stats.revision}) to {file}")


@app.command()
def restore(
    file: FileArg,
    force: Annotated[bool, typer.Option("--force", help="Delete everything in the database first.")] = False,
    database_url: DbOpt = None,
) -> None:
    """Load a backup into an empty database (any engine) in one transaction; --force replaces what is there."""
    db = open_db(database_url)
    stats = run(lambda: backups.restore_from_file(db.engine, file, force=force))
    counts = ", ".join(f"{name} {n:,}" for name, n in stats.counts.items())
    typer.echo(f"restored {stats.rows:,} rows (schema {stats.revision}): {counts}")
