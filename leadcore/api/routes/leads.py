"""/api/leads: the grid, one lead, its edits (optimistic concurrency), delete/restore, notes, timeline, import, CSV."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

from leadcore import events
from leadcore.api.auth import ActorDep, DbDep
from leadcore.api.docs import errors_doc
from leadcore.api.errors import ApiError
from leadcore.api.filters import FiltersDep
from leadcore.api.schemas import (
    INT32_MAX,
    NOTES_MAX,
    InModel,
    LeadDetail,
    LeadPageOut,
    LeadUpdate,
    OutModel,
    StaleOut,
    Text,
    UtcDatetime,
)
from leadcore.errors import StaleLead
from leadcore.grid import export, listing
from leadcore.leads import conversion, edits

router = APIRouter(tags=["leads"])
LeadId = Annotated[int, Path(alias="id", ge=1, le=INT32_MAX, description="The lead's id.", examples=[42])]
ETAG = {
    "ETag": {
        "description": 'The lead\'s version, quoted (`"3"`): send it back in If-Match.',
        "schema": {"type": "string"},
    }
}


class ImportOut(OutModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "leadId": 42,
                    "contactId": 9,
                    "companyId": 4,
                    "createdContact": True,
                    "createdCompany": False,
                    "alreadyImported": False,
                }
            ]
        }
    )

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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 5,
                    "kind": "status_changed",
                    "createdAt": "2026-01-05T10:00:00Z",
                    "userId": 3,
                    "userName": "Sam Rep",
                    "searchId": None,
                    "data": {"from": "NEW", "to": "CONTACTED"},
                }
            ]
        }
    )

    id: int
    kind: str
    created_at: UtcDatetime
    user_id: int | None
    user_name: str | None
    search_id: int | None
    data: dict[str, Any]


class EventPageOut(OutModel):
    items: list[EventOut]


class CSVResponse(StreamingResponse):
    media_type = "text/csv"


@router.get("/api/leads", response_model=LeadPageOut, summary="List the team's leads", responses=errors_doc(401, 422))
def list_leads(
    actor: ActorDep,
    db: DbDep,
    filters: FiltersDep,
    sort: Annotated[
        Literal["score", "created", "updated", "name"],
        Query(description="Highest score first by default; name sorts A→Z."),
    ] = "score",
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    cursor: Annotated[str | None, Query(max_length=1000, description="nextCursor of the previous page.")] = None,
) -> dict[str, Any]:
    """The grid: filters, free-text search, sort and cursor pagination (20 a page by default, 200 at most)."""
    page = listing.list_leads(db.uow(), actor, filters, sort=sort, limit=limit, cursor=cursor)
    return {
        "items": page.items,
        "total": page.total,
        "total_is_estimate": page.total_is_estimate,
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/api/leads/export.csv",
    response_class=CSVResponse,
    summary="Export the filter as CSV",
    responses={
        200: {
            "description": "Every column of every matching lead, streamed; cells that a "
            "spreadsheet would run as a formula are neutralized.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "headers": {"Content-Disposition": {"schema": {"type": "string"}}},
        },
        **errors_doc(401, 422, non_json_route=True),
    },
)
def export_leads(actor: ActorDep, db: DbDep, filters: FiltersDep) -> CSVResponse:
    """The same filters as the grid; streamed, so any size works."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return CSVResponse(
        export.export_csv(db.uow(), actor, filters),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="leads-{stamp}.csv"'},
    )


@router.get(
    "/api/leads/{id}",
    response_model=LeadDetail,
    summary="One lead",
    responses={200: {"headers": ETAG}, **errors_doc(401, 404, 422)},
)
def get_lead(lead_id: LeadId, actor: ActorDep, db: DbDep, response: Response) -> dict[str, Any]:
    """Every field, the provider's raw record and the score breakdown. Another team's lead is a 404."""
    lead = edits.get_lead(db.uow(), actor, lead_id)
    response.headers["ETag"] = f'"{lead["version"]}"'
    return lead


def _version(if_match: str | None, body_version: int | None) -> int:
    """The version the client read: from If-Match ("3", W/"3" or 3) or the body; 428 when neither says."""
    header: int | None = None
    if if_match is not None and if_match.strip():
        raw = if_match.strip().removeprefix("W/").strip('"').strip()
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= INT32_MAX):
            raise ApiError(422, "invalid_input", 'If-Match must be the lead\'s version, e.g. "3"', field="If-Match")
        header = int(raw)
    if header is not None and body_version is not None and header != body_version:
        raise ApiError(
            422, "invalid_input", f"If-Match says version {header} but the body says {body_version}", field="version"
        )
    version = header if header is not None else body_version
    if version is None:
        raise ApiError(
            428,
            "precondition_required",
            "Send the version you read, in If-Match or the body's 'version', so that nobody's change is overwritten",
            field="version",
        )
    return version


