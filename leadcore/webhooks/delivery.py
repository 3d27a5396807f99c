"""Sending webhooks: new lead events become deliveries (per-endpoint cursor), due deliveries are claimed under a
lease, sent signed, and their outcome recorded. Plain functions a queue job (or the CLI) calls repeatedly.

Guarantees: at-least-once (a delivery stays pending until a 2xx answer; a worker that dies mid-send leaves a lease
that expires, and another worker sends it again); in order per lead (a delivery waits while an earlier one of the
same lead and endpoint is pending); two workers never hold the same delivery (PostgreSQL claims with ``FOR UPDATE
SKIP LOCKED``, SQLite with a conditional UPDATE inside ``BEGIN IMMEDIATE``), so a successful delivery is sent once.
"""

from __future__ import annotations

import json
import os
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, aliased

from leadcore.accounts.actors import Actor
from leadcore.db.engine import UnitOfWork, session_factory
from leadcore.db.models import Lead, LeadEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from leadcore.errors import NotFound
from leadcore.leads.views import lead_dict
from leadcore.webhooks.endpoints import KIND_TO_TYPE, list_endpoints
from leadcore.webhooks.signing import sign

LEASE = timedelta(seconds=120)  # well above the request timeout: a lease ends only when its worker died
BASE_BACKOFF = timedelta(seconds=10)
MAX_BACKOFF = timedelta(hours=24)
EXCERPT = 2000
FANOUT_BATCH = 2000


def max_failures() -> int:
    """Consecutive failed attempts before an endpoint is disabled (LEADCORE_WEBHOOK_MAX_FAILURES, default 15:
    with the backoff that is about four days of failing)."""
    try:
        return max(1, int(os.environ.get("LEADCORE_WEBHOOK_MAX_FAILURES", "15")))
    except ValueError:
        return 15


@dataclass
class DeliveryReport:
    queued: int = 0
    claimed: int = 0
    succeeded: int = 0
    failed: int = 0
    disabled_endpoints: list[int] = field(default_factory=list)


def backoff(failures: int, *, rng: random.Random | None = None) -> timedelta:
    """Wait after the n-th consecutive failure: 10 s, 20 s, 40 s, ... capped at 24 h, times a jitter of 0.5-1."""
    step = min(MAX_BACKOFF, BASE_BACKOFF * (2 ** min(max(failures - 1, 0), 20)))
    return step * (0.5 + 0.5 * (rng or random).random())


def deliver_due(engine: Engine, *, now: datetime, client: httpx.Client, limit: int = 100,
                rng: random.Random | None = None) -> DeliveryReport:
    """One pass: queue new events, claim up to ``limit`` due deliveries, send them, record outcomes. Safe to call
    from any number of workers at once; call it again while it reports work done."""
    sessions = session_factory(engine)
    report = DeliveryReport()
    report.queued = fan_out(UnitOfWork(sessions), now=now)
    owner = uuid.uuid4().hex
    claimed = _claim(UnitOfWork(sessions), owner=owner, now=now, limit=limit)
    report.claimed = len(claimed)
    failed_endpoints: set[int] = set()
    for item in claimed:
        if item.endpoint_id in failed_endpoints:  # it just failed: hold the rest until its backoff ends
            _release(UnitOfWork(sessions), item.delivery_id, owner)
            continue
        ok = _send_one(UnitOfWork(sessions), item, owner=owner, now=now, client=client, rng=rng, report=report)
        if not ok:
            failed_endpoints.add(item.endpoint_id)
    return report


def fan_out(uow: UnitOfWork, *, now: datetime) -> int:
    """Turn lead events past each active endpoint's cursor into pending deliveries and move the cursor, one
    transaction per endpoint. The cursor moves by a conditional UPDATE, so of two workers only one queues a given
    range (and the unique (endpoint, event) key guards the rest)."""
    queued = 0
    with uow:
        ends = uow.session.execute(select(WebhookEndpoint.id, WebhookEndpoint.cursor_event_id)
                                   .where(WebhookEndpoint.status == "active")).all()
    kinds = list(KIND_TO_TYPE)
    for endpoint_id, cursor in ends:
        with uow:
            uow.writing()
            s = uow.session
            e = s.get(WebhookEndpoint, endpoint_id)
            if e is None or e.cursor_event_id != cursor:
                continue
            events = s.execute(
                select(LeadEvent.id, LeadEvent.lead_id, LeadEvent.kind, LeadEvent.created_at)
                .where(LeadEvent.team_id == e.team_id, LeadEvent.id > cursor)
                .order_by(LeadEvent.id).limit(FANOUT_BATCH)
            ).all()
            if not events:
                continue
            moved = s.execute(update(WebhookEndpoint)
                              .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.cursor_event_id == cursor)
                              .values(cursor_event_id=events[-1].id))
            if moved.rowcount != 1:  # type: ignore[attr-defined]
                continue  # another worker queued this range
            wanted = set(e.event_types)
            rows = [dict(endpoint_id=endpoint_id, event_id=ev.id, lead_id=ev.lead_id, team_id=e.team_id,
                         event_type=KIND_TO_TYPE[ev.kind], occurred_at=ev.created_at, status="pending",
                         attempts=0, next_attempt_at=now)
                    for ev in events if ev.kind in kinds and KIND_TO_TYPE[ev.kind] in wanted]
            if rows:
                s.execute(WebhookDelivery.__table__.insert(), rows)  # type: ignore[attr-defined]
            uow.commit()
            queued += len(rows)
    return queued


