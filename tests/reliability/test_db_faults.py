"""Database faults: a connection killed mid-action, a locked SQLite file, a server that dropped every connection.

The promise: the action's transaction rolls back entirely (or the result says exactly what was saved), the user
gets a DatabaseBusy worded for them, and the next action works without restarting anything.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select, text

from leadcore.db.engine import make_engine, session_factory
from leadcore.db.faults import ConnectionLost, DatabaseLocked
from leadcore.db.models import Lead, LeadEvent, LeadSearch
from leadcore.db.runtime import Database
from leadcore.discovery.providers.base import SearchQuery
from leadcore.discovery.providers.demo import DemoProvider
from leadcore.discovery.runs import run_discovery
from leadcore.errors import DatabaseBusy
from leadcore.fileimport import importer
from leadcore.grid import listing
from leadcore.leads import bulk, edits
from tests.conftest import Backend
from tests.reliability.support import PG_URL, csv_table, errors_in_threads, lead, user

LOST = "Lost the connection to the database; nothing was saved"


def _kill_backend(pid: int) -> None:
    """End the server process behind a connection, from a second connection, and wait until it is gone."""
    admin = make_engine(PG_URL)
    try:
        with admin.connect() as a:
            assert a.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}).scalar()
    finally:
        admin.dispose()


class Saboteur:
    """Terminates the server process of a connection (``pg_terminate_backend``) just before its Nth matching statement.

    It runs in the victim's own ``before_cursor_execute`` hook and waits until the backend is gone, so the
    statement it precedes is the first to hit the dead connection.
    """

    def __init__(self, engine: Engine, *, statement: str, nth: int = 1) -> None:
        self.engine, self.prefix, self.nth = engine, statement.upper(), nth
        self.seen = 0
        self.killed: list[int] = []
        event.listen(engine, "before_cursor_execute", self._before)

    def _before(self, conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if self.killed or not " ".join(statement.split()).upper().startswith(self.prefix):
            return
        self.seen += 1
        if self.seen < self.nth:
            return
        pid = conn.connection.dbapi_connection.info.backend_pid
        _kill_backend(pid)
        self.killed.append(pid)

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)


@pytest.fixture
def pg_copy(pg_backend: Backend) -> Iterator[Database]:
    """The test schema through an engine of its own, so hooks and killed connections stay in this test."""
    engine = pg_backend.engine_copy(connect_args={"application_name": f"lc-faults-{uuid.uuid4().hex[:8]}"})
    yield Database(url=pg_backend.url, engine=engine, sessions=session_factory(engine))
    engine.dispose()


def counts(db: Database) -> tuple[int, int, int]:
    with db.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.scalar(select(func.count()).select_from(t)) or 0)
            for t in (Lead.__table__, LeadEvent.__table__, LeadSearch.__table__)
        )


def rows(n: int, tag: str) -> list[dict[str, str]]:
    return [{"Name": f"{tag} Person {i}", "Email": f"{tag}.{i}@{tag}.example", "Company": f"{tag} Co"}
            for i in range(n)]


# --- PostgreSQL: the connection dies in the middle of an action -------------------------------------------------


def test_connection_killed_mid_import_rolls_back_the_whole_file_and_the_next_import_works(pg_copy: Database) -> None:
    """Killed after the 40 leads were written but before their events: the file's transaction rolls back whole."""
    rep = user(pg_copy, "rep")
    table = csv_table(rows(40, "kill"))
    leads_before, events_before, _ = counts(pg_copy)
    saboteur = Saboteur(pg_copy.engine, statement="INSERT INTO lead_events")
    try:
        with pytest.raises(ConnectionLost, match=LOST):
            importer.commit_import(pg_copy.uow(), rep, table, filename="kill.csv")
    finally:
        saboteur.close()
    assert saboteur.killed, "the connection was never killed"
    leads_after, events_after, _ = counts(pg_copy)
    assert (leads_after, events_after) == (leads_before, events_before)
    with pg_copy.uow() as uow:
        run = uow.session.scalars(select(LeadSearch).order_by(LeadSearch.id.desc())).first()
        assert run is not None and run.outcome == "failed" and run.saved == 0
        assert run.error and run.error.startswith("nothing was saved")
    again = importer.commit_import(pg_copy.uow(), rep, table, filename="kill.csv")
    assert (again.saved, again.duplicates, again.invalid) == (40, 0, 0)


