"""The benchmark suite runs end to end in its quick mode and reports every figure (values are never asserted)."""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.load_mix import think_seconds
from benchmarks.report import FIGURES

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("LEADCORE_TEST_DATABASE_URL", "").strip()
ROWS = 2000


def _run(url: str, out: Path) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--database-url", url, "--rows", str(ROWS), "--json", str(out),
         "--quiet"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "ingest_vs_copy" in proc.stdout  # the table was printed
    return json.loads(out.read_text(encoding="utf-8"))


def _assert_complete(result: dict[str, object], engine: str) -> None:
    assert result["engine"] == engine and result["rows"] == ROWS
    for key in FIGURES:
        value = result[key]
        assert isinstance(value, int | float) and not isinstance(value, bool), key
        assert math.isfinite(value) and value >= 0, key
    assert isinstance(result["machine"], dict)


@pytest.mark.slow
def test_benchmark_quick_mode_on_sqlite_reports_every_figure(tmp_path: Path) -> None:
    db = tmp_path / "bench.db"
    _assert_complete(_run(f"sqlite:///{db}", tmp_path / "out.json"), "sqlite")
    assert not db.exists()  # the run's file is removed afterwards


@pytest.mark.slow
@pytest.mark.skipif(not PG_URL, reason="LEADCORE_TEST_DATABASE_URL is not set")
def test_benchmark_quick_mode_on_postgresql_reports_every_figure_in_its_own_schema(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_URL)
    with engine.connect() as conn:
        before = set(conn.execute(text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench_%'")).scalars())
    _assert_complete(_run(PG_URL, tmp_path / "out.json"), "postgresql")
    with engine.connect() as conn:
        after = set(conn.execute(text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench_%'")).scalars())
    engine.dispose()
    assert after <= before  # its schema was dropped (other runs' schemas may come and go meanwhile)


LOAD_KEYS = ("api_rps", "api_p50_ms", "api_p95_ms", "api_p99_ms", "api_errors", "api_conflicts", "direct_rps",
             "api_vs_direct")


def _run_load(url: str, out: Path, *extra: str) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.load", "--database-url", url, "--rows", "500", "--clients", "4",
         "--seconds", "2", "--workers", "1", "--json", str(out), "--quiet", *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


def _assert_load_complete(result: dict[str, object], engine: str) -> None:
    assert result["engine"] == engine
    for key in LOAD_KEYS:
        value = result[key]
        assert isinstance(value, int | float) and not isinstance(value, bool), key
        assert math.isfinite(value) and value >= 0, key
    run = result["run"]
    assert isinstance(run, dict) and run["api"]["requests"] > 0 and run["direct"]["requests"] > 0


@pytest.mark.parametrize("think_ms", [0.0, 1.0, 250.0])
def test_think_time_is_drawn_between_half_and_one_and_a_half_times_the_mean(think_ms: float) -> None:
    rng = random.Random(7)
    pauses = [think_seconds(rng, think_ms) for _ in range(500)]
    assert all(think_ms / 2000 <= p <= think_ms * 1.5 / 1000 for p in pauses)
    assert (max(pauses) > min(pauses)) == (think_ms > 0)  # a spread, not one fixed pause


@pytest.mark.slow
def test_load_benchmark_short_run_on_sqlite_reports_every_figure(tmp_path: Path) -> None:
    db = tmp_path / "load.db"
    result = _run_load(f"sqlite:///{db}", tmp_path / "load.json", "--think-ms", "20")
    _assert_load_complete(result, "sqlite")
    assert result["think_ms"] == 20.0
    assert not db.exists()


@pytest.mark.slow
@pytest.mark.skipif(not PG_URL, reason="LEADCORE_TEST_DATABASE_URL is not set")
def test_load_benchmark_short_run_on_postgresql_reports_every_figure(tmp_path: Path) -> None:
    _assert_load_complete(_run_load(PG_URL, tmp_path / "load.json"), "postgresql")


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("chromium") and not Path("/usr/bin/chromium").exists(),
                    reason="chromium is not installed")
def test_browser_users_benchmark_short_run_works_the_grid_without_errors(tmp_path: Path) -> None:
    db, out = tmp_path / "users.db", tmp_path / "users.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.browser_users", "--database-url", f"sqlite:///{db}", "--users", "2",
         "--rows", "4000", "--seconds", "8", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode in (0, 1), proc.stderr[-3000:]  # 1: over the 1.5 s budget on a busy CI machine
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["errors"] == 0, result["first_errors"]
    assert result["all"]["n"] > 0 and result["all"]["p95_ms"] > 0
    trip = result["server_round_trip"]["all"]  # the server's part of each interaction, without the rendering
    assert trip["n"] > 0 and trip["p50_ms"] > 0 and trip["max_ms"] <= result["all"]["max_ms"]
    assert set(result["interactions"]) <= {"next page", "filter", "all my leads", "save edit"}
    assert result["server_rss_mb"]["before"] > 0
    assert not db.exists()
