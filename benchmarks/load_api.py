"""The API side of the load benchmark: C concurrent httpx clients (one asyncio loop) against a running server."""

from __future__ import annotations

import asyncio
import random
import time

import httpx

from benchmarks.load_mix import ClientState, Tally, Workload, next_grid, pick_op, think_seconds, update_target


async def _request(client: httpx.AsyncClient, w: Workload, state: ClientState, op: str, tally: Tally) -> None:
    started = time.perf_counter()
    try:
        if op == "grid":
            params, cursor = next_grid(state)
            r = await client.get("/api/leads", params={**params, **({"cursor": cursor} if cursor else {})})
            if r.status_code == 200:
                state.cursor = r.json().get("nextCursor")
        elif op == "search":
            state.cursor = None
            r = await client.get("/api/leads", params={"q": state.rng.choice(w.terms)})
        elif op == "get":
            lead_id = state.rng.choice(w.read_ids)
            r = await client.get(f"/api/leads/{lead_id}")
        elif op == "update":
            lead_id, version, stale, changes = update_target(w, state)
            r = await client.put(f"/api/leads/{lead_id}", json=changes, headers={"If-Match": f'"{version}"'})
            if r.status_code == 200:
                w.versions[lead_id] = max(w.versions[lead_id], int(r.json()["version"]))
            elif r.status_code == 409:
                tally.conflicts += 1
                tally.unexpected_conflicts += 0 if stale else 1
                w.versions[lead_id] = max(w.versions[lead_id], int(r.json()["current"]["version"]))
                tally.record(op, started)
                return
        else:
            r = await client.get("/api/analytics/summary")
    except httpx.HTTPError as e:
        tally.error(f"{op}: {type(e).__name__}: {e}")
        return
    if r.status_code != 200:
        tally.error(f"{op}: HTTP {r.status_code} {r.text[:200]}")
        return
    tally.record(op, started)


async def _client(base_url: str, token: str, w: Workload, seed: int, until: float, tally: Tally,
                  think_ms: float) -> None:
    state = ClientState(rng=random.Random(seed))
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30.0) as client:
        while time.perf_counter() < until:
            await _request(client, w, state, pick_op(state.rng), tally)
            if think_ms > 0:
                await asyncio.sleep(think_seconds(state.rng, think_ms))


async def _drive(base_url: str, tokens: list[str], w: Workload, clients: int, seconds: float,
                 think_ms: float) -> Tally:
    tally = Tally()
    until = time.perf_counter() + seconds
    await asyncio.gather(*(_client(base_url, tokens[i % len(tokens)], w, 1000 + i, until, tally, think_ms)
                           for i in range(clients)))
    return tally


def run(base_url: str, tokens: list[str], w: Workload, *, clients: int, seconds: float,
        think_ms: float = 0.0) -> tuple[Tally, float]:
    """C clients for ``seconds``, each pausing ``think_ms`` on average between requests; the tally and the wall
    time it took (requests in flight at the end finish)."""
    t0 = time.perf_counter()
    tally = asyncio.run(_drive(base_url, tokens, w, clients, seconds, think_ms))
    return tally, time.perf_counter() - t0
