"""Discovery runs: ask a provider, save each page in its own transaction, record the run in the history."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update

from leadcore.accounts.actors import Actor, ensure_visible
from leadcore.config import settings
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Lead, LeadSearch, User
from leadcore.db.retry import retry_on_deadlock
from leadcore.discovery.providers import get_provider
from leadcore.discovery.providers.base import Provider, SearchQuery
from leadcore.errors import NotFound, ProviderError
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.matcher import DUPLICATE_EXISTING, NEW, SaveResult, SearchContext, plan_batch, save_batch
from leadcore.leads.views import lead_dict

log = logging.getLogger(__name__)


@dataclass
class Progress:
    """Reported after each page: enough for a progress bar and a running count."""

    page: int
    returned: int
    saved: int
    duplicates: int
    invalid: int
    limit: int


@dataclass
class DiscoveryResult:
    """The original API's result (``leads, count, saved, duplicates, search_id``) plus the run's outcome."""

    search_id: int | None
    provider: str
    provider_label: str
    is_demo: bool
    count: int = 0
    saved: int = 0
    duplicates: int = 0
    invalid: int = 0
    outcome: str = "ok"
    error: str | None = None
    error_status: int | None = None
    leads: list[dict[str, Any]] = field(default_factory=list)


def open_search(
    uow: UnitOfWork, actor: Actor, *, provider: str, query: SearchQuery | None = None, requested: int = 0
) -> int:
    """Record the start of a run (outcome 'running') and return its id."""
    with uow:
        run = LeadSearch(
            team_id=actor.team_id,
            user_id=actor.user_id,
            provider=provider,
            query=query.text if query else None,
            mode=query.mode if query else None,
            location=query.location if query else None,
            industry=query.industry if query else None,
            tech_stack=query.tech_stack if query else None,
            requested=requested,
            outcome="running",
        )
        uow.session.add(run)
        uow.session.flush()
        uow.commit()
        return run.id


@functools.cache
def _bump_statement() -> Any:
    """Built once: building it cost a 25-lead page about as much as running it."""
    t = cast(Table, LeadSearch.__table__)
    return (
        update(t)
        .where(t.c.id == bindparam("search_id"))
        .values(
            returned=t.c.returned + bindparam("returned"),
            saved=t.c.saved + bindparam("saved"),
            duplicates=t.c.duplicates + bindparam("duplicates"),
            invalid=t.c.invalid + bindparam("invalid"),
            pages=t.c.pages + 1,
        )
    )


def _bump(uow: UnitOfWork, search_id: int, returned: int, page: SaveResult) -> None:
    """Add the page to the run's counters: one UPDATE, no read first."""
    done = uow.session.execute(_bump_statement(), {
        "search_id": search_id, "returned": returned, "saved": page.saved, "duplicates": page.duplicates,
        "invalid": page.invalid,
    })
    assert done.rowcount == 1  # type: ignore[attr-defined]
    run = uow.session.identity_map.get(uow.session.identity_key(LeadSearch, search_id))
    if run is not None:
        uow.session.expire(run)


def close_search(uow: UnitOfWork, search_id: int, *, outcome: str, error: str | None = None) -> None:
    """Mark the run finished with its outcome ('ok', 'partial' or 'failed')."""
    with uow:
        uow.writing()  # take the write lock first: a read-then-write fails at once on a busy SQLite
        run = uow.session.get(LeadSearch, search_id)
        if run is not None:
            run.outcome = outcome
            run.error = error
            run.finished_at = datetime.now(UTC)
            uow.commit()


def save_page(
    uow: UnitOfWork, actor: Actor, search_id: int, ctx: SearchContext, page: list[LeadCandidate]
) -> SaveResult:
    """One page in one transaction: leads, events and the run's counters together."""
    with uow:
        result = save_batch(uow.session, actor, page, ctx)
        _bump(uow, search_id, len(page), result)
        uow.commit()
    return result


def _leads_for(uow: UnitOfWork, actor: Actor, result: SaveResult) -> list[dict[str, Any]]:
    """The leads a run touched, in result order, each marked new or already known."""
    ids = result.lead_ids
    if not ids:
        return []
    new_ids = {r.lead_id for r in result.rows if r.outcome == NEW}
    out: list[dict[str, Any]] = []
    seen: set[int] = set()
    with uow:
        rows = {
            lead.id: lead
            for start in range(0, len(ids), 500)
            for lead in uow.session.scalars(
                select(Lead).where(Lead.id.in_(ids[start : start + 500]), Lead.team_id == actor.team_id)
            )
        }
        for lead_id in ids:
            if lead_id in seen or lead_id not in rows:
                continue
            seen.add(lead_id)
            d = lead_dict(rows[lead_id])
            d["is_new"] = lead_id in new_ids
            out.append(d)
    return out


def run_discovery(
    uow: UnitOfWork,
    actor: Actor,
    query: SearchQuery,
    *,
    provider_name: str | None = None,
    provider: Provider | None = None,
    save: bool = True,
    on_page: Callable[[Progress], None] | None = None,
) -> DiscoveryResult:
    """Run a search. Each page is saved in its own transaction; a provider failure mid-way keeps what was saved,
    marks the run partial (or failed, when nothing came back) and reports why."""
    query = query.validated()
    prov = provider or get_provider(provider_name, settings())
    result = DiscoveryResult(search_id=None, provider=prov.name, provider_label=prov.label, is_demo=prov.is_demo)
    if not save:
        return _preview(uow, actor, prov, query, result)
    search_id = open_search(uow, actor, provider=prov.name, query=query, requested=query.limit)
    result.search_id = search_id
    try:
        fill_search(uow, actor, prov, query, search_id, result=result, on_page=on_page)
    except BaseException as e:
        close_search(uow, search_id, outcome="partial" if result.count else "failed",
                     error=f"{type(e).__name__}: the search stopped unexpectedly")
        raise
    return result


