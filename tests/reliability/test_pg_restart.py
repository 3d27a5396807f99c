"""PostgreSQL restarted while the app runs → the app recovers. A real restart, of a private throwaway cluster.

The shared server on 127.0.0.1:5432 serves the parallel test workers, so it is never touched: the test runs
``initdb`` into a temporary folder, starts that cluster on a free port (as the ``postgres`` user when run as root:
initdb and postgres refuse to run as root), and always stops it and deletes the folder afterwards.

Through one ``leadcore.db.runtime.open_database`` Database — the object the app caches for its whole life, with its
pre-pinged pool — never recreated:

- ``pg_ctl restart -m fast`` with stale connections in the pool: the next reads (several at once) and the next
  write succeed;
- a restart in the middle of a CSV import's transaction (its leads already inserted): the import fails with the
  worded ConnectionLost, nothing of it remains, the run is recorded as failed, and importing again works;
- ``pg_ctl stop``: every action (read, create, edit, bulk edit, CSV import, discovery) fails with the worded
  DatabaseBusy "… nothing was saved …", quickly and without another exception; after ``pg_ctl start`` every table
  is exactly as before the stop and the next read and write succeed.

Without PostgreSQL's server binaries the test is skipped, unless LEADCORE_REQUIRE_POSTGRES=1 (CI): then it fails.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.pool import NullPool

from leadcore.db.faults import LOST_MESSAGE, ConnectionLost
from leadcore.db.models import Lead, LeadEvent, LeadSearch
from leadcore.db.runtime import Database, open_database
from leadcore.discovery.providers.base import SearchQuery
from leadcore.discovery.providers.demo import DemoProvider
from leadcore.discovery.runs import run_discovery
from leadcore.errors import DatabaseBusy
from leadcore.fileimport import importer
from leadcore.grid import listing
from leadcore.leads import bulk, edits
from tests.reliability.support import csv_table, errors_in_threads, lead, snapshot, user

SERVER_TOOLS = ("initdb", "pg_ctl", "postgres")


def _unavailable(reason: str) -> None:
    """Skip, or fail where PostgreSQL is required (CI sets LEADCORE_REQUIRE_POSTGRES=1)."""
    if os.environ.get("LEADCORE_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"LEADCORE_REQUIRE_POSTGRES=1, but a private PostgreSQL cluster cannot be started: {reason}")
    pytest.skip(f"a private PostgreSQL cluster cannot be started: {reason}")


def _server_bindir() -> Path | None:
    """The newest directory holding initdb, pg_ctl and postgres (Debian keeps them off PATH)."""
    found: list[Path] = []
    versions = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if p.parent.name.isdigit()]
    found += sorted(versions, key=lambda p: int(p.parent.name), reverse=True)
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and out.stdout.strip():
            found.append(Path(out.stdout.strip()))
    if shutil.which("pg_ctl"):
        found.append(Path(shutil.which("pg_ctl") or "").parent)
    return next((d for d in found if all((d / tool).is_file() for tool in SERVER_TOOLS)), None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """A throwaway PostgreSQL cluster in ``root``, driven with pg_ctl."""

    def __init__(self, bindir: Path, root: Path, *, run_as: str | None) -> None:
        self.bindir, self.root, self.run_as = bindir, root, run_as
        self.data, self.log = root / "data", root / "server.log"
        self.port = 0

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str, timeout: float = 60) -> None:
        command = [str(self.bindir / tool), *args]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        done = subprocess.run(command, cwd=self.root, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{tool} {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}\n{log}")

    def _pg_ctl(self, action: str, *args: str) -> None:
        self._run("pg_ctl", action, "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", *args)

    def init(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\ninclude = 'leadcore_test.conf'\n")

    def configure(self, port: int) -> None:
        """Own port, TCP on localhost only, the socket in our folder (not the shared server's), no durability."""
        self.port = port
        (self.data / "leadcore_test.conf").write_text(
            f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.root}'\n"
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 16MB\n"
            "max_connections = 40\n"
        )

    def start(self) -> None:
        self._pg_ctl("start")

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-m", mode)

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()


@pytest.fixture
def private_pg() -> Iterator[Cluster]:
    bindir = _server_bindir()
    if bindir is None:
        _unavailable(f"no {', '.join(SERVER_TOOLS)} under /usr/lib/postgresql/*/bin, pg_config --bindir or PATH")
    assert bindir is not None
    run_as = None
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root and there is no 'postgres' user to run the server as")
        if not shutil.which("runuser"):
            _unavailable("running as root and there is no runuser to run the server as 'postgres'")
        run_as = "postgres"
    root = Path(tempfile.mkdtemp(prefix="lc-pg-restart-"))
    cluster = Cluster(bindir, root, run_as=run_as)
    try:
        if run_as:
            os.chown(root, pw.pw_uid, pw.pw_gid)
        cluster.init()
        for attempt in range(3):  # another process may take the free port before the server binds it
            cluster.configure(_free_port())
            try:
                cluster.start()
                break
            except RuntimeError:
                if attempt == 2:
                    raise
        yield cluster
    finally:
        if cluster.running():
            try:
                cluster.stop("immediate")
            except (RuntimeError, subprocess.TimeoutExpired):
                pass
        shutil.rmtree(root, ignore_errors=True)


# --- helpers ------------------------------------------------------------------------------------------------------


