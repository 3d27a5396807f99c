"""``python -m benchmarks.duplicates --database-url URL --rows N``: the duplicate scan and merges at scale.

Loads N synthetic leads the way discovery saves them (benchmarks.ingest), then times a full scan of the team
(``duplicates_scan_s``), an incremental scan after one more page (``duplicates_incremental_scan_s``) and merges of
the pairs found (``merge_p50_ms``)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from benchmarks import ingest
from benchmarks.database import fresh_database
from benchmarks.dataset import LeadStream
from benchmarks.timing import Samples
from leadcore.accounts.users import create_user
from leadcore.duplicates import merge, queue, scan


def run(url: str, rows: int, *, progress: bool = True) -> dict[str, Any]:
    with fresh_database(url) as bench:
        actor = create_user(bench.db.uow(), None, email="bench-dupes@example.com", password="bench password 1",
                            role="manager", team_name="Bench", display_name="Bench Manager").actor()
        loaded = ingest.ingest(bench, actor, LeadStream(rows), batch_size=500, progress=False)
        if progress:
            print(f"loaded {loaded.saved:,} leads", file=sys.stderr, flush=True)
        full = scan.scan_team(bench.db.uow(), actor)
        t0 = time.perf_counter()
        incremental = scan.scan_team(bench.db.uow(), actor, incremental=True)
        inc_s = time.perf_counter() - t0
        pairs = queue.list_pairs(bench.db.uow(), actor, limit=200)
        merges, used = Samples(), set()
        for p in pairs:
            if p.a in used or p.b in used or len(merges.ms) >= 50:
                continue
            used |= {p.a, p.b}
            t0 = time.perf_counter()
            merge.merge_leads(bench.db.uow(), actor, p.a, p.b)
            merges.ms.append((time.perf_counter() - t0) * 1000)
        return {"rows": rows, "engine": bench.dialect, "leads": full.leads, "compared": full.compared,
                "pairs": full.pairs, "duplicates_scan_s": full.seconds,
                "duplicates_incremental_scan_s": round(inc_s, 3), "incremental_pairs": incremental.new_pairs,
                "merges": len(merges.ms), "merge_p50_ms": merges.p50, "merge_p95_ms": merges.p95}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.duplicates", description=__doc__)
    p.add_argument("--database-url", required=True)
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--json", dest="json_out")
    args = p.parse_args(argv)
    result = run(args.database_url, args.rows)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
