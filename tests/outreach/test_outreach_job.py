"""The outbox drained by the ``outreach.send`` periodic job through a real Huey consumer and a real SMTP server on
localhost: the page only queues and wakes the job."""

from __future__ import annotations

from typing import Any

import pytest

from leadcore.config import settings
from leadcore.jobs import runner, store
from leadcore.outreach import jobs as outreach_jobs
from leadcore.outreach import outbox, templates
from tests.jobs import conftest as job_fixtures
from tests.jobs.conftest import wait_for

job_queue = job_fixtures.job_queue


@pytest.fixture
def smtp_settings(monkeypatch: pytest.MonkeyPatch, smtp_server: Any) -> Any:
    for k, v in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_server.port), "SMTP_STARTTLS": "0",
                 "MAIL_FROM": "outreach@acme.test"}.items():
        monkeypatch.setenv(f"LEADCORE_{k}", v)
    settings.cache_clear()
    yield smtp_server
    settings.cache_clear()


def test_queued_email_is_sent_by_the_background_job(db: Any, make: Any, job_queue: Any,
                                                    smtp_settings: Any) -> None:
    manager = make.user("manager")
    rep = make.user("rep", email="rita@acme.test")
    t = templates.save_template(db.uow(), manager, name="Intro", subject="{{ company }}", body="Hi")
    lead = make.lead(rep, lead_name="Ana Lopez", email="ana@north.io", company="North")
    runner.sweep(job_queue)  # a worker starts: the periodic row exists, due now
    outbox.queue_send(db.uow(), rep, t.id, ids=[lead])
    assert outreach_jobs.send_soon(db.uow())
    consumer = job_queue.consumer(workers=1, signals=False, periodic=False)
    consumer.start()
    try:
        wait_for(lambda: len(smtp_settings.recorder.messages) == 1, what="the job to send the email")
    finally:
        consumer.stop(graceful=True)
    assert [m.status for m in outbox.recent_messages(db.uow(), rep)] == ["sent"]
    [row] = [j for j in store.list_jobs(db.uow()) if j["kind"] == "outreach.send"]
    assert row["periodic"] and row["state"] == "queued" and row["last_error"] is None
