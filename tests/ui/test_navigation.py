"""Which pages exist for whom: the login gate and the page list per role."""

from __future__ import annotations

import pytest

from ui import nav

ALL_FILES = [spec[0] for spec in nav.PAGES.values()]
MENU = {
    "rep": ["My work", "Discover", "Leads", "Contacts", "Companies", "Import", "Outreach"],
    "manager": ["My work", "Discover", "Leads", "Contacts", "Companies", "Import", "Outreach", "Analytics",
                "Duplicates", "Assignment rules", "Integrations", "Admin"],
    "admin": ["My work", "Discover", "Leads", "Contacts", "Companies", "Import", "Outreach", "Analytics",
              "Duplicates", "Assignment rules", "Integrations", "Admin"],
}
REACHABLE = {
    "rep": {"pages/my_work.py", "pages/discover.py", "pages/leads.py", "pages/lead.py", "pages/import.py",
            "pages/contacts.py", "pages/companies.py", "pages/outreach.py"},
    "manager": set(ALL_FILES),
    "admin": set(ALL_FILES),
}


def test_logged_out_user_gets_only_the_login_page(new_app):
    at = new_app().run()
    assert not at.exception
    assert [w.label for w in at.text_input] == ["Your name", "Email", "Password", "Repeat password", "Team name"]
    assert not at.sidebar.button  # no logout, no menu entries of ours
    for file in ALL_FILES:
        with pytest.raises(ValueError):
            at.switch_page(file)


@pytest.mark.parametrize("role", ["rep", "manager", "admin"])
def test_menu_lists_exactly_the_pages_the_role_may_open(role):
    assert nav.menu_titles(role) == MENU[role]


@pytest.mark.parametrize("role", ["rep", "manager", "admin"])
def test_each_role_reaches_exactly_its_pages(role, make, new_app, logged_in):
    user = make.user(role)
    at = logged_in(new_app(), user).run()
    assert not at.exception
    reached = set()
    for file in ALL_FILES:
        try:
            at.switch_page(file)
        except ValueError:
            continue
        reached.add(file)
    assert reached == REACHABLE[role]


@pytest.mark.parametrize(("role", "key"), [(role, key) for role in ("rep", "manager", "admin")
                                           for key in ("discover", "import", "admin", "my_work", "rules")
                                           if key in nav.keys_for(role)])
def test_my_pages_open_without_error_for_every_allowed_role(role, key, make, new_app, logged_in):
    at = logged_in(new_app(), make.user(role)).run()
    at.switch_page(nav.page(key)).run()
    assert not at.exception
    assert not at.error


def test_rep_cannot_reach_admin(make, new_app, logged_in):
    at = logged_in(new_app(), make.user("rep")).run()
    with pytest.raises(ValueError):
        at.switch_page("pages/admin.py")
    with pytest.raises(ValueError):
        at.switch_page("pages/analytics.py")


def test_signed_in_user_opening_the_login_url_is_sent_to_the_start_page(make, new_app, logged_in):
    at = logged_in(new_app(), make.user("rep")).run()
    at.switch_page("pages/login.py").run()
    assert not at.exception
    assert not [w for w in at.text_input if w.label == "Password"]
    assert at.sidebar.button[0].label == "Log out"


def test_first_request_after_a_restart_still_goes_through_the_login_gate(make, new_app, monkeypatch):
    """A fresh server (Streamlit's pages/ fallback not yet switched off by st.navigation) asked for /discover
    shows the login page — not a blank page under a menu listing every file in pages/."""
    from streamlit.runtime.pages_manager import PagesManager

    make.user("rep")
    patched = PagesManager.__init__

    def fresh_server(self: PagesManager, *args: object, **kwargs: object) -> None:
        patched(self, *args, **kwargs)  # type: ignore[arg-type]
        PagesManager.uses_pages_directory = True

    monkeypatch.setattr(PagesManager, "__init__", fresh_server)
    at = new_app()
    at.switch_page("pages/discover.py").run()
    assert not at.exception
    assert [w.label for w in at.text_input] == ["Email", "Password"]


def test_an_expired_session_is_logged_out_and_sees_only_the_login_page(make, new_app, logged_in, app_db):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from leadcore.db.models import UserSession

    rep = make.user("rep")
    at = logged_in(new_app(), rep).run()
    assert [w.label for w in at.text_input] != ["Email", "Password"]
    with app_db.uow() as uow:  # the session's time is up
        uow.session.execute(update(UserSession).values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
        uow.commit()
    at.run()
    assert not at.exception
    assert [w.label for w in at.text_input] == ["Email", "Password"]
    assert any("expired" in str(m.value) for m in at.info)
    with pytest.raises(ValueError):
        at.switch_page("pages/leads.py")
