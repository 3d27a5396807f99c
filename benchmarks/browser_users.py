"""Streamlit under concurrent users: U reps working the grid at the same time in one Chromium.

``python -m benchmarks.browser_users --database-url URL --users U [--rows N] [--seconds S] [--json OUT]``

1. The database of ``python -m benchmarks.browser`` (same loading: ``seed-demo`` or, on PostgreSQL above 20,000
   rows, seed-demo into a scratch SQLite file then ``leadcore backup`` / ``restore``), plus U reps made with
   ``python -m leadcore create-user --role rep``; each rep owns its own slice of the leads (a rep may only edit
   leads it owns), so no two reps ever edit the same lead.
2. ``streamlit run app.py`` against it; one Chromium (Playwright's async API), U browser contexts (separate
   cookies: separate Streamlit sessions), each signed in as a different rep on the grid of its own leads
   (``?owner_ids=<id>``).
3. For ``--seconds`` every rep goes round the same cycle, as fast as the app answers: page forward ("Next"),
   page forward again, filter by status (a shared link: the URL changes to ``?owner_ids=…&statuses=…``),
   back to all of its leads, then edit the Status of the first row and press Save. Each interaction is timed
   from the click (or URL change) until the grid shows the new result (the page range, every row's status, or
   "Saved 1 lead.") and the app is idle again.
4. Reports p50 / p95 / max per interaction kind and over all; the same for the server round trip of each
   interaction (from the browser's first WebSocket frame after the click, the rerun request, to the last frame
   of the answer before the grid showed the result: the server's queue and script run plus the network, without
   the page's rendering); errors (a timeout, an exception box, a refused
   save) with the first few messages, the Streamlit server's resident memory before the reps signed in and
   with all of them signed in (the difference per session), and the load average.

Exits 1 when p95 over all interactions is above the 1.5 s budget or any interaction failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import create_engine, text

from benchmarks.browser_setup import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    BenchDb,
    add_shared_options,
    chromium_missing,
    leadcore,
    say,
    served,
)
from benchmarks.load_mix import think_seconds
from benchmarks.report import write_json

BUDGET_MS = 1500.0
STEP_TIMEOUT_MS = 60_000
EDITOR_TRIES, EDITOR_WAIT_MS = 3, 5_000
PASSWORD = "bench-rep-password"
LEADS_PER_REP = 2_000
# ui/grid.py's column layout for a new user: the index "#", then Select / Open / Task / Name, then Status
STATUS_X = 56 + 74 + 60 + 64 + 170 + 110 / 2
ROW_PX = 35

IDLE = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  return !!app && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid=stSkeleton]');
}"""

# the page range under the grid ("Leads 21–40 of 2,000" → {start: 21, total: 2000}; an estimated total, "of about
# 480,000", is null), or null
RANGE = """() => {
  for (const e of document.querySelectorAll('[data-testid=stMain] [data-testid=stCaptionContainer]')) {
    const m = e.textContent.trim().match(/^Leads ([\\d,]+)[–-][\\d,]+(?: of ([\\d,]+))?/);
    if (m) return {start: Number(m[1].replace(/,/g, '')), total: m[2] ? Number(m[2].replace(/,/g, '')) : null};
  }
  return null;
}"""
RANGE_START = "() => { const r = (" + RANGE + ")(); return r && r.start; }"  # the first lead number, or null
RANGE_TOTAL = "() => { const r = (" + RANGE + ")(); return r && r.total; }"  # the total, or null

STATUS_CELLS = """() => {
  const grid = document.querySelector('[data-testid=stDataFrame] table[role=grid]');
  if (!grid) return null;
  const heads = Array.from(grid.querySelectorAll('th')).map(th => th.textContent.trim());
  const col = heads.indexOf('Status');
  if (col < 0) return null;
  return {col, values: Array.from(grid.querySelectorAll(`td[data-testid^="glide-cell-${col}-"]`))
    .map(c => c.textContent.trim())};
}"""


