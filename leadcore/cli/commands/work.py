"""People and routing: ``deactivate-user``, ``activate-user``, ``apply-rules`` (with ``--dry-run``)."""

from __future__ import annotations

from typing import Annotated

import typer

from leadcore.accounts.users import DEFAULT_TEAM
from leadcore.cli.app import DbOpt, TeamOpt, acting_in, app, open_db, run


def _set_active(email: str, active: bool, database_url: str | None) -> None:
    from leadcore.accounts.users import set_active_by_email

    db = open_db(database_url)
    info = run(lambda: set_active_by_email(db.uow(), email, active))
    state = "active" if info.is_active else "deactivated (cannot sign in, never assigned leads)"
    typer.echo(f"{info.email} (id {info.id}) is {state}")


@app.command("deactivate-user")
def deactivate_user(email: Annotated[str, typer.Option(help="The user's login email.")],
                    database_url: DbOpt = None) -> None:
    """Deactivate a user: they cannot sign in, and assignment rules skip them."""
    _set_active(email, False, database_url)


@app.command("activate-user")
def activate_user(email: Annotated[str, typer.Option(help="The user's login email.")],
                  database_url: DbOpt = None) -> None:
    """Activate a user again."""
    _set_active(email, True, database_url)


@app.command("apply-rules")
def apply_rules(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say what would happen.")] = False,
    team: TeamOpt = DEFAULT_TEAM,
    database_url: DbOpt = None,
) -> None:
    """Give the team's unassigned open leads an owner through its assignment rules."""
    from leadcore.accounts.users import list_users
    from leadcore.work.assignment import apply_rules as apply

    db = open_db(database_url)
    actor = acting_in(db, team)
    result = run(lambda: apply(db.uow(), actor, dry_run=dry_run))
    names = {u.id: u.display_name for u in run(lambda: list_users(db.uow(), actor))}
    typer.echo(result.summary(names))
