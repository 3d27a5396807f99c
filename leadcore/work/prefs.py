"""Each user's time zone (what "today" means for their tasks) and after how many days a lead of theirs is quiet."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadcore.accounts.actors import Actor
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import WorkPrefs
from leadcore.errors import InvalidInput

DEFAULT_ZONE = "UTC"
DEFAULT_QUIET_DAYS = 7


@dataclass(frozen=True)
class Prefs:
    time_zone: str = DEFAULT_ZONE
    quiet_days: int = DEFAULT_QUIET_DAYS

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def prefs_of(session: Session, user_id: int | None) -> Prefs:
    row = session.execute(select(WorkPrefs.time_zone, WorkPrefs.quiet_days)
                          .where(WorkPrefs.user_id == user_id)).first() if user_id is not None else None
    return Prefs(row.time_zone, row.quiet_days) if row else Prefs()


def zone_of(session: Session, user_id: int | None) -> ZoneInfo:
    return prefs_of(session, user_id).zone


def get_prefs(uow: UnitOfWork, actor: Actor) -> Prefs:
    with uow:
        uow.reading()
        return prefs_of(uow.session, actor.user_id)


def time_zones() -> list[str]:
    """Every IANA zone name, sorted (for a picker)."""
    return sorted(available_timezones())


def set_prefs(uow: UnitOfWork, actor: Actor, *, time_zone: str, quiet_days: int = DEFAULT_QUIET_DAYS) -> Prefs:
    """Save the actor's own time zone (an IANA name such as Europe/Berlin) and quiet-lead threshold."""
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"{time_zone!r} is not a time zone; use a name such as Europe/Berlin",
                           field="time_zone") from None
    if isinstance(quiet_days, bool) or not 1 <= quiet_days <= 365:
        raise InvalidInput("Quiet days must be between 1 and 365", field="quiet_days")
    if actor.user_id is None:
        raise InvalidInput("Only a signed-in user has preferences", field="time_zone")
    with uow:
        s = uow.session
        row = s.scalar(select(WorkPrefs).where(WorkPrefs.user_id == actor.user_id))
        if row is None:
            s.add(WorkPrefs(user_id=actor.user_id, time_zone=time_zone, quiet_days=quiet_days))
        else:
            row.time_zone, row.quiet_days = time_zone, quiet_days
        uow.commit()
    return Prefs(time_zone, quiet_days)