@dataclass(frozen=True)
class _Claimed:
    delivery_id: int
    endpoint_id: int
    event_id: int
    lead_id: int | None
    team_id: int
    event_type: str
    occurred_at: datetime
    url: str
    secret: str


def _claim(uow: UnitOfWork, *, owner: str, now: datetime, limit: int) -> list[_Claimed]:
    d, earlier = WebhookDelivery, aliased(WebhookDelivery)
    blocked = exists().where(earlier.endpoint_id == d.endpoint_id, earlier.lead_id == d.lead_id,
                             earlier.event_id < d.event_id, earlier.status == "pending")
    due = (
        select(d.id).join(WebhookEndpoint, WebhookEndpoint.id == d.endpoint_id)
        .where(d.status == "pending", d.next_attempt_at <= now,
               or_(d.lease_until.is_(None), d.lease_until < now),
               WebhookEndpoint.status == "active",
               or_(WebhookEndpoint.retry_at.is_(None), WebhookEndpoint.retry_at <= now),
               ~blocked)
        .order_by(d.id).limit(limit)
    )
    with uow:
        uow.writing()
        s = uow.session
        if uow.dialect == "postgresql":
            due = due.with_for_update(of=d, skip_locked=True)
        ids = list(s.scalars(due))
        if not ids:
            return []
        s.execute(update(d).where(d.id.in_(ids), d.status == "pending",
                                  or_(d.lease_until.is_(None), d.lease_until < now))
                  .values(lease_owner=owner, lease_until=now + LEASE)
                  .execution_options(synchronize_session=False))
        rows = s.execute(
            select(d, WebhookEndpoint.url, WebhookEndpoint.secret)
            .join(WebhookEndpoint, WebhookEndpoint.id == d.endpoint_id)
            .where(d.id.in_(ids), d.lease_owner == owner).order_by(d.id)
        ).all()
        uow.commit()
    return [_Claimed(delivery_id=r.id, endpoint_id=r.endpoint_id, event_id=r.event_id, lead_id=r.lead_id,
                     team_id=r.team_id, event_type=r.event_type, occurred_at=r.occurred_at, url=url, secret=secret)
            for r, url, secret in rows]


def _release(uow: UnitOfWork, delivery_id: int, owner: str) -> None:
    with uow:
        uow.writing()
        uow.session.execute(update(WebhookDelivery)
                            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.lease_owner == owner)
                            .values(lease_owner=None, lease_until=None))
        uow.commit()


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


_ALIASES = {"linkedin_url": "linkedinLink", "imported_contact_id": "importedAsContactId",
            "imported_company_id": "importedAsCompanyId"}


def lead_payload(lead: Lead | None, lead_id: int | None) -> dict[str, Any]:
    """The lead in the API's shape (camelCase keys) as it is now; only its id once it is gone."""
    if lead is None:
        return {"id": lead_id}
    out: dict[str, Any] = {}
    for key, value in lead_dict(lead).items():
        out[_ALIASES.get(key, _camel(key))] = _iso(value) if isinstance(value, datetime) else value
    return out


def body_for(s: Session, item: _Claimed) -> bytes:
    lead = s.get(Lead, item.lead_id) if item.lead_id is not None else None
    doc = {"id": item.event_id, "type": item.event_type, "occurredAt": _iso(item.occurred_at),
           "teamId": item.team_id, "lead": lead_payload(lead, item.lead_id)}
    return json.dumps(doc, default=str, separators=(",", ":")).encode()