def server_started_at(cluster: Cluster) -> Any:
    """When the postmaster started, through a connection of its own (the app's pool is left alone)."""
    engine = create_engine(cluster.url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT pg_postmaster_start_time()"))
    finally:
        engine.dispose()


def fill_the_pool(db: Database, n: int) -> set[int]:
    """Check out ``n`` connections at once and return them to the pool; their server process ids."""
    pids: set[int] = set()
    barrier = threading.Barrier(n)

    def hold() -> None:
        with db.engine.connect() as conn:
            pids.add(int(conn.scalar(text("SELECT pg_backend_pid()")) or 0))
            barrier.wait(timeout=10)

    threads = [threading.Thread(target=hold) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert db.engine.pool.checkedin() >= n  # type: ignore[attr-defined]
    return pids


def counts(db: Database) -> tuple[int, int, int]:
    with db.uow() as uow:
        s = uow.session
        return tuple(
            int(s.scalar(select(func.count()).select_from(t)) or 0)  # type: ignore[return-value]
            for t in (Lead.__table__, LeadEvent.__table__, LeadSearch.__table__)
        )


def rows(n: int, tag: str) -> list[dict[str, str]]:
    return [
        {"Name": f"{tag} Person {i}", "Email": f"{tag}.{i}@{tag}.example", "Company": f"{tag} Co"} for i in range(n)
    ]


# --- the test -----------------------------------------------------------------------------------------------------


def test_the_app_recovers_from_a_real_postgresql_restart_and_stop(private_pg: Cluster) -> None:
    db = open_database(private_pg.url)  # the app's wiring: migrated on first use, a pre-pinged pool
    try:
        _restart_with_stale_connections_in_the_pool(private_pg, db)
        _restart_in_the_middle_of_an_import(private_pg, db)
        _stop_then_start(private_pg, db)
        assert open_database(private_pg.url) is db  # the very same object the whole time
    finally:
        db.engine.dispose()


def _restart_with_stale_connections_in_the_pool(cluster: Cluster, db: Database) -> None:
    manager = user(db, "manager")
    ids = [lead(db, manager) for _ in range(5)]
    old_pids = fill_the_pool(db, 4)
    started = server_started_at(cluster)

    cluster.restart()

    assert server_started_at(cluster) > started  # a real restart happened

    def read() -> None:
        assert listing.list_leads(db.uow(), manager).total == 5

    assert errors_in_threads(read, 6) == []
    version = edits.get_lead(db.uow(), manager, ids[0])["version"]
    out = edits.update_lead(db.uow(), manager, ids[0], {"status": "QUALIFIED"}, expected_version=version)
    assert out["status"] == "QUALIFIED" and out["version"] == version + 1
    assert lead(db, manager)
    with db.engine.connect() as conn:  # the pool now holds connections to the new server only
        assert int(conn.scalar(text("SELECT pg_backend_pid()")) or 0) not in old_pids


def _restart_in_the_middle_of_an_import(cluster: Cluster, db: Database) -> None:
    """The file's leads are inserted, its events not yet: the server restarts under the open transaction."""
    rep = user(db, "rep")
    table = csv_table(rows(30, "restart"))
    before = counts(db)
    restarted: list[bool] = []

    def restart_before_the_events(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not restarted and " ".join(statement.split()).upper().startswith("INSERT INTO LEAD_EVENTS"):
            restarted.append(True)
            cluster.restart()

    event.listen(db.engine, "before_cursor_execute", restart_before_the_events)
    try:
        with pytest.raises(ConnectionLost) as info:
            importer.commit_import(db.uow(), rep, table, filename="restart.csv")
    finally:
        event.remove(db.engine, "before_cursor_execute", restart_before_the_events)
    assert restarted, "the import never reached its events insert"
    assert str(info.value) == LOST_MESSAGE
    leads_after, events_after, searches_after = counts(db)
    assert (leads_after, events_after) == before[:2]  # not one lead or event of the file half-saved
    assert searches_after == before[2] + 1
    with db.uow() as uow:
        run = uow.session.scalars(select(LeadSearch).order_by(LeadSearch.id.desc())).first()
        assert run is not None and run.outcome == "failed" and run.saved == 0
        assert (run.error or "").startswith("nothing was saved")
    again = importer.commit_import(db.uow(), rep, table, filename="restart.csv")
    assert (again.saved, again.duplicates, again.invalid) == (30, 0, 0)


def _stop_then_start(cluster: Cluster, db: Database) -> None:
    manager = user(db, "manager")
    lead_id = lead(db, manager)
    version = edits.get_lead(db.uow(), manager, lead_id)["version"]
    fill_the_pool(db, 3)
    before = snapshot(db.engine)

    cluster.stop()

    actions = {
        "read": lambda: listing.list_leads(db.uow(), manager),
        "create": lambda: lead(db, manager),
        "edit": lambda: edits.update_lead(
            db.uow(), manager, lead_id, {"status": "CONTACTED"}, expected_version=version
        ),
        "bulk": lambda: bulk.bulk_update(db.uow(), manager, [lead_id], bulk.BulkChange(add_tags=("down",))),
        "import": lambda: importer.commit_import(db.uow(), manager, csv_table(rows(3, "down")), filename="d.csv"),
        "discover": lambda: run_discovery(db.uow(), manager, SearchQuery("CTO", limit=5), provider=DemoProvider()),
    }
    for name, action in actions.items():
        started = time.monotonic()
        with pytest.raises(DatabaseBusy) as info:
            action()
        assert str(info.value) == LOST_MESSAGE, (name, str(info.value))
        assert time.monotonic() - started < 5, f"{name} took {time.monotonic() - started:.1f} s to give up"

    cluster.start()

    assert snapshot(db.engine) == before  # nothing was saved while the server was down
    assert edits.get_lead(db.uow(), manager, lead_id)["version"] == version
    out = edits.update_lead(db.uow(), manager, lead_id, {"status": "CONTACTED"}, expected_version=version)
    assert out["status"] == "CONTACTED"
    assert listing.list_leads(db.uow(), manager).total >= 1
