"""Planning a batch without writing: which rows are invalid, which repeat a row before them, which match a stored
lead, which are new. The merge policy (what a duplicate fills) is ``merging``; the writes are ``inserts``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy.orm import Session

from leadcore.intake import lookup
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.dedupe import MatchKeys, cluster, match_keys, phone_norm
from leadcore.intake.validation import validate_candidate


class Outcome(StrEnum):
    """What happened to one input row (the values are what the UI, the API and the reports show)."""

    NEW = "new"
    DUPLICATE_IN_BATCH = "duplicate_in_file"
    DUPLICATE_EXISTING = "duplicate_existing"
    INVALID = "invalid"


NEW = Outcome.NEW
DUPLICATE_IN_BATCH = Outcome.DUPLICATE_IN_BATCH
DUPLICATE_EXISTING = Outcome.DUPLICATE_EXISTING
INVALID = Outcome.INVALID


@dataclass(frozen=True)
class SearchContext:
    """Where a batch came from; copied onto every lead it creates."""

    search_id: int | None = None
    source: str = "manual"
    query: str | None = None
    mode: str | None = None
    location: str | None = None
    industry: str | None = None
    tech_stack: str | None = None


@dataclass
class RowPlan:
    """What happens to one input row. ``representative`` is the row index of its in-batch original."""

    index: int
    outcome: str
    reason: str | None = None
    lead_id: int | None = None
    representative: int | None = None


@dataclass
class SaveResult:
    saved: int = 0
    duplicates: int = 0
    invalid: int = 0
    search_id: int | None = None
    rows: list[RowPlan] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.saved + self.duplicates + self.invalid

    @property
    def lead_ids(self) -> list[int]:
        """The lead each valid row ended up as, in input order (new and duplicates alike)."""
        return [r.lead_id for r in self.rows if r.lead_id is not None]

    @property
    def invalid_rows(self) -> list[tuple[int, str]]:
        return [(r.index, r.reason or "") for r in self.rows if r.outcome == INVALID]

    def add(self, other: SaveResult, *, offset: int = 0) -> None:
        self.saved += other.saved
        self.duplicates += other.duplicates
        self.invalid += other.invalid
        for r in other.rows:
            r.index += offset
            if r.representative is not None and r.outcome == DUPLICATE_IN_BATCH:
                r.representative += offset
            self.rows.append(r)


@dataclass
class Row:
    """A valid input row on its way in."""

    index: int
    candidate: LeadCandidate
    keys: MatchKeys  # phone_norm is None until with_phone: planning needs only the keys that match
    phone: str | None  # as given, before an in-batch duplicate may fill it in

    def with_phone(self, region: str | None) -> MatchKeys:
        """The keys with the normalized phone, for a row the batch writes; parsed only then, so a new lead's number
        is parsed while COPY streams the rows before it."""
        k = self.keys
        self.keys = MatchKeys(k.email_norm, k.linkedin_norm, k.domain, phone_norm(self.phone, region), k.name_key)
        return self.keys


def plan_batch(
    session: Session, team_id: int, candidates: list[LeadCandidate]
) -> tuple[list[RowPlan], list[Row], lookup.Index]:
    """Decide every row's outcome without writing: invalid, duplicate in batch, duplicate of a lead, or new."""
    plans: list[RowPlan] = []
    valid: list[Row] = []
    chunk = lookup.LOOKUP_CHUNK

    def keyed_chunks() -> Iterator[list[Row]]:
        # Validated and keyed a chunk at a time: the lookup sends a chunk's query before the next one is keyed.
        for start in range(0, len(candidates), chunk):
            first = len(valid)
            for i, c in enumerate(candidates[start : start + chunk], start):
                reason = validate_candidate(c)
                if reason:
                    plans.append(RowPlan(index=i, outcome=INVALID, reason=reason))
                    continue
                plans.append(RowPlan(index=i, outcome=NEW))
                valid.append(Row(index=i, candidate=c, keys=match_keys(c, phone=False), phone=c.phone))
            yield valid[first:]

    clusters: list[int] = []

    def cluster_rows() -> None:
        clusters.extend(cluster([(r.candidate.type, r.keys) for r in valid]))

    existing = lookup.load_existing(session, team_id, keyed_chunks(), meanwhile=cluster_rows)
    first_of_cluster: dict[int, Row] = {}
    for row, cl in zip(valid, clusters, strict=True):
        plan = plans[row.index]
        rep = first_of_cluster.get(cl)
        hit = existing.find(row.candidate.type, row.keys)
        if hit is not None:
            plan.outcome, plan.lead_id = DUPLICATE_EXISTING, hit.id
            if rep is None:
                first_of_cluster[cl] = row
            elif plans[rep.index].lead_id is None:
                plans[rep.index].outcome, plans[rep.index].lead_id = DUPLICATE_EXISTING, hit.id
        elif rep is not None:
            rep_plan = plans[rep.index]
            if rep_plan.outcome == DUPLICATE_EXISTING:
                plan.outcome, plan.lead_id = DUPLICATE_EXISTING, rep_plan.lead_id
            else:
                plan.outcome, plan.representative = DUPLICATE_IN_BATCH, rep.index
        else:
            first_of_cluster[cl] = row
    return plans, valid, existing
