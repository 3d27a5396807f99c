"""Teams and user accounts: argon2 password hashes, login, the first admin."""

from __future__ import annotations

import dataclasses
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from time import monotonic

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leadcore.accounts import passwords
from leadcore.accounts.actors import ROLES, Actor, ensure_admin
from leadcore.db.coltypes import aware_utc
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Team, User, UserSession
from leadcore.db.retry import retry_on_deadlock
from leadcore.emails import is_plausible_email
from leadcore.errors import AuthError, InvalidInput, NotFound

DEFAULT_TEAM = "Default"
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # argon2 takes any length; a megabyte "password" is an attack on the CPU
TEAM_NAME_MAX = 200


@dataclass(frozen=True)
class UserInfo:
    id: int
    email: str
    display_name: str
    role: str
    team_id: int
    team_name: str
    is_active: bool
    last_login_at: datetime | None

    def actor(self) -> Actor:
        return Actor(user_id=self.id, team_id=self.team_id, role=self.role, name=self.display_name, email=self.email)


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return passwords.hasher().hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return passwords.hasher().hash(password)


def _team_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Team name must not be empty", field="team")
    if len(name) > TEAM_NAME_MAX or "\x00" in name:
        raise InvalidInput(f"Team name must be at most {TEAM_NAME_MAX} characters of text", field="team")
    return name


def _named(name: str) -> Select[Team]:
    """The team called ``name``, whatever its case ("acme sales" is "Acme Sales"); the oldest if several are."""
    return select(Team).where(func.lower(Team.name) == name.lower()).order_by(Team.id).limit(1)


def get_or_create_team(session: Session, name: str) -> Team:
    """The team called ``name`` (any case), created in the current transaction when missing."""
    name = _team_name(name)
    team = session.scalar(_named(name))
    if team is None:
        try:
            with session.begin_nested():
                team = Team(name=name)
                session.add(team)
                session.flush()
        except IntegrityError:
            # Another process created it a moment ago (several CLI runs started together): use theirs.
            team = session.scalar(_named(name))
            if team is None:
                raise
    return team


def team_actor(uow: UnitOfWork, team_name: str = DEFAULT_TEAM) -> Actor:
    """An admin actor for ``team_name`` (created when missing), for the CLI and scripts."""

    found = find_team_actor(uow, team_name)  # the usual case, and it needs no write lock
    if found is not None:
        return found

    def attempt() -> Actor:
        with uow:
            uow.writing()
            team = get_or_create_team(uow.session, team_name)
            uow.commit()
            return Actor(user_id=None, team_id=team.id, role="admin", name="CLI")

    return retry_on_deadlock(attempt)


def find_team_actor(uow: UnitOfWork, team_name: str = DEFAULT_TEAM) -> Actor | None:
    """Like :func:`team_actor` but never writes: None when the team does not exist (read-only commands)."""
    name = _team_name(team_name)
    with uow:
        team = uow.session.scalar(_named(name))
        team_id = team.id if team is not None else None
    return None if team_id is None else Actor(user_id=None, team_id=team_id, role="admin", name="CLI")


def _check_new_user(email: str, password: str | None, role: str) -> str:
    email = email.strip().lower()
    if not email:
        raise InvalidInput("Enter the new user's email address", field="email")
    if not is_plausible_email(email):
        raise InvalidInput(f"'{email}' is not a valid email address", field="email")
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}, got '{role}'", field="role")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"Password must be at least {MIN_PASSWORD_LENGTH} characters", field="password")
    if password is not None and len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"Password must be at most {MAX_PASSWORD_LENGTH} characters", field="password")
    return email


def _with_team() -> Select[User, str]:
    """Users with their team's name."""
    return select(User, Team.name).join(Team, Team.id == User.team_id)


def _by_email(session: Session, email: str) -> tuple[User, str] | None:
    """The account with this (normalized) email and its team's name, if there is one."""
    row = session.execute(_with_team().where(User.email == email)).first()
    return (row[0], row[1]) if row is not None else None


def user_info(user: User, team_name: str) -> UserInfo:
    """The account as callers see it (timestamps with their time zone on every engine)."""
    return UserInfo(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        team_id=user.team_id,
        team_name=team_name,
        is_active=user.is_active,
        last_login_at=aware_utc(user.last_login_at),
    )


