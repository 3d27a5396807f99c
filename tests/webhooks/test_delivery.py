"""Acceptance 1 and 4 of issue 19 (minus the queue): a real localhost receiver, real databases, injected clock."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from leadcore.db.runtime import Database
from leadcore.leads.edits import get_lead, update_lead
from leadcore.webhooks import endpoints
from leadcore.webhooks.delivery import deliver_due
from leadcore.webhooks.signing import verify
from tests.conftest import Factory
from tests.webhooks.receiver import Receiver

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _allow_localhost(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(endpoints.ALLOW_PRIVATE_ENV, "1")


def drain(db: Database, clock: list[datetime], client: httpx.Client, *, step: timedelta, rounds: int = 400) -> None:
    for _ in range(rounds):
        report = deliver_due(db.engine, now=clock[0], client=client, limit=200, rng=random.Random(1))
        if not report.claimed and not report.queued and _pending(db) == 0:
            return
        clock[0] += step
    raise AssertionError("deliveries did not drain")


def _pending(db: Database) -> int:
    from sqlalchemy import func, select

    from leadcore.db.models import WebhookDelivery

    with db.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(WebhookDelivery)
                                      .where(WebhookDelivery.status == "pending")) or 0)


def test_failing_receiver_then_worker_down_loses_nothing(db: Database, make: Factory) -> None:
    manager = make.user("manager")
    clock = [T0]
    with Receiver(failing=lambda: clock[0] < T0 + timedelta(seconds=10)) as rx, httpx.Client() as client:
        made = endpoints.register(db.uow(), manager, url=rx.url, event_types=["lead.created", "lead.updated"])
        lead_ids = make.leads(manager, 30)
        # the worker runs while the receiver fails, then stops; ten edits happen while it is down
        for _ in range(3):
            deliver_due(db.engine, now=clock[0], client=client, rng=random.Random(2))
            clock[0] += timedelta(seconds=2)
        assert rx.rejected >= 1
        for lead_id in lead_ids[:10]:
            version = get_lead(db.uow(), manager, lead_id)["version"]
            update_lead(db.uow(), manager, lead_id, {"job_title": "CTO"}, expected_version=version)
        drain(db, clock, client, step=timedelta(seconds=3))

        from sqlalchemy import select

        from leadcore.db.models import LeadEvent

        with db.uow() as uow:
            expected = {(e.id, e.lead_id, e.kind) for e in uow.session.scalars(select(LeadEvent))
                        if e.kind in ("created", "fields_changed")}
        got = {r["doc"]["id"] for r in rx.received}
        assert {e[0] for e in expected} <= got
        assert sum(1 for e in expected if e[2] == "fields_changed") == 10
        for r in rx.received:
            h = r["headers"]
            assert h["x-leadcore-event-id"] == str(r["doc"]["id"])
            assert verify(made.secret, h["x-leadcore-timestamp"], r["body"], h["x-leadcore-signature"])
        # per lead, event ids arrive in increasing order (first arrival of each)
        seen: dict[int, int] = {}
        for r in rx.received:
            lead, ev = r["doc"]["lead"]["id"], r["doc"]["id"]
            assert ev >= seen.get(lead, 0), f"lead {lead}: event {ev} after {seen[lead]}"
            seen[lead] = ev
        assert {r["doc"]["type"] for r in rx.received} == {"lead.created", "lead.updated"}


def test_two_workers_send_each_success_once(db: Database, make: Factory) -> None:
    manager = make.user("manager")
    now = T0
    with Receiver() as rx:
        endpoints.register(db.uow(), manager, url=rx.url, event_types=["lead.created"])
        make.leads(manager, 1000)
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                with httpx.Client() as client:
                    for _ in range(200):
                        r = deliver_due(db.engine, now=now, client=client, limit=50)
                        if not r.claimed and not r.queued and _pending(db) == 0:
                            return
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        ids = [r["doc"]["id"] for r in rx.received]
        assert len(ids) == 1000
        assert len(set(ids)) == 1000  # no double sends


def test_endpoint_disabled_after_consecutive_failures(db: Database, make: Factory,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADCORE_WEBHOOK_MAX_FAILURES", "3")
    manager = make.user("manager")
    clock = [T0]
    with Receiver(failing=lambda: True) as rx, httpx.Client() as client:
        made = endpoints.register(db.uow(), manager, url=rx.url, event_types=["lead.created"])
        make.leads(manager, 2)
        for _ in range(10):
            deliver_due(db.engine, now=clock[0], client=client)
            clock[0] += timedelta(hours=25)
        info = endpoints.list_endpoints(db.uow(), manager)[0]
        assert info.status == "disabled" and "3 consecutive failed deliveries" in (info.status_reason or "")
        assert rx.rejected == 3
        log = endpoints.deliveries(db.uow(), manager, made.endpoint.id)
        assert log[0].status_code == 500 and log[0].response_excerpt == "no"
        # re-enabled and redelivered once the receiver works
        rx.failing = lambda: False
        endpoints.set_active(db.uow(), manager, made.endpoint.id, True)
        drain(db, clock, client, step=timedelta(hours=1))
        assert len({r["doc"]["id"] for r in rx.received}) == 2
        endpoints.redeliver(db.uow(), manager, made.endpoint.id, log[0].delivery_id, now=clock[0])
        drain(db, clock, client, step=timedelta(hours=1))
        assert len(rx.received) == 3


@pytest.mark.parametrize("url", ["ftp://x.example/h", "http://169.254.169.254/latest", "http://127.0.0.1:9/h",
                                 "http://[fd00:ec2::254]/", "not a url"])
def test_refused_urls(url: str, monkeypatch: pytest.MonkeyPatch, db: Database, make: Factory) -> None:
    monkeypatch.delenv(endpoints.ALLOW_PRIVATE_ENV, raising=False)
    from leadcore.errors import InvalidInput

    with pytest.raises(InvalidInput):
        endpoints.register(db.uow(), make.user("manager"), url=url, event_types=["lead.created"])
    assert endpoints.list_endpoints(db.uow(), make.user("admin")) == []
