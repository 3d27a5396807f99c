"""``python -m benchmarks --database-url URL --rows N [--json OUT]``: load, measure, report, clean up."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

from sqlalchemy import text

from benchmarks import exporting, ingest, plans, reads, work
from benchmarks.database import BenchDatabase, BenchSetupError, fresh_database
from benchmarks.dataset import LeadStream
from benchmarks.report import FIGURES, machine, sizes, table, write_json
from leadcore.accounts.users import create_user

# Rows per save transaction. Discovery saves one provider page per transaction (25 rows by default, up to 100);
# at that size each page is dominated by its commit, so the throughput comparison with COPY uses the bulk size the
# seed-demo command uses, and docs/performance.md also reports a run at the discovery page size.
BULK_BATCH = 500


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--database-url", required=True,
                   help="postgresql+psycopg://… (a fresh schema is made and dropped) or sqlite:///new-file.db")
    p.add_argument("--rows", type=int, default=20_000, help="synthetic leads to load (default 20,000)")
    p.add_argument("--json", dest="json_out", help="write the figures here as JSON")
    p.add_argument("--batch-size", type=int, default=BULK_BATCH,
                   help=f"rows per save transaction (default {BULK_BATCH}, the seed-demo batch; discovery's own "
                        "page size is LEADCORE_PROVIDER_PAGE_SIZE, 25 by default)")
    p.add_argument("--keep", action="store_true", help="keep the schema/file afterwards (for EXPLAIN)")
    p.add_argument("--explain", dest="explain_out",
                   help="PostgreSQL: write EXPLAIN (ANALYZE, BUFFERS) of the hot queries here (markdown)")
    p.add_argument("--assign-rule", action="store_true",
                   help="load with an active round-robin rule over four reps (one deactivated), as in issue 17")
    p.add_argument("--tasks", type=int, default=0,
                   help="after the load, give the reps this many open tasks and time the My work page")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return p.parse_args(argv)


def _settle(bench: BenchDatabase) -> None:
    """What a running PostgreSQL does by itself soon after a bulk load (autovacuum): statistics and the
    visibility map. SQLite is measured as loaded."""
    if bench.dialect != "postgresql":
        return
    with bench.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text("VACUUM (ANALYZE) leads"))
        conn.execute(text("VACUUM (ANALYZE) lead_events"))


def run(
    url: str, rows: int, *, batch_size: int, keep: bool, progress: bool, explain_out: str | None = None,
    assign_rule: bool = False, tasks: int = 0,
) -> dict[str, Any]:
    def say(msg: str) -> None:
        if progress:
            print(msg, file=sys.stderr, flush=True)

    started = time.perf_counter()
    budget = 0.3 if rows <= 5_000 else 2.0 if rows <= 20_000 else 6.0  # seconds of samples per figure
    with fresh_database(url, keep=keep) as bench:
        info = machine(bench)
        actor = create_user(bench.db.uow(), None, email="bench-manager@example.com", password="bench password 1",
                            role="manager", team_name="Bench", display_name="Bench Manager").actor()
        reps = work.add_round_robin(bench, actor) if assign_rule or tasks else []
        if reps and not assign_rule:
            say("note: --tasks needs owned leads, so the round-robin rule is on for this run")
        stream = LeadStream(rows)
        where = f"{bench.dialect}, schema {bench.schema}" if bench.schema else bench.dialect
        say(f"ingest: {rows:,} rows in pages of {batch_size} ({where})")
        loaded = ingest.ingest(bench, actor, stream, batch_size=batch_size, progress=progress)
        say(f"  saved {loaded.saved:,}, duplicates {loaded.duplicates:,}, invalid {loaded.invalid:,} "
            f"in {loaded.seconds:.1f}s")
        _settle(bench)
        table_sizes = sizes(bench)
        say("copy ceiling")
        copied, copy_s = ingest.copy_ceiling(bench)
        say("grid")
        grid = reads.grid(bench, actor, loaded.saved, budget_s=budget)
        say("analytics")
        charts = reads.analytics_page(bench, actor, budget_s=budget * (3 if rows <= 200_000 else 1.5))
        say("export")
        out_rows, out_s = exporting.copy_out(bench, actor)
        export = exporting.export_through_leadcore(bench, actor)
        say("update")
        edits = reads.update(bench, actor, loaded.saved, budget_s=budget)
        extra: dict[str, Any] = {}
        if reps:
            extra["owners"] = work.owners(bench)
        if tasks:
            say(f"my work ({tasks:,} tasks)")
            extra["tasks"] = work.seed_tasks(bench, actor.team_id, tasks)
            mine = work.my_work(bench, reps[0], budget_s=budget)
            extra["mywork"] = {"p50_ms": mine.p50, "p95_ms": mine.p95, "samples": len(mine.ms)}
            say("analytics with the reps' activities")  # per-rep touches and first-touch times now have data
            extra["analytics_worked"] = reads.dashboard_page(bench, actor, budget_s=budget).p50
        if explain_out and bench.dialect == "postgresql":
            say("explain")
            with open(explain_out, "w", encoding="utf-8") as fh:
                fh.write(plans.explain_hot_queries(bench, actor, reads.middle_cursor(bench, actor, loaded.saved)))
        info["load_avg_1m_end"] = round(os.getloadavg()[0], 2)

    copy_rate = copied / copy_s if copy_s else 0.0
    out_rate = out_rows / out_s if out_s else 0.0
    export_rate = export["rows"] / export["seconds"] if export["seconds"] else 0.0
    result: dict[str, Any] = {
        "rows": rows,
        "engine": bench.dialect,
        "copy_rows_per_s": round(copy_rate, 1),
        "ingest_rows_per_s": round(loaded.rows_per_s, 1),
        "ingest_vs_copy": round(loaded.rows_per_s / copy_rate, 3) if copy_rate else 0.0,
        "grid_first_page_p50_ms": grid["first"].p50,
        "grid_first_page_p95_ms": grid["first"].p95,
        "grid_deep_page_p50_ms": grid["deep"].p50,
        "grid_deep_page_p95_ms": grid["deep"].p95,
        "grid_filtered_p50_ms": grid["filtered"].p50,
        "grid_filtered_p95_ms": grid["filtered"].p95,
        "grid_search_p50_ms": grid["search"].p50,
        "grid_search_p95_ms": grid["search"].p95,
        "analytics_p50_ms": charts["dashboard"].p50,
        "conversion_by_query_p50_ms": charts["conversion"].p50,
        "copy_out_rows_per_s": round(out_rate, 1),
        "export_rows_per_s": round(export_rate, 1),
        "export_peak_rss_mb": export["peak_rss_mb"],
        "export_vs_copy_out": round(export_rate / out_rate, 3) if out_rate else 0.0,
        "update_p50_ms": edits.p50,
        "assign_rule": bool(reps),
        **({"mywork_p50_ms": extra["mywork"]["p50_ms"], "mywork_p95_ms": extra["mywork"]["p95_ms"],
            "analytics_with_activities_p50_ms": extra["analytics_worked"]} if tasks else {}),
        "machine": info,
        "run": {
            "batch_size": batch_size,
            "searches": loaded.searches,
            "saved": loaded.saved,
            "duplicates": loaded.duplicates,
            "invalid": loaded.invalid,
            "duplicate_variants_generated": stream.variants,
            "ingest_seconds": round(loaded.seconds, 2),
            "autoanalyze_seconds_untimed": round(loaded.analyze_seconds, 2),
            "copy_rows": copied,
            "copy_seconds": round(copy_s, 2),
            "copy_out_seconds": round(out_s, 2),
            "export_rows": export["rows"],
            "export_seconds": round(export["seconds"], 2),
            "export_baseline_rss_mb": export["baseline_rss_mb"],
            "samples": {name: len(s.ms) for name, s in {**grid, **charts, "update": edits}.items()},
            "wall_seconds": round(time.perf_counter() - started, 1),
            "sizes_bytes": table_sizes,
            **extra,
        },
    }
    assert all(k in result for k in FIGURES)
    return result


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    if args.rows < 100:
        print("--rows must be at least 100", file=sys.stderr)
        return 2
    batch = args.batch_size
    try:
        result = run(args.database_url, args.rows, batch_size=batch, keep=args.keep, progress=not args.quiet,
                     explain_out=args.explain_out, assign_rule=args.assign_rule, tasks=args.tasks)
    except BenchSetupError as e:
        print(f"benchmark: {e}", file=sys.stderr)
        return 2
    print(table(result))
    if args.json_out:
        write_json(args.json_out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
