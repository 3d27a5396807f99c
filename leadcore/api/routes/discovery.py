"""/api/leads/discover and /api/searches: run a provider search, read the search history."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import Field, StringConstraints

from leadcore.api.auth import ActorDep, DbDep
from leadcore.api.docs import errors_doc
from leadcore.api.errors import ApiError
from leadcore.api.schemas import (
    Id,
    InModel,
    LeadFields,
    OutModel,
    Short,
    Text,
    UtcDatetime,
)
from leadcore.config import settings
from leadcore.discovery import background, runs
from leadcore.discovery.providers.base import MAX_LIMIT, SearchQuery

router = APIRouter()




class DiscoverIn(InModel):
    """A discovery search, as the original API took it."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "query": "VP Engineering fintech",
                    "mode": "individual",
                    "location": "Berlin",
                    "industry": "Fintech",
                    "techStack": "python, aws",
                    "limit": 25,
                    "provider": "demo",
                    "saveToDatabase": True,
                }
            ]
        }
    }

    query: Annotated[Text, StringConstraints(min_length=1, max_length=500)] = Field(
        description="What to look for.", examples=["VP Engineering fintech"]
    )
    mode: Literal["individual", "company"] = "individual"
    location: Short | None = None
    industry: Short | None = None
    tech_stack: Short | None = Field(default=None, description="Comma separated, as typed.")
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 25
    provider: Annotated[Text, StringConstraints(max_length=50)] | None = Field(
        default=None,
        description="demo, apollo or hunter; default: the server's configured provider.",
        examples=["demo"],
    )
    save_to_database: bool = Field(default=True, description="False previews: nothing is written.")
    run_async: bool = Field(default=False, alias="async", description=(
        "True: answer 202 with the searchId at once and run the search as a background job (poll "
        "GET /api/searches/{id}). Searches above the server's size threshold always run this way."))


class DiscoveredLead(LeadFields):
    """A lead the search returned: saved (with ``id``) or, in a preview, a candidate marked new or known."""

    id: int | None = Field(default=None, description="The saved lead (null in a preview).")
    status: str | None = None
    search_id: int | None = None
    owner_id: int | None = None
    version: int | None = None
    raw_data: Any = None
    is_new: bool = Field(description="False when the team already had this lead (a duplicate).")
    existing_lead_id: int | None = Field(default=None, description="Preview only: the lead it duplicates.")
    invalid_reason: str | None = Field(default=None, description="Preview only: why it would not be saved.")


class DiscoverOut(OutModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "success": True,
                    "leads": [],
                    "count": 25,
                    "saved": 20,
                    "duplicates": 5,
                    "invalid": 0,
                    "searchId": 7,
                    "provider": "demo",
                    "providerLabel": "Demo data (offline)",
                    "isDemo": True,
                    "outcome": "ok",
                    "error": None,
                }
            ]
        }
    }

    success: bool = Field(description="False when the provider failed part-way (what was saved stays saved).")
    leads: list[DiscoveredLead]
    count: int = Field(description="Candidates the provider returned.")
    saved: int
    duplicates: int
    invalid: int
    search_id: int | None = Field(description="The search history entry (null for a preview).")
    provider: str
    provider_label: str
    is_demo: bool
    outcome: Literal["ok", "partial", "failed"]
    error: str | None = None


class SearchOut(OutModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "id": 7,
                    "provider": "demo",
                    "query": "VP Engineering fintech",
                    "mode": "individual",
                    "requested": 25,
                    "returned": 25,
                    "saved": 20,
                    "duplicates": 5,
                    "invalid": 0,
                    "outcome": "ok",
                    "startedAt": "2026-01-05T10:00:00Z",
                    "userId": 3,
                    "userName": "Sam Rep",
                    "duplicateRate": 0.2,
                }
            ]
        }
    }

    id: int
    provider: str
    query: str | None = None
    mode: str | None = None
    location: str | None = None
    industry: str | None = None
    tech_stack: str | None = None
    requested: int
    returned: int
    saved: int
    duplicates: int
    invalid: int
    outcome: str
    error: str | None = None
    started_at: UtcDatetime
    finished_at: UtcDatetime | None = None
    user_id: int | None = None
    user_name: str | None = None
    duplicate_rate: float


