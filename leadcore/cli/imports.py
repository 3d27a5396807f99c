"""``import-csv``: a CSV or Excel file through the dedupe matcher, with a dry run and a per-row report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from leadcore.accounts.users import DEFAULT_TEAM
from leadcore.cli.app import CLI_WRITE_WAIT_S, DbOpt, TeamOpt, acting_in, app, open_db, run, writable
from leadcore.config import settings


@app.command("import-csv")
def import_csv(
    file: Annotated[Path, typer.Argument(help="CSV or Excel file.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report per row; write nothing.")] = False,
    report: Annotated[Path | None, typer.Option(help="Write the per-row report CSV here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as one JSON object.")] = False,
    team: TeamOpt = DEFAULT_TEAM,
    database_url: DbOpt = None,
) -> None:
    """Import leads from a file through the dedupe matcher (``--dry-run --report R.csv`` to preview)."""
    from leadcore.fileimport import importer
    from leadcore.fileimport.reading import read_table

    def load() -> Any:
        return read_table(file.read_bytes(), file.name, max_bytes=settings().max_upload_mb * 1024 * 1024)

    if report:
        writable(report, "report")
    table = run(load)
    run(lambda: importer.check_mapping(table))  # a file we cannot use costs nothing, not even the team
    db = open_db(database_url)
    actor = acting_in(db, team, create=not dry_run)  # a dry run writes nothing, not even the team
    if dry_run:
        summary = run(lambda: importer.dry_run(db.uow(), actor, table))
    else:
        # A command-line import waits its turn behind other writers (several imports started together).
        summary = run(lambda: importer.commit_import(db.uow(), actor, table, filename=file.name,
                                                        wait_s=CLI_WRITE_WAIT_S))
    if report:
        run(lambda: importer.write_report(summary.rows, report))
    out = summary.as_dict() | {"dry_run": dry_run}
    if as_json:
        typer.echo(json.dumps(out))
    else:
        typer.echo(f"saved={summary.saved} duplicates={summary.duplicates} invalid={summary.invalid} "
                   f"search_id={summary.search_id if summary.search_id is not None else ''}")
