"""Child process for the export figures: ``python -m benchmarks.export_probe URL SCHEMA TEAM USER``.

Runs leadcore's CSV export of the whole team into a byte-counting sink and prints JSON with rows, bytes,
seconds and the process's peak resident memory (VmHWM), so the peak belongs to the export alone and shows
whether memory stays bounded whatever the row count.
"""

from __future__ import annotations

import json
import sys
import time

from leadcore.accounts.actors import Actor
from leadcore.db.engine import make_engine, session_factory
from leadcore.db.runtime import Database
from leadcore.grid.export import export_csv


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def main(argv: list[str]) -> int:
    url, schema, team_id, user_id = argv
    engine = make_engine(url, search_path=schema or None)
    db = Database(url, engine, session_factory(engine))
    actor = Actor(user_id=int(user_id), team_id=int(team_id), role="manager")
    with engine.connect():
        pass  # connect (and import the driver) before the baseline
    baseline = _status_mb("VmRSS")
    rows = -1  # the header line
    size = 0
    t0 = time.perf_counter()
    for chunk in export_csv(db.uow(), actor):
        data = chunk.encode("utf-8")
        size += len(data)
        rows += chunk.count("\n")  # approximate for multi-line notes; exact for this data set
    seconds = time.perf_counter() - t0
    engine.dispose()
    print(json.dumps({"rows": rows, "bytes": size, "seconds": seconds, "baseline_rss_mb": round(baseline, 1),
                      "peak_rss_mb": round(_status_mb("VmHWM"), 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
