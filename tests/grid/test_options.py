"""The grid's filter options: the team's tags and source queries, most used first, counted over active leads only
(the source queries from the rollup). Each is compared with its definition counted from the leads table."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from leadcore.accounts.actors import Actor
from leadcore.db.models import Lead
from leadcore.db.runtime import Database
from leadcore.grid import options
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.matcher import SearchContext, save_batch
from leadcore.leads.edits import delete_lead, update_lead
from tests.conftest import Factory

# (source query, tags) of each lead; None: a lead added by hand (no query)
LEADS = [
    ("fintech Berlin", ["hot"]), ("fintech Berlin", ["hot", "eu"]), ("fintech Berlin", []),
    ("saas Paris", ["eu"]), ("saas Paris", ["eu", "q3"]),
    ("agencies", ["cold"]),  # its only lead is deleted below: the query and the tag leave the options
    ("banks", ["vip"]), (None, ["hot"]), (None, []),
]


def saved(db: Database, actor: Actor, n: int, query: str | None, tags: list[str]) -> int:
    """One lead as a discovery run for ``query`` saves it (None: added by hand)."""
    with db.uow() as uow:
        result = save_batch(uow.session, actor, [LeadCandidate(lead_name=f"Person {n}", email=f"p{n}@c{n}.io",
                                                               tags=tags)],
                            SearchContext(query=query, source="demo" if query else "manual"))
        uow.commit()
    return result.lead_ids[0]


def ordered(counts: Counter[str]) -> list[str]:
    return [k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def by_definition(db: Database, actor: Actor) -> tuple[list[str], list[str]]:
    """Tags and source queries counted over the team's active leads in Python."""
    with db.uow() as uow:
        rows = uow.session.execute(select(Lead.search_query, Lead.tags).where(
            Lead.team_id == actor.team_id, Lead.is_active.is_(True))).all()
    tags = Counter(t for _, ts in rows for t in ts or [])
    queries = Counter(q for q, _ in rows if q)
    return ordered(tags), ordered(queries)


def test_tags_and_source_queries_follow_the_active_leads(db: Database, make: Factory) -> None:
    manager = make.user("manager")
    other_team = make.user("manager", team="Elsewhere")
    saved(db, other_team, 0, "elsewhere only", ["theirs"])
    ids = [saved(db, manager, n, q, tags) for n, (q, tags) in enumerate(LEADS, start=1)]
    delete_lead(db.uow(), manager, ids[5])
    update_lead(db.uow(), manager, ids[6], {"tags": ["vip", "eu"]}, expected_version=1)

    tags, queries = options.team_tags(db.uow(), manager), options.search_queries(db.uow(), manager)
    assert (tags, queries) == by_definition(db, manager)
    assert queries == ["fintech Berlin", "saas Paris", "banks"]  # most leads first, ties by name
    assert tags == ["eu", "hot", "q3", "vip"]
    assert options.search_queries(db.uow(), manager, limit=2) == ["fintech Berlin", "saas Paris"]

    for lead_id in ids[:3]:  # the busiest query's leads all go: it leaves the list
        delete_lead(db.uow(), manager, lead_id)
    assert options.search_queries(db.uow(), manager) == ["saas Paris", "banks"] == by_definition(db, manager)[1]
