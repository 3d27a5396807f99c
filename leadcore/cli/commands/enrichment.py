"""Enrichment: ``enrich`` fills missing lead fields from a provider within the team's monthly credit budget."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from leadcore.accounts.users import DEFAULT_TEAM
from leadcore.cli.app import DbOpt, TeamOpt, acting_in, app, open_db, run
from leadcore.config import settings


@app.command()
def enrich(
    provider: Annotated[str | None, typer.Option(
        help="demo, hunter or apollo; several comma separated are asked in that order (a waterfall).")] = None,
    fields: Annotated[str | None, typer.Option(
        help="Comma separated: email, phone, linkedin, title, industry, location, website (default: all).")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Enrich at most this many leads.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count the leads and estimate the credits.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    team: TeamOpt = DEFAULT_TEAM,
    database_url: DbOpt = None,
) -> None:
    """Fill missing fields of the team's leads from a provider (never overwriting a value, never a field a person
    emptied), within LEADCORE_ENRICH_MONTHLY_CREDITS credits a month."""
    from leadcore.enrichment import get_enrichers
    from leadcore.enrichment.runner import enrich as run_enrich

    chain = run(lambda: get_enrichers(provider, settings()))
    db = open_db(database_url)
    actor = acting_in(db, team, create=not dry_run)
    report = run(lambda: run_enrich(db.uow(), actor, providers=chain, fields=fields, limit=limit, dry_run=dry_run))
    if as_json:
        typer.echo(json.dumps(report.as_json()))
    else:
        typer.echo(report.message)
    if report.error:
        raise typer.Exit(1)
