"""The grid's filters as query parameters (shared by GET /api/leads and the CSV export) and as JSON (bulk)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from leadcore.api.errors import ApiError
from leadcore.api.schemas import INT32_MAX, LeadFilterBody, Text
from leadcore.grid.filters import LeadFilters
from leadcore.intake.candidates import LEAD_TYPES, STATUSES


def _split(values: list[str] | None) -> list[str]:
    """Repeated and comma-separated values alike: ``?status=NEW&status=CONTACTED`` = ``?status=NEW,CONTACTED``."""
    return [part.strip() for v in values or [] for part in v.split(",") if part.strip()]


def parse_choices(values: list[str] | None, allowed: tuple[str, ...], field: str) -> tuple[str, ...]:
    out = []
    for v in _split(values):
        if v.upper() not in allowed:
            raise ApiError(422, "invalid_input", f"{field} must be one of {', '.join(allowed)}, got '{v[:40]}'",
                           field=field)
        out.append(v.upper())
    return tuple(dict.fromkeys(out))


def parse_owner_ids(values: list[str] | None) -> tuple[int, ...]:
    out = []
    for v in _split(values):
        if not v.isdigit() or not v.isascii() or int(v) > INT32_MAX:
            raise ApiError(422, "invalid_input", f"ownerId must be a user id or 0 (unassigned), got '{v[:40]}'",
                           field="ownerId")
        out.append(int(v))
    return tuple(dict.fromkeys(out))


def lead_filters(
    status: Annotated[list[Text] | None, Query(
        max_length=100, examples=["NEW,CONTACTED"],
        description="NEW, CONTACTED, QUALIFIED, IMPORTED, REJECTED, ARCHIVED; repeat or comma-separate.")] = None,
    lead_type: Annotated[list[Text] | None, Query(
        max_length=100, alias="type", description="INDIVIDUAL or COMPANY.")] = None,
    owner_id: Annotated[list[Text] | None, Query(
        max_length=100, alias="ownerId", description="User ids; 0 means unassigned.")] = None,
    tags: Annotated[list[Text] | None, Query(max_length=100, description="Leads with any of these tags.")] = None,
    score_min: Annotated[int | None, Query(alias="scoreMin", ge=0, le=100)] = None,
    score_max: Annotated[int | None, Query(alias="scoreMax", ge=0, le=100)] = None,
    created_from: Annotated[date | None, Query(alias="createdFrom", description="YYYY-MM-DD, inclusive.")] = None,
    created_to: Annotated[date | None, Query(alias="createdTo", description="YYYY-MM-DD, inclusive.")] = None,
    search_id: Annotated[int | None, Query(alias="searchId", ge=1, le=INT32_MAX)] = None,
    search_query: Annotated[Text | None, Query(alias="searchQuery", max_length=500)] = None,
    imported: Annotated[bool | None, Query()] = None,
    q: Annotated[Text | None, Query(max_length=200, description="Free text over name, email, company, job title, "
                                                                "location and industry.")] = None,
    deleted: Annotated[bool, Query(description="True lists the trash (soft-deleted leads).")] = False,
) -> LeadFilters:
    """The query parameters as a validated LeadFilters (422 naming the parameter otherwise)."""
    f = LeadFilters(
        statuses=parse_choices(status, STATUSES, "status"),
        types=parse_choices(lead_type, LEAD_TYPES, "type"),
        owner_ids=parse_owner_ids(owner_id),
        tags=tuple(dict.fromkeys(_split(tags))),
        score_min=score_min,
        score_max=score_max,
        created_from=created_from,
        created_to=created_to,
        search_id=search_id,
        search_query=(search_query or "").strip() or None,
        imported=imported,
        q=(q or "").strip() or None,
        deleted=deleted,
    )
    return f.validated()


FiltersDep = Annotated[LeadFilters, Depends(lead_filters)]


def filters_from_body(body: LeadFilterBody) -> LeadFilters:
    """The JSON filter of a bulk action as LeadFilters."""
    return LeadFilters(
        statuses=tuple(dict.fromkeys(body.status)),
        types=tuple(dict.fromkeys(body.type)),
        owner_ids=tuple(dict.fromkeys(body.owner_id)),
        tags=tuple(dict.fromkeys(t.strip() for t in body.tags if t.strip())),
        score_min=body.score_min,
        score_max=body.score_max,
        created_from=body.created_from,
        created_to=body.created_to,
        search_id=body.search_id,
        search_query=(body.search_query or "").strip() or None,
        imported=body.imported,
        q=(body.q or "").strip() or None,
        deleted=body.deleted,
    ).validated()
