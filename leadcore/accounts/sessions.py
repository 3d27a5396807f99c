"""Signed-in browsers that survive a reload, a new tab and a server restart, and end everywhere at once.

How a browser gets signed in (docs/reliability.md, "Sessions", has the threats):

1. The login form checks the password (``users.authenticate``, throttled) and ``begin`` stores a session row with
   a one-time **handoff code** (valid ``HANDOFF_S`` seconds). Only the code's hash is stored.
2. The page hands the code to the browser, which posts it to the app's ``/_session/start`` route; ``exchange``
   swaps it, once, for a random **token** that goes into an HttpOnly, SameSite=Strict cookie (script on the page
   can never read it). Only the token's SHA-256 is stored.
3. A reload or a new tab carries the cookie: ``resume`` finds the row by the token's hash.
4. Every script run checks its session again (``current``: one indexed read), so logging out in one tab
   (``end``), deactivating the account or changing its password (``users.update_user``) signs every tab out on its next
   action. Role and team changes apply on the next action as well (the user is read afresh).

A session lasts ``settings().session_ttl_s`` (8 h by default) or, with "Stay signed in", ``STAY_SIGNED_IN``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from leadcore.accounts.users import UserInfo, user_info
from leadcore.config import settings
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Team, User, UserSession
from leadcore.errors import AuthError

Clock = Callable[[], datetime]
HANDOFF_S = 120
STAY_SIGNED_IN = timedelta(days=30)
COOKIE = "lc_session"


def utc_now() -> datetime:
    return datetime.now(UTC)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite hands back naive UTC


@dataclass(frozen=True)
class Begun:
    session_id: int
    handoff_code: str  # give to the browser once; it trades it for the cookie at /_session/start


@dataclass(frozen=True)
class Cookie:
    token: str
    max_age_s: int | None  # None: a browser-session cookie (gone when the browser closes)


def begin(uow: UnitOfWork, user: UserInfo, *, stay_signed_in: bool, now: Clock = utc_now) -> Begun:
    """A new session for ``user`` (just authenticated), waiting for its browser to fetch the cookie."""
    code = secrets.token_urlsafe(32)
    start = now()
    life = STAY_SIGNED_IN if stay_signed_in else timedelta(seconds=settings().session_ttl_s)
    with uow:
        uow.writing()
        row = UserSession(user_id=user.id, handoff_hash=_hash(code), handoff_expires_at=start
                          + timedelta(seconds=HANDOFF_S), stay_signed_in=stay_signed_in, created_at=start,
                          expires_at=start + life)
        uow.session.add(row)
        uow.session.flush()
        begun = Begun(row.id, code)
        uow.commit()
        return begun


def exchange(uow: UnitOfWork, code: str, *, now: Clock = utc_now) -> Cookie:
    """The cookie for a handoff code; each code works once, within ``HANDOFF_S`` seconds."""
    at = now()
    with uow:
        uow.writing()
        row = uow.session.scalar(select(UserSession).where(UserSession.handoff_hash == _hash(code or "")))
        if row is None or row.ended_at is not None or row.handoff_expires_at is None \
                or _aware(row.handoff_expires_at) < at:
            raise AuthError("This sign-in link has expired; please log in again")
        token = secrets.token_urlsafe(32)
        row.token_hash, row.handoff_hash, row.handoff_expires_at = _hash(token), None, None
        left = int((_aware(row.expires_at) - at).total_seconds())
        cookie = Cookie(token, left if row.stay_signed_in else None)
        uow.commit()
        return cookie


def _live(session: Session, where: object, at: datetime) -> tuple[UserSession, UserInfo] | None:
    row = session.execute(
        select(UserSession, User, Team.name).join(User, User.id == UserSession.user_id)
        .join(Team, Team.id == User.team_id).where(where)  # type: ignore[arg-type]
    ).first()
    if row is None:
        return None
    s, user, team_name = row
    if s.ended_at is not None or _aware(s.expires_at) <= at or not user.is_active:
        return None
    return s, user_info(user, team_name)


def resume(uow: UnitOfWork, token: str, *, now: Clock = utc_now) -> tuple[int, UserInfo] | None:
    """The session and user a browser's cookie stands for, or None (unknown, ended, expired, deactivated)."""
    if not token:
        return None
    with uow:
        found = _live(uow.session, UserSession.token_hash == _hash(token), now())
        return (found[0].id, found[1]) if found else None


@dataclass(frozen=True)
class Live:
    user: UserInfo  # read afresh: a role or team change applies on the next action
    cookie_pending: bool  # the browser has not fetched its cookie yet (hand the code over again)


def current(uow: UnitOfWork, session_id: int, *, now: Clock = utc_now) -> Live | None:
    """A live session's user; None once it ended anywhere (logout, deactivation, password change) or expired."""
    with uow:
        found = _live(uow.session, UserSession.id == session_id, now())
        return Live(found[1], found[0].handoff_hash is not None) if found else None


def end(uow: UnitOfWork, session_id: int, *, reason: str = "logout", now: Clock = utc_now) -> None:
    """Log this session out (every tab sharing its cookie follows on its next action)."""
    with uow:
        uow.writing()
        uow.session.execute(update(UserSession).where(UserSession.id == session_id, UserSession.ended_at.is_(None))
                            .values(ended_at=now(), end_reason=reason))
        uow.commit()

