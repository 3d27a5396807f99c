"""``add-email-template`` and ``send-pending`` as an operator runs them, against a real SMTP server on localhost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from smtp_fixtures import smtp_server  # noqa: F401

from leadcore.outreach import outbox, templates

ROOT = Path(__file__).resolve().parents[2]


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "leadcore", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_add_template_then_send_pending_drains_the_outbox(backend: Any, db: Any, make: Any, tmp_path: Path,
                                                          smtp_server: Any) -> None:  # noqa: F811
    env = backend.env()
    body = tmp_path / "body.txt"
    body.write_text("{{ ''.__class__.__mro__ }}", encoding="utf-8")
    bad = cli(env, "add-email-template", "--name", "Probe", "--subject", "Hi", "--body-file", str(body))
    assert bad.returncode == 1 and "may not use" in bad.stderr
    body.write_text("Hello {{ first_name | default('there') }}", encoding="utf-8")
    ok = cli(env, "add-email-template", "--name", "Intro", "--subject", "{{ company }}", "--body-file", str(body))
    assert ok.returncode == 0, ok.stderr

    rep = make.user("rep", name="Rita Rep", team="Default")
    [t] = templates.list_templates(db.uow(), rep)
    leads = [make.lead(rep, company=f"Co {i}") for i in range(3)]
    outbox.queue_send(db.uow(), rep, t.id, ids=leads)

    assert "LEADCORE_SMTP_HOST" in cli(env, "send-pending").stderr
    env.update(LEADCORE_SMTP_HOST="127.0.0.1", LEADCORE_SMTP_PORT=str(smtp_server.port), LEADCORE_SMTP_STARTTLS="0",
               LEADCORE_MAIL_FROM="outreach@acme.test", LEADCORE_MAIL_PER_MINUTE="2")
    first = cli(env, "send-pending")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "2 sent, 1 waiting for the rate limit"
    assert sorted(m[1][0] for m in smtp_server.recorder.messages) == sorted(
        outbox.recent_messages(db.uow(), rep)[i].to_addr for i in (1, 2))
    smtp_server.stop()
    env["LEADCORE_MAIL_PER_MINUTE"] = "10"
    down = cli(env, "send-pending")
    assert down.returncode == 1 and "cannot be reached" in down.stderr
    assert [m.status for m in outbox.recent_messages(db.uow(), rep)] == ["failed", "sent", "sent"]
