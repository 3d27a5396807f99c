"""/api/analytics/summary: status counts, scores and conversion by search query."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from leadcore.analytics import dashboard
from leadcore.api.auth import ActorDep, DbDep
from leadcore.api.docs import errors_doc
from leadcore.api.filters import parse_choices, parse_owner_ids
from leadcore.api.schemas import (
    OutModel,
    Text,
)
from leadcore.intake.candidates import LEAD_TYPES
from leadcore.work import activities

router = APIRouter()


class ScoreGroup(OutModel):
    count: int
    avg_score: float | None
    status: str | None = None
    type: str | None = None


class ConversionRow(OutModel):
    query: str = Field(examples=["VP Engineering fintech"], description="'(no query)' for leads without one.")
    search_query: str | None = Field(description="The grid's searchQuery filter value (null for '(no query)').")
    found: int
    contacted: int
    qualified: int
    imported: int
    rate: float | None = Field(description="imported / found, 0–1.")
    qualified_rate: float | None
    avg_score: float | None


class AnalyticsSummaryOut(OutModel):
    """Numbers every team member may read, plus the managers' breakdowns (null for a rep)."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "total": 200,
                    "newThisWeek": 30,
                    "averageScore": 54.2,
                    "imported": 12,
                    "importedPct": 6.0,
                    "statusCounts": {
                        "NEW": 120,
                        "CONTACTED": 40,
                        "QUALIFIED": 20,
                        "IMPORTED": 12,
                        "REJECTED": 5,
                        "ARCHIVED": 3,
                    },
                    "scoreByStatus": None,
                    "scoreByType": None,
                    "conversionByQuery": None,
                    "managerView": False,
                }
            ]
        }
    }

    total: int
    new_this_week: int
    average_score: float | None
    imported: int
    imported_pct: float | None
    status_counts: dict[str, int]
    manager_view: bool = Field(description="False for a rep: the manager-only parts below are null.")
    score_by_status: list[ScoreGroup] | None = None
    score_by_type: list[ScoreGroup] | None = None
    conversion_by_query: list[ConversionRow] | None = None
    first_touch: dict[str, float | None] | None = Field(
        default=None, description="Time to first touch over the last 90 days: medianHours, p90Hours, "
                                  "untouchedAfter24h (share of day-old leads untouched in their first 24 h).")


@router.get(
    "/api/analytics/summary",
    response_model=AnalyticsSummaryOut,
    tags=["analytics"],
    summary="Status counts, average score, conversion by source query",
    responses=errors_doc(401, 422),
)
def analytics_summary(
    actor: ActorDep,
    db: DbDep,
    created_from: Annotated[date | None, Query(alias="createdFrom")] = None,
    created_to: Annotated[date | None, Query(alias="createdTo")] = None,
    owner_id: Annotated[
        list[Text] | None, Query(alias="ownerId", max_length=100, description="User ids; 0 means unassigned.")
    ] = None,
    lead_type: Annotated[list[Text] | None, Query(alias="type", max_length=2)] = None,
    min_sample: Annotated[
        int, Query(alias="minSample", ge=1, le=1_000_000, description="Only queries with at least this many leads.")
    ] = 1,
) -> dict[str, Any]:
    """Every team member gets the totals, status counts and average score. The breakdowns (average score by
    status and type, conversion by source query) are managers' analytics: for a rep they are null and
    ``managerView`` is false, rather than the whole call failing."""
    f = dashboard.AnalyticsFilters(
        created_from=created_from,
        created_to=created_to,
        owner_ids=parse_owner_ids(owner_id),
        types=parse_choices(lead_type, LEAD_TYPES, "type"),
    )
    out = dashboard.team_summary(db.uow(), actor, f, min_sample=min_sample)
    return {**out, "first_touch": activities.first_touch(db.uow(), actor)}
