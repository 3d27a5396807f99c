"""Helpers shared by the reliability tests: small factories that go through the services, and table snapshots."""

from __future__ import annotations

import csv
import io
import itertools
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import httpx
from sqlalchemy import Engine, select, text

from leadcore.accounts import sessions, tokens
from leadcore.accounts.actors import Actor
from leadcore.accounts.users import create_user, get_user
from leadcore.db import migrate
from leadcore.db.engine import make_engine, session_factory
from leadcore.db.models import ROLLUP_TABLES, Base
from leadcore.db.runtime import Database
from leadcore.discovery.providers.base import SearchQuery
from leadcore.discovery.providers.demo import DemoProvider
from leadcore.discovery.runs import run_discovery
from leadcore.duplicates import merge as duplicates_merge
from leadcore.duplicates import scan as duplicates_scan
from leadcore.fileimport import importer, saved_mappings
from leadcore.fileimport.reading import Table, read_table
from leadcore.intake.candidates import LeadCandidate
from leadcore.leads import bulk, conversion, edits
from leadcore.outreach import outbox, templates
from leadcore.webhooks import endpoints as webhook_endpoints
from leadcore.webhooks.delivery import deliver_due
from leadcore.work import activities as work_activities
from leadcore.work import assignment as work_assignment
from leadcore.work import prefs as work_prefs
from leadcore.work import tasks as work_tasks
from leadcore.work import views as work_views

PG_URL = os.environ.get("LEADCORE_TEST_DATABASE_URL", "").strip()
_n = itertools.count(1)


def user(db: Database, role: str = "rep", *, team: str = "Default", password: str = "correct horse battery",
         email: str | None = None) -> Actor:
    n = next(_n)
    info = create_user(db.uow(), None, email=email or f"{role}{n}-{uuid.uuid4().hex[:6]}@example.com",
                       password=password, role=role, team_name=team, display_name=f"{role.title()} {n}")
    return info.actor()


def lead(db: Database, actor: Actor, **fields: Any) -> int:
    n = next(_n)
    values: dict[str, Any] = {"lead_name": f"Person {n}", "email": f"person{n}@company{n}.com",
                              "company": f"Company {n}", "job_title": "Engineer"}
    values.update(fields)
    return edits.create_lead(db.uow(), actor, LeadCandidate(**values)).lead_ids[0]


def csv_table(rows: list[dict[str, str]]) -> Table:
    """A Table as the import page would get it from an uploaded CSV (through read_table, the real parser)."""
    headers = list(rows[0])
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(headers)
    for r in rows:
        w.writerow([r.get(h, "") for h in headers])
    return read_table(buf.getvalue().encode(), "leads.csv")