@router.put(
    "/api/leads/{id}",
    response_model=LeadDetail,
    summary="Change a lead (partial)",
    responses={
        200: {"headers": ETAG},
        409: {
            "model": StaleOut,
            "description": "Someone changed the lead since you read it: "
            "nothing was written; `current` holds the lead as it is now.",
        },
        **errors_doc(401, 403, 404, 413, 422, 428),
    },
)
def update_lead(
    lead_id: LeadId,
    body: LeadUpdate,
    actor: ActorDep,
    db: DbDep,
    response: Response,
    if_match: Annotated[
        str | None, Header(alias="If-Match", max_length=100, description='The version you read: "3".')
    ] = None,
) -> dict[str, Any]:
    """Only the fields sent change. Reps change their own and unassigned leads; managers any of the team's."""
    expected = _version(if_match, body.version)
    changes = body.model_dump(exclude_unset=True, exclude={"version"}, by_alias=False)
    if changes.get("owner_id") == 0:
        changes["owner_id"] = None
    try:
        lead = edits.update_lead(db.uow(), actor, lead_id, changes, expected_version=expected)
    except StaleLead as e:
        current = LeadDetail.model_validate(edits.get_lead(db.uow(), actor, lead_id))
        raise ApiError(
            409,
            "stale",
            str(e),
            field="version",
            headers={"ETag": f'"{current.version}"'},
            extra={"current": current.model_dump(mode="json", by_alias=True),
                   "conflicts": {to_camel(k): {"yours": _json(y), "theirs": _json(t)}
                                 for k, (y, t) in e.conflicts.items()}},
        ) from None
    response.headers["ETag"] = f'"{lead["version"]}"'
    return lead


def _json(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


@router.delete(
    "/api/leads/{id}",
    status_code=204,
    response_class=Response,
    summary="Delete a lead (soft)",
    responses={204: {"description": "Deleted; POST …/restore brings it back."}, **errors_doc(401, 403, 404, 422)},
)
def delete_lead(lead_id: LeadId, actor: ActorDep, db: DbDep) -> Response:
    """The lead leaves the grid (see ``deleted=true``) and still blocks a second copy. Deleting twice is fine."""
    edits.delete_lead(db.uow(), actor, lead_id)
    return Response(status_code=204)


@router.post(
    "/api/leads/{id}/restore",
    response_model=LeadDetail,
    summary="Restore a deleted lead",
    responses=errors_doc(401, 403, 404, 422),
)
def restore_lead(lead_id: LeadId, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    edits.restore_lead(db.uow(), actor, lead_id)
    return edits.get_lead(db.uow(), actor, lead_id)


@router.post(
    "/api/leads/{id}/import",
    response_model=ImportOut,
    summary="Import as contact/company",
    responses=errors_doc(401, 403, 404, 422),
)
def import_lead(lead_id: LeadId, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    """An INDIVIDUAL lead becomes a contact (and its company, matched by domain); a COMPANY lead a company.
    Idempotent: importing again answers the same ids with ``alreadyImported: true``."""
    return dataclasses.asdict(conversion.import_lead(db.uow(), actor, lead_id))


@router.post(
    "/api/leads/{id}/notes",
    response_model=EventOut,
    status_code=201,
    summary="Add a note",
    responses=errors_doc(401, 404, 413, 422),
)
def add_note(lead_id: LeadId, body: NoteIn, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    """Any team member may comment; the note joins the lead's timeline."""
    edits.add_note(db.uow(), actor, lead_id, body.text)
    entry = events.timeline(db.uow(), actor, lead_id, limit=1)[0]
    return dataclasses.asdict(entry)


@router.get(
    "/api/leads/{id}/events",
    response_model=EventPageOut,
    summary="The lead's timeline",
    responses=errors_doc(401, 404, 422),
)
def lead_events(
    lead_id: LeadId, actor: ActorDep, db: DbDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> dict[str, Any]:
    """Every change with who and when, newest first: created, status changed, notes, tags, import, …"""
    return {"items": [dataclasses.asdict(e) for e in events.timeline(db.uow(), actor, lead_id, limit=limit)]}
