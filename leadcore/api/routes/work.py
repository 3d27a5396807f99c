"""/api/assignment-rules, /api/leads/{id}/activities and /tasks, /api/tasks, /api/views: routing and the rep's day."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import Field, StringConstraints
from pydantic.alias_generators import to_camel

from leadcore.api.auth import ActorDep, DbDep
from leadcore.api.docs import errors_doc
from leadcore.api.schemas import INT32_MAX, Id, InModel, OutModel, Short, Text, UtcDatetime
from leadcore.errors import InvalidInput
from leadcore.work import activities, assignment, tasks, views

router = APIRouter(tags=["work"])
LeadId = Annotated[int, Path(alias="id", ge=1, le=INT32_MAX, description="The lead's id.")]
ItemId = Annotated[int, Path(alias="id", ge=1, le=INT32_MAX)]
Name = Annotated[Text, StringConstraints(min_length=1, max_length=200)]


class ConditionsIn(InModel):
    types: list[Literal["INDIVIDUAL", "COMPANY"]] | None = None
    industries: list[Short] | None = None
    location_contains: Short | None = None
    min_score: int | None = Field(default=None, ge=0, le=100)
    max_score: int | None = Field(default=None, ge=0, le=100)
    tags: list[Short] | None = None
    search_query_contains: Short | None = None
    sources: list[Short] | None = None
    search_id: Id | None = None


class RuleIn(InModel):
    name: Name
    conditions: ConditionsIn = Field(default_factory=ConditionsIn)
    strategy: Literal["fixed", "round_robin", "least_loaded"]
    assignee_ids: list[Id]
    capacity: int | None = Field(default=None, ge=1, le=INT32_MAX)
    active: bool = True
    position: int | None = Field(default=None, ge=0, le=INT32_MAX)

    def spec(self) -> dict[str, Any]:
        out = self.model_dump(by_alias=False)
        out["conditions"] = self.conditions.model_dump(by_alias=False, exclude_none=True)
        return out


class RuleOut(OutModel):
    id: int
    name: str
    position: int
    active: bool
    conditions: dict[str, Any]
    strategy: str
    assignee_ids: list[int]
    capacity: int | None


def _rule_out(rule: dict[str, Any]) -> dict[str, Any]:
    """Conditions in the API's camelCase, as the request names them."""
    return {**rule, "conditions": {to_camel(k): v for k, v in rule["conditions"].items()}}


class ApplyIn(InModel):
    dry_run: bool = True


class ApplyOut(OutModel):
    assigned: int
    by_user: dict[str, int]
    unmatched: int


class ActivityIn(InModel):
    kind: Literal["call", "email", "meeting", "other"]
    outcome: Short | None = None
    occurred_at: UtcDatetime | None = Field(default=None, description="ISO time with offset; default now.")
    duration_minutes: int | None = Field(default=None, ge=0, le=1440)
    note: Annotated[Text, StringConstraints(max_length=activities.NOTE_MAX)] | None = None


class ActivityOut(OutModel):
    id: int
    lead_id: int
    occurred_at: UtcDatetime
    first_touch: bool = Field(description="The lead's first activity while it is NEW: offer to mark it CONTACTED.")


class TaskIn(InModel):
    title: Annotated[Text, StringConstraints(min_length=1, max_length=tasks.TITLE_MAX)]
    due_at: UtcDatetime
    assignee_id: Id | None = None


class TaskOut(OutModel):
    id: int
    lead_id: int
    title: str
    due_at: UtcDatetime
    assignee_id: int | None
    done_at: UtcDatetime | None = None
    snoozed: int = 0
    bucket: str | None = None
    lead_name: str | None = None
    company: str | None = None


class TaskPageOut(OutModel):
    items: list[TaskOut]


class SnoozeIn(InModel):
    until: UtcDatetime


class ViewIn(InModel):
    name: Name
    filters: dict[str, Any] = Field(default_factory=dict, description="Named as GET /api/leads names them.")
    sort: Literal["score", "created", "updated", "name"] | None = None
    columns: list[Short] | None = None
    shared: bool = False


class ViewOut(OutModel):
    id: int | None
    name: str
    filters: dict[str, Any]
    sort: str | None
    columns: list[str] | None
    shared: bool
    builtin: bool


class ViewPageOut(OutModel):
    items: list[ViewOut]


@router.get("/api/assignment-rules", response_model=list[RuleOut], summary="The team's assignment rules, in order",
            responses=errors_doc(401, 403))
def list_rules(actor: ActorDep, db: DbDep) -> list[dict[str, Any]]:
    return [_rule_out(r) for r in assignment.list_rules(db.uow(), actor)]


