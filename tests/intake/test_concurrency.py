"""Concurrent writers on PostgreSQL: every lead is stored once, nobody sees an error, the counts add up.

Threads share nothing but the database (each has its own unit of work); processes are real
``python -m leadcore import-csv`` runs started at the same moment.
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text, update

from leadcore.accounts.users import team_actor
from leadcore.db.engine import make_engine
from leadcore.db.models import Lead, LeadEvent
from leadcore.db.runtime import Database
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.matcher import SaveResult, SearchContext, save_batch
from leadcore.leads.edits import get_lead

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("LEADCORE_TEST_DATABASE_URL", "").strip()
KEY_COLUMNS = ("email_norm", "linkedin_norm")


@dataclass(frozen=True)
class Entity:
    """One real lead and the ways a source may spell it (its set of match keys never changes)."""

    kind: str
    n: int

    def row(self, rng: random.Random) -> dict[str, str]:
        n = self.n
        if self.kind == "email":
            email = rng.choice([f"person{n}@corp{n % 37}.com", f" Person{n}@CORP{n % 37}.com ",
                                f"PERSON{n}@corp{n % 37}.COM"])
            return {"name": f"Person {n}", "email": email.strip(), "company": f"Corp {n % 37}"}
        if self.kind == "gmail":
            email = rng.choice([f"first.last{n}@gmail.com", f"firstlast{n}+news@gmail.com",
                                f"FirstLast{n}@googlemail.com"])
            return {"name": f"First Last{n}", "email": email}
        if self.kind == "linkedin":
            url = rng.choice([f"https://www.linkedin.com/in/member-{n}/", f"linkedin.com/in/Member-{n}",
                              f"http://de.linkedin.com/in/member-{n}?trk=x"])
            return {"name": f"Member {n}", "linkedin": url, "company": f"Corp {n % 11}"}
        if self.kind == "both":
            return {"name": f"Both {n}", "email": f"both{n}@both{n % 5}.io",
                    "linkedin": rng.choice([f"https://linkedin.com/in/both-{n}", f"www.linkedin.com/in/both-{n}/"])}
        if self.kind == "company":
            site = rng.choice([f"https://www.firm{n}.co.uk/about", f"firm{n}.co.uk", f"http://FIRM{n}.co.uk/"])
            return {"name": rng.choice([f"Firm {n} Ltd", f"FIRM {n}", f"Firm {n} Limited"]), "website": site,
                    "type": "COMPANY"}
        assert self.kind == "weak"  # name and company only
        return {"name": rng.choice([f"Weak Name{n}", f"name{n}, weak", f"Dr. Weak Name{n}"]),
                "company": rng.choice([f"Weakco {n % 13} GmbH", f"WEAKCO {n % 13}"])}


def entities(count: int) -> list[Entity]:
    kinds = ["email", "email", "email", "gmail", "linkedin", "both", "company", "weak"]
    return [Entity(kinds[i % len(kinds)], i) for i in range(count)]


def overlapping_batches(pool: list[Entity], *, writers: int, size: int, seed: int) -> tuple[list[list[dict[str, str]]],
                                                                                           int]:
    """Each writer gets ``size`` random entities of the pool, some twice, in its own order and spelling.

    Returns the batches and how many distinct entities (leads) they hold together."""
    rng = random.Random(seed)
    out = []
    used: set[int] = set()
    for _ in range(writers):
        chosen = rng.sample(pool, size) + rng.sample(pool, size // 10)
        rng.shuffle(chosen)
        used |= {e.n for e in chosen}
        out.append([e.row(rng) for e in chosen])
    return out, len(used)


def candidate(row: dict[str, str]) -> LeadCandidate:
    return LeadCandidate(type=row.get("type", "INDIVIDUAL"), lead_name=row.get("name"), email=row.get("email"),
                         company=row.get("company"), website=row.get("website"),
                         linkedin_url=row.get("linkedin"))


def assert_each_lead_once(db: Database, team_id: int, expected: int) -> None:
    with db.uow() as uow:
        s = uow.session
        assert s.scalar(select(func.count()).select_from(Lead).where(Lead.team_id == team_id)) == expected
        for column in KEY_COLUMNS:
            col = getattr(Lead, column)
            dupes = s.execute(select(col, func.count()).where(Lead.team_id == team_id, col.is_not(None))
                              .group_by(col).having(func.count() > 1)).all()
            assert dupes == [], column
        dupes = s.execute(select(Lead.domain, func.count()).where(Lead.team_id == team_id, Lead.type == "COMPANY")
                          .group_by(Lead.domain).having(func.count() > 1)).all()
        assert dupes == []
        # Name + company identifies only leads without a strong key.
        keyless = (Lead.email_norm.is_(None) & Lead.linkedin_norm.is_(None)
                   & ((Lead.type == "INDIVIDUAL") | Lead.domain.is_(None)))
        dupes = s.execute(select(Lead.name_key, func.count()).where(Lead.team_id == team_id, keyless,
                                                                    Lead.name_key.is_not(None))
                          .group_by(Lead.name_key).having(func.count() > 1)).all()
        assert dupes == []


def run_together(workers: list[Callable[[], Any]]) -> list[Any]:
    """Start every worker at the same instant; re-raise the first error any of them hit."""
    barrier = threading.Barrier(len(workers))
    results: list[Any] = [None] * len(workers)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = workers[i]()
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    if errors:
        raise errors[0]
    return results


@pytest.mark.parametrize("seed", [1, 2])
def test_threads_saving_overlapping_batches_store_each_lead_once(pg_db: Database, seed: int) -> None:
    actor = team_actor(pg_db.uow(), "Default")
    pool = entities(240)
    batches, distinct = overlapping_batches(pool, writers=4, size=150, seed=seed)

    def writer(rows: list[dict[str, str]]) -> Callable[[], SaveResult]:
        def go() -> SaveResult:
            with pg_db.uow() as uow:
                result = save_batch(uow.session, actor, [candidate(r) for r in rows], SearchContext(source="csv"))
                uow.commit()
            return result

        return go

    results: list[SaveResult] = run_together([writer(b) for b in batches])
    assert sum(r.saved for r in results) == distinct
    assert all(r.invalid == 0 and r.count == len(b) for r, b in zip(results, batches, strict=True))
    assert_each_lead_once(pg_db, actor.team_id, distinct)


def test_threads_spelling_the_same_people_differently_never_see_a_deadlock(pg_db: Database) -> None:
    """One writer knows a person by email, another by LinkedIn, a third by both: they wait on each other's keys in
    different orders. PostgreSQL resolves that as a deadlock; the matcher must absorb it (regression)."""
    actor = team_actor(pg_db.uow(), "Default")

    def person(rng: random.Random, n: int) -> LeadCandidate:
        shown = rng.choice([("e",), ("l",), ("e", "l"), ("e", "l"), ("n",), ("e", "n")])
        return LeadCandidate(lead_name=f"Var Person{n}", company=f"VarCo {n % 7}",
                             email=f"var{n}@varco{n % 7}.com" if "e" in shown else None,
                             linkedin_url=f"https://linkedin.com/in/var-{n}" if "l" in shown else None,
                             job_title=rng.choice(["CTO", None]))

    def writer(seed: int) -> Callable[[], list[SaveResult]]:
        def go() -> list[SaveResult]:
            rng = random.Random(seed)
            out = []
            for _ in range(3):
                batch = [person(rng, rng.randrange(250)) for _ in range(150)]
                with pg_db.uow() as uow:
                    out.append(save_batch(uow.session, actor, batch, SearchContext()))
                    uow.commit()
            return out

        return go

    results = [r for rs in run_together([writer(seed) for seed in range(4)]) for r in rs]
    with pg_db.uow() as uow:
        stored = uow.session.scalar(select(func.count()).select_from(Lead))
    assert sum(r.saved for r in results) == stored
    assert_each_lead_once(pg_db, actor.team_id, stored or 0)


def test_a_merge_that_loses_a_key_race_counts_the_duplicate_once(pg_db: Database) -> None:
    """A lead being filled with an email that a rep is giving another lead right now: no error, the other fields
    are still filled, the duplicate is counted once (regression: it was counted twice)."""
    actor = team_actor(pg_db.uow(), "Default")
    with pg_db.uow() as uow:
        ann, other_lead = save_batch(uow.session, actor, [LeadCandidate(lead_name="Ann Lee", company="Acme"),
                                                          LeadCandidate(lead_name="Zed", email="zed@acme.io")],
                                     SearchContext()).lead_ids
        uow.commit()
    editor = pg_db.uow()
    with editor:
        editor_pid = editor.session.scalar(text("SELECT pg_backend_pid()"))
        # The rep's edit: the other lead takes ann@acme.io, not committed yet.
        editor.session.execute(update(Lead).where(Lead.id == other_lead).values(email="ann@acme.io",
                                                                                email_norm="ann@acme.io"))
        done: list[SaveResult] = []

        def merge() -> None:
            with pg_db.uow() as uow:
                done.append(save_batch(uow.session, actor, [
                    LeadCandidate(lead_name="Ann Lee", company="Acme", email="ann@acme.io", job_title="CTO")],
                    SearchContext()))
                uow.commit()

        t = threading.Thread(target=merge)
        t.start()
        # The merge now waits on the rep's uncommitted email: PostgreSQL says so (pg_locks), no guessing how long.
        assert wait_until_blocked_by(pg_db, editor_pid, t), "the merge never waited for the rep's edit"
        editor.commit()
    t.join(timeout=30)
    assert done and done[0].duplicates == 1 and done[0].lead_ids == [ann]
    lead = get_lead(pg_db.uow(), actor, ann)
    assert (lead["duplicate_count"], lead["job_title"], lead["email"]) == (1, "CTO", None)
    with pg_db.uow() as uow:
        assert uow.session.scalar(select(func.count()).where(Lead.email_norm == "ann@acme.io")) == 1
        assert uow.session.scalar(select(func.count()).where(LeadEvent.lead_id == ann,
                                                             LeadEvent.kind == "duplicate_seen")) == 1


BLOCKED_BY = text("SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))")


def wait_until_blocked_by(db: Database, pid: int, worker: threading.Thread, *, timeout_s: float = 30) -> bool:
    """Poll PostgreSQL until some backend waits for a lock held by backend ``pid``; False if ``worker`` ends first."""
    deadline = time.monotonic() + timeout_s
    with db.engine.connect() as conn:
        while time.monotonic() < deadline and worker.is_alive():
            blocked = conn.execute(BLOCKED_BY, {"pid": pid}).scalar()
            conn.rollback()  # a fresh snapshot of the lock table each round
            if blocked:
                return True
            time.sleep(0.01)
    return False


# -- processes ------------------------------------------------------------------------------------------------------


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["name", "email", "company", "website", "linkedin", "type"])
        w.writeheader()
        w.writerows(rows)


def start_imports(files: list[Path], env: dict[str, str], *,
                  team: str = "Default") -> list[subprocess.CompletedProcess[str]]:
    """Start one ``import-csv`` process per file, all released at the same instant.

    Each interpreter imports leadcore, says it is ready (a file), and waits for the go file: the parent touches it
    once every process is ready, so they really start together however slow the machine is.
    """
    run = files[0].parent / f"start-{uuid.uuid4().hex}"
    run.mkdir()
    go = run / "go"
    code = (
        "import os, sys, time\n"
        "from leadcore.cli import app\n"
        "open(sys.argv.pop(1), 'w').close()\n"
        f"while not os.path.exists({str(go)!r}): time.sleep(0.005)\n"
        "sys.argv = ['leadcore', *sys.argv[1:]]\n"
        "app(prog_name='python -m leadcore')\n"
    )
    ready = [run / f"ready-{i}" for i in range(len(files))]
    procs = [subprocess.Popen([sys.executable, "-c", code, str(r), "import-csv", str(f), "--team", team], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for r, f in zip(ready, files, strict=True)]
    deadline = time.monotonic() + 120
    while not all(r.exists() for r in ready) and time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            break  # one died before it was ready: its stderr says why, below
        time.sleep(0.01)
    go.touch()
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=180)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


def saved_of(proc: subprocess.CompletedProcess[str]) -> int:
    last = proc.stdout.strip().splitlines()[-1]
    fields = dict(part.split("=", 1) for part in last.split())
    assert set(fields) == {"saved", "duplicates", "invalid", "search_id"}, last
    return int(fields["saved"])


@pytest.mark.slow  # four interpreters
def test_four_import_processes_at_once_store_each_lead_once(pg_backend: Any, pg_db: Database, tmp_path: Path) -> None:
    pool = entities(400)
    batches, distinct = overlapping_batches(pool, writers=4, size=260, seed=11)
    files = []
    for i, rows in enumerate(batches):
        files.append(tmp_path / f"part{i}.csv")
        write_csv(files[-1], rows)
    procs = start_imports(files, pg_backend.env())
    for p in procs:
        assert p.returncode == 0, p.stderr
        assert "Traceback" not in p.stderr
    assert sum(saved_of(p) for p in procs) == distinct
    actor = team_actor(pg_db.uow(), "Default")
    assert_each_lead_once(pg_db, actor.team_id, distinct)
    with pg_db.uow() as uow:  # the operator's check: no email stored twice
        assert uow.session.execute(text(
            "SELECT email_norm FROM leads WHERE email_norm IS NOT NULL GROUP BY email_norm HAVING count(*) > 1"
        )).all() == []


@pytest.fixture
def empty_schema() -> Any:
    """A brand-new PostgreSQL schema with no tables at all (not even alembic_version)."""
    if not PG_URL:
        pytest.skip("LEADCORE_TEST_DATABASE_URL is not set")
    schema = f"lc_empty_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield schema
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.mark.slow  # four interpreters
def test_four_imports_on_an_empty_database_migrate_once_and_create_the_team_once(empty_schema: str,
                                                                                   tmp_path: Path) -> None:
    pool = entities(120)
    batches, distinct = overlapping_batches(pool, writers=4, size=80, seed=5)
    files = []
    for i, rows in enumerate(batches):
        files.append(tmp_path / f"part{i}.csv")
        write_csv(files[-1], rows)
    env = dict(os.environ, LEADCORE_DATABASE_URL=PG_URL,
               PGOPTIONS=f"-csearch_path={empty_schema},public -csynchronous_commit=off")
    procs = start_imports(files, env, team="Brand New Team")
    for p in procs:
        assert p.returncode == 0, p.stderr
    engine = make_engine(PG_URL, search_path=empty_schema)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM teams")).scalar() == 1
            stored = conn.execute(text("SELECT count(*) FROM leads")).scalar()
            assert stored == sum(saved_of(p) for p in procs) == distinct
    finally:
        engine.dispose()


@pytest.mark.slow  # four interpreters
def test_four_imports_at_once_on_a_new_sqlite_file_all_succeed(tmp_path: Path) -> None:
    """SQLite has one writer at a time: the imports must queue (migration, team, leads, the run's record), never
    fail with "database is locked" nor report a saved import as failed (regression)."""
    pool = entities(160)
    batches, distinct = overlapping_batches(pool, writers=4, size=110, seed=3)
    files = []
    for i, rows in enumerate(batches):
        files.append(tmp_path / f"part{i}.csv")
        write_csv(files[-1], rows)
    db_file = tmp_path / "new.db"
    procs = start_imports(files, dict(os.environ, LEADCORE_DATABASE_URL=f"sqlite:///{db_file}"))
    for p in procs:
        assert p.returncode == 0, p.stderr
    engine = make_engine(f"sqlite:///{db_file}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM leads")).scalar() == distinct
            assert sum(saved_of(p) for p in procs) == distinct
            assert conn.execute(text("SELECT outcome, count(*) FROM lead_searches GROUP BY outcome")).all() == [
                ("ok", 4)]
    finally:
        engine.dispose()
