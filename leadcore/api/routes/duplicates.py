"""Duplicate review over HTTP: the team's pairs, dismissing one, merging, unmerging and undoing an import run."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from leadcore.api.auth import ActorDep, DbDep
from leadcore.api.docs import errors_doc
from leadcore.api.schemas import Id, InModel, OutModel
from leadcore.duplicates import merge, queue, scan, undo
from leadcore.duplicates.scoring import MIN_SCORE

router = APIRouter()


class PairOut(OutModel):
    a: int
    b: int
    score: float
    reasons: list[str]


class PairsOut(OutModel):
    pairs: list[PairOut]


class MergeIn(InModel):
    other_id: Id
    take: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list, max_length=40)


class MergeOut(OutModel):
    merge_id: int
    lead_id: int


class UnmergeOut(OutModel):
    merge_id: int
    lead_id: int
    other_id: int
    kept_edits: list[str]


class UndoOut(OutModel):
    removed: int
    reverted: int
    kept: int
    reasons: list[str]


@router.get("/api/duplicates", response_model=PairsOut, tags=["duplicates"], summary="Near-duplicate pairs",
            responses=errors_doc(401, 422))
def list_duplicates(
    actor: ActorDep, db: DbDep,
    min_score: Annotated[float, Query(alias="minScore", ge=0, le=1)] = MIN_SCORE,
    rescan: Annotated[bool, Query(description="Scan the team first (incremental: only new leads)")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """The team's open pairs, best first, with the reasons for each."""
    if rescan:
        scan.scan_team(db.uow(), actor, incremental=True)
    return {"pairs": [p.as_dict() for p in queue.list_pairs(db.uow(), actor, min_score=min_score, limit=limit)]}


@router.post("/api/duplicates/{a}/{b}/dismiss", status_code=204, tags=["duplicates"],
             summary="Not a duplicate", responses=errors_doc(401, 404, 422))
def dismiss(a: Id, b: Id, actor: ActorDep, db: DbDep) -> None:
    """Mark the pair as not a duplicate; later scans never bring it back."""
    queue.dismiss(db.uow(), actor, a, b)


@router.post("/api/leads/{lead_id}/merge", response_model=MergeOut, tags=["duplicates"],
             summary="Merge another lead into this one", responses=errors_doc(401, 403, 404, 422))
def merge_into(lead_id: Id, body: MergeIn, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    """Keep this lead; take the fields named in ``take`` from ``otherId`` (and any this lead lacks)."""
    result = merge.merge_leads(db.uow(), actor, lead_id, body.other_id, take=body.take)
    return {"merge_id": result.merge_id, "lead_id": result.lead_id}


@router.post("/api/merges/{merge_id}/undo", response_model=UnmergeOut, tags=["duplicates"],
             summary="Unmerge", responses=errors_doc(401, 403, 404, 422))
def undo_merge(merge_id: Id, actor: ActorDep, db: DbDep,
               keep_edits: Annotated[bool, Query(alias="keepEdits")] = False) -> dict[str, Any]:
    """Restore both leads as they were; refuses (422) when the kept lead was edited since in a merged field,
    unless ``keepEdits``."""
    out = merge.unmerge(db.uow(), actor, merge_id, keep_edits=keep_edits)
    return {"merge_id": out["mergeId"], "lead_id": out["leadId"], "other_id": out["otherId"],
            "kept_edits": out["keptEdits"]}


@router.post("/api/searches/{search_id}/undo", response_model=UndoOut, tags=["duplicates"],
             summary="Undo an import or discovery run", responses=errors_doc(401, 403, 404, 422))
def undo_search(search_id: Id, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    """Managers: remove what the run created (untouched since) and empty the fields it filled."""
    return undo.undo_search(db.uow(), actor, search_id).as_dict()
