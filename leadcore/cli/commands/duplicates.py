"""``duplicates``, ``merge``, ``unmerge``, ``undo-import``, ``duplicates-stats``: duplicate review, from the CLI."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from leadcore.accounts.users import DEFAULT_TEAM
from leadcore.cli.app import DbOpt, TeamOpt, acting_in, app, open_db, run
from leadcore.duplicates import merge as merging
from leadcore.duplicates import queue, scan, undo
from leadcore.duplicates.scoring import MIN_SCORE

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as one JSON object.")]


def _echo(out: dict[str, Any], as_json: bool) -> None:
    typer.echo(json.dumps(out) if as_json else " ".join(f"{k}={v}" for k, v in out.items()))


@app.command("duplicates")
def duplicates(
    min_score: Annotated[float, typer.Option("--min-score", help="Lowest score shown (0–1).")] = MIN_SCORE,
    incremental: Annotated[bool, typer.Option("--incremental", help="Compare only leads new since the last scan.")]
    = False,
    limit: Annotated[int, typer.Option(help="At most this many pairs.")] = 1000,
    as_json: JsonOpt = False,
    team: TeamOpt = DEFAULT_TEAM,
    database_url: DbOpt = None,
) -> None:
    """Scan the team for near-duplicate leads and print the open pairs, best first, with their reasons."""
    db = open_db(database_url)
    actor = acting_in(db, team)
    result = run(lambda: scan.scan_team(db.uow(), actor, incremental=incremental))
    pairs = run(lambda: queue.list_pairs(db.uow(), actor, min_score=min_score, limit=limit))
    if as_json:
        typer.echo(json.dumps({"pairs": [p.as_dict() for p in pairs], "scan": result.__dict__}))
        return
    for p in pairs:
        typer.echo(f"{p.a}\t{p.b}\t{p.score:.2f}\t{'; '.join(p.reasons)}")
    typer.echo(f"{len(pairs)} pairs ({result.leads} leads scanned in {result.seconds:.2f}s)")


@app.command("merge")
def merge(
    keep_id: Annotated[int, typer.Argument(help="The lead that stays.")],
    other_id: Annotated[int, typer.Argument(help="The lead merged into it (retired, not deleted).")],
    take: Annotated[list[str] | None, typer.Option("--take", help="A field to take from OTHER (repeatable).")]
    = None,
    as_json: JsonOpt = False,
    team: TeamOpt = DEFAULT_TEAM,
    database_url: DbOpt = None,
) -> None:
    """Merge OTHER_ID into KEEP_ID: the kept lead's values unless empty or named with --take."""
    db = open_db(database_url)
    actor = acting_in(db, team)
    result = run(lambda: merging.merge_leads(db.uow(), actor, keep_id, other_id, take=list(take or [])))
    _echo({"mergeId": result.merge_id, "leadId": result.lead_id}, as_json)


@app.command("unmerge")
def unmerge(
    merge_id: Annotated[int, typer.Argument(help="The merge to take back.")],
    keep_edits: Annotated[bool, typer.Option("--keep-edits", help="Keep later edits of the kept lead.")] = False,
    as_json: JsonOpt = False,
    team: TeamOpt = DEFAULT_TEAM,
    database_url: DbOpt = None,
) -> None:
    """Restore both leads of a merge as they were."""
    db = open_db(database_url)
    actor = acting_in(db, team)
    _echo(run(lambda: merging.unmerge(db.uow(), actor, merge_id, keep_edits=keep_edits)), as_json)


@app.command("undo-import")
def undo_import(
    search_id: Annotated[int, typer.Argument(help="The import or discovery run (its search id).")],
    as_json: JsonOpt = False,
    team: TeamOpt = DEFAULT_TEAM,
    database_url: DbOpt = None,
) -> None:
    """Remove the leads a run created (untouched since) and empty the fields it filled on existing leads."""
    db = open_db(database_url)
    actor = acting_in(db, team)
    _echo(run(lambda: undo.undo_search(db.uow(), actor, search_id)).as_dict(), as_json)


@app.command("duplicates-stats")
def stats(as_json: JsonOpt = False, team: TeamOpt = DEFAULT_TEAM, database_url: DbOpt = None) -> None:
    """Duplicate pairs of the team: total and by status."""
    db = open_db(database_url)
    actor = acting_in(db, team, create=False)
    _echo(run(lambda: queue.stats(db.uow(), actor)), as_json)
