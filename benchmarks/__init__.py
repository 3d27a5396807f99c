"""Reproducible performance runs for leadcore (not part of the test suite).

``python -m benchmarks --database-url URL --rows N [--json OUT]`` loads N deterministic synthetic leads
(about 10% of them duplicate variants of earlier ones) into a fresh schema or file, measures the hot paths
through leadcore's own functions next to the raw database ceilings, prints a table and writes JSON.
See ``docs/performance.md``.
"""
