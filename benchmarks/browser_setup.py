"""What the browser benchmarks stand on: a database of their own with N demo leads (``seed-demo``, or on PostgreSQL
above 20,000 rows ``seed-demo`` into a scratch SQLite file, then ``leadcore backup`` / ``leadcore restore``), a
``streamlit run app.py`` on it, and the Chromium they drive (``benchmarks.browser``, ``benchmarks.browser_users``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "leadcore_browser_bench"
MANAGER = ("bench-manager@example.com", "bench-manager-password")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-dev-shm-usage"]


def say(msg: str) -> None:
    print(f"[browser-bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- the database ---------------------------------------------------------------------------------------------

@dataclass
class BenchDb:
    url: str
    dialect: str
    created: bool = False


@contextlib.contextmanager
def bench_database(url: str, *, reuse: bool, keep: bool) -> Iterator[BenchDb]:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        if not parsed.database or parsed.database == ":memory:":
            raise SystemExit("benchmark: give SQLite a file path, e.g. sqlite:////tmp/browser-bench.db")
        if path.exists() and not reuse:
            raise SystemExit(f"benchmark: {path} exists; remove it or pass --reuse")
        db = BenchDb(url, "sqlite", created=not path.exists())
        try:
            yield db
        finally:
            if db.created and not keep:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    if parsed.get_backend_name() != "postgresql":
        raise SystemExit("benchmark: --database-url must be postgresql+psycopg://… or sqlite:///…")
    bench_url = parsed.set(database=BENCH_DB).render_as_string(hide_password=False)
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": BENCH_DB}).first()
        if exists and not reuse:
            say(f"dropping a leftover {BENCH_DB}")
            conn.execute(text(f'DROP DATABASE "{BENCH_DB}" WITH (FORCE)'))
            exists = None
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{BENCH_DB}"'))
    db = BenchDb(bench_url, "postgresql", created=not exists)
    try:
        yield db
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
            say(f"dropped {BENCH_DB}")
        admin.dispose()


def leadcore(db: BenchDb | str, *args: str, stdin: str | None = None) -> str:
    url = db if isinstance(db, str) else db.url
    env = dict(os.environ, LEADCORE_DATABASE_URL=url)
    done = subprocess.run([sys.executable, "-m", "leadcore", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"leadcore {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def lead_count(db: BenchDb) -> int:
    engine = create_engine(db.url)
    try:
        with engine.connect() as conn:
            has = conn.execute(text(
                "SELECT 1 FROM information_schema.tables WHERE table_name = 'leads'" if db.dialect == "postgresql"
                else "SELECT 1 FROM sqlite_master WHERE name = 'leads'")).first()
            return int(conn.execute(text("SELECT count(*) FROM leads")).scalar() or 0) if has else 0
    finally:
        engine.dispose()


def load(db: BenchDb, rows: int, seed: int, how: str) -> dict[str, Any]:
    """Migrate, load N leads (skipped when a reused database already has them), analyze, add the manager.

    ``seed-demo``: ``python -m leadcore seed-demo N`` straight into the database.
    ``restore`` (PostgreSQL): the same ``seed-demo N`` into a scratch SQLite file, then ``leadcore backup`` and
    ``leadcore restore`` into PostgreSQL: the same leads through the same matcher, ~5x faster here than seeding
    PostgreSQL row batch by row batch (whose rate falls as the table grows).
    """
    have = lead_count(db)
    info: dict[str, Any] = {"rows_before": have, "method": "reused"}
    if have >= rows:
        say(f"reusing {have:,} leads")
    elif how == "restore" and db.dialect == "postgresql" and have == 0:
        info["method"] = "seed-demo into SQLite, leadcore backup, leadcore restore into PostgreSQL"
        with tempfile.TemporaryDirectory(prefix="browser-bench-") as tmp:
            scratch = f"sqlite:///{tmp}/seed.db"
            dump = f"{tmp}/seed.jsonl.gz"
            for step, args in (("seed", (scratch, "seed-demo", str(rows), "--seed", str(seed))),
                               ("backup", (scratch, "backup", dump)), ("restore", (db.url, "restore", dump))):
                say(f"{step} …" + (f" {rows:,} leads through the matcher (SQLite scratch file)" if step == "seed"
                                   else ""))
                t0 = time.perf_counter()
                leadcore(*args)
                info[f"{step}_seconds"] = round(time.perf_counter() - t0, 1)
                say(f"{step} took {info[f'{step}_seconds']} s")
    else:
        info["method"] = "seed-demo"
        leadcore(db, "migrate")
        say(f"seed-demo {rows - have:,} leads (through the matcher) …")
        t0 = time.perf_counter()
        # topping up a reused database: another seed, or the same leads come again (as duplicates)
        leadcore(db, "seed-demo", str(rows - have), "--seed", str(seed + have))
        info["seed_seconds"] = round(time.perf_counter() - t0, 1)
        say(f"seeded in {info['seed_seconds']} s")
    leadcore(db, "migrate")
    engine = create_engine(db.url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE" if db.dialect == "postgresql" else "ANALYZE"))  # what autovacuum does
    engine.dispose()
    info["rows"] = lead_count(db)
    email, password = MANAGER
    with contextlib.suppress(RuntimeError):  # already there when the database is reused
        leadcore(db, "create-user", "--email", email, "--role", "manager", "--name", "Bench Manager",
                 "--password-stdin", stdin=password + "\n")
    return info


# --- the server -----------------------------------------------------------------------------------------------

class Server:
    def __init__(self, db: BenchDb, log: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port",
             str(self.port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=dict(os.environ, LEADCORE_DATABASE_URL=db.url), stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early; see {log}")
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"streamlit did not become healthy; see {log}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.log.close()


def add_shared_options(p: argparse.ArgumentParser) -> None:
    """The options every browser benchmark takes besides its own: seed, JSON output, reuse and keep."""
    p.add_argument("--seed", type=int, default=1, help="seed-demo's random seed")
    p.add_argument("--json", dest="json_out", help="write the figures here as JSON")
    p.add_argument("--reuse", action="store_true", help="reuse the database if it exists (skip loading)")
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")


def chromium_missing() -> bool:
    """True (and says so) when Debian's chromium, which the browser benchmarks drive, is not installed."""
    if os.path.exists(CHROMIUM):
        return False
    print("benchmark: chromium is not installed (apt-get install chromium)", file=sys.stderr)
    return True


@contextlib.contextmanager
def served(args: argparse.Namespace, log_name: str, how: str = "auto"
           ) -> Iterator[tuple[BenchDb, dict[str, Any], Server]]:
    """The benchmark database with ``args.rows`` leads (``how``: seed-demo or restore; auto: restore above 20,000
    rows on PostgreSQL) and a Streamlit server on it, logging to test-artifacts/``log_name``; stopped at the end."""
    log = ROOT / "test-artifacts" / log_name
    log.parent.mkdir(parents=True, exist_ok=True)
    with bench_database(args.database_url, reuse=args.reuse, keep=args.keep) as db:
        if how == "auto":
            how = "restore" if db.dialect == "postgresql" and args.rows > 20_000 else "seed-demo"
        loaded = load(db, args.rows, args.seed, how)
        say(f"starting streamlit (log: {log})")
        server = Server(db, log)
        try:
            yield db, loaded, server
        finally:
            server.stop()
