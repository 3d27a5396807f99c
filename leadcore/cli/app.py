"""The command line's shared parts: the Typer app, one-line errors, the database and the team a command acts in.

Every command acts as an admin of ``--team`` (created when missing). Errors print one clear line on stderr and exit
non-zero, with nothing written.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.exc import SQLAlchemyError
from typer.core import TyperGroup
from typer.exceptions import TyperException

from leadcore.accounts.actors import Actor
from leadcore.accounts.users import find_team_actor, team_actor
from leadcore.cli import notation  # noqa: F401  (the help in FILE/TEXT/INTEGER notation)
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

TeamOpt = Annotated[str, typer.Option("--team", help="Team to act in, any case ('acme sales' is 'Acme Sales'); "
                                                     "created when missing, with a note on stderr.")]
DbOpt = Annotated[str | None, typer.Option("--database-url", help="Overrides LEADCORE_DATABASE_URL.")]


def fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def run(fn: Callable[[], T]) -> T:
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


def open_db(url: str | None) -> Database:
    try:
        return open_database(url)
    except Exception as e:  # a broken URL or an unreachable server is one line for the user
        fail(f"cannot open the database: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
        raise


def acting_in(db: Database, team: str, *, create: bool = True) -> Actor:
    """The CLI acts as an admin of ``team``; read-only commands (``create=False``) never create it and see a
    missing team as an empty one."""
    if create:
        if run(lambda: find_team_actor(db.uow(), team)) is None:
            typer.echo(f"No team called '{team.strip()}' yet: creating it.", err=True)
        return run(lambda: team_actor(db.uow(), team))
    found = run(lambda: find_team_actor(db.uow(), team))
    return found or Actor(user_id=None, team_id=0, role="admin", name="CLI")


def writable(path: Path, what: str) -> None:
    """Refuse an output path before any work is done, so a typo costs nothing."""
    if path.is_dir():
        fail(f"{what} {path} is a directory; give a file name")
    if not path.parent.is_dir():
        fail(f"{what} {path}: the folder {path.parent} does not exist")
