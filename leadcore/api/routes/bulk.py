"""/api/leads/bulk-update: change many leads (picked ids or a whole filter) in one transaction."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import ConfigDict, Field

from leadcore.api.auth import ActorDep, DbDep
from leadcore.api.docs import errors_doc
from leadcore.api.errors import ApiError
from leadcore.api.filters import filters_from_body
from leadcore.api.schemas import (
    INT32_MAX,
    TAGS_PER_LEAD,
    Id,
    InModel,
    LeadFilterBody,
    OutModel,
    Status,
    Tag,
)
from leadcore.grid import selection
from leadcore.leads import bulk, undo

router = APIRouter()
BatchId = Annotated[int, Path(ge=1, le=INT32_MAX, description="The batchId a bulk change answered.")]
BULK_MAX = 10_000


class BulkUpdateIn(InModel):
    """One change applied to the leads listed in ``ids`` or to every lead matching ``filter`` (exactly one)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"ids": [1, 2, 3], "status": "CONTACTED", "addTags": ["q3"]},
                {"filter": {"status": ["NEW"], "scoreMax": 10}, "status": "REJECTED"},
            ]
        }
    )

    ids: Annotated[list[Id], Field(max_length=10_000)] | None = None
    filter: LeadFilterBody | None = None
    status: Status | None = None
    add_tags: list[Tag] = Field(default_factory=list, max_length=TAGS_PER_LEAD)
    remove_tags: list[Tag] = Field(default_factory=list, max_length=TAGS_PER_LEAD)
    owner_id: Annotated[int, Field(ge=0, le=INT32_MAX)] | None = Field(
        default=None, description="Assign to this user; null or 0 unassigns; leave out to keep owners."
    )
    delete: bool = Field(default=False, description="Soft-delete the leads instead.")
    restore: bool = Field(default=False, description="Restore soft-deleted leads instead.")


class BulkResultOut(OutModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "updated": 2,
                    "unchanged": 0,
                    "refused": 1,
                    "notFound": 0,
                    "refusedIds": [3],
                    "reasons": {"3": "belongs to Sam Rep"},
                    "batchId": 12,
                }
            ]
        }
    )

    updated: int
    unchanged: int
    refused: int = Field(description="Leads you may see but not change (another rep's).")
    not_found: int = Field(description="Ids that do not exist or are not your team's.")
    refused_ids: list[int] = Field(default_factory=list)
    reasons: dict[str, str] = Field(default_factory=dict)
    batch_id: int | None = Field(default=None, description="Undo this change with POST "
                                 "/api/leads/bulk-update/{batchId}/undo (null when nothing changed).")


@router.post(
    "/api/leads/bulk-update",
    response_model=BulkResultOut,
    tags=["leads"],
    summary="Change many leads",
    responses=errors_doc(401, 403, 413, 422),
)
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
        raise ApiError(
            422,
            "invalid_input",
            "'delete'/'restore' cannot be combined with other changes",
            field="delete" if body.delete else "restore",
        )
    if not (edits or body.delete or body.restore):
        raise ApiError(
            422, "invalid_input", "Nothing to change: send status, addTags, removeTags, ownerId, delete or restore"
        )
    if body.ids is not None:
        ids = list(body.ids)
    else:
        assert body.filter is not None
        ids = selection.iter_filtered_ids(db.uow(), actor, filters_from_body(body.filter), max_ids=BULK_MAX)
    change = bulk.BulkChange(
        status=body.status,
        add_tags=tuple(body.add_tags),
        remove_tags=tuple(body.remove_tags),
        delete=body.delete,
        restore=body.restore,
    )
    if owner_set:
        change = change.with_owner(body.owner_id or None)
    result = bulk.bulk_update(db.uow(), actor, ids, change)
    return {
        "updated": result.updated,
        "unchanged": result.unchanged,
        "refused": result.refused,
        "not_found": result.not_found,
        "refused_ids": result.refused_ids,
        "reasons": {str(k): f"belongs to {v}" for k, v in result.reasons.items()},
        "batch_id": result.batch_id,
    }


class UndoOut(OutModel):
    restored: int = Field(description="Leads put back as they were before the bulk action.")
    changed_since: int = Field(description="Leads left alone: someone changed what the action set since.")
    gone: int = Field(description="Leads purged since.")


@router.post(
    "/api/leads/bulk-update/{batch_id}/undo",
    response_model=UndoOut,
    tags=["leads"],
    summary="Undo a bulk change",
    responses=errors_doc(401, 403, 404, 422),
)
def undo_bulk_update(batch_id: BatchId, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    """Put every lead a bulk change touched (its ``batchId``) back as it was, in one transaction. Only its author
    or a manager may; a second undo answers 422. Fields someone changed again since keep that later value."""
    result = undo.undo_batch(db.uow(), actor, batch_id)
    return {"restored": result.restored, "changed_since": result.changed_since, "gone": result.gone}
