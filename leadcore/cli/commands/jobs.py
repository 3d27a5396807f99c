"""Background work: ``worker`` (a Huey consumer running every job kind) and ``jobs`` (list, ``retry``, ``cancel``)."""

from __future__ import annotations

import json
import logging
from typing import Annotated

import typer

from leadcore.cli.app import DbOpt, app, open_db, run

jobs_app = typer.Typer(help="Background jobs: list them (running, queued, failed with reason), retry, cancel.",
                       no_args_is_help=False)
app.add_typer(jobs_app, name="jobs")


@app.command("worker")
def worker(
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker threads in this process.")] = 2,
    database_url: DbOpt = None,
) -> None:
    """Run background jobs until stopped (Ctrl-C finishes the jobs in hand). Start as many as you need, on any
    machine, with LEADCORE_QUEUE_URL=redis://... (docs/scaling.md)."""
    import leadcore.background  # noqa: F401  (registers every job kind)
    from leadcore.jobs import runner

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    db = open_db(database_url)
    queue = runner.make_queue(db)
    sent = run(lambda: runner.sweep(queue))
    typer.echo(f"worker: {workers} thread(s) on {type(queue.huey).__name__}; {sent} waiting job(s) sent", err=True)
    queue.consumer(workers=workers).run()


def _line(j: dict[str, object]) -> str:
    ref = f" {j['ref']}" if j["ref"] else ""
    why = f" — {j['last_error']}" if j["last_error"] and j["state"] != "succeeded" else ""
    return f"{j['id']:>6}  {j['state']:<10} {j['kind']}{ref}  attempts {j['attempts']}/{j['max_attempts']}{why}"


@jobs_app.callback(invoke_without_command=True)
def list_jobs(
    ctx: typer.Context,
    state: Annotated[str | None, typer.Option("--state", help="queued, running, succeeded, failed or cancelled.")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 100,
    database_url: DbOpt = None,
) -> None:
    """Jobs, newest first."""
    if ctx.invoked_subcommand is not None:
        return
    from leadcore.db.models import JOB_STATES
    from leadcore.jobs import store

    if state is not None and state not in JOB_STATES:
        raise typer.BadParameter(f"--state must be one of {', '.join(JOB_STATES)}")
    db = open_db(database_url)
    rows = run(lambda: store.list_jobs(db.uow(), states=(state,) if state else None, limit=limit))
    if as_json:
        typer.echo(json.dumps(rows, default=str))
        return
    if not rows:
        typer.echo("No jobs.")
    for j in rows:
        typer.echo(_line(j))


@jobs_app.command("retry")
def retry(job_id: int, database_url: DbOpt = None) -> None:
    """Run a failed or cancelled job again, with a fresh set of attempts."""
    from leadcore.jobs import store

    db = open_db(database_url)
    typer.echo(_line(run(lambda: store.retry(db.uow(), job_id))))


@jobs_app.command("cancel")
def cancel(job_id: int, database_url: DbOpt = None) -> None:
    """Cancel a queued or running job (a running one stops at its next step)."""
    from leadcore.jobs import store

    db = open_db(database_url)
    typer.echo(_line(run(lambda: store.cancel(db.uow(), job_id))))
