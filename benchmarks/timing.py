"""Wall-clock sampling: warm up, then repeat until enough samples or the time budget is spent."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Samples:
    ms: list[float] = field(default_factory=list)

    def pct(self, p: float) -> float:
        """The p-th percentile in ms (nearest rank), 0 when nothing was sampled."""
        if not self.ms:
            return 0.0
        ordered = sorted(self.ms)
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return round(ordered[rank], 3)

    @property
    def p50(self) -> float:
        return round(statistics.median(self.ms), 3) if self.ms else 0.0

    @property
    def p95(self) -> float:
        return self.pct(95)


def sample(
    fn: Callable[[int], object], *, warmup: int = 3, min_n: int = 5, max_n: int = 60, budget_s: float = 5.0
) -> Samples:
    """Call ``fn(i)`` ``warmup`` times untimed, then at least ``min_n`` and at most ``max_n`` timed times,
    stopping early once ``budget_s`` seconds of timed calls have passed."""
    for i in range(warmup):
        fn(i)
    out = Samples()
    spent = 0.0
    i = 0
    while i < max_n and (i < min_n or spent < budget_s):
        t0 = time.perf_counter()
        fn(warmup + i)
        dt = time.perf_counter() - t0
        spent += dt
        out.ms.append(dt * 1000)
        i += 1
    return out
