"""API tokens: stored only as a hash, shown once, revocable, refused for inactive users; the CLI commands."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from leadcore.accounts import tokens, users
from leadcore.db.models import ApiToken
from leadcore.errors import AuthError, InvalidInput, NotFound

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _rows(db: Any) -> list[Any]:
    """(id, user_id, name, token_hash) of every stored token."""
    with db.uow() as uow:
        return list(uow.session.execute(
            select(ApiToken.id, ApiToken.user_id, ApiToken.name, ApiToken.token_hash).order_by(ApiToken.id)))


def test_only_the_sha256_of_a_token_is_stored(db: Any, make: Any) -> None:
    user = make.user("rep")
    token = tokens.create_token(db.uow(), user.user_id, "crm-sync")
    assert token.startswith("lc_") and len(token) >= 40
    (row,) = _rows(db)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {row.token_hash, row.name}
    assert tokens.authenticate_token(db.uow(), token).id == user.user_id


def test_two_tokens_are_never_equal(db: Any, make: Any) -> None:
    user = make.user("rep")
    assert len({tokens.create_token(db.uow(), user.user_id, "t") for _ in range(5)}) == 5


@pytest.mark.parametrize("bad", ["", "lc_", "lc_wrong", "not-even-prefixed", "lc_" + "x" * 500, "lc_\x00"])
def test_unknown_tokens_are_refused(db: Any, make: Any, bad: str) -> None:
    tokens.create_token(db.uow(), make.user("rep").user_id, "t")
    with pytest.raises(AuthError):
        tokens.authenticate_token(db.uow(), bad)


def test_a_revoked_token_stops_working(db: Any, make: Any, api: Any) -> None:
    user = make.user("manager")
    token = tokens.create_token(db.uow(), user.user_id, "t")
    h = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/leads", headers=h).status_code == 200
    (row,) = _rows(db)
    info = tokens.revoke_token(db.uow(), row.id)
    assert info.revoked_at is not None and not info.active
    assert tokens.revoke_token(db.uow(), row.id).revoked_at == info.revoked_at  # twice is harmless
    assert api.client.get("/api/leads", headers=h).status_code == 401
    with pytest.raises(NotFound):
        tokens.revoke_token(db.uow(), row.id + 100)
    with pytest.raises(NotFound):  # another user's token id
        tokens.revoke_token(db.uow(), row.id, user_id=user.user_id + 100)


def test_a_deactivated_user_cannot_use_or_get_tokens(db: Any, make: Any, api: Any) -> None:
    admin = make.user("admin")
    rep = make.user("rep")
    token = tokens.create_token(db.uow(), rep.user_id, "t")
    users.update_user(db.uow(), admin, rep.user_id, is_active=False)
    with pytest.raises(AuthError):
        tokens.authenticate_token(db.uow(), token)
    assert api.client.get("/api/leads", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    with pytest.raises(InvalidInput):
        tokens.create_token(db.uow(), rep.user_id, "again")


def test_last_used_is_written_at_most_once_a_minute(db: Any, make: Any) -> None:
    token = tokens.create_token(db.uow(), make.user("rep").user_id, "t")
    t0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    tokens.authenticate_token(db.uow(), token, now=t0)
    tokens.authenticate_token(db.uow(), token, now=t0 + timedelta(seconds=30))
    (row,) = tokens.list_tokens(db.uow(), _rows(db)[0].user_id)
    assert row.last_used_at == t0
    tokens.authenticate_token(db.uow(), token, now=t0 + timedelta(seconds=61))
    assert tokens.list_tokens(db.uow(), row.user_id)[0].last_used_at == t0 + timedelta(seconds=61)


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_a_token_needs_a_sensible_name(db: Any, make: Any, name: str) -> None:
    with pytest.raises(InvalidInput):
        tokens.create_token(db.uow(), make.user("rep").user_id, name)


def _cli(backend: Any, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "leadcore", *args], capture_output=True, text=True,
                          env=backend.env(), timeout=120)


@pytest.mark.slow  # four CLI runs per engine
def test_cli_creates_lists_and_revokes_tokens(db: Any, make: Any, backend: Any, api: Any) -> None:
    make.user("rep", email="ana@example.com")
    created = _cli(backend, "create-token", "--email", "ANA@example.com", "--name", "crm-sync")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("lc_")
    assert api.client.get("/api/leads", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    listed = _cli(backend, "list-tokens", "--email", "ana@example.com")
    assert listed.returncode == 0 and "crm-sync" in listed.stdout and "active" in listed.stdout
    assert token not in listed.stdout
    token_id = _rows(db)[0].id
    revoked = _cli(backend, "revoke-token", "--id", str(token_id))
    assert revoked.returncode == 0, revoked.stderr
    assert api.client.get("/api/leads", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "revoked" in _cli(backend, "list-tokens", "--email", "ana@example.com").stdout


@pytest.mark.parametrize("args", [["create-token", "--email", "nobody@example.com"], ["revoke-token", "--id", "999"]])
def test_cli_errors_are_one_line_and_non_zero(db: Any, backend: Any, args: list[str]) -> None:
    out = _cli(backend, *args)
    assert out.returncode != 0 and out.stdout == ""
    assert out.stderr.strip().startswith("error:") and len(out.stderr.strip().splitlines()) == 1
