"""The HTTP routes beside the Streamlit app (ui/session_routes.py), called as a browser would, on real databases."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.testclient import TestClient

import ui.resources
from leadcore.accounts import sessions
from leadcore.accounts.users import get_user
from leadcore.grid.export import export_csv
from leadcore.grid.filters import LeadFilters
from ui.session_routes import EXPORT_PATH, ROUTES


def client() -> TestClient:
    return TestClient(Starlette(routes=ROUTES))


def test_a_handoff_code_sets_an_http_only_cookie_once(make: Any, app_db: Any) -> None:
    rep = get_user(app_db.uow(), make.user("rep").user_id)
    begun = sessions.begin(ui.resources.uow(), rep, stay_signed_in=True)
    with client() as c:
        first = c.post("/_session/start", json={"code": begun.handoff_code})
        assert first.status_code == 204
        cookie = first.headers["set-cookie"]
        assert "lc_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie.replace(
            "Strict", "strict") and "Max-Age=" in cookie
        assert c.post("/_session/start", json={"code": begun.handoff_code}).status_code == 401
        assert c.post("/_session/start", content=b"not json").status_code == 401
        ended = c.post("/_session/end")
        assert ended.status_code == 204 and 'lc_session=""' in ended.headers["set-cookie"]
    assert sessions.current(ui.resources.uow(), begun.session_id) is None  # logging out through the route ends it


def test_the_export_streams_the_filtered_leads_of_the_signed_in_user_only(make: Any, app_db: Any) -> None:
    manager = make.user("manager")
    make.lead(manager, tags=["vip"])
    make.lead(manager)
    make.lead(make.user("manager", team="Other"), tags=["vip"])
    info = get_user(app_db.uow(), manager.user_id)
    begun = sessions.begin(ui.resources.uow(), info, stay_signed_in=False)
    token = sessions.exchange(ui.resources.uow(), begun.handoff_code).token
    with client() as c:
        assert c.get("/" + EXPORT_PATH).status_code == 401  # no cookie, no leads
        c.cookies.set(sessions.COOKIE, token)
        resp = c.get("/" + EXPORT_PATH, params={"tags": "vip"})
    assert resp.status_code == 200 and resp.headers["content-disposition"].startswith("attachment")
    assert resp.text == "".join(export_csv(app_db.uow(), manager, LeadFilters(tags=("vip",))))
    assert resp.text.count("\n") == 2  # the header and this team's one vip lead
