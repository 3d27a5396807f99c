"""Discovery as a background job: start a search (the run row and its job in one transaction), run it in a worker
page by page (progress in the run row), cancel it, and read its progress.

The run row is the search's truth: ``pages``/``returned``/``saved``/``duplicates`` grow page by page, ``outcome``
stays 'running' until it finishes, ``cancel_requested_at`` is the user's cancel. Closing the browser changes none
of that.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from leadcore import jobs
from leadcore.accounts.actors import Actor, ensure_visible
from leadcore.config import settings
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Job, Lead, LeadSearch, User
from leadcore.discovery import runs
from leadcore.discovery.providers import get_provider
from leadcore.discovery.providers.base import SearchQuery
from leadcore.errors import LeadcoreError, NotFound
from leadcore.jobs.registry import PermanentFailure
from leadcore.leads.views import lead_dict

KIND = "discovery.run"


def start_search(uow: UnitOfWork, actor: Actor, query: SearchQuery, *, provider_name: str | None = None) -> int:
    """Record a search and queue it as a job (one transaction; the queue hears of it after the commit). Returns
    the search id. A bad query or an unconfigured provider is refused here, with nothing written."""
    query = query.validated()
    prov = get_provider(provider_name, settings())
    with uow:
        run = LeadSearch(team_id=actor.team_id, user_id=actor.user_id, provider=prov.name, query=query.text,
                         mode=query.mode, location=query.location, industry=query.industry,
                         tech_stack=query.tech_stack, requested=query.limit, outcome="running")
        uow.session.add(run)
        uow.session.flush()
        jobs.enqueue(uow.session, KIND, team_id=actor.team_id, ref=run.id,
                     payload={"role": actor.role, "name": actor.name})
        uow.commit()
        return run.id


def restart_search(uow: UnitOfWork, actor: Actor, search_id: int) -> int:
    """Run a past search again, as a new background search with the same provider and query."""
    past = runs.get_search(uow, actor, search_id)
    if str(past["provider"]).startswith("file:"):
        raise NotFound(f"Search {search_id} was a file import; upload the file again to re-run it")
    query = SearchQuery(text=past["query"] or "", mode=past["mode"] or "individual", location=past["location"],
                        industry=past["industry"], tech_stack=past["tech_stack"], limit=past["requested"] or 25)
    return start_search(uow, actor, query, provider_name=past["provider"])


def _job_row(uow: UnitOfWork, team_id: int, search_id: int) -> Job | None:
    return uow.session.scalars(select(Job).where(Job.team_id == team_id, Job.kind == KIND,
                                                 Job.ref == str(search_id)).order_by(Job.id.desc())).first()


def cancel_search(uow: UnitOfWork, actor: Actor, search_id: int) -> dict[str, Any]:
    """Ask a running search to stop (it stops after the page it is saving; what it saved stays); a search still
    waiting in the queue is closed at once."""
    now = datetime.now(UTC)
    with uow:
        uow.writing()
        run = uow.session.get(LeadSearch, search_id)
        if run is None:
            raise NotFound(f"Search {search_id} was not found")
        ensure_visible(actor, run.team_id, "Search", search_id)
        if run.finished_at is not None:
            raise NotFound(f"Search {search_id} has already finished")
        run.cancel_requested_at = now
        job = _job_row(uow, actor.team_id, search_id)
        if job is not None and job.state in ("queued", "running"):
            if job.state == "queued":     # it never started: nothing will close the run but us
                run.outcome = "partial" if run.returned else "failed"
                run.error, run.finished_at = runs.CANCELLED, now
            uow.session.execute(update(Job).where(Job.id == job.id, Job.state.in_(("queued", "running")))
                                .values(state="cancelled", finished_at=now)
                                .execution_options(synchronize_session=False))
        uow.commit()
    return search_progress(uow, actor, search_id)


def _state(run: LeadSearch, job: Job | None) -> str:
    if run.finished_at is not None:
        return "cancelled" if run.cancel_requested_at is not None else run.outcome
    if job is not None and job.state == "queued" and not run.pages:
        return "queued"
    return "running"


def _progress(run: LeadSearch, job: Job | None) -> dict[str, Any]:
    d = runs.search_dict(run)
    d["state"] = _state(run, job)
    d["job_id"] = job.id if job else None
    d["job_state"] = job.state if job else None
    d["attempts"] = job.attempts if job else 0
    d["job_error"] = job.last_error if job else None
    return d


def search_progress(uow: UnitOfWork, actor: Actor, search_id: int) -> dict[str, Any]:
    """A search's state ('queued', 'running', 'ok', 'partial', 'failed', 'cancelled'), pages done and counts."""
    with uow:
        uow.reading()
        run = uow.session.get(LeadSearch, search_id)
        if run is None:
            raise NotFound(f"Search {search_id} was not found")
        ensure_visible(actor, run.team_id, "Search", search_id)
        return _progress(run, _job_row(uow, actor.team_id, search_id))


