"""Per-user API tokens: shown once, stored only as a SHA-256 hash, revocable.

A token is ``lc_`` plus 43 URL-safe characters (32 random bytes). The prefix makes a leaked token easy to
recognise in logs and secret scanners; the hash makes a leaked database useless for calling the API.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, select, update

from leadcore.accounts.users import UserInfo
from leadcore.db.coltypes import aware_utc
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import ApiToken, Team, User
from leadcore.errors import AuthError, InvalidInput, NotFound

PREFIX = "lc_"
MAX_TOKEN_LENGTH = 200  # a real token is 46 characters; anything much longer is not worth hashing
MAX_NAME_LENGTH = 200
LAST_USED_RESOLUTION = timedelta(minutes=1)  # write last_used_at at most this often per token
_INVALID = "Invalid, expired or revoked API token"


@dataclass(frozen=True)
class TokenInfo:
    """A token as listed: never the token itself, nor its hash."""

    id: int
    user_id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def hash_token(token: str) -> str:
    """The stored form of ``token`` (hex SHA-256). Tokens carry 256 random bits, so no salt or slow hash is needed."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _info(t: ApiToken) -> TokenInfo:
    return TokenInfo(
        id=t.id,
        user_id=t.user_id,
        name=t.name,
        created_at=aware_utc(t.created_at) or datetime.now(UTC),
        last_used_at=aware_utc(t.last_used_at),
        revoked_at=aware_utc(t.revoked_at),
    )


def create_token(uow: UnitOfWork, user_id: int, name: str = "api") -> str:
    """A new token for an active user. Returns the plaintext token, which is shown once and never stored."""
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput("A token needs a name (for example 'crm-sync')", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"A token name is limited to {MAX_NAME_LENGTH} characters", field="name")
    token = PREFIX + secrets.token_urlsafe(32)
    with uow:
        user = uow.session.get(User, user_id)
        if user is None:
            raise NotFound(f"User {user_id} was not found")
        if not user.is_active:
            raise InvalidInput(f"User {user.email} is deactivated; reactivate them first", field="email")
        uow.session.add(ApiToken(user_id=user.id, name=name, token_hash=hash_token(token)))
        uow.commit()
    return token


_LOOKUP = (
    select(ApiToken.id, ApiToken.revoked_at, ApiToken.last_used_at, User.id.label("user_id"), User.email,
           User.display_name, User.role, User.team_id, User.is_active, User.last_login_at, Team.name.label("team_name"))
    .join(User, User.id == ApiToken.user_id)
    .join(Team, Team.id == User.team_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def authenticate_token(uow: UnitOfWork, token: str, *, now: datetime | None = None) -> UserInfo:
    """The active user a live token belongs to; AuthError with one message for every kind of bad token.

    Every API call starts here, so it is one read-only statement (no ORM objects, no transaction around it on
    PostgreSQL); the throttled ``last_used_at`` write, at most once a minute per token, is its own short
    transaction."""
    token = (token or "").strip()
    if not token.startswith(PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        raise AuthError(_INVALID)
    now = now or datetime.now(UTC)
    with uow:
        uow.reading()
        row = uow.session.execute(_LOOKUP, {"token_hash": hash_token(token)}).first()
        if row is None or row.revoked_at is not None or not row.is_active:
            raise AuthError(_INVALID)
        last = aware_utc(row.last_used_at)
    if last is None or now - last >= LAST_USED_RESOLUTION:
        # Throttled so that a busy integration does not turn every read into a write.
        with uow:
            uow.session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
            uow.commit()
    return UserInfo(id=row.user_id, email=row.email, display_name=row.display_name, role=row.role,
                    team_id=row.team_id, team_name=row.team_name, is_active=row.is_active,
                    last_login_at=aware_utc(row.last_login_at))


def revoke_token(uow: UnitOfWork, token_id: int, *, user_id: int | None = None) -> TokenInfo:
    """Revoke a token by id (only that user's when ``user_id`` is given). Revoking twice is harmless."""
    with uow:
        t = uow.session.get(ApiToken, token_id)
        if t is None or (user_id is not None and t.user_id != user_id):
            raise NotFound(f"API token {token_id} was not found")
        if t.revoked_at is None:
            t.revoked_at = datetime.now(UTC)
            uow.session.flush()
        info = _info(t)
        uow.commit()
    return info


def list_tokens(uow: UnitOfWork, user_id: int) -> list[TokenInfo]:
    """A user's tokens, newest first, revoked ones included."""
    with uow:
        rows = uow.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
        return [_info(t) for t in rows]


def user_id_for_email(uow: UnitOfWork, email: str) -> int:
    """The id of the account with ``email`` (case-insensitive), for the CLI."""
    email = (email or "").strip().lower()
    with uow:
        user_id = uow.session.scalar(select(User.id).where(User.email == email))
    if user_id is None:
        raise NotFound(f"No user with email {email}")
    return int(user_id)
