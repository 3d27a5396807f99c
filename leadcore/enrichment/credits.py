"""Each team's monthly enrichment budget: credits are reserved before a lookup, in their own transaction, by one
conditional UPDATE, so two runs at once never spend past the budget."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from leadcore.db.engine import UnitOfWork
from leadcore.db.models import EnrichmentCredit


def month_of(when: datetime) -> str:
    """'2026-12': the calendar month (UTC) a budget belongs to."""
    return f"{when.year:04d}-{when.month:02d}"


def spent(session: Session, team_id: int, month: str) -> int:
    """Credits the team has spent in ``month``."""
    value = session.scalar(select(EnrichmentCredit.spent).where(EnrichmentCredit.team_id == team_id,
                                                                EnrichmentCredit.month == month))
    return int(value or 0)


def month_spent(uow: UnitOfWork, team_id: int, when: datetime) -> int:
    with uow:
        uow.reading()
        return spent(uow.session, team_id, month_of(when))


def reserve(uow: UnitOfWork, team_id: int, month: str, cost: int, budget: int) -> bool:
    """Spend ``cost`` credits of the team's ``month`` if that stays within ``budget`` (committed at once: a lookup
    is paid whatever it finds). False, with nothing written, when the budget does not cover it."""
    with uow:
        uow.writing()
        s = uow.session
        insert = pg_insert if uow.dialect == "postgresql" else sqlite_insert
        s.execute(insert(EnrichmentCredit).values(team_id=team_id, month=month, spent=0)
                  .on_conflict_do_nothing(index_elements=["team_id", "month"]))
        done = s.execute(
            update(EnrichmentCredit)
            .where(EnrichmentCredit.team_id == team_id, EnrichmentCredit.month == month,
                   EnrichmentCredit.spent + cost <= budget)
            .values(spent=EnrichmentCredit.spent + cost)
            .execution_options(synchronize_session=False)
        )
        ok = bool(getattr(done, "rowcount", 0) == 1)
        if ok:
            uow.commit()
        return ok
