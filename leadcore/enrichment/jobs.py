"""Enrichment as a background job: ``enrichment.run`` runs :func:`runner.enrich` for a team with the providers,
fields and limit in its payload, so the Integrations page (or an API call) never waits on a provider.

Idempotent by construction: every lookup leaves provenance rows, so an attempt after a crash skips what an earlier
attempt already paid for. A provider error that asking again may fix (a timeout, a rate limit) fails the attempt
for a retry with backoff; anything else (a bad key, the plan's quota used up) ends the job with the reason, shown on
the Admin page. Stopping at the monthly budget is a normal end.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from leadcore import jobs
from leadcore.accounts.actors import Actor, ensure_manager
from leadcore.config import settings
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Job, User
from leadcore.enrichment import get_enrichers
from leadcore.enrichment.base import parse_fields
from leadcore.enrichment.runner import EnrichReport, enrich
from leadcore.errors import InvalidInput, NotFound, PermissionDenied, ProviderError
from leadcore.jobs.registry import PermanentFailure

log = logging.getLogger(__name__)

KIND = "enrichment.run"


def start_enrichment(uow: UnitOfWork, actor: Actor, *, providers: str | Sequence[str], fields: str | Sequence[str]
                     | None = None, limit: int | None = None, lead_ids: Sequence[int] | None = None) -> int:
    """Queue an enrichment run for the actor's team (one transaction; the worker hears of it after the commit).
    Bad input (an unknown field, an unconfigured provider, a rep asking) is refused here, with nothing written."""
    ensure_manager(actor, "run enrichment (it spends the team's enrichment credits)")
    chain = get_enrichers(list(providers) if not isinstance(providers, str) else providers, settings())
    chosen = parse_fields(fields if fields is None or isinstance(fields, str) else list(fields))
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidInput("Limit must be a whole number of leads, 1 or more", field="limit")
    payload: dict[str, Any] = {"user_id": actor.user_id, "role": actor.role, "name": actor.name,
                               "providers": [e.name for e in chain], "fields": list(chosen), "limit": limit,
                               "lead_ids": list(lead_ids) if lead_ids is not None else None}
    with uow:
        uow.writing()
        job_id = jobs.enqueue(uow.session, KIND, team_id=actor.team_id, payload=payload)
        uow.commit()
    return job_id


def last_runs(uow: UnitOfWork, actor: Actor, *, limit: int = 5) -> list[dict[str, Any]]:
    """The team's latest enrichment jobs: state, attempts, error, when (newest first)."""
    with uow:
        uow.reading()
        rows = uow.session.scalars(select(Job).where(Job.team_id == actor.team_id, Job.kind == KIND)
                                   .order_by(Job.id.desc()).limit(limit)).all()
        return [{"id": j.id, "state": j.state, "attempts": j.attempts, "error": j.last_error,
                 "providers": (j.payload or {}).get("providers"), "fields": (j.payload or {}).get("fields"),
                 "created_at": j.created_at, "finished_at": j.finished_at} for j in rows]


def _actor(uow: UnitOfWork, team_id: int, payload: dict[str, Any]) -> Actor:
    with uow:
        user_id = payload.get("user_id")
        user = uow.session.get(User, user_id) if isinstance(user_id, int) else None
        if user is not None and user.team_id == team_id and user.is_active:
            return Actor(user.id, user.team_id, user.role, user.display_name, user.email)
    return Actor(None, team_id, str(payload.get("role") or "manager"), str(payload.get("name") or ""))


@jobs.job(KIND, retries=3, backoff_base_s=30.0)
def run_enrichment_job(ctx: jobs.JobContext) -> None:
    """Enrich the team's leads as the payload says; the report's message goes to the log."""
    if ctx.team_id is None:
        raise PermanentFailure("An enrichment job needs a team")
    db = ctx.database
    payload = dict(ctx.payload or {})
    actor = _actor(db.uow(), ctx.team_id, payload)
    try:
        chain = get_enrichers(payload.get("providers") or "demo", settings())
        report: EnrichReport = enrich(db.uow(), actor, providers=chain, fields=payload.get("fields"),
                                      limit=payload.get("limit"), lead_ids=payload.get("lead_ids"))
    except (InvalidInput, PermissionDenied, ProviderError, NotFound) as e:
        raise PermanentFailure(str(e)) from e  # asking again gets the same answer
    log.info("enrichment job %s: %s", ctx.job_id, report.message)
    if report.error:
        if report.error_retryable:
            raise RuntimeError(report.message)  # retried with backoff; paid lookups are not repeated
        raise PermanentFailure(report.message)
