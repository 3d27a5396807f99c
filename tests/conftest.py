"""Shared fixtures: a real SQLite file and, when LEADCORE_TEST_DATABASE_URL is set, a real PostgreSQL schema.

Each test run (each xdist worker) gets its own SQLite file and its own PostgreSQL schema, migrated once and
dropped at the end; tables are emptied between tests.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from leadcore.accounts.actors import Actor
from leadcore.db import migrate
from leadcore.db.engine import make_engine, session_factory
from leadcore.db.runtime import Database
from leadcore.intake.candidates import LeadCandidate

PG_URL = os.environ.get("LEADCORE_TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
TABLES = ("lead_events", "leads", "contacts", "companies", "lead_searches", "api_tokens", "users", "teams")


def pytest_sessionstart(session: pytest.Session) -> None:
    """CI sets LEADCORE_REQUIRE_POSTGRES=1: an unreachable PostgreSQL fails the run instead of skipping."""
    if os.environ.get("LEADCORE_REQUIRE_POSTGRES") != "1":
        return
    if not PG_URL:
        raise pytest.UsageError("LEADCORE_REQUIRE_POSTGRES=1 but LEADCORE_TEST_DATABASE_URL is not set")
    try:
        engine = make_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as e:
        raise pytest.UsageError(f"PostgreSQL at LEADCORE_TEST_DATABASE_URL is unreachable: {e}") from e


# pytest-timeout: pyproject.toml sets the default for a test; browser and slow tests get this much instead.
SLOW_TIMEOUT_S = 900


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests on generated input (hypothesis, schemathesis) are ``fuzz``; ``e2e`` and ``slow`` get a longer timeout."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False) and not item.get_closest_marker("fuzz"):
            item.add_marker(pytest.mark.fuzz)
        slow = item.get_closest_marker("e2e") or item.get_closest_marker("slow")
        if slow and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(SLOW_TIMEOUT_S))


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes() -> Iterator[None]:
    """Argon2 with the library's defaults costs ~0.5 s a hash; tests use the same algorithm with tiny costs.

    The hash is still a real argon2id string; only this process is affected (the CLI run as a subprocess keeps the
    production parameters).
    """
    from argon2 import PasswordHasher

    from leadcore.accounts import passwords

    with passwords.hashing_with(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)):
        yield


def _fast_commits(engine: Engine) -> Engine:
    """Test databases need no durability: a commit without waiting for the WAL flush is ~8x faster."""

    @event.listens_for(engine, "connect")
    def _no_sync(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cur:
            cur.execute("SET synchronous_commit TO off")
        dbapi_connection.commit()

    return engine


def _all_tables() -> list[str]:
    from leadcore.db.models import ROLLUP_TABLES, Base

    # The analytics rollups last: deleting leads and events writes to them (their triggers, on both engines).
    names = [t.name for t in reversed(Base.metadata.sorted_tables)]
    names = [n for n in names if n not in ROLLUP_TABLES] + sorted(ROLLUP_TABLES)
    return names + [t for t in TABLES if t not in names]


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


class Backend:
    """One migrated database for the whole run."""

    def __init__(self, name: str, tmp: Path) -> None:
        self.name = name
        if name == "sqlite":
            self.url = f"sqlite:///{tmp / f'leadcore-test-{_worker()}.db'}"
            self.schema = None
            self.engine = make_engine(self.url)
        else:
            self.schema = f"lc_test_{_worker()}_{uuid.uuid4().hex[:8]}"
            admin = make_engine(PG_URL)
            with admin.begin() as conn:
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
                conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            admin.dispose()
            self.url = PG_URL
            self.engine = _fast_commits(make_engine(PG_URL, search_path=self.schema))
        migrate.upgrade(self.engine)

    def engine_copy(self, **kwargs: Any) -> Engine:
        """Another engine on the same database/schema (e.g. for a second process or a pool test)."""
        if self.schema:
            return _fast_commits(make_engine(PG_URL, search_path=self.schema, **kwargs))
        return make_engine(self.url, **kwargs)

    def env(self) -> dict[str, str]:
        """Environment for a subprocess (the CLI) to use this database."""
        env = dict(os.environ)
        if self.schema:
            env["LEADCORE_DATABASE_URL"] = PG_URL
            env["PGOPTIONS"] = f"-csearch_path={self.schema},public -csynchronous_commit=off"
        else:
            env["LEADCORE_DATABASE_URL"] = self.url
        return env

    def clean(self) -> None:
        with self.engine.begin() as conn:
            # Every table of the models, children first (a table added later is emptied too).
            tables = _all_tables()
            from leadcore.db.models import ROLLUP_TABLES

            if self.name == "postgresql":
                # DELETE + setval: TRUNCATE costs ~0.3 s a test on these tiny tables, DELETE a few ms.
                for t in tables:
                    conn.execute(text(f"DELETE FROM {t}"))
                from leadcore.db.models import Base

                with_ids = [t for t in tables if t not in ROLLUP_TABLES and "id" in Base.metadata.tables[t].columns]
                conn.execute(text(" UNION ALL ".join(
                    f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), 1, false)" for t in with_ids)))
            else:
                for t in tables:
                    conn.execute(text(f"DELETE FROM {t}"))
                conn.execute(text("DELETE FROM sqlite_sequence")) if conn.execute(
                    text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")
                ).first() else None

    def drop(self) -> None:
        self.engine.dispose()
        if self.schema:
            admin = make_engine(PG_URL)
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            admin.dispose()


@pytest.fixture(scope="session")
def backends(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Backend]]:
    made: dict[str, Backend] = {}
    tmp = tmp_path_factory.mktemp("db")

    class Lazy(dict[str, Backend]):
        def __missing__(self, key: str) -> Backend:
            made[key] = Backend(key, tmp)
            self[key] = made[key]
            return made[key]

    yield Lazy()
    for b in made.values():
        b.drop()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, backends: dict[str, Backend]) -> Iterator[Backend]:
    """Each test using this runs on SQLite and, when configured, on PostgreSQL."""
    b = backends[request.param]
    b.clean()
    yield b


@pytest.fixture
def db(backend: Backend) -> Database:
    """A clean, migrated database with a session factory (the same object the app uses)."""
    return Database(url=backend.url, engine=backend.engine, sessions=session_factory(backend.engine))


@pytest.fixture
def pg_backend(backends: dict[str, Backend]) -> Iterator[Backend]:
    """PostgreSQL only (concurrency tests); skipped when LEADCORE_TEST_DATABASE_URL is not set."""
    if not PG_URL:
        pytest.skip("LEADCORE_TEST_DATABASE_URL is not set")
    b = backends["postgresql"]
    b.clean()
    yield b


@pytest.fixture
def pg_db(pg_backend: Backend) -> Database:
    return Database(url=pg_backend.url, engine=pg_backend.engine, sessions=session_factory(pg_backend.engine))


class Factory:
    """Small factories: ``make_user(role=...)`` and ``make_lead(actor, **overrides)``."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._n = 0

    def user(self, role: str = "rep", *, team: str = "Default", email: str | None = None,
             password: str = "correct horse battery", name: str | None = None) -> Actor:
        from leadcore.accounts.users import create_user

        self._n += 1
        info = create_user(self.db.uow(), None, email=email or f"{role}{self._n}@example.com", password=password,
                           role=role, team_name=team, display_name=name or f"{role.title()} {self._n}")
        return info.actor()

    def lead(self, actor: Actor, **overrides: Any) -> int:
        from leadcore.leads.edits import create_lead

        self._n += 1
        fields: dict[str, Any] = {
            "lead_name": f"Person {self._n}",
            "email": f"person{self._n}@company{self._n}.com",
            "company": f"Company {self._n}",
            "job_title": "Engineer",
        }
        owner = overrides.pop("owner_id", None)
        fields.update(overrides)
        result = create_lead(self.db.uow(), actor, LeadCandidate(**fields))
        lead_id = result.lead_ids[0]
        if owner is not None:
            from leadcore.db.models import Lead

            with self.db.uow() as uow:
                lead = uow.session.get(Lead, lead_id)
                assert lead is not None
                lead.owner_id = owner
                uow.commit()
        return lead_id


    def leads(self, actor: Actor, n: int) -> list[int]:
        """``n`` distinct leads saved in one batch (as a discovery run would)."""
        from leadcore.intake.matcher import SearchContext, save_batch

        first = self._n + 1
        self._n += n
        people = [LeadCandidate(lead_name=f"Person {i}", email=f"person{i}@company{i}.com", company=f"Company {i}",
                                job_title="Engineer") for i in range(first, first + n)]
        with self.db.uow() as uow:
            result = save_batch(uow.session, actor, people, SearchContext(source="manual"))
            uow.commit()
        return list(result.lead_ids)


@pytest.fixture
def make(db: Database) -> Factory:
    return Factory(db)