@router.post("/api/assignment-rules", response_model=RuleOut, status_code=201, summary="Add an assignment rule",
             responses=errors_doc(401, 403, 413, 422))
def create_rule(body: RuleIn, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    return _rule_out(assignment.create_rule(db.uow(), actor, body.spec()))


@router.post("/api/assignment-rules/apply", response_model=ApplyOut,
             summary="Route the unassigned leads through the rules (dryRun: only predict)",
             responses=errors_doc(401, 403, 413, 422))
def apply_rules(body: ApplyIn, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    r = assignment.apply_rules(db.uow(), actor, dry_run=body.dry_run)
    return {"assigned": r.assigned, "by_user": {str(u): n for u, n in r.by_user.items()}, "unmatched": r.unmatched}


@router.put("/api/assignment-rules/{id}", response_model=RuleOut, summary="Replace an assignment rule",
            responses=errors_doc(401, 403, 404, 413, 422))
def update_rule(rule_id: ItemId, body: RuleIn, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    return _rule_out(assignment.update_rule(db.uow(), actor, rule_id, body.spec()))


@router.delete("/api/assignment-rules/{id}", status_code=204, summary="Delete an assignment rule",
               responses=errors_doc(401, 403, 404, 422))
def delete_rule(rule_id: ItemId, actor: ActorDep, db: DbDep) -> Response:
    assignment.delete_rule(db.uow(), actor, rule_id)
    return Response(status_code=204)


@router.post("/api/leads/{id}/activities", response_model=ActivityOut, status_code=201,
             summary="Log a call, email, meeting or other touch", responses=errors_doc(401, 403, 404, 413, 422))
def log_activity(lead_id: LeadId, body: ActivityIn, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    logged = activities.log_activity(db.uow(), actor, lead_id, kind=body.kind, outcome=body.outcome,
                                     occurred_at=body.occurred_at, duration_minutes=body.duration_minutes,
                                     note=body.note)
    return dataclasses.asdict(logged)


@router.post("/api/leads/{id}/tasks", response_model=TaskOut, status_code=201, summary="Plan a follow-up task",
             responses=errors_doc(401, 403, 404, 413, 422))
def create_task(lead_id: LeadId, body: TaskIn, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    return tasks.create_task(db.uow(), actor, lead_id, title=body.title, due_at=body.due_at,
                             assignee_id=body.assignee_id)


@router.get("/api/tasks", response_model=TaskPageOut, summary="Open tasks of a teammate by due date",
            responses=errors_doc(401, 404, 422))
def list_tasks(actor: ActorDep, db: DbDep,
               assignee: Annotated[str, Query(description="me or a user id")] = "me",
               due: Annotated[Literal["overdue", "today", "upcoming", "all"], Query()] = "all") -> dict[str, Any]:
    if assignee == "me":
        who = actor.user_id
    elif assignee.isdigit() and 0 < int(assignee) <= INT32_MAX:
        who = int(assignee)
    else:
        raise InvalidInput("assignee must be 'me' or a user id", field="assignee")
    return {"items": [t.as_dict() for t in tasks.list_tasks(db.uow(), actor, assignee_id=who, due=due)]}


@router.post("/api/tasks/{id}/complete", status_code=204, summary="Mark a task done",
             responses=errors_doc(401, 403, 404, 422))
def complete_task(task_id: ItemId, actor: ActorDep, db: DbDep) -> Response:
    tasks.complete_task(db.uow(), actor, task_id)
    return Response(status_code=204)


@router.post("/api/tasks/{id}/snooze", status_code=204, summary="Move a task's due time",
             responses=errors_doc(401, 403, 404, 413, 422))
def snooze_task(task_id: ItemId, body: SnoozeIn, actor: ActorDep, db: DbDep) -> Response:
    tasks.snooze_task(db.uow(), actor, task_id, until=body.until)
    return Response(status_code=204)


@router.get("/api/views", response_model=ViewPageOut, summary="Saved grid views: built-in, mine, shared",
            responses=errors_doc(401))
def list_views(actor: ActorDep, db: DbDep) -> dict[str, Any]:
    return {"items": views.list_views(db.uow(), actor)}


@router.post("/api/views", response_model=ViewOut, status_code=201, summary="Save a grid view",
             responses=errors_doc(401, 413, 422))
def save_view(body: ViewIn, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    return views.save_view(db.uow(), actor, name=body.name, filters=body.filters, sort=body.sort,
                           columns=body.columns, shared=body.shared)


@router.delete("/api/views/{id}", status_code=204, summary="Delete a saved view",
               responses=errors_doc(401, 403, 404, 422))
def delete_view(view_id: ItemId, actor: ActorDep, db: DbDep) -> Response:
    views.delete_view(db.uow(), actor, view_id)
    return Response(status_code=204)
