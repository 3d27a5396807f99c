"""AppTest fixtures: a fresh, migrated database per test that the app is pointed at, and a login helper.

Every page test runs on SQLite and, when LEADCORE_TEST_DATABASE_URL is set, on PostgreSQL too (the run's schema,
emptied per test; the app reaches it through ``PGOPTIONS``, as a server started with that variable would).
Migrating takes seconds, so on SQLite one template file is migrated per run (per xdist worker) and copied per test.
``db`` is overridden here to be the app's database, so the shared ``make`` factory creates data the pages see.

    def test_x(app_db, make, new_app, logged_in):
        rep = make.user("rep")
        at = logged_in(new_app(), rep).run()
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import ui.resources
import ui.state
import ui.worker
from leadcore.accounts import sessions
from leadcore.accounts.actors import Actor
from leadcore.accounts.users import UserInfo, get_user
from leadcore.config import settings
from leadcore.db import migrate
from leadcore.db.engine import make_engine, session_factory
from leadcore.db.runtime import Database, open_database
from tests.conftest import BACKENDS, Backend

APP = str(Path(__file__).resolve().parents[2] / "router.py")  # what app.py serves


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ui-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.begin() as conn:  # fold the WAL into the main file so a plain copy is complete
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(params=BACKENDS)
def app_db(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
           _migrated_template: Path, backends: dict[str, Backend]) -> Iterator[Database]:
    """A fresh migrated database; LEADCORE_DATABASE_URL points at it and the app's cached database is reset."""
    if request.param == "sqlite":
        path = tmp_path / "app.db"
        shutil.copyfile(_migrated_template, path)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
    else:
        backend = backends[request.param]
        backend.clean()
        url, engine = backend.url, backend.engine_copy()
        monkeypatch.setenv("PGOPTIONS", backend.env()["PGOPTIONS"])
    monkeypatch.setenv("LEADCORE_DATABASE_URL", url)
    # No in-process job worker unless a test asks for one (the Discover tests do): its writes would race the
    # page's own writes on SQLite in tests that are not about background work.
    monkeypatch.setenv("LEADCORE_INLINE_WORKER", "0")
    monkeypatch.setenv("LEADCORE_QUEUE_URL", f"sqlite:///{tmp_path / 'queue.db'}")
    opened: list[Database] = []  # what the app opened, so its pooled connections are closed after the test

    def open_and_track(database_url: str) -> Database:
        opened.append(open_database(database_url))
        return opened[-1]

    monkeypatch.setattr(ui.resources, "open_database", open_and_track)
    settings.cache_clear()
    ui.resources.database.clear()
    ui.resources.login_throttle.clear()  # process-wide (st.cache_resource): every test starts unthrottled
    st.cache_data.clear()  # cached reads are keyed by team id, and every test's first team is team 1
    yield Database(url=url, engine=engine, sessions=session_factory(engine))
    ui.worker.stop()  # the app's in-process job worker (started by the router), bound to this test's database
    ui.resources.database.clear()
    ui.resources.login_throttle.clear()
    for e in [engine, *(d.engine for d in opened)]:
        e.dispose()
    settings.cache_clear()


@pytest.fixture
def db(app_db: Database) -> Database:
    """In tests/ui the shared ``make`` factory writes to the app's database."""
    return app_db


@pytest.fixture
def new_app(app_db: Database) -> Callable[[], AppTest]:
    """A fresh AppTest of the router (the script app.py serves), with a timeout long enough for real pages."""
    return lambda: AppTest.from_file(APP, default_timeout=30)


def login_as(at: AppTest, user: UserInfo | Actor, db: Database) -> AppTest:
    """Sign ``user`` in on ``at`` the way the login page does; accepts a UserInfo or the factory's Actor."""
    if isinstance(user, Actor):
        assert user.user_id is not None
        user = get_user(db.uow(), user.user_id)
    begun = sessions.begin(db.uow(), user, stay_signed_in=False)
    at.session_state[ui.state.USER] = user
    at.session_state[ui.state.SESSION_ID] = begun.session_id
    return at


@pytest.fixture
def logged_in(app_db: Database) -> Callable[[AppTest, UserInfo | Actor], AppTest]:
    """``logged_in(at, user)`` signs the user in (a real session, as the login page starts one; no browser, so no
    cookie) and returns ``at``."""
    return lambda at, user: login_as(at, user, app_db)


@pytest.fixture(autouse=True)
def _router_runs_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every AppTest run go through app.py, as a real server does.

    AppTest resets ``PagesManager.uses_pages_directory`` before each run and, because we have a pages/
    folder, Streamlit then uses its v1 multipage fallback: every run after the first executes the page
    file alone, skipping app.py (no login gate, no sidebar, no redirects). A real server turns the
    fallback off for good the first time app.py calls st.navigation; do the same for each run here.
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