def _insert_user(
    session: Session, *, email: str, password: str | None, role: str, team_name: str, display_name: str | None
) -> UserInfo:
    email = _check_new_user(email, password, role)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise InvalidInput(f"A user with email {email} already exists", field="email")
    team = get_or_create_team(session, team_name)
    user = User(
        email=email,
        display_name=((display_name or "").replace("\x00", "").strip() or email.split("@")[0])[:200],
        password_hash=hash_password(password) if password else None,
        role=role,
        team_id=team.id,
        is_active=True,
    )
    session.add(user)
    session.flush()
    return user_info(user, team.name)


def create_user(
    uow: UnitOfWork,
    actor: Actor | None,
    *,
    email: str,
    password: str | None,
    role: str,
    team_name: str = DEFAULT_TEAM,
    display_name: str | None = None,
) -> UserInfo:
    """Create an account. ``actor`` None means the CLI (trusted); otherwise only an admin may."""
    if actor is not None:
        ensure_admin(actor, "create users")
    with uow:
        uow.writing()
        info = _insert_user(
            uow.session, email=email, password=password, role=role, team_name=team_name, display_name=display_name
        )
        uow.commit()
        return info


def has_users(uow: UnitOfWork) -> bool:
    """False on a fresh install, when the first admin must be created."""
    with uow:
        return bool(uow.session.scalar(select(func.count(User.id))))


def create_first_admin(
    uow: UnitOfWork, *, email: str, password: str, display_name: str | None = None, team_name: str = DEFAULT_TEAM
) -> UserInfo:
    """The first-run screen: create the first admin, refused once any user exists."""
    with uow:
        uow.writing()
        if uow.session.scalar(select(func.count(User.id))):
            raise AuthError("The first admin already exists; log in instead")
        info = _insert_user(
            uow.session, email=email, password=password, role="admin", team_name=team_name, display_name=display_name
        )
        uow.commit()
        return info


class LoginThrottle:
    """Counts failed logins per email in this process and locks an email out for a while after too many.

    ``clock`` gives seconds that only go forward (``time.monotonic``); tests pass one they can move.
    """

    def __init__(self, max_failures: int, lockout_s: float, *, clock: Callable[[], float] = monotonic) -> None:
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def check(self, email: str) -> None:
        now = self._clock()
        with self._lock:
            recent = [t for t in self._failures.get(email, []) if now - t < self.lockout_s]
            self._failures[email] = recent
            if len(recent) >= self.max_failures:
                wait = int(self.lockout_s - (now - recent[0])) + 1
                raise AuthError(f"Too many failed logins for {email}; try again in {wait} s")

    def failed(self, email: str) -> None:
        with self._lock:
            self._failures.setdefault(email, []).append(self._clock())

    def succeeded(self, email: str) -> None:
        with self._lock:
            self._failures.pop(email, None)


def authenticate(uow: UnitOfWork, email: str, password: str, *, throttle: LoginThrottle | None = None) -> UserInfo:
    """The user for these credentials, or AuthError with the same message for every wrong combination."""
    email = (email or "").strip().lower()
    if throttle:
        throttle.check(email)
    with uow:  # read, then verify outside any transaction: argon2 takes a while and holds no lock
        row = _by_email(uow.session, email)
        info = user_info(*row) if row is not None else None
        stored = row[0].password_hash if row is not None else None
    # Verify against a real hash even for an unknown, inactive or password-less account, so the time a wrong
    # login takes does not tell whether the email exists.
    usable = info is not None and bool(stored) and info.is_active
    try:
        ok = passwords.hasher().verify((stored if usable else None) or _decoy_hash(), password or "") and usable
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or info is None:
        if throttle:
            throttle.failed(email)
        raise AuthError("Wrong email or password")
    rehashed = {"password_hash": hash_password(password)} if passwords.hasher().check_needs_rehash(stored or "") else {}
    info = _logged_in(uow, info, **rehashed)
    if throttle:
        throttle.succeeded(email)
    return info


def sign_in_verified_email(uow: UnitOfWork, email: str) -> UserInfo:
    """The active account for an email address an identity provider has verified (single sign-on).

    The provider proves who someone is; what they may do comes from their account here, which an admin creates
    (a password is optional for it). No account, or an inactive one, is refused with the same message."""
    email = (email or "").strip().lower()
    with uow:
        row = _by_email(uow.session, email)
        info = user_info(*row) if row is not None else None
    if info is None or not info.is_active:
        raise AuthError(f"There is no active account for {email or 'this sign-in'} in this workspace. "
                        "Ask an admin to add you on the Admin page.")
    return _logged_in(uow, info)