def test_connection_killed_in_the_middle_of_the_bulk_lead_insert(pg_copy: Database, monkeypatch) -> None:
    """The PostgreSQL matcher streams new leads with COPY on the driver's own cursor (no SQLAlchemy events, bare
    psycopg errors): killing the connection after the 20th of 40 rows still ends as ConnectionLost, nothing saved."""
    import psycopg

    from leadcore.intake.writes import INSERT_COLUMNS

    rep = user(pg_copy, "rep")
    table = csv_table(rows(40, "copy"))
    before = counts(pg_copy)
    real = psycopg.Copy.write_row
    email_at = 1 + INSERT_COLUMNS.index("email")  # the lead's id comes first
    written: list[str] = []
    current_pid: list[int] = [0]

    def remember_pid(conn: Any, *_: Any) -> None:
        current_pid[0] = conn.connection.dbapi_connection.info.backend_pid

    def write_row(copy: Any, row: Any) -> None:  # the driver's own COPY, cut after the 20th lead
        written.append(row[email_at])
        if len(written) == 20:
            _kill_backend(current_pid[0])
        real(copy, row)

    event.listen(pg_copy.engine, "before_cursor_execute", remember_pid)
    monkeypatch.setattr(psycopg.Copy, "write_row", write_row)
    try:
        with pytest.raises(ConnectionLost, match=LOST):
            importer.commit_import(pg_copy.uow(), rep, table, filename="copy.csv")
    finally:
        event.remove(pg_copy.engine, "before_cursor_execute", remember_pid)
    assert len(written) >= 20
    assert counts(pg_copy)[:2] == before[:2]
    monkeypatch.setattr(psycopg.Copy, "write_row", real)
    again = importer.commit_import(pg_copy.uow(), rep, table, filename="copy.csv")
    assert again.saved == 40


def test_connection_killed_mid_bulk_update_changes_no_lead_and_the_retry_works(pg_copy: Database) -> None:
    manager = user(pg_copy, "manager")
    ids = [lead(pg_copy, manager) for _ in range(12)]
    with pg_copy.uow() as uow:
        before = {r.id: (r.version, list(r.tags), r.status) for r in uow.session.scalars(select(Lead))}
    saboteur = Saboteur(pg_copy.engine, statement="INSERT INTO lead_events")  # after the leads' UPDATE ran
    try:
        with pytest.raises(ConnectionLost, match=LOST):
            bulk.bulk_update(pg_copy.uow(), manager, ids, bulk.BulkChange(status="CONTACTED", add_tags=("x",)))
    finally:
        saboteur.close()
    assert saboteur.killed
    with pg_copy.uow() as uow:
        after = {r.id: (r.version, list(r.tags), r.status) for r in uow.session.scalars(select(Lead))}
    assert after == before
    result = bulk.bulk_update(pg_copy.uow(), manager, ids, bulk.BulkChange(status="CONTACTED", add_tags=("x",)))
    assert result.updated == 12


def test_connection_killed_on_page_two_keeps_page_one_and_reports_it(pg_copy: Database) -> None:
    manager = user(pg_copy, "manager")
    provider = DemoProvider()
    page_size = provider.settings.provider_page_size
    # Each page's events are written after its leads: the second events insert is page two, leads already in.
    saboteur = Saboteur(pg_copy.engine, statement="INSERT INTO lead_events", nth=2)
    try:
        with pytest.raises(ConnectionLost):
            run_discovery(pg_copy.uow(), manager, SearchQuery("VP Engineering fintech", limit=page_size * 3),
                          provider=provider)
    finally:
        saboteur.close()
    assert saboteur.killed
    with pg_copy.uow() as uow:
        run = uow.session.scalars(select(LeadSearch)).one()
        saved = uow.session.scalar(select(func.count()).select_from(Lead).where(Lead.search_id == run.id))
        assert run.outcome == "partial" and "stopped" in (run.error or "")
        # Exactly page one is saved, and the run's counters say so.
        assert run.returned == page_size and run.saved == saved
        assert run.saved + run.duplicates + run.invalid == page_size
    again = run_discovery(pg_copy.uow(), manager, SearchQuery("VP Engineering fintech", limit=page_size * 3),
                          provider=provider)
    assert again.outcome == "ok" and again.count == page_size * 3 and again.duplicates >= page_size


def test_connection_killed_during_commit_says_the_outcome_is_unknown(pg_copy: Database) -> None:
    manager = user(pg_copy, "manager")
    lead_id = lead(pg_copy, manager)
    version = edits.get_lead(pg_copy.uow(), manager, lead_id)["version"]

    def kill(conn: Any) -> None:
        _kill_backend(conn.connection.dbapi_connection.info.backend_pid)

    event.listen(pg_copy.engine, "commit", kill)
    try:
        with pytest.raises(ConnectionLost, match="may or may not have been saved"):
            edits.update_lead(pg_copy.uow(), manager, lead_id, {"status": "QUALIFIED"}, expected_version=version)
    finally:
        event.remove(pg_copy.engine, "commit", kill)
    current = edits.get_lead(pg_copy.uow(), manager, lead_id)  # the next action works; the kill came first
    assert (current["status"], current["version"]) == ("NEW", version)