def populate(db: Database) -> dict[str, Any]:
    """Rows in every table, through the services: two teams, users, a token, searches, leads, events, imports,
    an email template and queued email."""
    admin = user(db, "admin")
    manager = user(db, "manager")
    rep = user(db, "rep")
    other = user(db, "manager", team="Other team")
    token = tokens.create_token(db.uow(), rep.user_id or 0, "crm-sync")
    with mock.patch.dict(os.environ, {webhook_endpoints.ALLOW_PRIVATE_ENV: "1"}):
        webhook_endpoints.register(db.uow(), manager, url="http://127.0.0.1:9/hook", event_types=["lead.created"])
    sessions.begin(db.uow(), get_user(db.uow(), rep.user_id or 0), stay_signed_in=True)
    run = run_discovery(db.uow(), manager, SearchQuery("VP Engineering fintech", limit=12), provider=DemoProvider())
    other_run = run_discovery(db.uow(), other, SearchQuery("Head of Sales logistics", limit=6), provider=DemoProvider())
    company_run = run_discovery(db.uow(), manager, SearchQuery("fintech", mode="company", limit=4),
                                provider=DemoProvider())
    table = csv_table([
        {"Name": "Ana Lima", "Email": "ana@lima.example", "Company": "Lima & Co", "Notes": "=HYPERLINK(\"x\")",
         "Tags": "vip, q3"},
        {"Name": "Bo Chen", "Email": "bo@chen.example", "Company": "Chen Ltd", "Notes": "", "Tags": ""},
        {"Name": "Ünïcödé Ñame", "Email": "uni@code.example", "Company": "Zürich AG", "Notes": "naïve ☃", "Tags": ""},
    ])
    imported = importer.commit_import(db.uow(), rep, table, filename="people.csv")
    # a second file fills an empty field of a lead the first one made (intake_fills)
    importer.commit_import(db.uow(), rep, csv_table([{"Name": "Bo Chen", "Email": "bo@chen.example",
                                                     "Company": "Chen Ltd", "Job Title": "CTO"}]),
                           filename="people-update.csv")
    ids = [d["id"] for d in run.leads]
    first = edits.get_lead(db.uow(), manager, ids[0])
    edits.update_lead(db.uow(), manager, ids[0], {"status": "CONTACTED", "tags": ["hot", "q3"], "notes": "call back"},
                      expected_version=first["version"])
    edits.add_note(db.uow(), rep, ids[1], "Left a voicemail")
    bulk.bulk_update(db.uow(), manager, ids[2:5], bulk.BulkChange(add_tags=("bulk",), owner_id=rep.user_id))
    edits.delete_lead(db.uow(), manager, ids[5])
    conversion.bulk_import(db.uow(), manager, ids[6:9] + [d["id"] for d in company_run.leads[:2]])
    # near-duplicates: a scan finds both pairs, one is merged (duplicate_scans, duplicate_pairs, lead_merges)
    twins = [edits.create_lead(db.uow(), manager, LeadCandidate(**f)).lead_ids[0] for f in (
        {"lead_name": "Jürgen Köhler", "email": "jk@koehler-bau.de", "company": "Köhler Bau GmbH"},
        {"lead_name": "Juergen Koehler", "email": "juergen.koehler@gmail.com", "company": "Koehler Bau"},
        {"lead_name": "Robert Fischer", "email": "robert.fischer@acme-gmbh.de", "company": "Acme GmbH",
         "phone": "+49 30 1234567"},
        {"lead_name": "Bob Fischer", "email": "bob.fischer@gmail.com", "company": "ACME", "phone": "030 1234567"},
    )]
    duplicates_scan.scan_team(db.uow(), manager)
    duplicates_merge.merge_leads(db.uow(), manager, twins[0], twins[1])
    # the rep's day and the manager's routing (last, so the rule routes none of the leads above)
    work_activities.log_activity(db.uow(), manager, ids[0], kind="call", outcome="connected", note="Wants a demo")
    work_tasks.create_task(db.uow(), manager, ids[0], title="Send the demo link", due_at=datetime.now(UTC))
    work_views.save_view(db.uow(), rep, name="My hot leads", filters={"tags": ["hot"]})
    saved_mappings.save_for(db.uow(), rep, ["Name", "E-mail", "Stage"], {"Name": "lead_name", "E-mail": "email",
                            "Stage": "status"}, {"Working": "CONTACTED"}, name="Trade fair list")
    work_prefs.set_prefs(db.uow(), rep, time_zone="Europe/Berlin")
    work_assignment.create_rule(db.uow(), manager, {"name": "Everyone in turn", "strategy": "round_robin",
                                                    "assignee_ids": [rep.user_id]})
    intro = templates.save_template(db.uow(), manager, name="Intro", subject="{{ company }}",
                                    body="Hi {{ first_name }}")
    outbox.queue_send(db.uow(), manager, intro.id, ids=ids[9:11])
    # enrichment: provenance rows (lead_enrichments) and the month's spend (enrichment_credits)
    from leadcore.enrichment.demo import DemoEnricher
    from leadcore.enrichment.runner import enrich

    enriched = enrich(db.uow(), manager, providers=[DemoEnricher()], limit=3)
    assert enriched.credits_spent, enriched.message
    # a background job row (jobs); its message goes to an in-memory queue nobody consumes
    from huey import MemoryHuey

    from leadcore import jobs
    from leadcore.jobs.queue import Queue

    with db.uow() as uow:
        jobs.enqueue(uow.session, "discovery.run", team_id=manager.team_id, ref=run.search_id,
                     payload={"role": "manager"}, queue=Queue(MemoryHuey("populate", results=False), db))
        uow.commit()
    ok = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200, text="ok")))
    deliver_due(db.engine, now=datetime.now(UTC), client=ok, limit=3)  # webhook deliveries and attempts
    return {"admin": admin, "manager": manager, "rep": rep, "other": other, "token": token, "run": run,
            "other_run": other_run, "imported": imported}


def _value(v: Any) -> Any:
    if isinstance(v, datetime):
        return (v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)).isoformat()
    return v


def snapshot(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table (but the derived rollups), typed by the models, datetimes as UTC text: equal
    snapshots mean equal data."""
    out: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        for t in Base.metadata.sorted_tables:
            if t.name in ROLLUP_TABLES:  # derived counts: tests/analytics/test_rollups.py checks them
                continue
            rows = conn.execute(select(t).order_by(*t.primary_key.columns))
            out[t.name] = [{k: _value(v) for k, v in r._mapping.items()} for r in rows]
    return out


def raw_snapshot(engine: Engine, tables: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row as the database returns it to plain SQL (no model types), for comparing across migrations."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for name in tables:
            out[name] = [tuple(_value(v) for v in r) for r in conn.execute(text(f"SELECT * FROM {name} ORDER BY id"))]
    return out


@contextmanager
def scratch_database(kind: str, pg_url: str, tmp_path: Any, *, revision: str | None = "head") -> Iterator[Database]:
    """A database of its own (a new SQLite file or PostgreSQL schema), migrated to ``revision``, dropped after."""
    schema = None
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / f'scratch-{uuid.uuid4().hex[:8]}.db'}")
        url = str(engine.url)
    else:
        schema = f"lc_rel_{uuid.uuid4().hex[:10]}"
        admin = make_engine(pg_url)
        with admin.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        engine = make_engine(pg_url, search_path=schema)
        url = pg_url
    try:
        if revision:
            migrate.upgrade(engine, revision)
        yield Database(url=url, engine=engine, sessions=session_factory(engine))
    finally:
        engine.dispose()
        if schema:
            admin = make_engine(pg_url)
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()


def errors_in_threads(fn: Callable[[], object], n: int) -> list[BaseException]:
    """Run ``fn`` in ``n`` threads at once; what each raised (failed assertions included), none when all passed."""
    errors: list[BaseException] = []

    def guarded() -> None:
        try:
            fn()
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=guarded) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
