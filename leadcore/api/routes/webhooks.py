"""/api/webhooks: signed webhook endpoints of the team (managers and admins), their delivery log and a test ping."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Path, Query, Response
from pydantic import Field

from leadcore.api.auth import ActorDep, DbDep
from leadcore.api.docs import errors_doc
from leadcore.api.schemas import INT32_MAX, InModel, OutModel, UtcDatetime
from leadcore.webhooks import delivery, endpoints

router = APIRouter(tags=["webhooks"])
HookId = Annotated[int, Path(alias="id", ge=1, le=INT32_MAX, description="The webhook endpoint's id.")]


class WebhookIn(InModel):
    url: str = Field(max_length=2000, examples=["https://crm.example.com/hooks/leads"])
    event_types: list[str] = Field(min_length=1, examples=[["lead.created", "lead.updated"]],
                                   description=f"Any of {', '.join(endpoints.EVENT_TYPES)}.")


class WebhookOut(OutModel):
    id: int
    url: str
    event_types: list[str]
    status: str = Field(examples=["active"], description="active or disabled (see statusReason)")
    status_reason: str | None = None
    consecutive_failures: int
    retry_at: UtcDatetime | None = None
    pending: int
    created_at: UtcDatetime


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Shown only in this answer: verify X-Leadcore-Signature with it.")


class AttemptOut(OutModel):
    id: int
    delivery_id: int
    event_id: int
    event_type: str
    lead_id: int | None
    attempted_at: UtcDatetime
    ok: bool
    status_code: int | None
    error: str | None
    request_excerpt: str | None
    response_excerpt: str | None
    delivery_status: str


class TestOut(OutModel):
    ok: bool
    status_code: int | None
    error: str | None
    response_excerpt: str | None


@router.get("/api/webhooks", response_model=list[WebhookOut], summary="The team's webhook endpoints",
            responses=errors_doc(401, 403))
def list_webhooks(actor: ActorDep, db: DbDep) -> list[dict[str, Any]]:
    return [dataclasses.asdict(e) for e in endpoints.list_endpoints(db.uow(), actor)]


@router.post("/api/webhooks", response_model=WebhookCreated, status_code=201,
             summary="Register a webhook endpoint (the secret is in this answer only)",
             responses=errors_doc(401, 403, 413, 422))
def create_webhook(body: WebhookIn, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    made = endpoints.register(db.uow(), actor, url=body.url, event_types=body.event_types)
    return {**dataclasses.asdict(made.endpoint), "secret": made.secret}


@router.delete("/api/webhooks/{id}", status_code=204, summary="Delete a webhook endpoint and its delivery log",
               responses=errors_doc(401, 403, 404, 422))
def delete_webhook(hook_id: HookId, actor: ActorDep, db: DbDep) -> Response:
    endpoints.delete(db.uow(), actor, hook_id)
    return Response(status_code=204)


@router.get("/api/webhooks/{id}/deliveries", response_model=list[AttemptOut],
            summary="The endpoint's delivery log, newest attempt first", responses=errors_doc(401, 403, 404, 422))
def list_deliveries(hook_id: HookId, actor: ActorDep, db: DbDep,
                    limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[dict[str, Any]]:
    return [dataclasses.asdict(a) for a in endpoints.deliveries(db.uow(), actor, hook_id, limit=limit)]


@router.post("/api/webhooks/{id}/test", response_model=TestOut,
             summary="Send a signed webhook.test request now and report the answer",
             responses=errors_doc(401, 403, 404, 422))
def test_webhook(hook_id: HookId, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    with httpx.Client() as client:
        result = delivery.send_test(db.uow(), actor, hook_id, now=datetime.now(UTC), client=client)
    return dataclasses.asdict(result)
