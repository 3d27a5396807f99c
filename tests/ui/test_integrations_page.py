"""The Integrations page: add a webhook (secret shown once), see it listed, disable it."""

from __future__ import annotations

import pytest

from leadcore.webhooks import endpoints
from tests.ui.test_work_pages import run_page, texts


def test_add_webhook_shows_secret_once_and_disables(make, new_app, logged_in, app_db,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(endpoints.ALLOW_PRIVATE_ENV, "1")
    boss = make.user("manager")
    at = run_page(logged_in(new_app(), boss), "pages/integrations.py")
    assert "No webhooks yet." in texts(at.info)
    at.text_input(key="lc_hooks_url").set_value("http://127.0.0.1:9/hook")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert "Webhook #" in texts(at.success)
    assert at.code[0].value.startswith("whsec_")
    hook = endpoints.list_endpoints(app_db.uow(), boss)[0]
    assert hook.event_types == ["lead.created", "lead.updated"]
    next(b for b in at.button if b.key == "lc_hooks_secret_done").click().run()
    assert not at.code
    next(b for b in at.button if b.key == f"lc_hooks_toggle_{hook.id}").click().run()
    assert endpoints.list_endpoints(app_db.uow(), boss)[0].status == "disabled"
