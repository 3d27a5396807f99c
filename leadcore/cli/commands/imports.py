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
    mode: Annotated[str, typer.Option(help="create: new leads, duplicates fill the leads they match (default); "
                                           "update: only change the leads the rows name (by our export's id "
                                           "column or by email/LinkedIn/domain); upsert: update those, create "
                                           "the rest.")] = "create",
    map_: Annotated[list[str] | None, typer.Option("--map", help="HEADER=FIELD (repeatable): read column HEADER "
                                                   "into FIELD, or FIELD 'ignore' to skip it.")] = None,
    status_map: Annotated[list[str] | None, typer.Option("--status-map", help="VALUE=STATUS (repeatable): the "
                                                         "file's status VALUE becomes STATUS.")] = None,
    header_row: Annotated[int | None, typer.Option(help="The row holding the column names (default: found "
                                                        "below any preamble).")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="Read the file as this export format (default: "
                                                             "recognised from its header row).")] = None,
    save_mapping: Annotated[str | None, typer.Option("--save-mapping", help="After a successful import, save the "
                                                     "column mapping and status values used under NAME for the "
                                                     "team's next file with these columns.")] = None,
    team: TeamOpt = DEFAULT_TEAM,
    database_url: DbOpt = None,
) -> None:
    """Import leads from a file through the dedupe matcher (``--dry-run --report R.csv`` to preview)."""
    from leadcore.fileimport import importer, saved_mappings
    from leadcore.fileimport.mapping import parse_overrides
    from leadcore.fileimport.presets import detect_format, format_by_key
    from leadcore.fileimport.reading import read_table
    from leadcore.fileimport.values import parse_status_map

    def load() -> Any:
        return read_table(file.read_bytes(), file.name, max_bytes=settings().max_upload_mb * 1024 * 1024,
                          header_row=header_row)

    if report:
        writable(report, "report")
    table = run(load)
    overrides = run(lambda: parse_overrides(map_ or []))
    statuses = run(lambda: parse_status_map(status_map or []))
    db = open_db(database_url)
    # The team's saved mapping for these columns, when it has one; --map and --status-map override it.
    known = acting_in(db, team, create=False)
    saved = run(lambda: saved_mappings.find_for(db.uow(), known, table.headers)) if known.team_id else None
    base = None
    if saved is not None:
        base = saved_mappings.starting_mapping(
            table.headers, format_by_key(fmt) if fmt else detect_format(table.headers), saved)
        statuses = {**saved.status_map, **statuses}
    # A file we cannot use costs nothing, not even the team.
    spec = run(lambda: importer.prepare(table, base, fmt=fmt, status_map=statuses, overrides=overrides))
    run(lambda: importer.check_mode(mode))
    if save_mapping is not None and dry_run:
        typer.echo("--save-mapping is ignored on a dry run: nothing is saved", err=True)
    if save_mapping is not None and not dry_run:
        run(lambda: saved_mappings.check(table.headers, spec.mapping, spec.status_map, None, save_mapping))
    actor = acting_in(db, team, create=not dry_run)  # a dry run writes nothing, not even the team
    if dry_run:
        summary = run(lambda: importer.dry_run(db.uow(), actor, table, spec=spec, mode=mode))
    else:
        # A command-line import waits its turn behind other writers (several imports started together).
        summary = run(lambda: importer.commit_import(db.uow(), actor, table, filename=file.name,
                                                        wait_s=CLI_WRITE_WAIT_S, spec=spec, mode=mode))
    if report:
        run(lambda: importer.write_report(summary.rows, report))
    kept = None
    if save_mapping is not None and not dry_run:
        kept = run(lambda: saved_mappings.save_for(db.uow(), actor, table.headers, spec.mapping, spec.status_map,
                                                   None, save_mapping))
    out = summary.as_dict() | {"dry_run": dry_run, "format": spec.fmt.key if spec.fmt else None,
                               "header_row": table.header_row, "saved_mapping": saved.name if saved else None,
                               "mapping_saved_as": kept.name if kept else None}
    if saved is not None:
        origin = saved_mappings.provenance(saved)
        typer.echo(f'using the saved mapping "{saved.name}" for these columns ({origin})', err=True)
    if kept is not None:
        typer.echo(f'saved the mapping "{kept.name}" for the next file with these columns', err=True)
    if as_json:
        typer.echo(json.dumps(out))
    else:
        if spec.fmt is not None or table.header_row != 1:
            what = f"looks like a {spec.fmt.label}; " if spec.fmt else ""
            typer.echo(f"{what}header row {table.header_row} ({table.header_reason})", err=True)
        extra = "".join(f" {k}={v}" for k, v in out.items()
                        if k in ("updated", "unchanged", "not_found", "conflicts", "blank", "mapped_values") and v)
        typer.echo(f"saved={summary.saved} duplicates={summary.duplicates} invalid={summary.invalid} "
                   f"search_id={summary.search_id if summary.search_id is not None else ''}{extra}")
