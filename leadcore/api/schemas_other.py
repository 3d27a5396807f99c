"""Bodies of the bulk, import, notes, timeline, discovery, search history and analytics endpoints."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints

from leadcore.api.schemas import (
    INT32_MAX,
    NOTES_MAX,
    TAGS_PER_LEAD,
    Id,
    InModel,
    LeadFields,
    LeadFilterBody,
    OutModel,
    Short,
    Status,
    Tag,
    Text,
    UtcDatetime,
)

DISCOVER_MAX = 200  # one HTTP request runs the whole search; bigger runs belong to the CLI or the app


class BulkUpdateIn(InModel):
    """One change applied to the leads listed in ``ids`` or to every lead matching ``filter`` (exactly one)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"ids": [1, 2, 3], "status": "CONTACTED", "addTags": ["q3"]},
        {"filter": {"status": ["NEW"], "scoreMax": 10}, "status": "REJECTED"}]})

    ids: Annotated[list[Id], Field(max_length=10_000)] | None = None
    filter: LeadFilterBody | None = None
    status: Status | None = None
    add_tags: list[Tag] = Field(default_factory=list, max_length=TAGS_PER_LEAD)
    remove_tags: list[Tag] = Field(default_factory=list, max_length=TAGS_PER_LEAD)
    owner_id: Annotated[int, Field(ge=0, le=INT32_MAX)] | None = Field(
        default=None, description="Assign to this user; null or 0 unassigns; leave out to keep owners.")
    delete: bool = Field(default=False, description="Soft-delete the leads instead.")
    restore: bool = Field(default=False, description="Restore soft-deleted leads instead.")


class BulkResultOut(OutModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"updated": 2, "unchanged": 0, "refused": 1, "notFound": 0, "refusedIds": [3],
         "reasons": {"3": "belongs to Sam Rep"}}]})

    updated: int
    unchanged: int
    refused: int = Field(description="Leads you may see but not change (another rep's).")
    not_found: int = Field(description="Ids that do not exist or are not your team's.")
    refused_ids: list[int] = Field(default_factory=list)
    reasons: dict[str, str] = Field(default_factory=dict)


class ImportOut(OutModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"leadId": 42, "contactId": 9, "companyId": 4, "createdContact": True, "createdCompany": False,
         "alreadyImported": False}]})

    lead_id: int
    contact_id: int | None
    company_id: int | None
    created_contact: bool
    created_company: bool
    already_imported: bool = Field(description="True when the lead had been imported before (same records).")


class NoteIn(InModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"text": "Called; wants a demo in March."}]})

    text: Annotated[Text, StringConstraints(min_length=1, max_length=NOTES_MAX)]


class EventOut(OutModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": 5, "kind": "status_changed", "createdAt": "2026-01-05T10:00:00Z", "userId": 3,
         "userName": "Sam Rep", "searchId": None, "data": {"from": "NEW", "to": "CONTACTED"}}]})

    id: int
    kind: str
    created_at: UtcDatetime
    user_id: int | None
    user_name: str | None
    search_id: int | None
    data: dict[str, Any]


class EventPageOut(OutModel):
    items: list[EventOut]


class DiscoverIn(InModel):
    """A discovery search, as the original API took it."""

    model_config = {"json_schema_extra": {"examples": [
        {"query": "VP Engineering fintech", "mode": "individual", "location": "Berlin", "industry": "Fintech",
         "techStack": "python, aws", "limit": 25, "provider": "demo", "saveToDatabase": True}]}}

    query: Annotated[Text, StringConstraints(min_length=1, max_length=500)] = Field(
        description="What to look for.", examples=["VP Engineering fintech"])
    mode: Literal["individual", "company"] = "individual"
    location: Short | None = None
    industry: Short | None = None
    tech_stack: Short | None = Field(default=None, description="Comma separated, as typed.")
    limit: Annotated[int, Field(ge=1, le=DISCOVER_MAX)] = 25
    provider: Annotated[Text, StringConstraints(max_length=50)] | None = Field(
        default=None, description="demo, apollo or hunter; default: the server's configured provider.",
        examples=["demo"])
    save_to_database: bool = Field(default=True, description="False previews: nothing is written.")


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
    model_config = {"json_schema_extra": {"examples": [
        {"success": True, "leads": [], "count": 25, "saved": 20, "duplicates": 5, "invalid": 0, "searchId": 7,
         "provider": "demo", "providerLabel": "Demo data (offline)", "isDemo": True, "outcome": "ok",
         "error": None}]}}

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
    model_config = {"json_schema_extra": {"examples": [
        {"id": 7, "provider": "demo", "query": "VP Engineering fintech", "mode": "individual", "requested": 25,
         "returned": 25, "saved": 20, "duplicates": 5, "invalid": 0, "outcome": "ok",
         "startedAt": "2026-01-05T10:00:00Z", "userId": 3, "userName": "Sam Rep", "duplicateRate": 0.2}]}}

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


class SearchPageOut(OutModel):
    items: list[SearchOut]


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

    model_config = {"json_schema_extra": {"examples": [
        {"total": 200, "newThisWeek": 30, "averageScore": 54.2, "imported": 12, "importedPct": 6.0,
         "statusCounts": {"NEW": 120, "CONTACTED": 40, "QUALIFIED": 20, "IMPORTED": 12, "REJECTED": 5,
                          "ARCHIVED": 3},
         "scoreByStatus": None, "scoreByType": None, "conversionByQuery": None, "managerView": False}]}}

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
