"""The scan: candidate pairs among a team's active leads, by blocking and scoring, stored for the review queue.

One query reads the compared columns of the team's active leads; blocking keys (Soundex of the last name with the
first initial, either way round; the phone; the personal email name; Soundex of a company's first word) put leads
that may match in the same block, and only pairs within a block are scored, so the work grows with the leads, not
their square. A block larger than :data:`MAX_BLOCK` is split on the exact name, and dropped if still too large: a
key shared by that many leads is no evidence. Dismissed and merged pairs are never reopened.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leadcore.accounts.actors import Actor
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import DuplicatePair, DuplicateScan, Lead
from leadcore.duplicates.names import soundex
from leadcore.duplicates.scoring import Record, Verdict, compare, record

MAX_BLOCK = 40
SCAN_FLOOR = 0.6  # pairs scoring below this are not stored at all
_COLUMNS = ("id", "type", "lead_name", "email", "phone", "phone_norm", "company", "job_title", "location",
            "headquarters", "industry", "domain")


@dataclass(frozen=True)
class Pair:
    a: int
    b: int
    score: float
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {"a": self.a, "b": self.b, "score": self.score, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class ScanResult:
    leads: int
    compared: int
    pairs: int
    new_pairs: int
    seconds: float
    incremental: bool


def block_keys(r: Record) -> Iterator[str]:
    """The blocks a lead belongs to."""
    if r.phone:
        yield "p" + r.phone
    if r.local:
        yield "e" + r.local
    if r.type == "COMPANY":
        if r.company:
            yield "c" + soundex(r.company[0])
        return
    n = r.name
    if n is None:
        return
    initial = n.first[:1]
    yield f"n{soundex(n.last)}{initial}"
    if n.first and len(n.first) > 1:
        yield f"n{soundex(n.first)}{n.last[:1]}"  # "Weiss Hiro" written the other way round


def _exact_key(r: Record) -> str:
    if r.name is not None:
        return f"{r.name.last}|{r.name.first}"
    return " ".join(r.company)


def _blocks(records: list[Record]) -> Iterator[list[Record]]:
    by_key: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        for key in set(block_keys(r)):
            by_key[key].append(r)
    for members in by_key.values():
        if len(members) < 2:
            continue
        if len(members) <= MAX_BLOCK:
            yield members
            continue
        split: dict[str, list[Record]] = defaultdict(list)
        for r in members:
            split[_exact_key(r)].append(r)
        yield from (m for m in split.values() if 1 < len(m) <= MAX_BLOCK)


def find_pairs(records: list[Record], *, new_from: int = 0, floor: float = SCAN_FLOOR) -> tuple[list[Pair], int]:
    """Scored pairs (score ≥ ``floor``) among ``records``; with ``new_from`` only pairs with a lead id ≥ it.
    Returns the pairs, best first, and how many pairs were compared."""
    phone_count = Counter(r.phone for r in records if r.phone)
    seen: set[tuple[int, int]] = set()
    out: list[Pair] = []
    for members in _blocks(records):
        members = sorted(members, key=lambda r: r.id)
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if b.id < new_from or (a.id, b.id) in seen:
                    continue
                seen.add((a.id, b.id))
                verdict: Verdict | None = compare(a, b, phone_count)
                if verdict is not None and verdict.score >= floor:
                    out.append(Pair(a.id, b.id, verdict.score, verdict.reasons))
    out.sort(key=lambda p: (-p.score, p.a, p.b))
    return out, len(seen)


def load_records(session: Session, team_id: int) -> list[Record]:
    """The compared parts of every active lead of the team (one query)."""
    columns = [getattr(Lead, c) for c in _COLUMNS]
    rows = session.execute(select(*columns).where(Lead.team_id == team_id, Lead.is_active)).mappings()
    return [record(dict(row)) for row in rows]


def scan_team(uow: UnitOfWork, actor: Actor, *, incremental: bool = False,
              clock: type[datetime] = datetime) -> ScanResult:
    """Scan the actor's team and store the pairs found for review (one transaction).

    A full scan replaces the open pairs; an incremental one adds the pairs of leads created since the last scan.
    Pairs someone dismissed or merged keep their decision."""
    started = time.perf_counter()
    with uow:
        uow.writing()
        s = uow.session
        team = actor.team_id
        records = load_records(s, team)
        last = s.scalar(select(func.max(DuplicateScan.max_lead_id)).where(DuplicateScan.team_id == team))
        new_from = (last + 1) if incremental and last is not None else 0
        pairs, compared = find_pairs(records, new_from=new_from)
        decided = {(a, b) for a, b in s.execute(
            select(DuplicatePair.lead_a, DuplicatePair.lead_b).where(
                DuplicatePair.team_id == team, DuplicatePair.status != "open"))}
        if not new_from:
            s.execute(DuplicatePair.__table__.delete().where(  # type: ignore[attr-defined]
                DuplicatePair.team_id == team, DuplicatePair.status == "open"))
            existing: set[tuple[int, int]] = set()
        else:
            existing = {(a, b) for a, b in s.execute(
                select(DuplicatePair.lead_a, DuplicatePair.lead_b).where(DuplicatePair.team_id == team))}
        fresh = [p for p in pairs if (p.a, p.b) not in decided and (p.a, p.b) not in existing]
        _insert(s, team, fresh)
        max_id = max((r.id for r in records), default=last or 0)
        seconds = time.perf_counter() - started
        s.add(DuplicateScan(team_id=team, max_lead_id=max(max_id, last or 0), incremental=bool(new_from),
                            leads=len(records), pairs=len(fresh), seconds=round(seconds, 3)))
        uow.commit()
    return ScanResult(leads=len(records), compared=compared, pairs=len(pairs), new_pairs=len(fresh),
                      seconds=round(time.perf_counter() - started, 3), incremental=bool(new_from))


def _insert(session: Session, team_id: int, pairs: Iterable[Pair]) -> None:
    rows = [{"team_id": team_id, "lead_a": p.a, "lead_b": p.b, "score": p.score, "reasons": list(p.reasons),
             "status": "open"} for p in pairs]
    for start in range(0, len(rows), 1000):
        session.execute(DuplicatePair.__table__.insert(), rows[start:start + 1000])  # type: ignore[attr-defined]


