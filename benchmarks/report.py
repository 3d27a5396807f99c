"""The run's figures as JSON (fixed keys) and as a table, plus what machine and database produced them."""

from __future__ import annotations

import json
import os
import platform
from typing import Any

import sqlalchemy
from sqlalchemy import text

from benchmarks.database import BenchDatabase

FIGURES = (
    "copy_rows_per_s",
    "ingest_rows_per_s",
    "ingest_vs_copy",
    "grid_first_page_p50_ms",
    "grid_first_page_p95_ms",
    "grid_deep_page_p50_ms",
    "grid_deep_page_p95_ms",
    "grid_filtered_p50_ms",
    "grid_filtered_p95_ms",
    "grid_search_p50_ms",
    "grid_search_p95_ms",
    "analytics_p50_ms",
    "conversion_by_query_p50_ms",
    "copy_out_rows_per_s",
    "export_rows_per_s",
    "export_peak_rss_mb",
    "export_vs_copy_out",
    "update_p50_ms",
)
# with --tasks: My work and the Analytics page again once the reps have tasks and activities
WORK_FIGURES = ("mywork_p50_ms", "mywork_p95_ms", "analytics_with_activities_p50_ms")


def machine(bench: BenchDatabase) -> dict[str, Any]:
    """CPU, memory, versions and the database settings that matter for the figures."""
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gb": _mem_gb(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    with bench.engine.connect() as conn:
        if bench.dialect == "postgresql":
            import psycopg

            info["psycopg"] = psycopg.__version__
            info["server"] = conn.execute(text("SHOW server_version")).scalar()
            for name in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather", "synchronous_commit"):
                info[name] = conn.execute(text(f"SHOW {name}")).scalar()
        else:
            info["server"] = "SQLite " + str(conn.execute(text("SELECT sqlite_version()")).scalar())
    return info


def sizes(bench: BenchDatabase) -> dict[str, Any]:
    """PostgreSQL: bytes of the leads heap, each of its indexes and the events table, for docs/scaling.md."""
    if bench.dialect != "postgresql":
        return {}
    with bench.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i') "
            "AND (c.relname LIKE 'leads%' OR c.relname LIKE 'ix_lead%' OR c.relname LIKE 'uq_leads%' "
            "OR c.relname LIKE 'pk_lead%' OR c.relname = 'lead_events') ORDER BY 2 DESC"
        )).all()
        toast = conn.execute(text("SELECT pg_total_relation_size('leads') - pg_relation_size('leads') "
                                  "- pg_indexes_size('leads')")).scalar()
    out: dict[str, Any] = {name: int(n) for name, n in rows}
    out["leads_toast"] = int(toast or 0)
    return out


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_gb() -> float:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return 0.0


TARGETS = {
    "postgresql": {
        "ingest_vs_copy": (">=", 0.40), "grid_first_page_p50_ms": ("<=", 5), "grid_filtered_p50_ms": ("<=", 5),
        "grid_deep_page_p50_ms": ("<=", 5), "grid_search_p50_ms": ("<=", 10), "analytics_p50_ms": ("<=", 200),
        "export_vs_copy_out": (">=", 0.35), "export_peak_rss_mb": ("<=", 150), "update_p50_ms": ("<=", 10),
        "mywork_p50_ms": ("<=", 10), "analytics_with_activities_p50_ms": ("<=", 200),
    },
    "sqlite": {
        "grid_first_page_p50_ms": ("<=", 5), "grid_filtered_p50_ms": ("<=", 5), "grid_deep_page_p50_ms": ("<=", 5),
        "grid_search_p50_ms": ("<=", 50), "analytics_p50_ms": ("<=", 300), "ingest_rows_per_s": (">=", 5000),
        "analytics_with_activities_p50_ms": ("<=", 300),
    },
}


def table(result: dict[str, Any]) -> str:
    """A plain-text table of every figure with its target (targets are set for PG at 1M, SQLite at 100k)."""
    targets = TARGETS.get(result["engine"], {})
    lines = [f"leadcore benchmark: {result['engine']}, {result['rows']:,} rows", "",
             f"{'figure':<33} {'value':>14}  target"]
    for key in (*FIGURES, *(k for k in WORK_FIGURES if k in result)):
        value = result[key]
        shown = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.3g}" if value < 10 else f"{value:,.1f}"
        target = targets.get(key)
        mark = ""
        if target:
            op, limit = target
            ok = value >= limit if op == ">=" else value <= limit
            mark = f"{op} {limit:g}  {'ok' if ok else 'MISSED'}"
        lines.append(f"{key:<33} {shown:>14}  {mark}")
    return "\n".join(lines)


def write_json(path: str, result: dict[str, Any]) -> None:
    """The figures as JSON at ``path`` (``--json``), values that are not JSON written as text."""
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=2, default=str)
        fh.write("\n")
