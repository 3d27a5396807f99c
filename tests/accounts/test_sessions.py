"""Browser sessions on real SQLite and PostgreSQL: a handoff code works once and briefly, a cookie token resumes its
session until it ends (logout, deactivation, password change) or expires; time comes from an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from leadcore.accounts import sessions
from leadcore.accounts.users import get_user, update_user
from leadcore.config import settings
from leadcore.db.models import UserSession
from leadcore.errors import AuthError


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def signed_in(db: Any, make: Any) -> tuple[Any, Any, Clock]:
    admin = make.user("admin")
    rep = make.user("rep", name="Rui Rep")
    return admin, get_user(db.uow(), rep.user_id), Clock()


def test_a_handoff_code_becomes_a_cookie_once_and_the_cookie_resumes_the_session(db: Any, signed_in: Any) -> None:
    _, rep, clock = signed_in
    begun = sessions.begin(db.uow(), rep, stay_signed_in=False, now=clock)
    live = sessions.current(db.uow(), begun.session_id, now=clock)
    assert live is not None and live.cookie_pending and live.user.email == rep.email
    cookie = sessions.exchange(db.uow(), begun.handoff_code, now=clock)
    assert cookie.max_age_s is None  # without "Stay signed in": gone with the browser
    with pytest.raises(AuthError):
        sessions.exchange(db.uow(), begun.handoff_code, now=clock)  # once only
    assert sessions.resume(db.uow(), cookie.token, now=clock) == (begun.session_id, live.user)
    live = sessions.current(db.uow(), begun.session_id, now=clock)
    assert live is not None and not live.cookie_pending
    with db.uow() as uow:  # only hashes are stored
        row = uow.session.scalar(select(UserSession))
        assert row is not None and cookie.token not in (row.token_hash or "") and row.handoff_hash is None


def test_a_handoff_code_expires_after_two_minutes(db: Any, signed_in: Any) -> None:
    _, rep, clock = signed_in
    begun = sessions.begin(db.uow(), rep, stay_signed_in=True, now=clock)
    clock.advance(seconds=sessions.HANDOFF_S + 1)
    with pytest.raises(AuthError, match="expired"):
        sessions.exchange(db.uow(), begun.handoff_code, now=clock)
    with pytest.raises(AuthError):
        sessions.exchange(db.uow(), "made-up", now=clock)


@pytest.mark.parametrize(("stay", "lasts"), [(False, timedelta(seconds=settings().session_ttl_s)),
                                               (True, sessions.STAY_SIGNED_IN)])
def test_a_session_lasts_its_time_and_no_longer(db: Any, signed_in: Any, stay: bool, lasts: timedelta) -> None:
    _, rep, clock = signed_in
    begun = sessions.begin(db.uow(), rep, stay_signed_in=stay, now=clock)
    cookie = sessions.exchange(db.uow(), begun.handoff_code, now=clock)
    if stay:
        assert cookie.max_age_s == int(lasts.total_seconds())
    clock.advance(seconds=lasts.total_seconds() - 1)
    assert sessions.resume(db.uow(), cookie.token, now=clock) is not None
    clock.advance(seconds=2)
    assert sessions.resume(db.uow(), cookie.token, now=clock) is None
    assert sessions.current(db.uow(), begun.session_id, now=clock) is None


@pytest.mark.parametrize("how", ["logout", "deactivated", "password changed"])
def test_logout_deactivation_and_a_new_password_end_every_session(db: Any, signed_in: Any, how: str) -> None:
    admin, rep, clock = signed_in
    tabs = [sessions.begin(db.uow(), rep, stay_signed_in=True, now=clock) for _ in range(2)]
    tokens = [sessions.exchange(db.uow(), t.handoff_code, now=clock).token for t in tabs]
    if how == "logout":
        sessions.end(db.uow(), tabs[0].session_id, now=clock)
        ended = [tokens[0]]
    elif how == "deactivated":
        update_user(db.uow(), admin, rep.id, is_active=False)
        ended = tokens
    else:
        update_user(db.uow(), admin, rep.id, password="a brand new password")
        ended = tokens
    for token in tokens:
        assert (sessions.resume(db.uow(), token, now=clock) is None) == (token in ended)


def test_a_role_change_applies_on_the_next_check(db: Any, signed_in: Any) -> None:
    admin, rep, clock = signed_in
    begun = sessions.begin(db.uow(), rep, stay_signed_in=False, now=clock)
    update_user(db.uow(), admin, rep.id, role="manager")
    live = sessions.current(db.uow(), begun.session_id, now=clock)
    assert live is not None and live.user.role == "manager"