class SearchProgressOut(SearchOut):
    state: Literal["queued", "running", "ok", "partial", "failed", "cancelled"] = Field(
        description="queued or running until it finishes; then its outcome, or cancelled.")
    pages: int = Field(description="Pages saved so far.")
    cancelled: bool
    job_id: int | None = None
    job_state: str | None = None
    attempts: int = 0
    job_error: str | None = Field(default=None, description="Why the last attempt failed (it is retried).")


class SearchStartedOut(OutModel):
    search_id: int
    state: str
    poll: str = Field(description="Where to poll for progress and the outcome.")


class SearchPageOut(OutModel):
    items: list[SearchOut]


@router.post(
    "/api/leads/discover",
    response_model=DiscoverOut,
    tags=["discovery"],
    summary="Run a discovery search",
    responses={**errors_doc(401, 413, 422, 429, 502),
               202: {"model": SearchStartedOut, "description": "Started in the background (async or large)."}},
)
def discover(body: DiscoverIn, actor: ActorDep, db: DbDep) -> Any:
    """Ask a provider for leads and save each once (duplicates are merged and counted). With
    ``saveToDatabase: false`` nothing is written: each lead is marked new or already known.
    A provider that fails before returning anything answers 429 (rate limit) or 502; one that fails part-way
    answers 200 with ``success: false``, what was saved, and the error."""
    query = SearchQuery(
        text=body.query,
        mode=body.mode,
        location=body.location,
        industry=body.industry,
        tech_stack=body.tech_stack,
        limit=body.limit,
    )
    if body.save_to_database and (body.run_async or body.limit > settings().discover_sync_max):
        search_id = background.start_search(db.uow(), actor, query, provider_name=body.provider)
        started = SearchStartedOut(search_id=search_id, state="queued", poll=f"/api/searches/{search_id}")
        return JSONResponse(status_code=202, content=started.model_dump(by_alias=True))
    result = runs.run_discovery(db.uow(), actor, query, provider_name=body.provider, save=body.save_to_database)
    if result.outcome == "failed":
        extra = {"searchId": result.search_id}
        message = result.error or "The provider returned nothing"
        if result.error_status == 429:
            raise ApiError(429, "rate_limited", message, headers={"Retry-After": "60"}, extra=extra)
        raise ApiError(502, "provider_error", message, field="provider", extra=extra)
    return {
        "success": result.outcome == "ok",
        "leads": result.leads,
        "count": result.count,
        "saved": result.saved,
        "duplicates": result.duplicates,
        "invalid": result.invalid,
        "search_id": result.search_id,
        "provider": result.provider,
        "provider_label": result.provider_label,
        "is_demo": result.is_demo,
        "outcome": result.outcome,
        "error": result.error,
    }


@router.get(
    "/api/searches",
    response_model=SearchPageOut,
    tags=["discovery"],
    summary="Search history",
    responses=errors_doc(401, 422),
)
def list_searches(actor: ActorDep, db: DbDep, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> dict[str, Any]:
    """The team's discovery runs and file imports, newest first, with their counts and outcome."""
    return {"items": runs.list_searches(db.uow(), actor, limit=limit)}


@router.get(
    "/api/searches/{search_id}",
    response_model=SearchProgressOut,
    tags=["discovery"],
    summary="One search: its progress and outcome",
    responses=errors_doc(401, 404, 422),
)
def get_search(search_id: Id, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    """Poll a search started with ``async``: ``state`` is queued or running until it finishes, ``pages``,
    ``returned``, ``saved`` (new) and ``duplicates`` (already known) grow as pages are saved."""
    return background.search_progress(db.uow(), actor, search_id)
