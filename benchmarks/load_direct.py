"""The ceiling of the load benchmark: the same request mix as plain SQL, C threads each holding one connection
of its own (a pool of C connections, every one busy), no HTTP, no ORM, no auth.

Each request is the SQL the service needs in the shape leadcore uses: a grid page with its total counted up to
1,000 in the same statement (keyset ``(lead_score, id) <``), a search as a bounded walk in score order then the
trigram/FTS index, one lead by id, an update that locks the row, checks the version, writes it and its event, and
the analytics summary (PostgreSQL: the rollups; SQLite: a GROUP BY over the leads).
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
import time
from typing import Any

from sqlalchemy.engine import make_url

from benchmarks.load_mix import ClientState, Tally, Workload, next_grid, pick_op, think_seconds, update_target
from leadcore.grid.clauses import SEARCH_TEXT_SQL, SEARCHED
from leadcore.grid.search import SEARCH_WALK
from leadcore.leads.views import LEAD_COLUMNS

COLS = ", ".join(f"leads.{c}" for c in LEAD_COLUMNS)
ORDER = "ORDER BY lead_score DESC, id DESC"
OWNER = "(SELECT display_name FROM users WHERE users.id = leads.owner_id) AS owner_name"


def _where(pg: bool, team_id: int, f: dict[str, str]) -> tuple[str, list[Any]]:
    conds, args = ["team_id = %s", "is_active"], [team_id]
    for key, column in (("status", "status"), ("type", "type")):
        if key in f:
            values = f[key].split(",")
            conds.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
            args += values
    if "scoreMin" in f:
        conds.append("lead_score >= %s")
        args.append(int(f["scoreMin"]))
    if "scoreMax" in f:
        conds.append("lead_score <= %s")
        args.append(int(f["scoreMax"]))
    return " AND ".join(conds), args


class Direct:
    """One thread's connection and its requests."""

    def __init__(self, url: str, schema: str | None, w: Workload) -> None:
        u = make_url(url)
        self.pg = u.get_backend_name() == "postgresql"
        self.w = w
        if self.pg:
            import psycopg

            opts = f"-csearch_path={schema},public" if schema else ""
            self.conn: Any = psycopg.connect(host=u.host or "127.0.0.1", port=u.port or 5432, user=u.username,
                                             dbname=u.database, password=u.password, options=opts)
        else:
            self.conn = sqlite3.connect(u.database or "", timeout=30, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA busy_timeout=30000")

    def close(self) -> None:
        self.conn.close()

    def _rows(self, sql: str, args: list[Any]) -> list[Any]:
        if not self.pg:
            sql = sql.replace("%s", "?")
        cur = self.conn.cursor()
        cur.execute(sql, args)
        rows = cur.fetchall()
        cur.close()
        return rows

    def _exec(self, sql: str, args: list[Any]) -> None:
        cur = self.conn.cursor()
        cur.execute(sql if self.pg else sql.replace("%s", "?"), args)
        cur.close()

    def _read(self, sql: str, args: list[Any]) -> list[Any]:
        rows = self._rows(sql, args)
        if self.pg:
            self.conn.commit()
        return rows

    def grid(self, state: ClientState) -> None:
        f, cursor = next_grid(state)
        where, args = _where(self.pg, self.w.team_id, f)
        after, after_args = ("AND (lead_score, id) < (%s, %s)", list(cursor)) if cursor else ("", [])
        total = f"(SELECT count(*) FROM (SELECT 1 FROM leads WHERE {where} LIMIT 1001) c) AS total"
        rows = self._read(f"SELECT {COLS}, {OWNER}, {total} FROM leads WHERE {where} {after} {ORDER} LIMIT 21",
                          [*args, *args, *after_args])
        score_at = LEAD_COLUMNS.index("lead_score")
        state.cursor = (rows[-1][score_at], rows[-1][0]) if len(rows) == 21 else None

    def search(self, state: ClientState) -> None:
        state.cursor = None
        term = state.rng.choice(self.w.terms)
        pattern = f"%{term}%"
        t = self.w.team_id
        if self.pg:
            walk = (f"SELECT id, lead_score, {SEARCH_TEXT_SQL} AS t FROM leads WHERE team_id = %s AND is_active "
                    f"{ORDER} LIMIT {SEARCH_WALK}")
            rows = self._rows(f"SELECT {COLS}, {OWNER} FROM leads WHERE id IN (SELECT id FROM ({walk}) w "
                              f"WHERE t LIKE %s) {ORDER} LIMIT 21", [t, pattern])
            if len(rows) < 21:
                rows = self._rows(f"SELECT *, count(*) OVER () FROM (SELECT {COLS} FROM leads WHERE team_id = %s "
                                  f"AND is_active AND {SEARCH_TEXT_SQL} LIKE %s OFFSET 0) m {ORDER} LIMIT 21",
                                  [t, pattern])
            self.conn.commit()
            return
        fts = ("AND id IN (SELECT rowid FROM leads_search WHERE leads_search MATCH %s)" if len(term) >= 3 else "")
        like = " OR ".join(f"{c} LIKE %s" for c in SEARCHED)
        phrase = ['"' + term.replace('"', '""') + '"'] if fts else []
        self._read(f"SELECT {COLS}, {OWNER} FROM leads WHERE team_id + 0 = %s AND is_active {fts} AND ({like}) "
                   f"{ORDER} LIMIT 21", [t, *phrase, *[pattern] * len(SEARCHED)])

    def get(self, state: ClientState) -> None:
        self._read("SELECT * FROM leads WHERE id = %s AND team_id = %s",
                   [state.rng.choice(self.w.read_ids), self.w.team_id])

    def update(self, state: ClientState, tally: Tally) -> bool:
        """True when it wrote; False on a version conflict (counted like the API's 409)."""
        lead_id, version, stale, changes = update_target(self.w, state)
        if not self.pg:
            self.conn.execute("BEGIN IMMEDIATE")
        lock = " FOR UPDATE" if self.pg else ""
        row = self._rows(f"SELECT version FROM leads WHERE id = %s AND team_id = %s{lock}", [lead_id, self.w.team_id])
        if row[0][0] != version:
            self.conn.commit()
            tally.conflicts += 1
            tally.unexpected_conflicts += 0 if stale else 1
            self.w.versions[lead_id] = max(self.w.versions[lead_id], int(row[0][0]))
            return False
        self._exec("UPDATE leads SET status = %s, notes = %s, version = version + 1, updated_at = CURRENT_TIMESTAMP "
                   "WHERE id = %s", [changes["status"], changes["notes"], lead_id])
        self._exec("INSERT INTO lead_events (lead_id, team_id, user_id, kind, data, created_at) "
                   "VALUES (%s, %s, NULL, 'updated', %s, CURRENT_TIMESTAMP)",
                   [lead_id, self.w.team_id, json.dumps(changes)])
        self.conn.commit()
        self.w.versions[lead_id] = max(self.w.versions[lead_id], version + 1)
        return True

    def analytics(self) -> None:
        t = self.w.team_id
        if self.pg:
            self._rows("SELECT status, sum(n), sum(score_sum) FROM lead_rollup WHERE team_id = %s GROUP BY status", [t])
            self._rows("SELECT search_query, sum(n), sum(CASE WHEN status IN ('QUALIFIED', 'IMPORTED') THEN n ELSE 0 "
                       "END) FROM lead_rollup WHERE team_id = %s GROUP BY search_query", [t])
            self.conn.commit()
            return
        self._read("SELECT status, count(*), avg(lead_score) FROM leads WHERE team_id = %s AND is_active "
                   "GROUP BY status", [t])
        self._read("SELECT search_query, count(*), sum(status IN ('QUALIFIED', 'IMPORTED')) FROM leads "
                   "WHERE team_id = %s AND is_active GROUP BY search_query", [t])

    def one(self, state: ClientState, tally: Tally) -> None:
        op = pick_op(state.rng)
        started = time.perf_counter()
        try:
            if op == "grid":
                self.grid(state)
            elif op == "search":
                self.search(state)
            elif op == "get":
                self.get(state)
            elif op == "update":
                self.update(state, tally)
            else:
                self.analytics()
        except Exception as e:  # noqa: BLE001 - a failed statement is an error of the run, as a 5xx is for the API
            tally.error(f"{op}: {type(e).__name__}: {e}")
            try:
                self.conn.rollback()
            except Exception:  # noqa: BLE001 - the connection is gone; the next request reports it
                pass
            return
        tally.record(op, started)


def run(url: str, schema: str | None, w: Workload, *, threads: int, seconds: float,
        think_ms: float = 0.0) -> tuple[Tally, float]:
    """``threads`` threads, one connection each, through the mix for ``seconds`` (pausing like the API's clients
    with ``think_ms``); the tally and the wall time."""
    tallies = [Tally() for _ in range(threads)]
    workers = [Direct(url, schema, w) for _ in range(threads)]
    until = time.perf_counter() + seconds

    def loop(i: int) -> None:
        state = ClientState(rng=random.Random(5000 + i))
        while time.perf_counter() < until:
            workers[i].one(state, tallies[i])
            if think_ms > 0:
                time.sleep(think_seconds(state.rng, think_ms))

    t0 = time.perf_counter()
    pool = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - t0
    for d in workers:
        d.close()
    total = Tally()
    for t in tallies:
        total.merge(t)
    return total, wall
