"""``python -m leadcore``: the command line. It acts as an admin of ``--team`` (created when missing).

Errors print one clear line on stderr and exit non-zero, with nothing written.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.exc import SQLAlchemyError
from typer.core import TyperGroup
from typer.exceptions import TyperException

from leadcore.accounts.actors import Actor
from leadcore.accounts.users import DEFAULT_TEAM, find_team_actor, team_actor
from leadcore.config import settings
from leadcore.db import migrate as migrations
from leadcore.db.runtime import Database, open_database
from leadcore.errors import LeadcoreError


class _OneLineErrors(TyperGroup):
    """Usage errors (a missing argument, a value that is not a number) as one ``error:`` line on stderr, exit 2,
    instead of a usage block."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        def call() -> Any:
            return super(_OneLineErrors, self).main(args, prog_name, complete_var, False, windows_expand_args,
                                                    **extra)

        if not standalone_mode:
            return call()
        try:
            rv = call()
        except TyperException as e:  # typer's own click: UsageError, BadParameter, NoArgsIsHelpError...
            ctx = getattr(e, "ctx", None)
            if type(e).__name__ == "NoArgsIsHelpError" and ctx is not None:
                typer.echo(ctx.get_help())
                sys.exit(0)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            message = " ".join(str(e.format_message()).split())
            typer.echo(f"error: {message}{hint}", err=True)
            sys.exit(int(getattr(e, "exit_code", 2)))
        except typer.Abort:
            typer.echo("error: aborted", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


app = typer.Typer(
    cls=_OneLineErrors,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Leads workspace: data, imports and discovery.",
)
T = TypeVar("T")

# How long a command waits for a busy database before it gives up with "busy, try again".
CLI_WRITE_WAIT_S = 300.0

TeamOpt = Annotated[str, typer.Option("--team", help="Team to act in (created when missing).")]
DbOpt = Annotated[str | None, typer.Option("--database-url", help="Overrides LEADCORE_DATABASE_URL.")]


def fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _run(fn: Callable[[], T]) -> T:
    """Turn every error a user can fix into one line on stderr and exit 1."""
    try:
        return fn()
    except LeadcoreError as e:
        fail(str(e))
    except SQLAlchemyError as e:
        # The server went away mid-run, a lock timed out...: what happened, in one line; nothing was committed.
        cause = getattr(e, "orig", None) or e
        first = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
        fail(f"database error: {type(cause).__name__}: {first}")
    except OSError as e:
        fail(f"{e.strerror or e}: {e.filename}" if getattr(e, "filename", None) else str(e))
    raise AssertionError("unreachable")


def _db(url: str | None) -> Database:
    try:
        return open_database(url)
    except Exception as e:  # a broken URL or an unreachable server is one line for the user
        fail(f"cannot open the database: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
        raise


def _actor(db: Database, team: str, *, create: bool = True) -> Actor:
    """The CLI acts as an admin of ``team``; read-only commands (``create=False``) never create it and see a
    missing team as an empty one."""
    if create:
        return _run(lambda: team_actor(db.uow(), team))
    found = _run(lambda: find_team_actor(db.uow(), team))
    return found or Actor(user_id=None, team_id=0, role="admin", name="CLI")


def _writable(path: Path, what: str) -> None:
    """Refuse an output path before any work is done, so a typo costs nothing."""
    if path.is_dir():
        fail(f"{what} {path} is a directory; give a file name")
    if not path.parent.is_dir():
        fail(f"{what} {path}: the folder {path.parent} does not exist")


@app.command()
def migrate(database_url: DbOpt = None) -> None:
    """Bring the database schema to the latest version."""
    from leadcore.db.engine import make_engine

    def run() -> str | None:
        engine = make_engine(database_url or settings().database_url)
        try:
            migrations.upgrade(engine)
            return migrations.current_revision(engine)
        finally:
            engine.dispose()

    typer.echo(f"schema at revision {_run(run)}")


@app.command("create-user")
def create_user(
    email: Annotated[str, typer.Option(help="Login email.")],
    role: Annotated[str, typer.Option(help="rep, manager or admin.")] = "rep",
    password: Annotated[str | None, typer.Option(help="Password (or use --password-stdin).")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    team: TeamOpt = DEFAULT_TEAM,
    database_url: DbOpt = None,
) -> None:
    """Create a user account."""
    from leadcore.accounts import users

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    if not password:
        fail("give a password with --password or --password-stdin")
    db = _db(database_url)
    info = _run(lambda: users.create_user(db.uow(), None, email=email, password=password, role=role,
                                          team_name=team, display_name=name))
    typer.echo(f"created {info.role} {info.email} (id {info.id}) in team {info.team_name}")


def _filters(status: list[str] | None, q: str | None, search_id: int | None) -> Any:
    from leadcore.grid.listing import LeadFilters

    return LeadFilters(statuses=tuple(s.upper() for s in status or ()), q=q, search_id=search_id)


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
        _writable(report, "report")
    table = _run(load)
    _run(lambda: importer.check_mapping(table))  # a file we cannot use costs nothing, not even the team
    db = _db(database_url)
    actor = _actor(db, team, create=not dry_run)  # a dry run writes nothing, not even the team
    if dry_run:
        summary = _run(lambda: importer.dry_run(db.uow(), actor, table))
    else:
        # A command-line import waits its turn behind other writers (several imports started together).
        summary = _run(lambda: importer.commit_import(db.uow(), actor, table, filename=file.name,
                                                        wait_s=CLI_WRITE_WAIT_S))
    if report:
        _run(lambda: importer.write_report(summary.rows, report))
    out = summary.as_dict() | {"dry_run": dry_run}
    if as_json:
        typer.echo(json.dumps(out))
    else:
        typer.echo(f"saved={summary.saved} duplicates={summary.duplicates} invalid={summary.invalid} "
                   f"search_id={summary.search_id if summary.search_id is not None else ''}")


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

    _writable(out, "output")
    db = _db(database_url)
    actor = _actor(db, team, create=False)
    n = _run(lambda: export_to_file(db.uow(), actor, str(out), _filters(status, q, search_id)))
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
    db = _db(database_url)
    actor = _actor(db, team)
    with typer.progressbar(length=n, label="seeding", file=sys.stderr) as bar:
        last = 0

        def step(done: int) -> None:
            nonlocal last
            bar.update(done - last)
            last = done

        result = _run(lambda: seed_fn(db.uow(), actor, n, seed=seed, on_batch=step))
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
    db = _db(database_url)
    actor = _actor(db, team)
    n = _run(lambda: purge(db.uow(), actor, older_than_days=older_than_days))
    typer.echo(f"purged {n} rejected leads")


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    team: TeamOpt = DEFAULT_TEAM,
    database_url: DbOpt = None,
) -> None:
    """Lead counts by status and the average score."""
    from leadcore.analytics.dashboard import AnalyticsFilters, summary

    db = _db(database_url)
    actor = _actor(db, team, create=False)
    s = _run(lambda: summary(db.uow(), actor, AnalyticsFilters()))
    if as_json:
        typer.echo(json.dumps(s, default=str))
        return
    typer.echo(f"total leads: {s['total']}")
    for status, count in s["status_counts"].items():
        typer.echo(f"  {status:<10} {count}")
    typer.echo(f"average score: {s['average_score']:.1f}" if s["average_score"] is not None else "average score: -")


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

    db = _db(database_url)
    actor = _actor(db, team)
    q = SearchQuery(text=query, mode=mode, location=location, industry=industry, tech_stack=tech_stack, limit=limit)
    result = _run(lambda: run_discovery(db.uow(), actor, q, provider_name=provider))
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

    db = _db(database_url)
    actor = _actor(db, team, create=False)
    rows = _run(lambda: list_searches(db.uow(), actor, limit=limit))
    if as_json:
        typer.echo(json.dumps(rows, default=str))
        return
    for r in rows:
        typer.echo(f"#{r['id']:<5} {r['started_at']:%Y-%m-%d %H:%M} {r['provider']:<16} {r['outcome']:<8} "
                   f"returned={r['returned']} saved={r['saved']} duplicates={r['duplicates']} "
                   f"invalid={r['invalid']}  {r['query'] or ''}")


@app.command()
def rescore(team: TeamOpt = DEFAULT_TEAM, database_url: DbOpt = None) -> None:
    """Recompute every computed score after a change of the scoring weights."""
    from leadcore.scoring.rescoring import rescore_team

    db = _db(database_url)
    actor = _actor(db, team)
    n = _run(lambda: rescore_team(db.uow(), actor))
    typer.echo(f"rescored {n} leads")


@app.command()
def providers() -> None:
    """Which discovery providers are available and configured."""
    from leadcore.discovery.providers import available_providers

    for p in available_providers(settings()):
        state = "configured" if p.configured else "not configured"
        typer.echo(f"{p.name:<8} {p.label:<24} {state}{' (demo data)' if p.is_demo else ''}")


# -- API tokens (leadcore.api) ----------------------------------------------------------------------------------


@app.command("create-token")
def create_token(
    email: Annotated[str, typer.Option(help="The user the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for, e.g. 'crm-sync'.")] = "cli",
    database_url: DbOpt = None,
) -> None:
    """Create an API token for a user; the token is printed once, on the last line (only a hash is stored)."""
    from leadcore.accounts import tokens

    db = _db(database_url)
    user_id = _run(lambda: tokens.user_id_for_email(db.uow(), email))
    token = _run(lambda: tokens.create_token(db.uow(), user_id, name))
    typer.echo(f"API token '{name}' for {email.strip().lower()} (shown once; store it now):", err=True)
    typer.echo(token)


@app.command("revoke-token")
def revoke_token(
    token_id: Annotated[int, typer.Option("--id", help="Token id (see list-tokens).")],
    database_url: DbOpt = None,
) -> None:
    """Revoke an API token: requests using it answer 401 from now on."""
    from leadcore.accounts import tokens

    db = _db(database_url)
    info = _run(lambda: tokens.revoke_token(db.uow(), token_id))
    typer.echo(f"revoked token {info.id} ({info.name})")


@app.command("list-tokens")
def list_tokens(
    email: Annotated[str, typer.Option(help="Whose tokens.")],
    database_url: DbOpt = None,
) -> None:
    """A user's API tokens (never the tokens themselves): id, name, created, last used, revoked."""
    from leadcore.accounts import tokens

    db = _db(database_url)
    user_id = _run(lambda: tokens.user_id_for_email(db.uow(), email))
    for t in _run(lambda: tokens.list_tokens(db.uow(), user_id)):
        used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
        state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
        typer.echo(f"#{t.id:<5} {t.name:<24} created {t.created_at:%Y-%m-%d %H:%M}  last used {used}  {state}")


from leadcore.cli import backup  # noqa: E402,F401  (registers backup/restore)
