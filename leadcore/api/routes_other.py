"""Discovery, bulk edits, search history and the analytics summary."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from leadcore.analytics import dashboard
from leadcore.api.auth import ActorDep, DbDep
from leadcore.api.docs import errors_doc
from leadcore.api.errors import ApiError
from leadcore.api.filters import filters_from_body, parse_choices, parse_owner_ids
from leadcore.api.schemas import Text
from leadcore.api.schemas_other import (
    AnalyticsSummaryOut,
    BulkResultOut,
    BulkUpdateIn,
    DiscoverIn,
    DiscoverOut,
    SearchPageOut,
)
from leadcore.discovery import runs
from leadcore.discovery.providers.base import SearchQuery
from leadcore.errors import PermissionDenied
from leadcore.grid import listing
from leadcore.intake.candidates import LEAD_TYPES
from leadcore.leads import bulk

router = APIRouter()
BULK_MAX = 10_000


@router.post("/api/leads/discover", response_model=DiscoverOut, tags=["discovery"], summary="Run a discovery search",
             responses=errors_doc(401, 413, 422, 429, 502))
def discover(body: DiscoverIn, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    """Ask a provider for leads and save each once (duplicates are merged and counted). With
    ``saveToDatabase: false`` nothing is written: each lead is marked new or already known.
    A provider that fails before returning anything answers 429 (rate limit) or 502; one that fails part-way
    answers 200 with ``success: false``, what was saved, and the error."""
    query = SearchQuery(text=body.query, mode=body.mode, location=body.location, industry=body.industry,
                        tech_stack=body.tech_stack, limit=body.limit)
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


@router.post("/api/leads/bulk-update", response_model=BulkResultOut, tags=["leads"], summary="Change many leads",
             responses=errors_doc(401, 403, 413, 422))
def bulk_update(body: BulkUpdateIn, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    """One change for the leads in ``ids`` or every lead matching ``filter``, in one transaction. Leads you may
    not change (another rep's) are refused and counted, not failed; other teams' ids count as notFound."""
    if (body.ids is None) == (body.filter is None):
        raise ApiError(422, "invalid_input", "Send either 'ids' or 'filter' (exactly one)", field="ids")
    owner_set = "owner_id" in body.model_fields_set
    edits = bool(body.status or body.add_tags or body.remove_tags or owner_set)
    if body.delete and body.restore:
        raise ApiError(422, "invalid_input", "'delete' and 'restore' cannot both be true", field="restore")
    if (body.delete or body.restore) and edits:
        raise ApiError(422, "invalid_input", "'delete'/'restore' cannot be combined with other changes",
                       field="delete" if body.delete else "restore")
    if not (edits or body.delete or body.restore):
        raise ApiError(422, "invalid_input", "Nothing to change: send status, addTags, removeTags, ownerId, "
                       "delete or restore")
    if body.ids is not None:
        ids = list(body.ids)
    else:
        assert body.filter is not None
        ids = listing.iter_filtered_ids(db.uow(), actor, filters_from_body(body.filter), max_ids=BULK_MAX)
    change = bulk.BulkChange(status=body.status, add_tags=tuple(body.add_tags), remove_tags=tuple(body.remove_tags),
                              delete=body.delete, restore=body.restore)
    if owner_set:
        change = change.with_owner(body.owner_id or None)
    result = bulk.bulk_update(db.uow(), actor, ids, change)
    return {
        "updated": result.updated,
        "unchanged": result.unchanged,
        "refused": result.refused,
        "not_found": result.not_found,
        "refused_ids": result.refused_ids,
        "reasons": {str(k): v for k, v in result.reasons.items()},
    }


@router.get("/api/searches", response_model=SearchPageOut, tags=["discovery"], summary="Search history",
            responses=errors_doc(401, 422))
def list_searches(actor: ActorDep, db: DbDep, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> dict[str, Any]:
    """The team's discovery runs and file imports, newest first, with their counts and outcome."""
    return {"items": runs.list_searches(db.uow(), actor, limit=limit)}


@router.get("/api/analytics/summary", response_model=AnalyticsSummaryOut, tags=["analytics"],
            summary="Status counts, average score, conversion by source query", responses=errors_doc(401, 422))
def analytics_summary(
    actor: ActorDep,
    db: DbDep,
    created_from: Annotated[date | None, Query(alias="createdFrom")] = None,
    created_to: Annotated[date | None, Query(alias="createdTo")] = None,
    owner_id: Annotated[list[Text] | None, Query(alias="ownerId", max_length=100,
                                                 description="User ids; 0 means unassigned.")] = None,
    lead_type: Annotated[list[Text] | None, Query(alias="type", max_length=2)] = None,
    min_sample: Annotated[int, Query(alias="minSample", ge=1, le=1_000_000,
                                     description="Only queries with at least this many leads.")] = 1,
) -> dict[str, Any]:
    """Every team member gets the totals, status counts and average score. The breakdowns (average score by
    status and type, conversion by source query) are managers' analytics: for a rep they are null and
    ``managerView`` is false, rather than the whole call failing."""
    f = dashboard.AnalyticsFilters(created_from=created_from, created_to=created_to,
                                   owner_ids=parse_owner_ids(owner_id),
                                   types=parse_choices(lead_type, LEAD_TYPES, "type"))
    out: dict[str, Any] = {**dashboard.summary(db.uow(), actor, f), "manager_view": False}
    try:
        out["conversion_by_query"] = dashboard.conversion_by_query(db.uow(), actor, f, min_sample=min_sample)
        out["score_by_status"] = dashboard.score_by_status(db.uow(), actor, f)
        out["score_by_type"] = dashboard.score_by_type(db.uow(), actor, f)
        out["manager_view"] = True
    except PermissionDenied:
        out.update(conversion_by_query=None, score_by_status=None, score_by_type=None)
    return out