CANCELLED = "Cancelled by the user"


def fill_search(
    uow: UnitOfWork,
    actor: Actor,
    prov: Provider,
    query: SearchQuery,
    search_id: int,
    *,
    result: DiscoveryResult | None = None,
    skip_pages: int = 0,
    should_stop: Callable[[], bool] | None = None,
    on_page: Callable[[Progress], None] | None = None,
) -> DiscoveryResult:
    """Save the provider's pages into the open run ``search_id`` and close it. ``skip_pages`` pages already saved
    by an earlier attempt are fetched but not saved again; ``should_stop`` is asked between pages (a cancelled
    background search stops there, keeping what it saved). A failure other than the provider's propagates with
    the run left open (the caller decides: close it, or let a job retry)."""
    if result is None:
        result = DiscoveryResult(search_id=search_id, provider=prov.name, provider_label=prov.label,
                                 is_demo=prov.is_demo)
    ctx = SearchContext(
        search_id=search_id,
        source=prov.name,
        query=query.text,
        mode=query.mode,
        location=query.location,
        industry=query.industry,
        tech_stack=query.tech_stack,
    )
    total = SaveResult(search_id=search_id)
    page_no = 0
    try:
        for page in prov.search(query):
            page_no += 1
            if page_no <= skip_pages:
                continue
            if should_stop is not None and should_stop():
                result.error = CANCELLED
                result.outcome = "partial" if (result.count or skip_pages) else "failed"
                break
            saved = retry_on_deadlock(functools.partial(save_page, uow, actor, search_id, ctx, page))
            total.add(saved, offset=result.count)
            result.count += len(page)
            if on_page:
                on_page(Progress(page_no, result.count, total.saved, total.duplicates, total.invalid, query.limit))
    except ProviderError as e:
        result.error, result.error_status = str(e), e.status_code
        result.outcome = "partial" if result.count else "failed"
        log.warning("search %s ended %s: %s", search_id, result.outcome, e)
    close_search(uow, search_id, outcome=result.outcome, error=result.error)
    result.saved, result.duplicates, result.invalid = total.saved, total.duplicates, total.invalid
    result.leads = _leads_for(uow, actor, total)
    return result


def _preview(
    uow: UnitOfWork, actor: Actor, prov: Provider, query: SearchQuery, result: DiscoveryResult
) -> DiscoveryResult:
    """Search without writing anything: each candidate marked as new or already known."""
    candidates: list[LeadCandidate] = []
    try:
        for page in prov.search(query):
            candidates.extend(page)
    except ProviderError as e:
        result.error, result.error_status = str(e), e.status_code
        result.outcome = "partial" if candidates else "failed"
    with uow:
        plans, _, _ = plan_batch(uow.session, actor.team_id, candidates)
    for c, plan in zip(candidates, plans, strict=True):
        d: dict[str, Any] = {k: v for k, v in vars(c).items()}
        d["is_new"] = plan.outcome == NEW
        d["existing_lead_id"] = plan.lead_id if plan.outcome == DUPLICATE_EXISTING else None
        d["invalid_reason"] = plan.reason
        result.leads.append(d)
    result.count = len(candidates)
    result.invalid = sum(1 for p in plans if p.reason)
    return result


def search_dict(run: LeadSearch, user_name: str | None = None) -> dict[str, Any]:
    cols = ("id", "provider", "query", "mode", "location", "industry", "tech_stack", "requested", "returned", "saved",
            "duplicates", "invalid", "outcome", "error", "started_at", "finished_at", "user_id", "pages")
    d = {c: getattr(run, c) for c in cols}
    d["cancelled"] = run.cancel_requested_at is not None
    d["user_name"] = user_name
    d["duplicate_rate"] = (run.duplicates / run.returned) if run.returned else 0.0
    return d


def list_searches(uow: UnitOfWork, actor: Actor, *, limit: int = 50) -> list[dict[str, Any]]:
    """The team's recent runs, newest first."""
    with uow:
        rows = uow.session.execute(
            select(LeadSearch, User.display_name)
            .outerjoin(User, User.id == LeadSearch.user_id)
            .where(LeadSearch.team_id == actor.team_id)
            .order_by(LeadSearch.started_at.desc(), LeadSearch.id.desc())
            .limit(limit)
        ).all()
        return [search_dict(r, name) for r, name in rows]


def get_search(uow: UnitOfWork, actor: Actor, search_id: int) -> dict[str, Any]:
    with uow:
        run = uow.session.get(LeadSearch, search_id)
        if run is None:
            raise NotFound(f"Search {search_id} was not found")
        ensure_visible(actor, run.team_id, "Search", search_id)
        return search_dict(run)


def rerun_search(
    uow: UnitOfWork, actor: Actor, search_id: int, *, on_page: Callable[[Progress], None] | None = None
) -> DiscoveryResult:
    """Run a past search again with the same provider and query."""
    past = get_search(uow, actor, search_id)
    if str(past["provider"]).startswith("file:"):
        raise NotFound(f"Search {search_id} was a file import; upload the file again to re-run it")
    query = SearchQuery(
        text=past["query"] or "",
        mode=past["mode"] or "individual",
        location=past["location"],
        industry=past["industry"],
        tech_stack=past["tech_stack"],
        limit=past["requested"] or 25,
    )
    return run_discovery(uow, actor, query, provider_name=past["provider"], on_page=on_page)
