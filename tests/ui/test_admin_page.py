"""The Admin page: users and teams (admins), purging old rejected leads (managers), the configured provider."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from leadcore.accounts import users
from leadcore.config import settings
from leadcore.db.models import Lead
from leadcore.leads.edits import get_lead, update_lead

PASSWORD = "correct horse battery"


@pytest.fixture
def admin_page(make, new_app, logged_in):
    def open_page(role: str = "admin") -> AppTest:
        user = make.user(role, team="Sales")
        at = logged_in(new_app(), user).run()
        at.switch_page("pages/admin.py").run()
        assert not at.exception
        at.actor = user  # type: ignore[attr-defined]
        return at

    return open_page


def widget(at: AppTest, kind: str, label: str, key_prefix: str = ""):
    matches = [w for w in getattr(at, kind) if w.label == label and (w.key or "").startswith(key_prefix)]
    assert len(matches) == 1, [(w.label, w.key) for w in getattr(at, kind)]
    return matches[0]


def all_text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "success", "error", "warning") for e in
             getattr(at, kind)]
    parts += [df.value.to_csv() for df in at.dataframe]
    return "\n".join(str(p) for p in parts)


def test_admin_sees_users_teams_purge_and_provider(admin_page):
    at = admin_page("admin")
    assert [t.label for t in at.tabs] == ["Users", "Teams", "Purge", "Lead provider"]
    people = at.dataframe[0].value
    assert people["Email"].tolist() == [at.actor.email]
    assert at.dataframe[1].value["Team"].tolist() == ["Sales"]


def test_admin_creates_a_user_who_can_then_log_in(admin_page, app_db):
    at = admin_page("admin")
    widget(at, "text_input", "Email", "new_user").set_value("nina@example.com")
    widget(at, "text_input", "Name", "new_user").set_value("Nina Rep")
    widget(at, "text_input", "Password", "new_user").set_value(PASSWORD)
    widget(at, "selectbox", "Team", "new_user").set_value("(new team…)")
    widget(at, "text_input", "New team name", "new_user").set_value("East")
    next(b for b in at.button if b.label == "Create user").click()
    at.run()
    assert not at.exception
    assert "Created Nina Rep (nina@example.com) as rep in East" in at.success[0].value
    assert "nina@example.com" in at.dataframe[0].value["Email"].tolist()
    assert widget(at, "text_input", "Email", "new_user").value == ""  # the form is empty again
    info = users.authenticate(app_db.uow(), "nina@example.com", PASSWORD)
    assert (info.role, info.team_name) == ("rep", "East")


def test_creating_a_user_with_a_bad_email_says_why(admin_page, app_db):
    at = admin_page("admin")
    widget(at, "text_input", "Email", "new_user").set_value("nina@@example")
    widget(at, "text_input", "Password", "new_user").set_value(PASSWORD)
    next(b for b in at.button if b.label == "Create user").click()
    at.run()
    assert not at.exception
    assert "not a valid email address" in at.error[0].value
    assert len(users.list_users(app_db.uow(), at.actor, all_teams=True)) == 1


def test_admin_changes_role_and_deactivates_a_user(admin_page, make, app_db):
    at = admin_page("admin")
    rep = make.user("rep", team="Sales", email="rita@example.com")
    at.run()
    at.selectbox(key="edit_user").set_value(rep.user_id).run()
    at.selectbox(key=f"edit_role_{rep.user_id}").set_value("manager")
    at.checkbox(key=f"edit_active_{rep.user_id}").uncheck()
    next(b for b in at.button if b.label == "Save changes").click()
    at.run()
    assert not at.exception
    assert "manager in Sales, deactivated" in at.success[0].value
    changed = users.get_user(app_db.uow(), rep.user_id)
    assert (changed.role, changed.is_active) == ("manager", False)


def test_admin_cannot_deactivate_themself(admin_page):
    at = admin_page("admin")
    assert at.checkbox(key=f"edit_active_{at.actor.user_id}").disabled


def test_manager_sees_team_purge_and_provider_but_no_user_management(admin_page):
    at = admin_page("manager")
    assert [t.label for t in at.tabs] == ["My team", "Purge", "Lead provider"]
    assert not [b for b in at.button if b.label in ("Create user", "Save changes")]
    assert not at.error


def _rejected(make, actor, *, days_old: int, app_db) -> int:
    lead_id = make.lead(actor)
    lead = get_lead(app_db.uow(), actor, lead_id)
    update_lead(app_db.uow(), actor, lead_id, {"status": "REJECTED"}, expected_version=lead["version"])
    with app_db.engine.begin() as conn:  # age it
        conn.execute(update(Lead).where(Lead.id == lead_id)
                     .values(updated_at=datetime.now(UTC) - timedelta(days=days_old)))
    return lead_id


def _lead_ids(app_db) -> set[int]:
    with app_db.uow() as uow:
        return set(uow.session.scalars(Lead.__table__.select().with_only_columns(Lead.id)))


def test_manager_purges_old_rejected_leads_after_confirming(admin_page, make, app_db):
    at = admin_page("manager")
    old = _rejected(make, at.actor, days_old=200, app_db=app_db)
    recent = _rejected(make, at.actor, days_old=10, app_db=app_db)
    keep = make.lead(at.actor)

    next(b for b in at.button if b.label == "Purge rejected leads").click()
    at.run()  # not confirmed yet
    assert not at.exception
    assert "Tick the box" in at.warning[0].value
    assert _lead_ids(app_db) == {old, recent, keep}

    at.number_input[0].set_value(90)
    at.checkbox[0].check()
    next(b for b in at.button if b.label == "Purge rejected leads").click()
    at.run()
    assert not at.exception
    assert "Deleted 1 rejected lead unchanged for 90 days" in at.success[0].value
    assert _lead_ids(app_db) == {recent, keep}


def test_provider_status_is_shown_without_the_key(admin_page, monkeypatch):
    monkeypatch.setenv("LEADCORE_APOLLO_API_KEY", "sk-very-secret-123")
    settings.cache_clear()
    at = admin_page("manager")
    providers = at.dataframe[-1].value
    status = dict(zip(providers["Provider"], providers["Status"], strict=True))
    assert status == {"Demo data (offline)": "Ready", "Apollo.io": "Ready", "Hunter.io": "Not configured"}
    assert "sk-very-secret" not in all_text(at)


def test_an_empty_add_user_form_asks_for_the_email(make, new_app, logged_in):
    at = logged_in(new_app(), make.user("admin"))
    at.switch_page("pages/admin.py").run()
    next(b for b in at.button if b.label == "Create user").click().run()
    assert not at.exception
    assert "Enter the new user's email address" in [e.value for e in at.error]


def test_an_admin_renames_a_team_on_the_teams_tab(make, new_app, logged_in, app_db):
    from leadcore.accounts.users import list_teams

    admin = make.user("admin", team="Sales")
    at = logged_in(new_app(), admin)
    at.switch_page("pages/admin.py").run()
    at.text_input(key="rename_team_name").input("Sales EMEA")
    next(b for b in at.button if b.label == "Rename team").click().run()
    assert not at.exception
    assert [name for _, name in list_teams(app_db.uow())] == ["Sales EMEA"]
    assert any("Renamed Sales to Sales EMEA." in s.value for s in at.success)


def test_background_work_lists_failed_jobs_with_the_reason_and_retry_runs_them_again(admin_page, app_db, monkeypatch,
                                                                                    tmp_path):
    from sqlalchemy import update

    from leadcore import jobs
    from leadcore.config import settings
    from leadcore.db.models import Job

    monkeypatch.setenv("LEADCORE_INLINE_WORKER", "0")
    monkeypatch.setenv("LEADCORE_QUEUE_URL", f"sqlite:///{tmp_path / 'q.db'}")
    settings.cache_clear()
    at = admin_page("manager")
    with app_db.uow() as uow:
        failed = jobs.enqueue(uow.session, "discovery.run", team_id=at.actor.team_id, ref="41")
        waiting = jobs.enqueue(uow.session, "discovery.run", team_id=at.actor.team_id, ref="42")
        uow.session.execute(update(Job).where(Job.id == failed).values(
            state="failed", attempts=4, last_error="ProviderError: Apollo answered 503"))
        uow.commit()
    at.run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric} == {"Running": "0", "Waiting": "1", "Failed": "1"}
    assert "ProviderError: Apollo answered 503" in all_text(at)
    at.button(key=f"job_retry_{failed}").click().run()
    at.button(key=f"job_cancel_{waiting}").click().run()
    assert not at.exception
    states = {j["id"]: j["state"] for j in jobs.list_jobs(app_db.uow())}
    assert states == {failed: "queued", waiting: "cancelled"}


def test_an_admin_previews_then_merges_a_team_on_the_teams_tab(make, new_app, logged_in, app_db):
    from leadcore.accounts.users import list_teams

    admin = make.user("admin", team="Sales")
    east, west = make.user("rep", team="East"), make.user("rep", team="West")
    make.lead(east, lead_name="Ann Lee", email="ann@acme.io")
    make.lead(west, lead_name="Ann Lee", email="ann@acme.io")
    at = logged_in(new_app(), admin)
    at.switch_page("pages/admin.py").run()
    at.selectbox(key="merge_team_a").select(east.team_id).run()
    at.selectbox(key="merge_team_b").select(west.team_id).run()
    at.button(key="merge_team_preview").click().run()
    assert not at.exception, at.exception
    preview = "\n".join(i.value for i in at.info)
    assert "Merging **East** into **West** moves 1 user, 1 lead" in preview and "1 lead of East is already" in preview
    assert sorted(name for _, name in list_teams(app_db.uow())) == ["East", "Sales", "West"]  # preview wrote nothing
    at.button(key="merge_team_go").click().run()
    assert not at.exception, at.exception
    assert sorted(name for _, name in list_teams(app_db.uow())) == ["Sales", "West"]
    assert any("Merged East into West" in s.value for s in at.success)
