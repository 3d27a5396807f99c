"""``python -m benchmarks.load --database-url URL --rows N --clients C --seconds S [--workers W] --json OUT``

Loads N synthetic leads (the main benchmark's dataset and save path), starts the API under uvicorn with W worker
processes, drives C concurrent httpx clients through the mix of ``benchmarks.load_mix`` for S seconds, then issues
the same mix as plain SQL from C threads with a connection each (the ceiling), and reports both side by side.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from typing import Any

import httpx
from sqlalchemy import text

from benchmarks import ingest, load_api, load_direct
from benchmarks.database import BenchDatabase, BenchSetupError, fresh_database
from benchmarks.dataset import LeadStream
from benchmarks.load_mix import MIX, Tally, Workload
from benchmarks.report import write_json
from leadcore.accounts.tokens import create_token
from leadcore.accounts.users import create_user

UPDATE_POOL = 2_000  # leads the updates pick from (spread over the table)
READ_POOL = 20_000


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__)
    p.add_argument("--database-url", required=True, help="postgresql+psycopg://… or sqlite:///new-file.db")
    p.add_argument("--rows", type=int, default=20_000)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (default 2: one per core)")
    p.add_argument("--think-ms", type=float, default=0.0,
                   help="each client pauses about this long between requests (default 0: back to back)")
    p.add_argument("--json", dest="json_out")
    p.add_argument("--skip-direct", action="store_true", help="API side only (no ceiling, no ratio)")
    p.add_argument("--quiet", action="store_true")
    return p.parse_args(argv)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _settle(bench: BenchDatabase) -> None:
    if bench.dialect == "postgresql":
        with bench.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text("VACUUM (ANALYZE) leads"))


def _workload(bench: BenchDatabase, team_id: int) -> Workload:
    with bench.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, version FROM leads WHERE team_id = :t AND is_active ORDER BY id"),
                            {"t": team_id}).all()
    ids = [r[0] for r in rows]
    update_ids = ids[:: max(1, len(ids) // UPDATE_POOL)]
    # version 2 from the start, so that a deliberately stale update (version - 1) is a valid version from the first
    listed = ", ".join(str(int(i)) for i in update_ids)
    with bench.engine.begin() as conn:
        conn.execute(text(f"UPDATE leads SET version = version + 1 WHERE id IN ({listed})"))
        versions = dict(conn.execute(text(f"SELECT id, version FROM leads WHERE id IN ({listed})")).all())
    return Workload(team_id=team_id, read_ids=ids[:: max(1, len(ids) // READ_POOL)], update_ids=update_ids,
                    versions={i: int(versions[i]) for i in update_ids})


def start_api(bench: BenchDatabase, workers: int, token: str) -> tuple[subprocess.Popen[bytes], str]:
    """uvicorn with ``workers`` processes on a free port, answering (a signed-in GET works) before it returns."""
    port = _free_port()
    env = bench.child_env() | {"LEADCORE_DATABASE_URL": bench.url}
    cmd = [sys.executable, "-m", "uvicorn", "leadcore.api:app", "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchSetupError(f"the API server exited with {proc.returncode}")
        try:
            # every worker opens the database on its first request: warm them all before measuring
            codes = {httpx.get(f"{base}/api/leads", params={"limit": 1}, timeout=10,
                               headers={"Authorization": f"Bearer {token}"}).status_code for _ in range(4 * workers)}
            if codes == {200}:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.terminate()
    raise BenchSetupError("the API server did not answer within 120 s")


def stop_api(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _side(tally: Tally, wall: float) -> dict[str, Any]:
    n = len(tally.samples.ms)
    return {"rps": round(n / wall, 1) if wall else 0.0, "p50_ms": tally.samples.p50,
            "p95_ms": tally.samples.p95, "p99_ms": tally.samples.pct(99), "requests": n, "errors": tally.errors,
            "conflicts": tally.conflicts, "unexpected_conflicts": tally.unexpected_conflicts,
            "by_op": dict(sorted(tally.by_op.items())), "first_errors": tally.first_errors}


def run(url: str, rows: int, *, clients: int, seconds: float, workers: int, skip_direct: bool = False,
        progress: bool = True, think_ms: float = 0.0) -> dict[str, Any]:
    def say(msg: str) -> None:
        if progress:
            print(msg, file=sys.stderr, flush=True)

    started = time.perf_counter()
    with fresh_database(url) as bench:
        manager = create_user(bench.db.uow(), None, email="load-manager@example.com", password="bench password 1",
                              role="manager", team_name="Bench", display_name="Load Manager")
        # a few managers' tokens, so the token lookup is not one hot row
        others = [create_user(bench.db.uow(), None, email=f"load-manager{i}@example.com", password="bench password 1",
                              role="manager", team_name="Bench", display_name=f"Load Manager {i}") for i in range(3)]
        tokens = [create_token(bench.db.uow(), u.id, "load") for u in (manager, *others)]
        say(f"load: {rows:,} leads ({bench.dialect})")
        loaded = ingest.ingest(bench, manager.actor(), LeadStream(rows), batch_size=500, progress=progress)
        _settle(bench)
        w = _workload(bench, manager.team_id)
        pause = f", {think_ms:g} ms think time" if think_ms > 0 else ""
        say(f"api: {workers} worker(s), {clients} clients{pause}, {seconds:.0f} s")
        proc, base = start_api(bench, workers, tokens[0])
        try:
            api, api_wall = load_api.run(base, tokens, w, clients=clients, seconds=seconds, think_ms=think_ms)
        finally:
            stop_api(proc)
        direct: Tally | None = None
        if not skip_direct:
            say(f"direct SQL: {clients} threads, {seconds:.0f} s")
            direct, direct_wall = load_direct.run(bench.url, bench.schema, w, threads=clients, seconds=seconds,
                                                  think_ms=think_ms)
        load_end = round(os.getloadavg()[0], 2)
    a = _side(api, api_wall)
    d = _side(direct, direct_wall) if direct is not None else None
    return {
        "rows": rows, "engine": bench.dialect, "clients": clients, "seconds": seconds, "workers": workers,
        "think_ms": think_ms,
        "api_rps": a["rps"], "api_p50_ms": a["p50_ms"], "api_p95_ms": a["p95_ms"], "api_p99_ms": a["p99_ms"],
        "api_errors": a["errors"], "api_conflicts": a["conflicts"],
        "direct_rps": d["rps"] if d else None,
        "api_vs_direct": round(a["rps"] / d["rps"], 3) if d and d["rps"] else None,
        "run": {"api": a, "direct": d, "mix": dict(MIX), "saved": loaded.saved, "cpus": os.cpu_count(),
                "load_avg_1m_end": load_end, "wall_seconds": round(time.perf_counter() - started, 1)},
    }


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    if args.rows < 100 or args.clients < 1 or args.workers < 1 or args.seconds <= 0 or args.think_ms < 0:
        print("--rows ≥ 100, --clients ≥ 1, --workers ≥ 1, --seconds > 0 and --think-ms ≥ 0", file=sys.stderr)
        return 2
    try:
        result = run(args.database_url, args.rows, clients=args.clients, seconds=args.seconds, workers=args.workers,
                     skip_direct=args.skip_direct, progress=not args.quiet, think_ms=args.think_ms)
    except BenchSetupError as e:
        print(f"benchmark: {e}", file=sys.stderr)
        return 2
    for key in ("api_rps", "api_p50_ms", "api_p95_ms", "api_p99_ms", "api_errors", "api_conflicts", "direct_rps",
                "api_vs_direct"):
        print(f"{key:<16}{result[key]}")
    if args.json_out:
        write_json(args.json_out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
