"""The load benchmark's request mix, shared by the API clients and the direct-SQL threads.

55 % grid pages (a filter, then following its keyset cursor a few pages deep), 15 % free-text search, 15 % one
lead, 10 % an update with the version the client last saw (a fifth of them deliberately one version behind: a 409
expected), 5 % the analytics summary. Each client draws from its own seeded generator, so a run is repeatable.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

from benchmarks.dataset import search_terms
from benchmarks.timing import Samples

MIX = (("grid", 55), ("search", 15), ("get", 15), ("update", 10), ("analytics", 5))
STALE_SHARE = 0.2  # of updates: sent with an old version on purpose
FOLLOW_CURSOR = 0.7  # a grid request follows the previous page's cursor this often (when it has one)
MAX_DEPTH = 5  # pages deep before starting over with another filter
STATUSES = ("CONTACTED", "QUALIFIED", "NEW")

# Grid filters as the API spells them (the direct path translates them to SQL): the unfiltered grid, rollup-keyed
# filters (status, type) and the first round's filtered pages (status + type + score range).
GRID_FILTERS: tuple[dict[str, str], ...] = (
    {},
    {"status": "NEW"},
    {"status": "CONTACTED,QUALIFIED"},
    {"status": "NEW", "type": "INDIVIDUAL"},
    {"status": "NEW", "type": "INDIVIDUAL", "scoreMin": "30", "scoreMax": "70"},
    {"status": "CONTACTED,QUALIFIED", "type": "INDIVIDUAL", "scoreMin": "50", "scoreMax": "100"},
    {"status": "QUALIFIED", "type": "COMPANY", "scoreMin": "20", "scoreMax": "90"},
)


@dataclass
class Workload:
    """What the clients pick from: lead ids to read, a smaller pool to update (with the versions last seen)."""

    team_id: int
    read_ids: list[int]
    update_ids: list[int]
    versions: dict[int, int]
    terms: list[str] = field(default_factory=search_terms)


@dataclass
class ClientState:
    """One client's place in the grid: its filter, its depth and the next page's cursor."""

    rng: random.Random
    filter_no: int = 0
    depth: int = 0
    cursor: Any = None  # API: nextCursor; direct: (score, id) of the last row


def think_seconds(rng: random.Random, think_ms: float) -> float:
    """The pause before a client's next request: uniform between half and one and a half times ``think_ms`` (a
    person reading the page before the next click), 0 without think time. Both sides draw it the same way."""
    return rng.uniform(0.5, 1.5) * think_ms / 1000 if think_ms > 0 else 0.0


def pick_op(rng: random.Random) -> str:
    r = rng.uniform(0, 100)
    for name, share in MIX:
        if r < share:
            return name
        r -= share
    return MIX[-1][0]


def next_grid(state: ClientState) -> tuple[dict[str, str], Any]:
    """The filter and cursor of this client's next grid request (None: a first page)."""
    if state.cursor is not None and state.depth < MAX_DEPTH and state.rng.random() < FOLLOW_CURSOR:
        state.depth += 1
        return GRID_FILTERS[state.filter_no], state.cursor
    state.filter_no = state.rng.randrange(len(GRID_FILTERS))
    state.depth = 0
    return GRID_FILTERS[state.filter_no], None


def update_target(w: Workload, state: ClientState) -> tuple[int, int, bool, dict[str, str]]:
    """(lead id, version to send, deliberately stale?, changes) for an update."""
    lead_id = state.rng.choice(w.update_ids)
    known = w.versions[lead_id]
    stale = known > 1 and state.rng.random() < STALE_SHARE
    changes = {"status": state.rng.choice(STATUSES), "notes": f"load test {state.rng.randrange(10**6)}"}
    return lead_id, known - 1 if stale else known, stale, changes


@dataclass
class Tally:
    """Per-request latencies and outcomes of one side (API or direct) of a run."""

    samples: Samples = field(default_factory=Samples)
    by_op: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    conflicts: int = 0
    unexpected_conflicts: int = 0  # 409s on updates that were not sent stale (two clients on one lead)
    first_errors: list[str] = field(default_factory=list)

    def record(self, op: str, started: float) -> None:
        self.samples.ms.append((time.perf_counter() - started) * 1000)
        self.by_op[op] = self.by_op.get(op, 0) + 1

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.first_errors) < 5:
            self.first_errors.append(what)

    def merge(self, other: Tally) -> None:
        self.samples.ms.extend(other.samples.ms)
        for k, n in other.by_op.items():
            self.by_op[k] = self.by_op.get(k, 0) + n
        self.errors += other.errors
        self.conflicts += other.conflicts
        self.unexpected_conflicts += other.unexpected_conflicts
        self.first_errors.extend(other.first_errors[: max(0, 5 - len(self.first_errors))])
