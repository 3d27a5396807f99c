"""Discovery: ``discover``, ``searches``, ``providers``."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from leadcore.accounts.users import DEFAULT_TEAM
from leadcore.cli.app import DbOpt, TeamOpt, acting_in, app, open_db, run
from leadcore.config import settings


@app.command()
def discover(
    query: Annotated[str, typer.Argument(help="What to look for, e.g. 'VP Engineering fintech'.")],
    mode: Annotated[str, typer.Option(help="individual or company.")] = "individual",
    location: Annotated[str | None, typer.Option()] = None,
    industry: Annotated[str | None, typer.Option()] = None,
    tech_stack: Annotated[str | None, typer.Option("--tech-stack")] = None,
    limit: Annotated[int, typer.Option()] = 25,
    provider: Annotated[str | None, typer.Option(help="demo, apollo or hunter (default: configured).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    team: TeamOpt = DEFAULT_TEAM,
    database_url: DbOpt = None,
) -> None:
    """Run a discovery search and save the leads (each lead once)."""
    from leadcore.discovery.providers.base import SearchQuery
    from leadcore.discovery.runs import run_discovery

    db = open_db(database_url)
    actor = acting_in(db, team)
    q = SearchQuery(text=query, mode=mode, location=location, industry=industry, tech_stack=tech_stack, limit=limit)
    result = run(lambda: run_discovery(db.uow(), actor, q, provider_name=provider))
    payload = {
        "count": result.count, "saved": result.saved, "duplicates": result.duplicates, "invalid": result.invalid,
        "search_id": result.search_id, "provider": result.provider, "is_demo": result.is_demo,
        "outcome": result.outcome, "error": result.error, "leads": result.leads,
    }
    if as_json:
        typer.echo(json.dumps(payload, default=str))
    else:
        label = " (demo data)" if result.is_demo and "demo" not in result.provider_label.lower() else ""
        typer.echo(f"{result.provider_label}{label}: count={result.count} saved={result.saved} "
                   f"duplicates={result.duplicates} invalid={result.invalid} search_id={result.search_id} "
                   f"outcome={result.outcome}")
        if result.error:
            typer.echo(f"warning: {result.error}", err=True)
    if result.outcome == "failed":
        raise typer.Exit(1)


@app.command()
def searches(
    limit: Annotated[int, typer.Option()] = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    team: TeamOpt = DEFAULT_TEAM,
    database_url: DbOpt = None,
) -> None:
    """Recent discovery runs and file imports with their counts and outcome."""
    from leadcore.discovery.runs import list_searches

    db = open_db(database_url)
    actor = acting_in(db, team, create=False)
    rows = run(lambda: list_searches(db.uow(), actor, limit=limit))
    if as_json:
        typer.echo(json.dumps(rows, default=str))
        return
    for r in rows:
        typer.echo(f"#{r['id']:<5} {r['started_at']:%Y-%m-%d %H:%M} {r['provider']:<16} {r['outcome']:<8} "
                   f"returned={r['returned']} saved={r['saved']} duplicates={r['duplicates']} "
                   f"invalid={r['invalid']}  {r['query'] or ''}")


@app.command()
def providers() -> None:
    """Which discovery providers are available and configured."""
    from leadcore.discovery.providers import available_providers

    for p in available_providers(settings()):
        state = "configured" if p.configured else "not configured"
        typer.echo(f"{p.name:<8} {p.label:<24} {state}{' (demo data)' if p.is_demo else ''}")
