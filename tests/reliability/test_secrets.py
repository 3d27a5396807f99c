"""Secrets never leak: provider keys, passwords and API tokens stay out of logs, errors, raw data, runs and exports.

Each test plants a sentinel secret, makes things fail, then searches everything a user or an operator can see —
captured logs at DEBUG, error messages, the whole database (as a backup dump) and a CSV export — for it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from leadcore.accounts import tokens
from leadcore.accounts.users import LoginThrottle, authenticate, update_user
from leadcore.config import Settings
from leadcore.db import backup
from leadcore.db.models import ApiToken, User
from leadcore.db.runtime import Database
from leadcore.discovery.providers import get_provider
from leadcore.discovery.providers.base import SearchQuery
from leadcore.discovery.runs import run_discovery
from leadcore.errors import AuthError
from leadcore.grid import export
from tests.reliability.support import user

FIXTURES = Path(__file__).parents[1] / "fixtures"
APOLLO_KEY = "sk-apollo-SENTINEL-7c1e9b0d4a"
HUNTER_KEY = "hunter-SENTINEL-52be1f"


def everything_visible(db: Database, *extra: str) -> str:
    """The whole database as text (every table, every column) plus an export of every lead and ``extra``."""
    dump = "".join(backup.dump_lines(db.engine))
    with db.uow() as uow:
        actors = [(u.id, u.team_id, u.role) for u in uow.session.scalars(select(User))]
    from leadcore.accounts.actors import Actor

    exports = ["".join(export.export_csv(db.uow(), Actor(user_id=i, team_id=t, role=r))) for i, t, r in actors]
    return "\n".join([dump, *exports, *extra])


def _echo_key_page(key: str) -> httpx.Response:
    person = json.loads((FIXTURES / "apollo_people_p1.json").read_text())["people"][0]
    person = {**person, "headline": f"debug: your key is {key}", "api_key": key}
    return httpx.Response(200, json={"people": [person]})


def _replies(key: str) -> list[Any]:
    """Failures that each try to carry the key somewhere: an echoed body, an error reason, a transport message."""
    return [
        httpx.Response(401, json={"error": f"Invalid access credentials: {key}"}),
        httpx.Response(422, json={"message": f"bad request for key={key}"}),
        httpx.Response(500, text=f"Traceback ... api_key={key}"),
        httpx.ConnectError(f"proxy refused https://api.example/?api_key={key}"),
        _echo_key_page(key),
    ]


@pytest.mark.parametrize("reply", range(5), ids=["401-echo", "422-reason", "500-body", "transport", "200-echo"])
def test_the_apollo_key_never_appears_anywhere(db: Database, monkeypatch, caplog, reply: int) -> None:
    monkeypatch.setenv("LEADCORE_APOLLO_API_KEY", APOLLO_KEY)
    cfg = Settings(_env_file=None, http_max_retries=1, provider_page_size=5)  # type: ignore[call-arg]
    assert APOLLO_KEY not in repr(cfg) and APOLLO_KEY not in str(cfg.model_dump())
    planned = _replies(APOLLO_KEY)[reply]
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if isinstance(planned, Exception):
            raise planned
        return planned

    provider = get_provider("apollo", cfg, client=httpx.Client(transport=httpx.MockTransport(handler)),
                            sleep=lambda _s: None)
    manager = user(db, "manager")
    caplog.set_level(logging.DEBUG)
    result = run_discovery(db.uow(), manager, SearchQuery("VP Engineering", limit=5), provider=provider)
    assert sent and sent[0].headers["X-Api-Key"] == APOLLO_KEY  # the key was really in play
    assert APOLLO_KEY not in str(sent[0].url)  # never in a URL (httpx logs URLs)
    assert APOLLO_KEY not in (result.error or "")
    assert APOLLO_KEY not in json.dumps(result.leads, default=str)
    seen = everything_visible(db, caplog.text)
    assert APOLLO_KEY not in seen
    if reply == 4:
        assert result.saved == 1 and "***" in seen  # the echoed key was masked, the record kept


def test_the_hunter_key_never_appears_in_a_failed_run(db: Database, monkeypatch, caplog) -> None:
    monkeypatch.setenv("LEADCORE_HUNTER_API_KEY", HUNTER_KEY)
    cfg = Settings(_env_file=None, http_max_retries=1)  # type: ignore[call-arg]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"errors": [{"id": "wrong_params", "details": f"api_key {HUNTER_KEY} bad"}]})

    provider = get_provider("hunter", cfg, client=httpx.Client(transport=httpx.MockTransport(handler)),
                            sleep=lambda _s: None)
    caplog.set_level(logging.DEBUG)
    result = run_discovery(db.uow(), user(db, "manager"), SearchQuery("stripe.com"), provider=provider)
    assert result.outcome == "failed" and "rejected the search" in (result.error or "")
    assert HUNTER_KEY not in everything_visible(db, caplog.text, result.error or "")


def test_passwords_are_stored_as_argon2_hashes_and_never_logged(db: Database, caplog) -> None:
    password = "Pw-SENTINEL-correct-horse"
    new_password = "Pw-SENTINEL-battery-staple"
    caplog.set_level(logging.DEBUG)
    admin = user(db, "admin", password=password, email="boss@example.com")
    throttle = LoginThrottle(max_failures=3, lockout_s=60)
    for attempt in ("wrong", password.upper(), ""):
        with pytest.raises(AuthError) as info:
            authenticate(db.uow(), "boss@example.com", attempt, throttle=throttle)
        assert attempt not in str(info.value) or not attempt
    with pytest.raises(AuthError, match="Too many failed logins"):
        authenticate(db.uow(), "boss@example.com", password, throttle=throttle)
    assert authenticate(db.uow(), "boss@example.com", password).email == "boss@example.com"
    update_user(db.uow(), admin, admin.user_id or 0, password=new_password)
    with db.uow() as uow:
        stored = uow.session.scalars(select(User.password_hash)).one()
    assert stored is not None and stored.startswith("$argon2id$")
    seen = everything_visible(db, caplog.text)
    assert password not in seen and new_password not in seen
    assert authenticate(db.uow(), "boss@example.com", new_password).id == admin.user_id


def test_api_tokens_are_stored_hashed_and_revocable(db: Database, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    rep = user(db, "rep")
    token = tokens.create_token(db.uow(), rep.user_id or 0, "crm-sync")
    assert token.startswith("lc_") and len(token) > 40
    with db.uow() as uow:
        stored = uow.session.scalars(select(ApiToken.token_hash)).one()
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert tokens.authenticate_token(db.uow(), token).id == rep.user_id
    with pytest.raises(AuthError) as info:
        tokens.authenticate_token(db.uow(), token[:-1] + ("x" if token[-1] != "x" else "y"))
    assert token[3:20] not in str(info.value)
    assert token not in everything_visible(db, caplog.text)
    listed = tokens.list_tokens(db.uow(), rep.user_id or 0)
    assert token not in repr(listed) and stored not in repr(listed)
    tokens.revoke_token(db.uow(), listed[0].id)
    with pytest.raises(AuthError):
        tokens.authenticate_token(db.uow(), token)
