"""Who gets a lead: a team's active assignment rules, tried in order, each with its conditions and its strategy.

One :class:`Router` serves one transaction. :meth:`Router.load` reads the team's active rules with a row lock
(``FOR UPDATE`` on PostgreSQL; SQLite has one writer at a time anyway), so writers that route at the same moment take
turns on the rotation pointers and a round robin stays fair across concurrent imports. :meth:`Router.pick` decides
one lead at a time, in memory; :meth:`Router.save` writes the pointers back before the caller commits.

Inactive users are never picked (a rule whose people are all inactive or full matches nothing). Capacity and
"least loaded" count each person's open leads (active, status NEW, CONTACTED or QUALIFIED) once per transaction, then
add what this transaction hands out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from leadcore.db.models import AssignmentRule, Lead, User

OPEN_STATUSES = ("NEW", "CONTACTED", "QUALIFIED")
STRATEGIES = ("fixed", "round_robin", "least_loaded")
CONDITION_KEYS = ("types", "industries", "location_contains", "min_score", "max_score", "tags",
                  "search_query_contains", "sources", "search_id")


@dataclass(frozen=True)
class LeadFacts:
    """What a rule's conditions look at, for one lead about to get an owner."""

    type: str = "INDIVIDUAL"
    industry: str | None = None
    location: str | None = None
    score: int = 0
    tags: tuple[str, ...] = ()
    search_query: str | None = None
    source: str | None = None
    search_id: int | None = None


def _fold(value: str | None) -> str:
    return (value or "").strip().casefold()


def matches(conditions: dict[str, Any], lead: LeadFacts) -> bool:
    """True when ``lead`` meets every condition given (a missing or empty condition holds for every lead). Text is
    compared without case; ``tags`` and ``industries`` hold when the lead has any one of them."""
    c = conditions
    if c.get("types") and lead.type not in c["types"]:
        return False
    if c.get("industries") and _fold(lead.industry) not in {_fold(i) for i in c["industries"]}:
        return False
    if c.get("location_contains") and _fold(c["location_contains"]) not in _fold(lead.location):
        return False
    if c.get("min_score") is not None and lead.score < c["min_score"]:
        return False
    if c.get("max_score") is not None and lead.score > c["max_score"]:
        return False
    if c.get("tags") and not {_fold(t) for t in c["tags"]} & {_fold(t) for t in lead.tags}:
        return False
    if c.get("search_query_contains") and _fold(c["search_query_contains"]) not in _fold(lead.search_query):
        return False
    if c.get("sources") and _fold(lead.source) not in {_fold(s) for s in c["sources"]}:
        return False
    return not (c.get("search_id") is not None and lead.search_id != c["search_id"])


@dataclass
class _Rule:
    id: int
    name: str
    strategy: str
    conditions: dict[str, Any]
    people: list[int]  # the active assignees, in the rule's order
    capacity: int | None
    rotation: int
    start: int = 0

    def moved(self) -> bool:
        return self.rotation != self.start


@dataclass(frozen=True)
class Pick:
    owner_id: int
    rule_id: int
    rule_name: str

    def event_data(self) -> dict[str, Any]:
        """The timeline event's data: who got the lead and by which rule."""
        return {"from": None, "to": self.owner_id, "rule": self.rule_name, "rule_id": self.rule_id}


@dataclass
class Router:
    """A team's rules as one transaction routes with them. Empty (no active rule) routes nothing."""

    rules: list[_Rule]
    load: dict[int, int] = field(default_factory=dict)
    picks: dict[Any, Pick] = field(default_factory=dict)

    @classmethod
    def load_for(cls, session: Session, team_id: int, *, lock: bool = True) -> Router:
        """The team's active rules in order, their pointers locked until the transaction ends (when ``lock``)."""
        q = (select(AssignmentRule).where(AssignmentRule.team_id == team_id, AssignmentRule.active)
             .order_by(AssignmentRule.position, AssignmentRule.id))
        if lock and session.get_bind().dialect.name == "postgresql":
            q = q.with_for_update()
        rows = list(session.execute(q.execution_options(populate_existing=True)).scalars())
        if not rows:
            return cls([])
        wanted = {int(u) for r in rows for u in (r.assignee_ids or [])}
        active = set(session.scalars(select(User.id).where(User.id.in_(wanted), User.team_id == team_id,
                                                           User.is_active))) if wanted else set()
        rules = [_Rule(r.id, r.name, r.strategy, dict(r.conditions or {}),
                       [int(u) for u in (r.assignee_ids or []) if int(u) in active], r.capacity, r.rotation, r.rotation)
                 for r in rows]
        router = cls(rules)
        if any(r.capacity is not None or r.strategy == "least_loaded" for r in rules):
            router.load = open_leads_by_owner(session, team_id, active)
        return router

    def __bool__(self) -> bool:
        return bool(self.rules)

    def _room(self, rule: _Rule, user_id: int) -> bool:
        return rule.capacity is None or self.load.get(user_id, 0) < rule.capacity

    def _choose(self, rule: _Rule) -> int | None:
        people = rule.people
        if not people:
            return None
        if rule.strategy == "fixed":
            return people[0] if self._room(rule, people[0]) else None
        if rule.strategy == "least_loaded":
            open_ = [(self.load.get(u, 0), n, u) for n, u in enumerate(people) if self._room(rule, u)]
            return min(open_)[2] if open_ else None
        for k in range(len(people)):  # round robin: the next person after the pointer who has room
            user_id = people[(rule.rotation + k) % len(people)]
            if self._room(rule, user_id):
                rule.rotation += k + 1
                return user_id
        return None

    def pick(self, key: Any, lead: LeadFacts) -> int | None:
        """The owner the first matching rule gives ``lead`` (remembered under ``key``), or None: no rule matched,
        or every person of the matching rules is inactive or full."""
        for rule in self.rules:
            if not matches(rule.conditions, lead):
                continue
            owner = self._choose(rule)
            if owner is not None:
                self.load[owner] = self.load.get(owner, 0) + 1
                self.picks[key] = Pick(owner, rule.id, rule.name)
                return owner
        return None

    def record(self, created: Iterable[tuple[Any, int]], add: Callable[[int, str, dict[str, Any]], None]) -> None:
        """An "assigned" timeline event (naming the rule) for each ``(key, lead_id)`` this router gave an owner."""
        for key, lead_id in created:
            p = self.picks.get(key)
            if p is not None:
                add(lead_id, "assigned", p.event_data())

    def save(self, session: Session) -> None:
        """Write the moved rotation pointers (inside the caller's transaction)."""
        for rule in self.rules:
            if rule.moved():
                session.execute(update(AssignmentRule).where(AssignmentRule.id == rule.id)
                                .values(rotation=rule.rotation))
                rule.start = rule.rotation

    def by_user(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for p in self.picks.values():
            counts[p.owner_id] = counts.get(p.owner_id, 0) + 1
        return counts


def open_leads_by_owner(session: Session, team_id: int, user_ids: Iterable[int]) -> dict[int, int]:
    """Each user's open leads (active; NEW, CONTACTED or QUALIFIED), in one aggregate."""
    ids = list(user_ids)
    if not ids:
        return {}
    q = (select(Lead.owner_id, func.count()).where(Lead.team_id == team_id, Lead.is_active,
                                                     Lead.status.in_(OPEN_STATUSES), Lead.owner_id.in_(ids))
         .group_by(Lead.owner_id))
    return {int(o): int(n) for o, n in session.execute(q) if o is not None}
