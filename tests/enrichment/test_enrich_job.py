"""``enrichment.run`` as a background job on a real Huey queue: queued with its payload, run by the job runner,
the leads enriched; bad requests refused before anything is queued."""

from __future__ import annotations

from typing import Any

import pytest

from leadcore.db.models import Job
from leadcore.db.runtime import Database
from leadcore.enrichment import jobs as enrichment_jobs
from leadcore.enrichment.demo import DemoEnricher
from leadcore.enrichment.runner import enrich
from leadcore.errors import InvalidInput, PermissionDenied, ProviderError
from leadcore.jobs import runner
from leadcore.jobs.queue import Queue
from leadcore.seed import seed_demo
from tests.jobs.conftest import job_queue  # noqa: F401


def test_an_enrichment_job_runs_with_its_payload(db: Database, make: Any, job_queue: Queue) -> None:  # noqa: F811
    manager = make.user("manager")
    seed_demo(db.uow(), manager, 15)
    job_id = enrichment_jobs.start_enrichment(db.uow(), manager, providers="demo", fields="phone,linkedin",
                                              limit=4)
    with db.uow() as uow:
        row = uow.session.get(Job, job_id)
        assert row is not None and row.state == "queued" and row.team_id == manager.team_id
        assert (row.payload["providers"], row.payload["fields"], row.payload["limit"]) == (
            ["demo"], ["phone", "linkedin_url"], 4)
    before = pending(db, manager)
    assert before > 4
    assert runner.run_job(job_queue, job_id) == "succeeded"
    assert pending(db, manager) == before - 4
    assert runner.run_job(job_queue, job_id) == "skipped"  # a duplicated message does nothing
    [last] = enrichment_jobs.last_runs(db.uow(), manager)
    assert (last["id"], last["state"], last["providers"]) == (job_id, "succeeded", ["demo"])

    rest = enrichment_jobs.start_enrichment(db.uow(), manager, providers=["demo"], fields=["phone", "linkedin"])
    assert runner.run_job(job_queue, rest) == "succeeded"
    assert pending(db, manager) == 0


def pending(db: Database, actor: Any) -> int:
    """Leads the demo enricher could still be asked about for phone and LinkedIn."""
    return enrich(db.uow(), actor, providers=[DemoEnricher()], fields="phone,linkedin", dry_run=True).candidates


def test_bad_requests_are_refused_before_anything_is_queued(db: Database, make: Any) -> None:
    manager, rep = make.user("manager"), make.user("rep")
    with pytest.raises(PermissionDenied):
        enrichment_jobs.start_enrichment(db.uow(), rep, providers="demo")
    with pytest.raises(InvalidInput, match="Cannot enrich 'fax'"):
        enrichment_jobs.start_enrichment(db.uow(), manager, providers="demo", fields="fax")
    with pytest.raises(ProviderError, match="LEADCORE_APOLLO_API_KEY"):
        enrichment_jobs.start_enrichment(db.uow(), manager, providers="apollo")
    assert enrichment_jobs.last_runs(db.uow(), manager) == []
