"""A real SMTP server (aiosmtpd) on localhost, started by the test, and a clock tests move (outreach, API, e2e)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope

from leadcore.outreach.mailer import SmtpConfig, SmtpMailer


class Recorder:
    """Keeps every message the server accepted: (mail from, recipients, the exact bytes)."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.messages.append((str(envelope.mail_from), list(envelope.rcpt_tos), content))
        return "250 2.0.0 Ok: queued as TEST"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SmtpServer:
    recorder: Recorder
    port: int
    controller: Controller | None = None
    users: dict[str, str] = field(default_factory=dict)

    def config(self, **overrides: Any) -> SmtpConfig:
        values: dict[str, Any] = {"host": "127.0.0.1", "port": self.port, "starttls": False, "timeout_s": 5.0,
                                  "mail_from": "outreach@acme.test"}
        values.update(overrides)
        return SmtpConfig(**values)

    def mailer_factory(self, **overrides: Any) -> Any:
        config = self.config(**overrides)
        return lambda: SmtpMailer(config)

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def _authenticate(users: dict[str, str]) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        login = auth_data.login.decode() if isinstance(auth_data.login, bytes) else auth_data.login
        password = auth_data.password.decode() if isinstance(auth_data.password, bytes) else auth_data.password
        return AuthResult(success=users.get(login) == password, handled=False)
    return check


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """An SMTP server on a free localhost port that accepts everything (login optional: user 'rep', 'pw')."""
    recorder = Recorder()
    users = {"rep": "pw"}
    port = _free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, auth_require_tls=False,
                            authenticator=_authenticate(users))
    controller.start()
    server = SmtpServer(recorder=recorder, port=port, controller=controller, users=users)
    yield server
    server.stop()


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock() -> Clock:
    return Clock()
