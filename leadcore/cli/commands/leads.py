"""The team's leads: ``export-csv``, ``seed-demo``, ``purge-rejected``, ``stats``, ``rescore``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from leadcore.accounts.users import DEFAULT_TEAM
from leadcore.cli.app import DbOpt, TeamOpt, acting_in, app, fail, open_db, run, writable


def _filters(status: list[str] | None, q: str | None, search_id: int | None) -> Any:
    from leadcore.grid.filters import LeadFilters

    return LeadFilters(statuses=tuple(s.upper() for s in status or ()), q=q, search_id=search_id)


@app.command("export-csv")
def export_csv(
    out: Annotated[Path, typer.Argument(help="Where to write the CSV.")],
    status: Annotated[list[str] | None, typer.Option(help="Only these statuses (repeatable).")] = None,
    q: Annotated[str | None, typer.Option(help="Free-text search over name, email, company.")] = None,
    search_id: Annotated[int | None, typer.Option(help="Only leads found by this search.")] = None,
    team: TeamOpt = DEFAULT_TEAM,
    database_url: DbOpt = None,
) -> None:
    """Export the team's leads (optionally filtered) as CSV, formulas neutralized."""
    from leadcore.grid.export import export_to_file

    writable(out, "output")
    db = open_db(database_url)
    actor = acting_in(db, team, create=False)
    n = run(lambda: export_to_file(db.uow(), actor, str(out), _filters(status, q, search_id)))
    typer.echo(f"exported {n} leads to {out}")


@app.command("seed-demo")
def seed_demo(
    n: Annotated[int, typer.Argument(help="How many synthetic leads.")],
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same leads).")] = 1,
    team: TeamOpt = DEFAULT_TEAM,
    database_url: DbOpt = None,
) -> None:
    """Fill the team with N realistic synthetic leads."""
    from leadcore.seed import seed_demo as seed_fn

    if n < 0:
        fail("N must be 0 or more")
    db = open_db(database_url)
    actor = acting_in(db, team)
    with typer.progressbar(length=n, label="seeding", file=sys.stderr) as bar:
        last = 0

        def step(done: int) -> None:
            nonlocal last
            bar.update(done - last)
            last = done

        result = run(lambda: seed_fn(db.uow(), actor, n, seed=seed, on_batch=step))
    typer.echo(f"saved={result.saved} duplicates={result.duplicates} invalid={result.invalid}")


@app.command("purge-rejected")
def purge_rejected(
    older_than_days: Annotated[int, typer.Option("--older-than-days", help="Only leads untouched this long.")] = 30,
    team: TeamOpt = DEFAULT_TEAM,
    database_url: DbOpt = None,
) -> None:
    """Permanently delete REJECTED leads not changed for N days."""
    from leadcore.leads.bulk import purge_rejected as purge

    if older_than_days < 0:
        fail("--older-than-days must be 0 or more")
    db = open_db(database_url)
    actor = acting_in(db, team)
    n = run(lambda: purge(db.uow(), actor, older_than_days=older_than_days))
    typer.echo(f"purged {n} rejected leads")


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    team: TeamOpt = DEFAULT_TEAM,
    database_url: DbOpt = None,
) -> None:
    """Lead counts by status and the average score."""
    from leadcore.analytics.dashboard import AnalyticsFilters, summary

    db = open_db(database_url)
    actor = acting_in(db, team, create=False)
    s = run(lambda: summary(db.uow(), actor, AnalyticsFilters()))
    if as_json:
        typer.echo(json.dumps(s, default=str))
        return
    typer.echo(f"total leads: {s['total']}")
    for status, count in s["status_counts"].items():
        typer.echo(f"  {status:<10} {count}")
    typer.echo(f"average score: {s['average_score']:.1f}" if s["average_score"] is not None else "average score: -")


@app.command()
def rescore(team: TeamOpt = DEFAULT_TEAM, database_url: DbOpt = None) -> None:
    """Recompute every computed score after a change of the scoring weights."""
    from leadcore.scoring.rescoring import rescore_team

    db = open_db(database_url)
    actor = acting_in(db, team)
    n = run(lambda: rescore_team(db.uow(), actor))
    typer.echo(f"rescored {n} leads")
