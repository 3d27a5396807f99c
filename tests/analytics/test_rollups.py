"""The analytics rollups (PostgreSQL's statement triggers, migration 0003; SQLite's row triggers, 0025) always equal
the counts recomputed from the leads and events, whatever wrote them: discovery saves and merges, edits, bulk
actions, soft delete and restore, imports, notes, purges (with their cascaded events), rescoring, time travel of
created_at, a deleted user, concurrent writers (PostgreSQL).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, update

from leadcore.accounts.actors import Actor
from leadcore.accounts.users import create_user
from leadcore.db.models import Lead, User
from leadcore.db.retry import retry_on_deadlock
from leadcore.db.runtime import Database
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.matcher import SearchContext, save_batch
from leadcore.leads.bulk import BulkChange, bulk_update, purge_rejected
from leadcore.leads.conversion import import_lead
from leadcore.leads.edits import (
    add_note,
    delete_lead,
    get_lead,
    restore_lead,
    update_lead,
)
from leadcore.scoring.rescoring import rescore_team
from tests.conftest import Factory
from tests.rollup_support import rollup_differences


def _candidates(prefix: str, n: int) -> list[LeadCandidate]:
    return [
        LeadCandidate(lead_name=f"{prefix} Person {i}", email=f"{prefix}{i}@{prefix}co{i % 3}.com",
                      company=f"{prefix} Co {i % 3}", lead_score=10 + i, status=("NEW", "CONTACTED", "REJECTED")[i % 3],
                      type="INDIVIDUAL" if i % 4 else "COMPANY", website=None if i % 4 else f"https://{prefix}{i}.io")
        for i in range(n)
    ]


def _save(db: Database, actor: Actor, cands: list[LeadCandidate], query: str) -> list[int]:
    with db.uow() as uow:
        result = save_batch(uow.session, actor, cands, SearchContext(query=query, source="test"))
        uow.commit()
    return list(dict.fromkeys(result.lead_ids))


def _edit(db: Database, actor: Actor, lead_id: int, **changes: Any) -> None:
    version = get_lead(db.uow(), actor, lead_id)["version"]
    update_lead(db.uow(), actor, lead_id, changes, expected_version=version)


def test_rollups_equal_the_recount_after_every_kind_of_write(db: Database) -> None:
    factory = Factory(db)
    manager = factory.user("manager")
    rep = factory.user("rep")
    checks = 0

    def check() -> None:
        nonlocal checks
        assert rollup_differences(db.engine) == {}
        checks += 1

    ids = _save(db, manager, _candidates("a", 24), "cto berlin")
    check()
    _save(db, manager, _candidates("a", 6) + _candidates("b", 6), "cto munich")  # duplicates merge, new saved
    check()
    _edit(db, manager, ids[0], status="QUALIFIED", lead_score=77)
    _edit(db, manager, ids[1], owner_id=rep.user_id)
    _edit(db, rep, ids[1], notes="called", tags=["hot"])  # no rolled-up key changes: writes nothing
    check()
    _edit(db, rep, ids[1], status="QUALIFIED")  # one key alone (it was CONTACTED)
    check()
    change = BulkChange(status="CONTACTED", add_tags=("x",)).with_owner(rep.user_id)
    bulk_update(db.uow(), manager, ids[2:12], change)
    check()
    delete_lead(db.uow(), manager, ids[3])
    bulk_update(db.uow(), manager, ids[4:6], BulkChange(delete=True))
    check()
    restore_lead(db.uow(), manager, ids[3])
    check()
    import_lead(db.uow(), manager, ids[0])
    add_note(db.uow(), rep, ids[1], "left a voicemail")
    check()
    with db.uow() as uow:  # time travel: a lead discovered three days ago
        uow.session.execute(update(Lead).where(Lead.id == ids[7]).values(
            created_at=datetime.now(UTC) - timedelta(days=3)))
        uow.commit()
    check()
    rescore_team(db.uow(), manager)
    check()
    with db.uow() as uow:
        uow.session.execute(update(Lead).where(Lead.status == "REJECTED").values(
            updated_at=datetime.now(UTC) - timedelta(days=40)))
        uow.commit()
    assert purge_rejected(db.uow(), manager, older_than_days=30) > 0  # hard delete, events cascade
    check()
    with db.uow() as uow:  # a user deleted behind leadcore's back (it deactivates): their events stay as they were
        uow.session.execute(update(Lead).where(Lead.owner_id == rep.user_id).values(owner_id=None))
        uow.session.execute(delete(User).where(User.id == rep.user_id))
        uow.commit()
    check()
    assert checks == 12


def test_concurrent_writers_keep_the_rollups_exact(pg_db: Database) -> None:
    """Four threads bulk-update overlapping leads (in opposite orders) and save overlapping pages at once: every
    write lands or is retried, none deadlocks out to the caller, and the counters still equal the recount."""
    manager = Factory(pg_db).user("manager")
    ids = _save(pg_db, manager, _candidates("c", 40), "growth leads")
    errors: list[BaseException] = []
    statuses = ("NEW", "CONTACTED", "QUALIFIED", "REJECTED")

    def work(n: int) -> None:
        try:
            for round_ in range(8):
                mine = ids[(n * 7 + round_) % 30:][:10]
                order = list(reversed(mine)) if n % 2 else mine
                change = BulkChange(status=statuses[(n + round_) % 4])
                page = _candidates(f"t{n}r{round_}", 5) + _candidates("c", 3)
                retry_on_deadlock(lambda: bulk_update(pg_db.uow(), manager, order, change))  # noqa: B023
                retry_on_deadlock(lambda: _save(pg_db, manager, page, "growth leads"))  # noqa: B023
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert rollup_differences(pg_db.engine) == {}


def test_creating_a_user_is_not_counted_as_activity(db: Database) -> None:
    """Only lead events count; the first user of a team has nothing to show yet."""
    create_user(db.uow(), None, email="new@x.io", password="correct horse battery", role="manager", team_name="T",
                display_name="N")
    assert rollup_differences(db.engine) == {}