@dataclass
class Timings:
    ms: dict[str, list[float]] = field(default_factory=dict)
    # per interaction, from the rerun request leaving the browser (its first WebSocket frame after the click) to
    # the last frame of the answer arriving: the server's part (its queue and its script run) and the network's,
    # without the page's rendering (see Rep._timed)
    server_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    editor_retries: int = 0  # double clicks that opened no Status editor and were tried again (see _pick_status)

    def add(self, kind: str, ms: float) -> None:
        self.ms.setdefault(kind, []).append(ms)

    @staticmethod
    def summary(data: list[float]) -> dict[str, Any]:
        if not data:
            return {"n": 0, "p50_ms": None, "p95_ms": None, "max_ms": None}
        q = statistics.quantiles(data, n=100, method="inclusive") if len(data) > 1 else [data[0]] * 99
        return {"n": len(data), "p50_ms": round(q[49], 1), "p95_ms": round(q[94], 1), "max_ms": round(max(data), 1)}


def add_reps(db: BenchDb, users: int) -> list[tuple[str, int]]:
    """U reps, each owning LEADS_PER_REP leads of its own (plain SQL: data set-up, not the measured part)."""
    reps: list[tuple[str, int]] = []
    engine = create_engine(db.url)
    try:
        for i in range(users):
            email = f"bench-rep{i}@example.com"
            with contextlib.suppress(RuntimeError):  # already there when the database is reused
                leadcore(db, "create-user", "--email", email, "--role", "rep", "--name", f"Bench Rep {i}",
                         "--password-stdin", stdin=PASSWORD + "\n")
            with engine.begin() as conn:
                rep_id = int(conn.execute(text("SELECT id FROM users WHERE email = :e"), {"e": email}).scalar_one())
                conn.execute(text(
                    "UPDATE leads SET owner_id = :rep WHERE id IN (SELECT id FROM leads WHERE is_active "
                    "ORDER BY id LIMIT :n OFFSET :o)"), {"rep": rep_id, "n": LEADS_PER_REP, "o": i * LEADS_PER_REP})
            reps.append((email, rep_id))
    finally:
        engine.dispose()
    return reps


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (Linux /proc)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds() -> dict[str, float]:
    """CPU seconds used so far by the Streamlit server (``streamlit`` in its command line), the browsers
    (``chromium``) and PostgreSQL (``postgres``), from Linux /proc: who the two cores worked for."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {"server": 0.0, "browsers": 0.0, "postgres": 0.0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile
            continue
        fields = stat.rsplit(")", 1)[1].split()
        used = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        who = ("server" if "streamlit run" in command else "browsers" if "chromium" in command
               else "postgres" if stat.split("(", 1)[1].startswith("postgres") else None)
        if who:
            out[who] += used
    return out


class Rep:
    def __init__(self, page: Any, base: str, email: str, rep_id: int, timings: Timings) -> None:
        self.page, self.base, self.email, self.rep_id, self.t = page, base, email, rep_id, timings
        self.rng = random.Random(rep_id)
        self.sent: list[float] = []  # when the page's WebSocket frames left / arrived (perf_counter)
        self.received: list[float] = []
        page.on("websocket", self._watch)

    def _watch(self, ws: Any) -> None:
        ws.on("framesent", lambda _frame: self.sent.append(time.perf_counter()))
        ws.on("framereceived", lambda _frame: self.received.append(time.perf_counter()))

    async def idle(self) -> None:
        await self.page.wait_for_function(IDLE, timeout=STEP_TIMEOUT_MS)

    async def sign_in(self) -> None:
        p = self.page
        await p.goto(self.base)
        await p.locator('input[aria-label="Email"]').fill(self.email)
        await p.locator('input[aria-label="Password"]').fill(PASSWORD)
        await p.get_by_role("button", name="Log in", exact=True).click()
        await p.get_by_test_id("stSidebar").get_by_text("Signed in as").wait_for(timeout=STEP_TIMEOUT_MS)
        await self.idle()
        # a rep lands on My work: open Leads from the sidebar (the same session), then its own leads
        await p.get_by_test_id("stSidebarNav").locator('span[label="Leads"]').click()
        await self.wait_grid()
        await self.show(None, timed=False)

    async def wait_grid(self) -> None:
        await self.page.wait_for_function(
            "() => (" + RANGE_START + ")() !== null && (" + IDLE + ")()", timeout=STEP_TIMEOUT_MS)

    async def _timed(self, kind: str, act: Any, done: str, arg: Any = None, *, record: bool = True) -> None:
        self.sent.clear()
        self.received.clear()
        t0 = time.perf_counter()
        await act()
        try:
            await self.page.wait_for_function("([done, arg]) => (new Function('arg', done))(arg) && (" + IDLE + ")()",
                                              arg=[done, arg], timeout=STEP_TIMEOUT_MS, polling=50)
        except Exception as e:
            raise RuntimeError(f"{kind}: {str(e).splitlines()[0]}") from e
        ended = time.perf_counter()
        if record:
            self.t.add(kind, (ended - t0) * 1000)
            asked = next((t for t in self.sent if t >= t0), None)
            answered = [t for t in self.received if asked is not None and asked <= t <= ended]
            if asked is not None and answered:
                self.t.server_ms.setdefault(kind, []).append((answered[-1] - asked) * 1000)
        if await self.page.get_by_test_id("stException").count():
            raise RuntimeError(f"{kind}: an exception box is on the page")

    async def next_page(self) -> None:
        start = await self.page.evaluate(RANGE_START)
        await self._timed("next page", self.page.get_by_role("button", name="Next").click,
                          "return (" + RANGE_START + ")() > arg;", start)

    async def show(self, statuses: list[str] | None, *, timed: bool = True) -> None:
        query = f"owner_ids={self.rep_id}" + (f"&statuses={','.join(statuses)}" if statuses else "")
        shown = await self.page.evaluate("(q) => { const a = new URLSearchParams(location.search),"
                                         " b = new URLSearchParams(q); return a.size === b.size"
                                         " && [...b].every(([k, v]) => a.get(k) === v); }", query)
        if timed and shown:  # already on screen (a rep's first step, or after starting afresh): no interaction
            return

        async def go() -> None:
            await self.page.evaluate(
                "(q) => { history.pushState({}, '', '/leads?' + q);"
                " window.dispatchEvent(new PopStateEvent('popstate', {state: {}})); }", query)

        # The first page of the new result: every row of the filtered statuses, or (back to all of the rep's
        # leads, where the filter's page could fit too) the total of all of them.
        done = ("const s = (" + STATUS_CELLS + ")(); if (!s || !s.values.length) return false;"
                " if ((" + RANGE_START + ")() !== 1) return false;"
                " if (arg.statuses === null) return (" + RANGE_TOTAL + ")() === arg.all;"
                " return s.values.every(v => arg.statuses.includes(v));")
        await self._timed("filter" if statuses else "all my leads", go, done,
                          {"statuses": statuses, "all": LEADS_PER_REP}, record=timed)

    async def edit_and_save(self) -> None:
        p = self.page
        await self._pick_status()
        await p.get_by_text("Unsaved changes on 1 lead").wait_for(timeout=STEP_TIMEOUT_MS)
        save = p.get_by_role("button", name="Save", exact=True)
        await self._timed("save edit", save.click,
                          "return document.body.innerText.includes('Saved 1 lead.');")

    async def _pick_status(self) -> None:
        """Open the first row's Status editor and pick the other status (untimed: the browser's part). The grid
        may still be re-mounting or laying out its columns after the last step, so a double click that opened no
        editor, or the wrong column's, is dismissed (Escape) and tried again, up to EDITOR_TRIES times."""
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        p = self.page
        grid = p.get_by_test_id("stDataFrame").first
        pos = {"x": STATUS_X, "y": ROW_PX + ROW_PX / 2}
        for attempt in range(1, EDITOR_TRIES + 1):
            wait_ms = EDITOR_WAIT_MS if attempt < EDITOR_TRIES else STEP_TIMEOUT_MS
            found = await p.wait_for_function("() => { const s = (" + STATUS_CELLS + ")(); return s && s.values.length"
                                              " && (" + IDLE + ")() ? s : null; }", timeout=STEP_TIMEOUT_MS)
            cells = await found.json_value()
            target = "Qualified" if cells["values"][0] == "CONTACTED" else "Contacted"
            await grid.click(position=pos)
            await grid.dblclick(position=pos)
            try:
                await p.get_by_test_id("portal").locator(".gdg-clip-region").wait_for(timeout=wait_ms)
                await p.keyboard.type(target, delay=20)
                await p.get_by_role("option", name=target, exact=True).wait_for(timeout=wait_ms)
            except PlaywrightTimeout:
                if attempt == EDITOR_TRIES:
                    raise
                await p.keyboard.press("Escape")  # closes whatever editor did open, unchanged
                self.t.editor_retries += 1
                continue
            await p.keyboard.press("Enter")
            return

    async def work(self, until: float, think_ms: float = 0.0) -> None:
        cycle = [self.next_page, self.next_page, lambda: self.show(["NEW", "CONTACTED"]), lambda: self.show(None),
                 self.edit_and_save]
        i = self.rng.randrange(len(cycle))  # the reps do not all start with the same step
        while time.perf_counter() < until:
            try:
                await cycle[i % len(cycle)]()
                await asyncio.sleep(think_seconds(self.rng, think_ms))  # reading the page before the next click
            except Exception as e:  # noqa: BLE001 - count it, start this rep afresh, go on
                waiting = [line.strip() for line in str(e).splitlines() if "waiting for" in line][:1]
                self.t.errors.append(f"{self.email}: {type(e).__name__}: {str(e).splitlines()[0][:200]} "
                                     f"{' '.join(waiting)[:200]}".rstrip())
                with contextlib.suppress(Exception):
                    shot = ROOT / "test-artifacts" / f"browser-users-error-{len(self.t.errors)}.png"
                    await self.page.screenshot(path=str(shot))
                with contextlib.suppress(Exception):
                    await self.show(None, timed=False)
            i += 1


