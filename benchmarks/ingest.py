"""Writes: leadcore's save path the way discovery uses it, and the raw bulk-load ceiling of the same rows."""

from __future__ import annotations

import itertools
import sys
import tempfile
import time
from dataclasses import dataclass

from sqlalchemy import Column, ForeignKeyConstraint, Index, Integer, MetaData, Table, text

from benchmarks.database import BenchDatabase
from benchmarks.dataset import LeadStream, queries
from leadcore.accounts.actors import Actor
from leadcore.db.models import Lead
from leadcore.discovery.providers.base import SearchQuery
from leadcore.discovery.runs import close_search, open_search, save_page
from leadcore.intake.matcher import SearchContext

PAGES_PER_SEARCH = 20  # discovery's default page cap: one search run is at most 20 pages


@dataclass
class IngestResult:
    rows: int
    seconds: float
    saved: int
    duplicates: int
    invalid: int
    searches: int
    analyze_seconds: float = 0.0

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def ingest(bench: BenchDatabase, actor: Actor, stream: LeadStream, *, batch_size: int, progress: bool) -> IngestResult:
    """Save ``stream`` as discovery does: search runs of up to 20 pages, each page one transaction through
    ``searches.save_page`` (matcher + events + the run's counters). Only leadcore's calls are timed, not the
    generation of the synthetic candidates."""
    uow = bench.db.uow
    all_queries = queries()
    candidates = iter(stream)
    spent = analyzing = 0.0
    saved = duplicates = invalid = done = runs = 0
    analyzed_at = 0
    next_report = stream.n // 10
    while True:
        pages = [p for p in (list(itertools.islice(candidates, batch_size)) for _ in range(PAGES_PER_SEARCH)) if p]
        if not pages:
            break
        query = all_queries[(runs * 7919) % len(all_queries)]
        t0 = time.perf_counter()
        search_id = open_search(uow(), actor, provider="bench", query=SearchQuery(text=query),
                                requested=sum(map(len, pages)))
        ctx = SearchContext(search_id=search_id, source="bench", query=query, mode="individual")
        spent += time.perf_counter() - t0
        for page in pages:
            t0 = time.perf_counter()
            result = save_page(uow(), actor, search_id, ctx, page)
            spent += time.perf_counter() - t0
            saved, duplicates, invalid = saved + result.saved, duplicates + result.duplicates, invalid + result.invalid
            done += len(page)
            if bench.dialect == "postgresql" and done - analyzed_at > 50 + analyzed_at // 10:
                analyzing += _autoanalyze(bench)
                analyzed_at = done
        t0 = time.perf_counter()
        close_search(uow(), search_id, outcome="ok")
        spent += time.perf_counter() - t0
        runs += 1
        if progress and done >= next_report:
            print(f"  ingest {done:>9,} rows  {done / spent:8,.0f} rows/s", file=sys.stderr, flush=True)
            next_report += max(1, stream.n // 10)
    return IngestResult(rows=done, seconds=spent, saved=saved, duplicates=duplicates, invalid=invalid, searches=runs,
                        analyze_seconds=analyzing)


def _autoanalyze(bench: BenchDatabase) -> float:
    """What autovacuum does on a default PostgreSQL once 10% of a table (+50 rows) changed: fresh statistics,
    which also make the server re-plan its cached foreign-key checks (planned on an empty table, they would scan
    it on every insert). The server here may run with autovacuum off; this is background work there, so it is
    not timed as ingest. Returns the seconds it took."""
    t0 = time.perf_counter()
    with bench.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE leads, lead_events"))
    return time.perf_counter() - t0


def copy_ceiling(bench: BenchDatabase) -> tuple[int, float]:
    """Bulk-load the leads just saved into a bare copy of the leads table — the same columns (generated ones
    included), indexes, checks and foreign keys, so the database does the same work per row, but no application
    code: PostgreSQL ``COPY … FROM STDIN``, SQLite one-transaction ``executemany``. Returns (rows, seconds); only
    the load is timed."""
    if bench.dialect == "postgresql":
        return _pg_copy(bench)
    return _sqlite_copy(bench)


def _pg_copy(bench: BenchDatabase) -> tuple[int, float]:
    raw = bench.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("DROP TABLE IF EXISTS bench_copy")
        cur.execute("CREATE TABLE bench_copy (LIKE leads INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES "
                    "INCLUDING GENERATED)")
        cur.execute("SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
                    "WHERE attrelid = 'leads'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''")
        columns = cur.fetchone()[0]  # a generated column (the search text) is computed by the server, as for leads
        cur.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'leads'::regclass "
                    "AND contype = 'f' ORDER BY conname")
        for n, (definition,) in enumerate(cur.fetchall()):
            cur.execute(f"ALTER TABLE bench_copy ADD CONSTRAINT bench_copy_fk_{n} {definition}")
        raw.commit()
        with tempfile.TemporaryFile() as spool:
            with cur.copy(f"COPY (SELECT {columns} FROM leads ORDER BY id) TO STDOUT (FORMAT binary)") as cp:
                for block in cp:
                    spool.write(block)
            spool.seek(0)
            t0 = time.perf_counter()
            with cur.copy(f"COPY bench_copy ({columns}) FROM STDIN (FORMAT binary)") as cp:
                while block := spool.read(1 << 20):
                    cp.write(block)
            raw.commit()
            seconds = time.perf_counter() - t0
        cur.execute("SELECT count(*) FROM bench_copy")
        rows = cur.fetchone()[0]
        cur.execute("DROP TABLE bench_copy")
        raw.commit()
        return rows, seconds
    finally:
        raw.close()


def _bare_sqlite_table() -> Table:
    md = MetaData()
    source = Lead.__table__
    table = Table("bench_copy", md, *[Column(c.name, c.type, primary_key=c.primary_key) for c in source.columns])
    for fk in source.foreign_key_constraints:
        parent = fk.referred_table.name
        if parent not in md.tables:  # a stub, so the DDL can name it (it exists already)
            Table(parent, md, Column("id", Integer, primary_key=True))
        table.append_constraint(ForeignKeyConstraint(
            [c.name for c in fk.columns], [e.target_fullname for e in fk.elements], ondelete=fk.ondelete))
    for ix in source.indexes:
        where = ix.dialect_options["sqlite"].get("where")
        Index(f"bench_{ix.name}", *[table.c[c.name] for c in ix.columns], unique=ix.unique, sqlite_where=where)
    return table


def _sqlite_copy(bench: BenchDatabase) -> tuple[int, float]:
    table = _bare_sqlite_table()
    table.create(bench.engine)
    names = [c.name for c in table.columns]
    raw = bench.engine.raw_connection()
    try:
        cur = raw.cursor()
        rows = cur.execute(f"SELECT {', '.join(names)} FROM leads ORDER BY id").fetchall()
        sql = f"INSERT INTO bench_copy ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        t0 = time.perf_counter()
        cur.execute("BEGIN")
        cur.executemany(sql, rows)
        cur.execute("COMMIT")
        seconds = time.perf_counter() - t0
        cur.close()
    finally:
        raw.close()
    with bench.engine.begin() as conn:
        conn.execute(text("DROP TABLE bench_copy"))
    return len(rows), seconds
