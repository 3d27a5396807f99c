"""Webhook endpoints of a team (managers and admins): register with a secret shown once, list, delete, redeliver,
re-enable. Each write is one transaction."""

from __future__ import annotations

import ipaddress
import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from leadcore.accounts.actors import Actor, ensure_visible
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import LeadEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from leadcore.errors import InvalidInput, NotFound, PermissionDenied

EVENT_TYPES = ("lead.created", "lead.updated", "lead.status_changed", "lead.assigned", "lead.merged",
               "lead.deleted", "search.finished")
# Our lead event kinds as webhook types; kinds not listed (notes, tasks, emails, ...) are not sent.
KIND_TO_TYPE = {
    "created": "lead.created",
    "fields_changed": "lead.updated",
    "enriched": "lead.updated",
    "tags_changed": "lead.updated",
    "restored": "lead.updated",
    "status_changed": "lead.status_changed",
    "assigned": "lead.assigned",
    "merged": "lead.merged",
    "deleted": "lead.deleted",
}
ALLOW_PRIVATE_ENV = "LEADCORE_WEBHOOK_ALLOW_PRIVATE"
_METADATA = (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fd00:ec2::254/128"),
             ipaddress.ip_network("fe80::/10"), ipaddress.ip_network("100.100.100.200/32"))


@dataclass(frozen=True)
class EndpointInfo:
    id: int
    url: str
    event_types: list[str]
    status: str
    status_reason: str | None
    consecutive_failures: int
    retry_at: datetime | None
    pending: int
    created_at: datetime


@dataclass(frozen=True)
class NewEndpoint:
    """The registered endpoint and its secret: the only time the secret is shown."""

    endpoint: EndpointInfo
    secret: str


@dataclass(frozen=True)
class AttemptInfo:
    id: int
    delivery_id: int
    event_id: int
    event_type: str
    lead_id: int | None
    attempted_at: datetime
    ok: bool
    status_code: int | None
    error: str | None
    request_excerpt: str | None
    response_excerpt: str | None
    delivery_status: str


def allow_private() -> bool:
    return os.environ.get(ALLOW_PRIVATE_ENV, "").strip().lower() in ("1", "true", "yes")


