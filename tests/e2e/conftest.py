"""Browser tests: a real `streamlit run app.py` on a free local port and Debian's chromium via Playwright.

Skipped (with the reason) when chromium or Playwright is not installed; ./run-tests installs chromium.

One server (fresh SQLite file) per test module, one chromium per session. Tests in a module may share a
logged-in page through module-scoped fixtures, so each fixture establishes its own preconditions: that keeps
every test runnable alone (``-k``) and under ``pytest -n 2`` (xdist gives each worker its own server).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1440, "height": 900}
# The machine running these may be busy (parallel test workers, other builds): waits are generous.
TIMEOUT_MS = 60_000
STARTUP_S = 90

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class StreamlitServer:
    """``streamlit run app.py`` against ``database_url``; ``env`` is what the CLI needs to reach the same data."""

    def __init__(self, database_url: str, env_extra: dict[str, str] | None = None, *, startup_s: float = STARTUP_S,
                 log_dir: Path | None = None) -> None:
        self.database_url = database_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, LEADCORE_DATABASE_URL=database_url, **(env_extra or {}))
        log_dir = log_dir or ARTIFACTS.parent
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"streamlit-{self.port}.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            self._wait_healthy(startup_s)
        except BaseException:
            self.stop()
            raise

    def _wait_healthy(self, startup_s: float) -> None:
        deadline = time.monotonic() + startup_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early (code {self.proc.returncode}); see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"streamlit did not become healthy in {startup_s:.0f} s; see {self.log_path}")

    def cli(self, *args: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """``python -m leadcore ARGS`` with the server's environment (same database); fails loudly."""
        done = subprocess.run([sys.executable, "-m", "leadcore", *args], cwd=ROOT, env=self.env, input=stdin,
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise AssertionError(f"leadcore {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)  # our own session: streamlit and anything it started
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed (apt-get install chromium); ./run-tests installs it")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -r requirements-dev.txt)")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@contextlib.contextmanager
def fresh_database(tmp: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """(database URL, extra environment) of an empty database, dropped afterwards.

    SQLite by default. With ``LEADCORE_TEST_DATABASE_URL`` set (CI), a new schema on that PostgreSQL, reached
    through ``PGOPTIONS`` so the server and the CLI both see it; ``LEADCORE_E2E_BACKEND=sqlite`` forces SQLite.
    """
    pg_url = os.environ.get("LEADCORE_TEST_DATABASE_URL", "").strip()
    if not pg_url or os.environ.get("LEADCORE_E2E_BACKEND", "").strip().lower() == "sqlite":
        yield f"sqlite:///{tmp / 'e2e.db'}", {}
        return
    from sqlalchemy import text

    from leadcore.db.engine import make_engine

    schema = f"lc_e2e_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(pg_url)
    try:
        with admin.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield pg_url, {"PGOPTIONS": f"-csearch_path={schema},public"}
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    """A fresh database and server for the module (after ``browser``, so a missing chromium skips first)."""
    with fresh_database(tmp_path_factory.mktemp("e2e")) as (url, env):
        srv = StreamlitServer(url, env)
        try:
            yield srv
        finally:
            srv.stop()


@pytest.fixture(scope="module")
def new_context(browser: Browser) -> Iterator[Any]:
    """``new_context()`` -> a fresh browser context (its own cookies, so its own Streamlit session)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    made: list[BrowserContext] = []

    def make() -> BrowserContext:
        ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="en-US")  # type: ignore[arg-type]
        ctx.set_default_timeout(TIMEOUT_MS)
        ctx.set_default_navigation_timeout(TIMEOUT_MS)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        with contextlib.suppress(Exception):
            ctx.close()


def wait_idle(page: Page, timeout: float = TIMEOUT_MS) -> None:
    """Wait like Streamlit's own e2e tests: connected, script finished, no skeletons.

    Right after a click the script may not have started yet; pair this with a wait for what the click should
    show (``expect(...).to_be_visible()``), which is what the helpers in ``app_driver`` do.
    """
    page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=timeout)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout)
    page.wait_for_function("document.querySelectorAll('[data-testid=stSkeleton]').length === 0", timeout=timeout)
    page.wait_for_timeout(150)  # let the last delta paint (Streamlit's own helper waits 100 ms here too)


def shot(page: Page, name: str, *, full: bool = True) -> Path:
    """Save ``test-artifacts/screenshots/<name>.png``.

    Streamlit scrolls inside ``stMain``, not the document, so Playwright's ``full_page`` only sees one screen;
    ``full`` grows the viewport to the content's height for the shot and restores it after.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    size = page.viewport_size or VIEWPORT
    height = int(page.evaluate(
        "() => { const m = document.querySelector('[data-testid=stMain]');"
        " return m ? m.scrollHeight : document.documentElement.scrollHeight; }")) if full else size["height"]
    height = max(size["height"], min(height, 8000))
    if height > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": height})
        try:
            wait_idle(page)
            page.wait_for_timeout(400)  # charts re-layout to the new size
            page.screenshot(path=str(path))
        finally:
            page.set_viewport_size(size)
    else:
        page.screenshot(path=str(path))
    return path