def _send_one(uow: UnitOfWork, item: _Claimed, *, owner: str, now: datetime, client: httpx.Client,
              rng: random.Random | None, report: DeliveryReport) -> bool:
    with uow:
        body = body_for(uow.session, item)
    timestamp = str(int(now.timestamp()))
    headers = {"Content-Type": "application/json", "User-Agent": "leadcore-webhooks/1",
               "X-Leadcore-Event-Id": str(item.event_id), "X-Leadcore-Timestamp": timestamp,
               "X-Leadcore-Signature": sign(item.secret, timestamp, body)}
    status_code: int | None = None
    error: str | None = None
    response_excerpt: str | None = None
    started = datetime.now()
    try:
        resp = client.post(item.url, content=body, headers=headers, timeout=10.0)
        status_code, response_excerpt = resp.status_code, resp.text[:EXCERPT]
        ok = 200 <= resp.status_code < 300
        if not ok:
            error = f"HTTP {resp.status_code}"
    except httpx.HTTPError as exc:
        ok, error = False, f"{type(exc).__name__}: {exc}"[:EXCERPT]
    duration = int((datetime.now() - started).total_seconds() * 1000)
    _record(uow, item, owner=owner, now=now, ok=ok, status_code=status_code, error=error,
            request=body.decode()[:EXCERPT], response=response_excerpt, duration_ms=duration, rng=rng,
            report=report)
    return ok


def _record(uow: UnitOfWork, item: _Claimed, *, owner: str, now: datetime, ok: bool, status_code: int | None,
            error: str | None, request: str, response: str | None, duration_ms: int, rng: random.Random | None,
            report: DeliveryReport) -> None:
    d = WebhookDelivery
    with uow:
        uow.writing()
        s = uow.session
        s.add(WebhookAttempt(delivery_id=item.delivery_id, endpoint_id=item.endpoint_id, attempted_at=now, ok=ok,
                             status_code=status_code, error=error, request_excerpt=request,
                             response_excerpt=response, duration_ms=duration_ms))
        mine = and_(d.id == item.delivery_id, d.lease_owner == owner)
        e = s.scalar(select(WebhookEndpoint).where(WebhookEndpoint.id == item.endpoint_id).with_for_update())
        if ok:
            s.execute(update(d).where(mine).values(status="succeeded", delivered_at=now, attempts=d.attempts + 1,
                                                   lease_owner=None, lease_until=None))
            if e is not None and e.status == "active":
                e.consecutive_failures, e.retry_at = 0, None
            report.succeeded += 1
        else:
            failures = (e.consecutive_failures if e is not None else 0) + 1
            wait = backoff(failures, rng=rng)
            s.execute(update(d).where(mine).values(attempts=d.attempts + 1, next_attempt_at=now + wait,
                                                   lease_owner=None, lease_until=None))
            report.failed += 1
            if e is not None and e.status == "active":
                e.consecutive_failures, e.retry_at = failures, now + wait
                if failures >= max_failures():
                    e.status = "disabled"
                    e.status_reason = (f"Disabled after {failures} consecutive failed deliveries "
                                       f"(last: {error or 'error'} at {_iso(now)}); fix the receiver and re-enable")
                    report.disabled_endpoints.append(e.id)
        uow.commit()


@dataclass(frozen=True)
class TestResult:
    ok: bool
    status_code: int | None
    error: str | None
    response_excerpt: str | None


def send_test(uow: UnitOfWork, actor: Actor, endpoint_id: int, *, now: datetime,
              client: httpx.Client) -> TestResult:
    """Send one signed ``webhook.test`` request now (not logged, no effect on the endpoint's failure count)."""
    info = next((e for e in list_endpoints(uow, actor) if e.id == endpoint_id), None)
    if info is None:
        raise NotFound(f"Webhook {endpoint_id} was not found")
    with uow:
        secret = uow.session.scalar(select(WebhookEndpoint.secret).where(WebhookEndpoint.id == endpoint_id)) or ""
    body = json.dumps({"id": 0, "type": "webhook.test", "occurredAt": _iso(now), "teamId": actor.team_id,
                       "lead": None}, separators=(",", ":")).encode()
    timestamp = str(int(now.timestamp()))
    headers = {"Content-Type": "application/json", "X-Leadcore-Event-Id": "0", "X-Leadcore-Timestamp": timestamp,
               "X-Leadcore-Signature": sign(secret, timestamp, body)}
    try:
        resp = client.post(info.url, content=body, headers=headers, timeout=10.0)
    except httpx.HTTPError as exc:
        return TestResult(ok=False, status_code=None, error=f"{type(exc).__name__}: {exc}"[:EXCERPT],
                          response_excerpt=None)
    ok = 200 <= resp.status_code < 300
    return TestResult(ok=ok, status_code=resp.status_code, error=None if ok else f"HTTP {resp.status_code}",
                      response_excerpt=resp.text[:EXCERPT])