def _logged_in(uow: UnitOfWork, info: UserInfo, **values: object) -> UserInfo:
    """Record the login (and any other column ``values``) and return ``info`` with its new login time."""
    now = datetime.now(UTC)
    with uow:
        uow.writing()
        uow.session.execute(update(User).where(User.id == info.id).values(last_login_at=now, **values))
        uow.commit()
    return dataclasses.replace(info, last_login_at=now)


def get_user(uow: UnitOfWork, user_id: int) -> UserInfo:
    """One user by id (active or not)."""
    with uow:
        row = uow.session.execute(
            _with_team().where(User.id == user_id)
        ).first()
        if row is None:
            raise NotFound(f"User {user_id} was not found")
        return user_info(row[0], row[1])


def list_users(uow: UnitOfWork, actor: Actor, *, all_teams: bool = False) -> list[UserInfo]:
    """The actor's teammates (admins may ask for every team)."""
    with uow:
        q = _with_team().order_by(Team.name, User.display_name)
        if not (all_teams and actor.is_admin):
            q = q.where(User.team_id == actor.team_id)
        return [user_info(u, t) for u, t in uow.session.execute(q)]


def list_teams(uow: UnitOfWork) -> list[tuple[int, str]]:
    with uow:
        return [(t.id, t.name) for t in uow.session.scalars(select(Team).order_by(Team.name))]


def rename_team(uow: UnitOfWork, actor: Actor, team_id: int, new_name: str) -> str:
    """Admins: give a team another name (not one another team has, in any case). Returns the name saved."""
    ensure_admin(actor, "rename teams")
    name = _team_name(new_name)
    with uow:
        uow.writing()
        s = uow.session
        team = s.get(Team, team_id)
        if team is None:
            raise NotFound(f"Team {team_id} was not found")
        taken = s.scalar(_named(name))
        if taken is not None and taken.id != team.id:
            raise InvalidInput(f"There is already a team called '{taken.name}'", field="team")
        team.name = name
        uow.commit()
    return name


def update_user(
    uow: UnitOfWork,
    actor: Actor,
    user_id: int,
    *,
    role: str | None = None,
    is_active: bool | None = None,
    team_name: str | None = None,
    password: str | None = None,
) -> UserInfo:
    """Admin changes to an account: role, active flag, team, password."""
    ensure_admin(actor, "change users")
    with uow:
        uow.writing()
        s = uow.session
        user = s.get(User, user_id)
        if user is None:
            raise NotFound(f"User {user_id} was not found")
        if role is not None:
            if role not in ROLES:
                raise InvalidInput(f"role must be one of {', '.join(ROLES)}", field="role")
            user.role = role
        if is_active is not None:
            if not is_active and user.id == actor.user_id:
                raise InvalidInput("You cannot deactivate your own account", field="is_active")
            user.is_active = is_active
            if not is_active:
                _end_sessions(s, user.id, "deactivated")
        if team_name:
            user.team_id = get_or_create_team(s, team_name).id
        if password is not None:
            _check_new_user(user.email, password, user.role)
            user.password_hash = hash_password(password)
            _end_sessions(s, user.id, "password changed")
        s.flush()
        team = s.get(Team, user.team_id)
        uow.commit()
        return user_info(user, team.name if team else "")


def _end_sessions(session: Session, user_id: int, reason: str) -> None:
    """Sign the user out of every browser (leadcore.accounts.sessions), in the caller's transaction."""
    session.execute(update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
                    .values(ended_at=datetime.now(UTC), end_reason=reason))


def set_active_by_email(uow: UnitOfWork, email: str, active: bool) -> UserInfo:
    """The operator's switch (CLI): a deactivated user cannot sign in and is never assigned leads."""
    with uow:
        uow.writing()
        found = _by_email(uow.session, email.strip().lower())
        if found is None:
            raise NotFound(f"No user has the email {email.strip()!r}")
        user, team_name = found
        user.is_active = active
        uow.session.flush()
        info = user_info(user, team_name)
        uow.commit()
    return info