def active_searches(uow: UnitOfWork, actor: Actor, *, limit: int = 20) -> list[dict[str, Any]]:
    """The team's searches that have not finished yet, newest first (shown when a user comes back to the page)."""
    with uow:
        uow.reading()
        rows = uow.session.scalars(select(LeadSearch).where(LeadSearch.team_id == actor.team_id,
                                                            LeadSearch.finished_at.is_(None))
                                   .order_by(LeadSearch.id.desc()).limit(limit)).all()
        return [_progress(r, _job_row(uow, actor.team_id, r.id)) for r in rows]


def _actor(uow: UnitOfWork, run: LeadSearch, payload: dict[str, Any]) -> Actor:
    user = uow.session.get(User, run.user_id) if run.user_id else None
    if user is not None and user.team_id == run.team_id:
        return Actor(user.id, user.team_id, user.role, user.display_name, user.email)
    return Actor(None, run.team_id, str(payload.get("role") or "manager"), str(payload.get("name") or ""))


@jobs.job(KIND, retries=3)
def run_search_job(ctx: jobs.JobContext) -> None:
    """Run (or resume) search ``ref``: pages an earlier attempt saved are not saved again."""
    db = ctx.database
    search_id = int(ctx.ref or 0)
    with db.uow() as uow:
        run = uow.session.get(LeadSearch, search_id)
        if run is None:
            raise PermanentFailure(f"Search {search_id} no longer exists")
        if run.finished_at is not None:
            return  # done by an earlier attempt (or cancelled before it started)
        actor = _actor(uow, run, ctx.payload)
        query = SearchQuery(text=run.query or "", mode=run.mode or "individual", location=run.location,
                            industry=run.industry, tech_stack=run.tech_stack, limit=run.requested or 25)
        skip, provider_name = run.pages, run.provider
    prov = get_provider(provider_name, settings())
    try:
        runs.fill_search(db.uow(), actor, prov, query.validated(), search_id, skip_pages=skip,
                         should_stop=ctx.should_stop)
    except Exception as e:
        if ctx.last_attempt:
            runs.close_search(db.uow(), search_id, outcome="partial" if skip else "failed",
                              error=f"{type(e).__name__}: the search stopped unexpectedly")
        raise


def finished_result(uow: UnitOfWork, actor: Actor, search_id: int, *, limit: int = 500) -> runs.DiscoveryResult:
    """A finished background search as the page shows it: its counts and outcome, and the leads it added."""
    p = search_progress(uow, actor, search_id)
    prov_label, is_demo = p["provider"], p["provider"] == "demo"
    try:
        prov = get_provider(p["provider"], settings())
        prov_label, is_demo = prov.label, prov.is_demo
    except LeadcoreError:
        pass  # a provider no longer configured: its name is label enough
    result = runs.DiscoveryResult(search_id=search_id, provider=p["provider"], provider_label=prov_label,
                                  is_demo=is_demo, count=p["returned"], saved=p["saved"],
                                  duplicates=p["duplicates"], invalid=p["invalid"],
                                  outcome=p["outcome"] if p["outcome"] != "running" else "ok", error=p["error"])
    with uow:
        uow.reading()
        for lead in uow.session.scalars(select(Lead).where(Lead.team_id == actor.team_id,
                                                          Lead.search_id == search_id)
                                        .order_by(Lead.id).limit(limit)):
            d = lead_dict(lead)
            d["is_new"] = True
            result.leads.append(d)
    return result
