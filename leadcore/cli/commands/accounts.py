"""Accounts and API tokens: ``create-user``, ``create-token``, ``list-tokens``, ``revoke-token``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from leadcore.accounts.users import DEFAULT_TEAM
from leadcore.cli.app import DbOpt, TeamOpt, app, fail, open_db, run


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
    db = open_db(database_url)
    info = run(lambda: users.create_user(db.uow(), None, email=email, password=password, role=role,
                                          team_name=team, display_name=name))
    typer.echo(f"created {info.role} {info.email} (id {info.id}) in team {info.team_name}")


@app.command("create-token")
def create_token(
    email: Annotated[str, typer.Option(help="The user the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for, e.g. 'crm-sync'.")] = "cli",
    database_url: DbOpt = None,
) -> None:
    """Create an API token for a user; the token is printed once, on the last line (only a hash is stored)."""
    from leadcore.accounts import tokens

    db = open_db(database_url)
    user_id = run(lambda: tokens.user_id_for_email(db.uow(), email))
    token = run(lambda: tokens.create_token(db.uow(), user_id, name))
    typer.echo(f"API token '{name}' for {email.strip().lower()} (shown once; store it now):", err=True)
    typer.echo(token)


@app.command("revoke-token")
def revoke_token(
    token_id: Annotated[int, typer.Option("--id", help="Token id (see list-tokens).")],
    database_url: DbOpt = None,
) -> None:
    """Revoke an API token: requests using it answer 401 from now on."""
    from leadcore.accounts import tokens

    db = open_db(database_url)
    info = run(lambda: tokens.revoke_token(db.uow(), token_id))
    typer.echo(f"revoked token {info.id} ({info.name})")


@app.command("list-tokens")
def list_tokens(
    email: Annotated[str, typer.Option(help="Whose tokens.")],
    database_url: DbOpt = None,
) -> None:
    """A user's API tokens (never the tokens themselves): id, name, created, last used, revoked."""
    from leadcore.accounts import tokens

    db = open_db(database_url)
    user_id = run(lambda: tokens.user_id_for_email(db.uow(), email))
    for t in run(lambda: tokens.list_tokens(db.uow(), user_id)):
        used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
        state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
        typer.echo(f"#{t.id:<5} {t.name:<24} created {t.created_at:%Y-%m-%d %H:%M}  last used {used}  {state}")