def check_url(url: str) -> str:
    """The URL if it is http(s) to a public address; InvalidInput naming the reason otherwise. Link-local, cloud
    metadata, loopback and private addresses are refused unless LEADCORE_WEBHOOK_ALLOW_PRIVATE=1."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("The webhook URL must start with http:// or https:// and name a host", field="url")
    if len(url) > 2000:
        raise InvalidInput("The webhook URL is longer than 2000 characters", field="url")
    if allow_private():
        return url
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError) as exc:
        raise InvalidInput(f"The webhook host {parts.hostname!r} does not resolve", field="url") from exc
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if any(ip in net for net in _METADATA) or ip.is_link_local:
            raise InvalidInput(f"{parts.hostname} is a link-local/metadata address ({ip}); webhooks cannot go there",
                               field="url")
        if ip.is_loopback or ip.is_private or ip.is_unspecified or ip.is_reserved or ip.is_multicast:
            raise InvalidInput(f"{parts.hostname} is a private or loopback address ({ip}); set "
                               f"{ALLOW_PRIVATE_ENV}=1 to allow it", field="url")
    return url


def _check_types(event_types: list[str]) -> list[str]:
    wanted = sorted(set(event_types or []))
    unknown = [t for t in wanted if t not in EVENT_TYPES]
    if unknown or not wanted:
        raise InvalidInput(f"Unknown or no event types {unknown}; choose from {', '.join(EVENT_TYPES)}",
                           field="eventTypes")
    return wanted


def _require_manager(actor: Actor) -> None:
    if not actor.is_manager:
        raise PermissionDenied("Only managers and admins manage webhooks")


def _info(s: Session, e: WebhookEndpoint) -> EndpointInfo:
    pending = s.scalar(select(func.count()).select_from(WebhookDelivery)
                       .where(WebhookDelivery.endpoint_id == e.id, WebhookDelivery.status == "pending")) or 0
    return EndpointInfo(id=e.id, url=e.url, event_types=list(e.event_types), status=e.status,
                        status_reason=e.status_reason, consecutive_failures=e.consecutive_failures,
                        retry_at=e.retry_at, pending=int(pending), created_at=e.created_at)


def _load(s: Session, actor: Actor, endpoint_id: int, *, lock: bool = False) -> WebhookEndpoint:
    q = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
    e = s.scalar(q.with_for_update() if lock else q)
    if e is None:
        raise NotFound(f"Webhook {endpoint_id} was not found")
    ensure_visible(actor, e.team_id, "Webhook", endpoint_id)
    return e


def register(uow: UnitOfWork, actor: Actor, *, url: str, event_types: list[str]) -> NewEndpoint:
    """A new endpoint that receives events from now on (its cursor starts at the newest event)."""
    _require_manager(actor)
    clean_url, types = check_url(url), _check_types(event_types)
    secret = "whsec_" + secrets.token_hex(24)
    with uow:
        uow.writing()
        s = uow.session
        newest = s.scalar(select(func.max(LeadEvent.id)).where(LeadEvent.team_id == actor.team_id)) or 0
        e = WebhookEndpoint(team_id=actor.team_id, url=clean_url, event_types=types, secret=secret,
                            status="active", cursor_event_id=int(newest), consecutive_failures=0,
                            created_by=actor.user_id)
        s.add(e)
        s.flush()
        s.refresh(e)
        info = _info(s, e)
        uow.commit()
    return NewEndpoint(endpoint=info, secret=secret)


def list_endpoints(uow: UnitOfWork, actor: Actor) -> list[EndpointInfo]:
    _require_manager(actor)
    with uow:
        s = uow.session
        rows = s.scalars(select(WebhookEndpoint).where(WebhookEndpoint.team_id == actor.team_id)
                         .order_by(WebhookEndpoint.id)).all()
        return [_info(s, e) for e in rows]


def delete(uow: UnitOfWork, actor: Actor, endpoint_id: int) -> None:
    """The endpoint, its deliveries and its log are gone."""
    _require_manager(actor)
    with uow:
        uow.writing()
        s = uow.session
        s.delete(_load(s, actor, endpoint_id, lock=True))
        uow.commit()


def set_active(uow: UnitOfWork, actor: Actor, endpoint_id: int, active: bool) -> EndpointInfo:
    """Disable by hand, or re-enable (failures counter reset; pending deliveries are sent again)."""
    _require_manager(actor)
    with uow:
        uow.writing()
        s = uow.session
        e = _load(s, actor, endpoint_id, lock=True)
        e.status = "active" if active else "disabled"
        e.status_reason = None if active else f"Disabled by {actor.name or 'a manager'}"
        e.consecutive_failures, e.retry_at = 0, None
        s.flush()
        info = _info(s, e)
        uow.commit()
    return info


def redeliver(uow: UnitOfWork, actor: Actor, endpoint_id: int, delivery_id: int, *, now: datetime) -> None:
    """Send a delivery again on the next run, even if it already succeeded."""
    _require_manager(actor)
    with uow:
        uow.writing()
        s = uow.session
        _load(s, actor, endpoint_id)
        done = s.execute(update(WebhookDelivery)
                         .where(WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint_id)
                         .values(status="pending", next_attempt_at=now, lease_owner=None, lease_until=None))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise NotFound(f"Delivery {delivery_id} of webhook {endpoint_id} was not found")
        uow.commit()


def deliveries(uow: UnitOfWork, actor: Actor, endpoint_id: int, *, limit: int = 100) -> list[AttemptInfo]:
    """The endpoint's delivery log, newest attempt first."""
    _require_manager(actor)
    with uow:
        s = uow.session
        _load(s, actor, endpoint_id)
        rows = s.execute(
            select(WebhookAttempt, WebhookDelivery)
            .join(WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id)
            .where(WebhookAttempt.endpoint_id == endpoint_id)
            .order_by(WebhookAttempt.id.desc()).limit(limit)
        ).all()
        return [AttemptInfo(id=a.id, delivery_id=d.id, event_id=d.event_id, event_type=d.event_type,
                            lead_id=d.lead_id, attempted_at=a.attempted_at, ok=a.ok, status_code=a.status_code,
                            error=a.error, request_excerpt=a.request_excerpt, response_excerpt=a.response_excerpt,
                            delivery_status=d.status)
                for a, d in rows]
