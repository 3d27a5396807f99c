"""Outreach email: ``send-pending`` drains the outbox (what a scheduled job or cron runs), ``add-email-template``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from leadcore.accounts.users import DEFAULT_TEAM
from leadcore.cli.app import DbOpt, TeamOpt, acting_in, app, fail, open_db, run


@app.command("send-pending")
def send_pending(
    limit: Annotated[int | None, typer.Option(min=1, help="Send at most this many messages.")] = None,
    database_url: DbOpt = None,
) -> None:
    """Send queued outreach email through the configured SMTP server, within LEADCORE_MAIL_PER_MINUTE and each
    rep's LEADCORE_MAIL_DAILY_CAP; what the limits hold back stays queued for the next run."""
    from leadcore.config import settings
    from leadcore.outreach.mailer import SmtpConfig, SmtpMailer
    from leadcore.outreach.sending import send_pending as drain

    s = settings()
    config = SmtpConfig.from_settings(s)
    if config is None:
        fail("no SMTP server is configured: set LEADCORE_SMTP_HOST (and LEADCORE_SMTP_PORT, LEADCORE_MAIL_FROM)")
        return
    if not config.mail_from:
        fail("set LEADCORE_MAIL_FROM, the address outreach email is sent from")
    db = open_db(database_url)
    result = run(lambda: drain(db.uow(), lambda: SmtpMailer(config), per_minute=s.mail_per_minute,
                               daily_cap=s.mail_daily_cap, limit=limit))
    typer.echo(result.summary())
    for lead_id, reason in result.failures:
        typer.echo(f"lead {lead_id}: {reason}", err=True)
    if result.error:
        fail(result.error)


@app.command("add-email-template")
def add_email_template(
    name: Annotated[str, typer.Option(help="The template's name.")],
    subject: Annotated[str, typer.Option(help="Subject line; merge fields such as {{ company }} allowed.")],
    body_file: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="A text file with the body.")],
    team: TeamOpt = DEFAULT_TEAM,
    database_url: DbOpt = None,
) -> None:
    """Add an outreach email template to the team (refused with the reason if it is not a safe template)."""
    from leadcore.outreach.templates import save_template

    body = body_file.read_text(encoding="utf-8")
    db = open_db(database_url)
    actor = acting_in(db, team)
    t = run(lambda: save_template(db.uow(), actor, name=name, subject=subject, body=body))
    typer.echo(f"template {t.id} '{t.name}' saved")
