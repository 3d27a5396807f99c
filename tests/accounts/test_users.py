"""Accounts on real databases: validation, argon2 hashes, login, throttling, the first admin."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from leadcore.accounts.users import (
    LoginThrottle,
    authenticate,
    create_first_admin,
    create_user,
    get_user,
    has_users,
    list_teams,
    sign_in_verified_email,
    team_actor,
    update_user,
)
from leadcore.db.models import Team, User
from leadcore.db.runtime import Database
from leadcore.errors import AuthError, InvalidInput, NotFound, PermissionDenied

PASSWORD = "correct horse battery"


def stored_hash(db: Database, email: str) -> str | None:
    with db.uow() as uow:
        return uow.session.scalar(select(User.password_hash).where(User.email == email))


def test_create_user_stores_an_argon2_hash_never_the_password(db: Database) -> None:
    info = create_user(db.uow(), None, email="  Ann@Example.COM ", password=PASSWORD, role="rep", team_name="Sales")
    assert (info.email, info.role, info.team_name, info.display_name, info.is_active) == (
        "ann@example.com", "rep", "Sales", "ann", True)
    h = stored_hash(db, "ann@example.com")
    assert h is not None and h.startswith("$argon2id$") and PASSWORD not in h
    with db.uow() as uow:
        for row in uow.session.execute(select(User)).scalars():
            assert PASSWORD not in repr(vars(row))


@pytest.mark.parametrize("email, password, role, field", [
    ("not-an-email", PASSWORD, "rep", "email"),
    ("a b@example.com", PASSWORD, "rep", "email"),
    ("", PASSWORD, "rep", "email"),
    ("ann@example.com", "short", "rep", "password"),
    ("ann@example.com", PASSWORD, "owner", "role"),
    ("ann@example.com", PASSWORD, "", "role"),
    ("ann@example.com", "p" * 1025, "rep", "password"),
])
def test_create_user_validates_and_writes_nothing(db: Database, email: str, password: str, role: str,
                                                  field: str) -> None:
    with pytest.raises(InvalidInput) as e:
        create_user(db.uow(), None, email=email, password=password, role=role, team_name="Fresh Team")
    assert e.value.field == field
    assert not has_users(db.uow())
    assert "Fresh Team" not in [name for _, name in list_teams(db.uow())]


def test_email_is_unique_ignoring_case(db: Database) -> None:
    create_user(db.uow(), None, email="ann@example.com", password=PASSWORD, role="rep")
    with pytest.raises(InvalidInput, match="already exists"):
        create_user(db.uow(), None, email="ANN@example.com", password=PASSWORD, role="manager", team_name="Other")
    assert [name for _, name in list_teams(db.uow())] == ["Default"]


def test_authenticate_ok_wrong_unknown_and_inactive(db: Database) -> None:
    info = create_user(db.uow(), None, email="ann@example.com", password=PASSWORD, role="manager")
    admin = create_user(db.uow(), None, email="admin@example.com", password=PASSWORD, role="admin")
    ok = authenticate(db.uow(), " ANN@example.com", PASSWORD)
    assert ok.id == info.id and ok.last_login_at is not None
    assert get_user(db.uow(), info.id).last_login_at is not None
    messages = set()
    for email, password in (("ann@example.com", "wrong password"), ("nobody@example.com", PASSWORD),
                            ("ann@example.com", ""), ("", "")):
        with pytest.raises(AuthError) as e:
            authenticate(db.uow(), email, password)
        messages.add(str(e.value))
    update_user(db.uow(), admin.actor(), info.id, is_active=False)
    with pytest.raises(AuthError) as e:
        authenticate(db.uow(), "ann@example.com", PASSWORD)
    messages.add(str(e.value))
    assert messages == {"Wrong email or password"}  # nothing tells an attacker which part was wrong


def test_a_user_without_a_password_cannot_log_in(db: Database) -> None:
    create_user(db.uow(), None, email="sso@example.com", password=None, role="rep")
    with pytest.raises(AuthError):
        authenticate(db.uow(), "sso@example.com", "")


def test_single_sign_on_opens_the_active_account_with_that_email_only(db: Database) -> None:
    admin = create_user(db.uow(), None, email="ada@example.com", password=PASSWORD, role="admin").actor()
    sso = create_user(db.uow(), None, email="sso@example.com", password=None, role="manager", team_name="North")
    info = sign_in_verified_email(db.uow(), "  SSO@Example.com ")
    assert (info.id, info.role, info.team_name) == (sso.id, "manager", "North")
    stored = get_user(db.uow(), sso.id).last_login_at
    assert stored is not None and stored.tzinfo is not None  # with its time zone on SQLite too
    assert stored == info.last_login_at
    with pytest.raises(AuthError, match=r"no active account for nobody@example\.com"):
        sign_in_verified_email(db.uow(), "nobody@example.com")
    update_user(db.uow(), admin, sso.id, is_active=False)
    with pytest.raises(AuthError, match=r"no active account for sso@example\.com"):
        sign_in_verified_email(db.uow(), "sso@example.com")
    with pytest.raises(AuthError):
        sign_in_verified_email(db.uow(), "")


def test_throttle_locks_an_email_after_repeated_failures(db: Database) -> None:
    create_user(db.uow(), None, email="ann@example.com", password=PASSWORD, role="rep")
    create_user(db.uow(), None, email="bob@example.com", password=PASSWORD, role="rep")
    throttle = LoginThrottle(max_failures=3, lockout_s=60)
    authenticate(db.uow(), "ann@example.com", PASSWORD, throttle=throttle)
    for _ in range(3):
        with pytest.raises(AuthError, match="Wrong"):
            authenticate(db.uow(), "ann@example.com", "nope nope", throttle=throttle)
    with pytest.raises(AuthError, match="Too many"):
        authenticate(db.uow(), "ANN@example.com", PASSWORD, throttle=throttle)  # even the right password
    authenticate(db.uow(), "bob@example.com", PASSWORD, throttle=throttle)  # others are not locked out


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throttle_forgets_failures_after_a_success_and_after_the_lockout() -> None:
    clock = Clock()
    throttle = LoginThrottle(max_failures=2, lockout_s=0.05, clock=clock)
    throttle.failed("a")
    throttle.succeeded("a")
    throttle.failed("a")
    throttle.check("a")  # one failure since the success: fine
    throttle.failed("a")
    with pytest.raises(AuthError):
        throttle.check("a")
    clock.now += 0.049
    with pytest.raises(AuthError):
        throttle.check("a")  # still inside the lockout
    clock.now += 0.011
    throttle.check("a")


def test_first_admin_only_once(db: Database) -> None:
    assert not has_users(db.uow())
    first = create_first_admin(db.uow(), email="boss@example.com", password=PASSWORD, display_name="Boss")
    assert (first.role, first.team_name, first.display_name) == ("admin", "Default", "Boss")
    assert has_users(db.uow())
    with pytest.raises(AuthError):
        create_first_admin(db.uow(), email="intruder@example.com", password=PASSWORD)
    with db.uow() as uow:
        assert list(uow.session.scalars(select(User.email))) == ["boss@example.com"]


def test_first_admin_is_validated(db: Database) -> None:
    with pytest.raises(InvalidInput):
        create_first_admin(db.uow(), email="boss@example.com", password="short")
    assert not has_users(db.uow())


def test_update_user_role_team_password_and_self_deactivation(db: Database) -> None:
    admin = create_user(db.uow(), None, email="admin@example.com", password=PASSWORD, role="admin").actor()
    rep = create_user(db.uow(), None, email="rep@example.com", password=PASSWORD, role="rep")
    moved = update_user(db.uow(), admin, rep.id, role="manager", team_name="East", password="a new password")
    assert (moved.role, moved.team_name) == ("manager", "East")
    authenticate(db.uow(), "rep@example.com", "a new password")
    with pytest.raises(AuthError):
        authenticate(db.uow(), "rep@example.com", PASSWORD)
    with pytest.raises(InvalidInput):
        update_user(db.uow(), admin, admin.user_id or 0, is_active=False)
    with pytest.raises(InvalidInput):
        update_user(db.uow(), admin, rep.id, role="boss")
    with pytest.raises(InvalidInput):
        update_user(db.uow(), admin, rep.id, password="short")
    with pytest.raises(NotFound):
        update_user(db.uow(), admin, 99999, role="rep")
    with pytest.raises(PermissionDenied):
        update_user(db.uow(), moved.actor(), rep.id, role="admin")
    assert get_user(db.uow(), rep.id).role == "manager"


def test_team_actor_creates_the_team_once(db: Database) -> None:
    a = team_actor(db.uow(), "Ops")
    b = team_actor(db.uow(), " Ops ")
    assert a.team_id == b.team_id and a.is_admin
    with db.uow() as uow:
        assert list(uow.session.scalars(select(Team.name))) == ["Ops"]
    for bad in ("   ", "x" * 201, "Nul\x00Team"):
        with pytest.raises(InvalidInput):
            team_actor(db.uow(), bad)
        with pytest.raises(InvalidInput):
            create_user(db.uow(), None, email="t@example.com", password=PASSWORD, role="rep", team_name=bad)
