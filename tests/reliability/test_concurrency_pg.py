"""Many writers at once on PostgreSQL: discovery runs, CSV imports, inline edits and bulk updates on the same leads.

Afterwards the database must show no lead saved twice in a team, no edit lost without its writer being told
(StaleLead), no deadlock or database error reaching a user, and run counters that add up exactly.
"""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text

from leadcore.accounts.actors import Actor
from leadcore.db.models import Lead, LeadEvent, LeadSearch
from leadcore.db.runtime import Database
from leadcore.discovery.providers.base import SearchQuery
from leadcore.discovery.providers.demo import DemoProvider
from leadcore.discovery.runs import run_discovery
from leadcore.errors import StaleLead
from leadcore.fileimport import importer
from leadcore.leads import bulk, edits
from tests.reliability.support import csv_table, lead, user

SEEDS = 30
ROUNDS = 12


@dataclass
class Tally:
    errors: list[tuple[str, BaseException]] = field(default_factory=list)
    edits_ok: int = 0
    edits_stale: int = 0
    double_wins: int = 0
    bulk_calls: int = 0
    imports: list[importer.ImportSummary] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _guard(tally: Tally, name: str, fn: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            fn()
        except BaseException as e:
            with tally.lock:
                tally.errors.append((name, e))

    return run


def _import_rows(tag: str, shared: range, own: int) -> list[dict[str, str]]:
    rows = [{"Name": f"Shared {i}", "Email": f"shared.{i}@overlap.example", "Company": "Overlap Inc"} for i in shared]
    rows += [{"Name": f"{tag} {i}", "Email": f"{tag}.{i}@{tag}.example", "Company": f"{tag} Ltd"} for i in range(own)]
    rows += [{"Name": f"Seed person {i}", "Email": f"SEED{i}@seed.example", "Company": "Seed Co"} for i in range(0, 8)]
    rows += [{"Name": "", "Email": "not-an-email", "Company": "x"}, rows[0]]  # an invalid row and an in-file copy
    random.Random(tag).shuffle(rows)
    return rows


def test_parallel_writers_never_duplicate_never_lose_an_edit_and_count_exactly(pg_db: Database) -> None:
    db = pg_db
    owner = user(db, "manager")
    seed_ids = [lead(db, owner, lead_name=f"Seed person {i}", email=f"seed{i}@seed.example", company="Seed Co",
                     job_title="start") for i in range(SEEDS)]
    other_team = user(db, "manager", team="Rivals")
    tally = Tally()
    provider = DemoProvider()

    def discover(actor: Actor, text_: str, limit: int) -> Callable[[], None]:
        def go() -> None:
            run_discovery(db.uow(), actor, SearchQuery(text_, limit=limit), provider=provider)

        return go

    def import_file(actor: Actor, tag: str, shared: range, own: int) -> Callable[[], None]:
        def go() -> None:
            summary = importer.commit_import(db.uow(), actor, csv_table(_import_rows(tag, shared, own)),
                                               filename=f"{tag}.csv")
            with tally.lock:
                tally.imports.append(summary)

        return go

    barrier = threading.Barrier(2)
    round_wins: dict[int, int] = defaultdict(int)

    def editor(actor: Actor, me: int) -> Callable[[], None]:
        """Two editors open the same lead, then both save: exactly one may win, the other must hear StaleLead."""

        def go() -> None:
            for r in range(ROUNDS):
                lead_id = seed_ids[r % 10]
                version = edits.get_lead(db.uow(), actor, lead_id)["version"]
                barrier.wait(timeout=60)
                try:
                    edits.update_lead(db.uow(), actor, lead_id, {"job_title": f"editor{me}-round{r}"},
                                      expected_version=version)
                except StaleLead as e:
                    assert e.lead_id == lead_id and e.current_version > version
                    with tally.lock:
                        tally.edits_stale += 1
                    continue
                with tally.lock:
                    tally.edits_ok += 1
                    round_wins[r] += 1

        return go

    def bulk_writer(actor: Actor, ids: list[int], tag: str, status: str) -> Callable[[], None]:
        def go() -> None:
            for r in range(6):
                order = list(ids)
                random.Random(f"{tag}{r}").shuffle(order)  # callers pass ids in any order
                result = bulk.bulk_update(db.uow(), actor, order,
                                           bulk.BulkChange(add_tags=(f"{tag}-{r}",), status=status))
                assert result.updated + result.unchanged + result.refused + result.not_found == len(ids)
                assert result.refused == result.not_found == 0
                with tally.lock:
                    tally.bulk_calls += 1

        return go

    writers = {
        "discover-1": discover(user(db, "manager"), "VP Engineering fintech", 75),
        "discover-2": discover(user(db, "manager"), "VP Engineering fintech", 75),
        "discover-3": discover(user(db, "rep"), "Head of Engineering fintech Berlin", 50),
        "import-1": import_file(user(db, "rep"), "alpha", range(0, 40), 20),
        "import-2": import_file(user(db, "rep"), "beta", range(20, 60), 20),
        "import-other-team": import_file(other_team, "alpha", range(0, 40), 20),
        "editor-1": editor(user(db, "manager"), 1),
        "editor-2": editor(user(db, "manager"), 2),
        "bulk-1": bulk_writer(user(db, "manager"), seed_ids[:20], "b1", "CONTACTED"),
        "bulk-2": bulk_writer(user(db, "manager"), seed_ids[10:], "b2", "CONTACTED"),
    }
    threads = [threading.Thread(target=_guard(tally, name, fn), name=name) for name, fn in writers.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer hung"

    # No deadlock, lock timeout or database error reached any writer.
    assert tally.errors == [], [(n, type(e).__name__, str(e)[:200]) for n, e in tally.errors]

    with db.uow() as uow:
        s = uow.session
        # 1. No lead saved twice in a team, on any strong key.
        for column in ("email_norm", "linkedin_norm"):
            dupes = s.execute(text(
                f"SELECT team_id, {column}, count(*) FROM leads WHERE {column} IS NOT NULL "
                f"GROUP BY team_id, {column} HAVING count(*) > 1")).all()
            assert dupes == [], column
        dupes = s.execute(text("SELECT team_id, domain FROM leads WHERE type = 'COMPANY' AND domain IS NOT NULL "
                               "GROUP BY team_id, domain HAVING count(*) > 1")).all()
        assert dupes == []
        # 2. Every run's counters add up, and "saved" is exactly the leads that carry the run's id.
        runs = list(s.scalars(select(LeadSearch)))
        assert len(runs) == 6 and all(r.outcome == "ok" for r in runs), [(r.provider, r.outcome, r.error) for r in runs]
        created_by = Counter(s.scalars(select(Lead.search_id).where(Lead.search_id.is_not(None))))
        for r in runs:
            assert r.saved + r.duplicates + r.invalid == r.returned, r.provider
            assert created_by[r.id] == r.saved, r.provider
        for team in (owner.team_id, other_team.team_id):
            total = s.scalar(select(func.count()).select_from(Lead).where(Lead.team_id == team))
            saved = sum(r.saved for r in runs if r.team_id == team)
            assert total == saved + (SEEDS if team == owner.team_id else 0)
        # The two teams imported the same file: each keeps its own copy (no cross-team merge).
        rival = set(s.scalars(select(Lead.email_norm).where(Lead.team_id == other_team.team_id)))
        ours = set(s.scalars(select(Lead.email_norm).where(Lead.team_id == owner.team_id)))
        assert {f"shared.{i}@overlap.example" for i in range(40)} <= rival & ours
        # 3. Import summaries agree with their rows.
        for summary in tally.imports:
            assert summary.saved + summary.duplicates + summary.invalid == summary.count == 70
            assert summary.invalid == 1
        # 4. Inline edits: one winner per round at most, every loser told, and the edit history is one unbroken
        #    chain per lead (a silent overwrite would show two edits starting from the same value).
        assert tally.edits_ok + tally.edits_stale == 2 * ROUNDS
        assert all(wins <= 1 for wins in round_wins.values()), dict(round_wins)
        assert tally.edits_stale >= ROUNDS  # each round has at most one winner
        changes = s.execute(select(LeadEvent.lead_id, LeadEvent.data).where(LeadEvent.kind == "fields_changed")
                          .order_by(LeadEvent.id)).all()
        chain: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for lead_id, data in changes:
            if "job_title" in (data or {}):
                chain[lead_id].append(data["job_title"])
        assert sum(len(v) for v in chain.values()) == tally.edits_ok
        for lead_id, steps in chain.items():
            expected_from = "start"
            for step in steps:
                assert step["from"] == expected_from, f"lead {lead_id}: an edit was lost"
                expected_from = step["to"]
            assert s.get(Lead, lead_id).job_title == expected_from  # type: ignore[union-attr]
        # 5. Bulk updates raced with edits and merges, and every tag they added is still there.
        tags = dict(s.execute(select(Lead.id, Lead.tags).where(Lead.id.in_(seed_ids))).all())
        for i, lead_id in enumerate(seed_ids):
            want = {f"b1-{r}" for r in range(6)} if i < 20 else set()
            want |= {f"b2-{r}" for r in range(6)} if i >= 10 else set()
            assert want <= set(tags[lead_id]), lead_id
        assert tally.bulk_calls == 12