def test_pool_recovers_after_the_server_closes_every_connection(pg_copy: Database) -> None:
    """A PostgreSQL restart as the app sees it: every pooled connection dies at once; pre-ping replaces them."""
    manager = user(pg_copy, "manager")
    for _ in range(5):
        lead(pg_copy, manager)
    barrier = threading.Barrier(5)

    def warm() -> None:
        with pg_copy.uow() as uow:
            uow.session.execute(text("SELECT 1"))
            barrier.wait(timeout=10)  # five connections checked out at once: the pool holds five

    threads = [threading.Thread(target=warm) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    name = _app_name(pg_copy.engine)
    admin = make_engine(PG_URL)
    with admin.connect() as a:
        killed = a.execute(text(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
            "WHERE application_name = :name) k"), {"name": name}).scalar()
    admin.dispose()
    assert killed == 5

    def read() -> None:
        assert listing.list_leads(pg_copy.uow(), manager).total == 5

    assert errors_in_threads(read, 8) == []
    assert lead(pg_copy, manager)  # and writes work too


def test_a_transaction_open_when_the_server_drops_it_fails_clearly_then_the_app_goes_on(pg_copy: Database) -> None:
    manager = user(pg_copy, "manager")
    lead_id = lead(pg_copy, manager)
    uow = pg_copy.uow()
    # Whether the loss is noticed at the read or only at COMMIT is up to the driver; either way it is worded.
    with pytest.raises(ConnectionLost, match=r"^Lost the connection to the database"), uow:
        uow.session.get(Lead, lead_id).status = "REJECTED"  # type: ignore[union-attr]
        uow.session.flush()
        _kill_backend(uow.session.connection().connection.dbapi_connection.info.backend_pid)  # type: ignore[union-attr]
        uow.session.execute(select(Lead.id))  # the action reads once more before it commits
        uow.commit()
    assert edits.get_lead(pg_copy.uow(), manager, lead_id)["status"] == "NEW"


def _app_name(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.scalar(text("SHOW application_name")))


# --- SQLite: another writer holds the lock ------------------------------------------------------------------------


@pytest.fixture
def sqlite_short_wait(backends: dict[str, Backend]) -> Iterator[Database]:
    """The test SQLite file through an engine that waits only 0.3 s for a lock (the app waits 5 s)."""
    b = backends["sqlite"]
    b.clean()
    engine = make_engine(b.url, sqlite_busy_timeout_ms=300)
    yield Database(url=b.url, engine=engine, sessions=session_factory(engine))
    engine.dispose()


@pytest.fixture
def writer_lock(sqlite_short_wait: Database) -> Iterator[sqlite3.Connection]:
    """Another process's writer: ``BEGIN IMMEDIATE`` held on a second connection until the test lets go."""
    path = sqlite_short_wait.engine.url.database
    assert path
    other = sqlite3.connect(path, isolation_level=None, timeout=0, check_same_thread=False)
    yield other
    if other.in_transaction:
        other.rollback()
    other.close()


def test_sqlite_locked_by_another_writer_is_busy_try_again_not_a_crash(
    sqlite_short_wait: Database, writer_lock: sqlite3.Connection
) -> None:
    db = sqlite_short_wait
    manager = user(db, "manager")
    lead_id = lead(db, manager)
    version = edits.get_lead(db.uow(), manager, lead_id)["version"]
    before = counts(db)
    writer_lock.execute("BEGIN IMMEDIATE")
    writer_lock.execute("UPDATE teams SET name = name")
    actions = {
        "create": lambda: lead(db, manager),
        "edit": lambda: edits.update_lead(db.uow(), manager, lead_id, {"status": "CONTACTED"},
                                          expected_version=version),
        "bulk": lambda: bulk.bulk_update(db.uow(), manager, [lead_id], bulk.BulkChange(add_tags=("t",))),
        "import": lambda: importer.commit_import(db.uow(), manager, csv_table(rows(3, "lock")), filename="l.csv"),
        "discover": lambda: run_discovery(db.uow(), manager, SearchQuery("CTO", limit=5), provider=DemoProvider()),
    }
    for name, action in actions.items():
        started = time.monotonic()
        with pytest.raises(DatabaseBusy, match=r"busy.*try again") as info:
            action()
        assert isinstance(info.value, DatabaseLocked) or "busy" in str(info.value), name
        assert time.monotonic() - started < 5, f"{name} waited far longer than the busy timeout"
    # Readers are not blocked by a writer (WAL), and nothing was written.
    assert listing.list_leads(db.uow(), manager).total == 1
    assert counts(db) == before
    writer_lock.rollback()
    assert lead(db, manager)  # the lock is gone: the next action works
    edits.update_lead(db.uow(), manager, lead_id, {"status": "CONTACTED"}, expected_version=version)


def test_sqlite_retry_waits_out_a_short_lock(sqlite_short_wait: Database, writer_lock: sqlite3.Connection) -> None:
    """A lock released within the busy timeout is simply waited for: the user never hears about it."""
    db = sqlite_short_wait
    manager = user(db, "manager")
    writer_lock.execute("BEGIN IMMEDIATE")
    threading.Timer(0.1, writer_lock.rollback).start()
    result = importer.commit_import(db.uow(), manager, csv_table(rows(5, "wait")), filename="w.csv")
    assert result.saved == 5