async def drive(base: str, reps: list[tuple[str, int]], seconds: float, server_pid: int, think_ms: float = 0.0
                ) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    timings = Timings()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            rss_before = rss_mb(server_pid)
            workers: list[Rep] = []
            for email, rep_id in reps:
                context = await browser.new_context(viewport={"width": 1440, "height": 900})
                context.set_default_timeout(STEP_TIMEOUT_MS)
                rep = Rep(await context.new_page(), base, email, rep_id, timings)
                await rep.sign_in()  # one after another: signing in is not what is measured
                workers.append(rep)
                if len(workers) == 1:  # the first session also loads the app's modules (pandas, pyarrow, …)
                    rss_first = rss_mb(server_pid)
            rss_signed_in = rss_mb(server_pid)
            say(f"{len(workers)} reps signed in; server RSS {rss_before:.0f} → {rss_signed_in:.0f} MB")
            until = time.perf_counter() + seconds
            cpu_before, started = cpu_seconds(), time.perf_counter()
            await asyncio.gather(*(w.work(until, think_ms) for w in workers))
            cpu_after, wall = cpu_seconds(), time.perf_counter() - started
            rss_after = rss_mb(server_pid)
        finally:
            await browser.close()
    every = [ms for data in timings.ms.values() for ms in data]
    server_every = [ms for data in timings.server_ms.values() for ms in data]
    cpu = {who: round(cpu_after[who] - cpu_before[who], 1) for who in cpu_before}
    return {
        "interactions": {kind: Timings.summary(data) for kind, data in sorted(timings.ms.items())},
        "all": Timings.summary(every),
        "server_round_trip": {kind: Timings.summary(data) for kind, data in sorted(timings.server_ms.items())}
        | {"all": Timings.summary(server_every)},
        "errors": len(timings.errors),
        "first_errors": timings.errors[:10],
        "editor_retries": timings.editor_retries,
        "server_rss_mb": {"before": round(rss_before, 1), "signed_in": round(rss_signed_in, 1),
                          "after": round(rss_after, 1),
                          "first_session": round(rss_first - rss_before, 1),
                          "per_further_session": round((rss_after - rss_first) / max(1, len(reps) - 1), 1)},
        # Who the cores worked for while the reps worked (two cores: at most 2 × wall seconds), and the server's
        # CPU per interaction: what one Streamlit process (one core's worth of Python) spends on each click.
        "cpu_seconds": cpu | {"wall": round(wall, 1)},
        "server_cpu_ms_per_interaction": round(1000 * cpu["server"] / max(1, len(every)), 1),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.browser_users", description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", required=True,
                   help="postgresql+psycopg://…/any (a database leadcore_browser_bench is made on that server) or "
                        "sqlite:////path/new.db")
    p.add_argument("--users", type=int, default=10, help="concurrent reps (default 10)")
    p.add_argument("--rows", type=int, default=100_000, help="leads to load (default 100,000)")
    p.add_argument("--seconds", type=float, default=60.0, help="how long the reps work (default 60)")
    p.add_argument("--think-ms", type=float, default=0.0,
                   help="each rep pauses 0.5–1.5 × this between interactions, like a person reading (default 0: "
                        "back to back)")
    add_shared_options(p)
    args = p.parse_args(argv)
    if args.users < 1 or args.seconds <= 0 or args.rows < args.users * LEADS_PER_REP:
        print(f"--users ≥ 1, --seconds > 0 and --rows ≥ users × {LEADS_PER_REP:,}", file=sys.stderr)
        return 2
    if chromium_missing():
        return 2
    started = time.perf_counter()
    with served(args, "browser-users-streamlit.log") as (db, loaded, server):
        reps = add_reps(db, args.users)
        figures = asyncio.run(drive(server.url, reps, args.seconds, server.proc.pid, args.think_ms))
    result: dict[str, Any] = {
        "rows": loaded["rows"], "engine": db.dialect, "users": args.users, "seconds": args.seconds,
        "think_ms": args.think_ms, "budget_ms": BUDGET_MS, **figures,
        "machine": {"cpus": os.cpu_count(), "load_avg_1m_end": round(os.getloadavg()[0], 2),
                    "platform": platform.platform(), "python": platform.python_version()},
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    for kind, s in {**result["interactions"], "all": result["all"]}.items():
        print(f"{kind:<14} n={s['n']:<5} p50 {s['p50_ms']} ms  p95 {s['p95_ms']} ms  max {s['max_ms']} ms")
    trip = result["server_round_trip"]["all"]
    print(f"server round trip (rerun request sent → last answer frame received) n={trip['n']} "
          f"p50 {trip['p50_ms']} ms  p95 {trip['p95_ms']} ms  max {trip['max_ms']} ms")
    print(f"errors {result['errors']} (editor retries {result['editor_retries']}); "
          f"server RSS {result['server_rss_mb']}")
    print(f"cpu seconds {result['cpu_seconds']}; server CPU per interaction "
          f"{result['server_cpu_ms_per_interaction']} ms")
    for e in result["first_errors"]:
        print(f"  {e}")
    if args.json_out:
        write_json(args.json_out, result)
    p95 = result["all"]["p95_ms"]
    return 0 if result["errors"] == 0 and p95 is not None and p95 <= BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
