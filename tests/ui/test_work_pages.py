"""My work, the lead page's activities and follow-ups, the assignment rules editor and the saved-views picker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from leadcore.db.models import Lead
from leadcore.work import assignment, mywork, tasks, views


def run_page(at: AppTest, page: str, **params: str) -> AppTest:
    at.run()
    assert not at.exception
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def button(at: AppTest, label: str, key_part: str = ""):
    return next(b for b in at.button if b.label == label and key_part in (b.key or ""))


def test_my_work_lists_tasks_by_due_and_completes_one(make, new_app, logged_in, app_db):
    rep = make.user("rep", name="Rita Rep")
    lead = make.lead(rep, owner_id=rep.user_id, lead_name="Olive Overdue")
    fresh = make.lead(rep, owner_id=rep.user_id, lead_name="Nina New")
    now = datetime.now(UTC)
    late = tasks.create_task(app_db.uow(), rep, lead, title="Send the deck", due_at=now - timedelta(hours=2))
    tasks.create_task(app_db.uow(), rep, lead, title="Plan the demo", due_at=now + timedelta(days=3))
    at = run_page(logged_in(new_app(), rep), "pages/my_work.py")
    assert at.title[0].value == "My work"
    assert [m.value for m in at.metric][:2] == ["1", "0"]
    assert "**Send the deck**" in texts(at.markdown) and "**Plan the demo**" in texts(at.markdown)
    assert "Overdue" in texts(at.subheader)
    assert any(p.value == "Nina New" for p in at.page_link)  # untouched new lead, a link to open it
    button(at, "Done", f"overdue_{late['id']}").click().run()
    assert not at.exception
    assert "Done: Send the deck" in texts(at.success)
    assert [t.id for t in tasks.list_tasks(app_db.uow(), rep, due="overdue")] == []
    assert fresh


def test_logging_a_first_call_offers_contacted_and_plans_the_next_step(make, new_app, logged_in, app_db):
    rep = make.user("rep")
    lead = make.lead(rep, owner_id=rep.user_id, lead_name="Carl Call")
    at = run_page(logged_in(new_app(), rep), "pages/lead.py", id=str(lead))
    at.text_input(key="lc_work_outcome_text").set_value("Interested")
    at.text_input(key="lc_work_next_title").set_value("Send pricing")
    next(b for b in at.form_submit_button if b.label == "Log activity").click().run()
    assert not at.exception
    assert "Call logged and follow-up planned." in texts(at.success)
    assert "Mark it **Contacted**?" in texts(at.markdown)
    button(at, "Mark as Contacted").click().run()
    assert not at.exception
    with app_db.uow() as uow:
        assert uow.session.scalar(select(Lead.status).where(Lead.id == lead)) == "CONTACTED"
    assert [t.title for t in tasks.list_tasks(app_db.uow(), rep, due="all")] == ["Send pricing"]
    assert "**Call** — Interested" in texts(at.markdown)  # on the timeline


def test_rules_editor_adds_a_rule_previews_and_applies(make, new_app, logged_in, app_db):
    boss = make.user("manager")
    ana = make.user("rep", name="Ana")
    for _ in range(3):
        make.lead(boss)
    at = run_page(logged_in(new_app(), boss), "pages/rules.py")
    assert "No rules yet" in texts(at.info)
    at.text_input(key="lc_rules_name").set_value("Everyone to Ana")
    at.multiselect(key="lc_rules_people").set_value([ana.user_id])
    next(b for b in at.form_submit_button if b.label == "Add rule").click().run()
    assert not at.exception
    assert "Rule “Everyone to Ana” added." in texts(at.success)
    assert at.dataframe[0].value["Rule"].tolist() == ["Everyone to Ana"]
    button(at, "Preview").click().run()
    assert "Would assign 3: Ana 3" in texts(at.info)
    with app_db.uow() as uow:
        assert set(uow.session.scalars(select(Lead.owner_id))) == {None}
    button(at, "Assign now").click().run()
    assert "Assigned 3: Ana 3" in texts(at.success)
    button(at, "Undo").click().run()
    assert "Undone: 3 leads" in texts(at.success)
    assert assignment.list_rules(app_db.uow(), boss)[0]["name"] == "Everyone to Ana"


def test_a_rep_cannot_open_the_rules_editor(make, new_app, logged_in):
    at = logged_in(new_app(), make.user("rep")).run()
    try:
        at.switch_page("pages/rules.py")
    except ValueError:
        return
    raise AssertionError("a rep reached the rules editor")


def test_saved_views_picker_applies_a_view_to_the_url(make, new_app, logged_in, app_db):
    rep = make.user("rep")
    views.save_view(app_db.uow(), rep, name="Hot new", filters={"status": ["NEW"], "scoreMin": 70}, sort="created")
    make.lead(rep, owner_id=rep.user_id)
    at = run_page(logged_in(new_app(), rep), "pages/leads.py")
    pick = at.selectbox(key="lc_views_pick")
    assert pick.options == ["Current filters", "My leads", "Unassigned", "Hot new"]
    pick.set_value("Hot new").run()
    assert not at.exception
    assert at.query_params["statuses"] == "NEW" and at.query_params["score_min"] == "70"
    assert at.selectbox(key="lc_views_pick").value == "Hot new"
    at.selectbox(key="lc_views_pick").set_value("My leads").run()
    assert at.query_params["owner_ids"] == str(rep.user_id)


def test_my_work_shows_a_reps_own_numbers(make, new_app, logged_in, app_db):
    from leadcore.work.activities import log_activity

    rep = make.user("rep", name="Rita Rep")
    lead = make.lead(rep, owner_id=rep.user_id)
    make.lead(rep, owner_id=rep.user_id)
    log_activity(app_db.uow(), rep, lead, kind="call")
    at = run_page(logged_in(new_app(), rep), "pages/my_work.py")
    assert "My numbers" in texts(at.subheader)
    shown = {m.label: m.value for m in at.metric}
    assert shown["Leads owned"] == "2" and shown["Activities"] == "1"
    assert shown["Median first touch"].endswith(" h")


def test_my_work_shows_a_first_page_then_more_on_request(make, new_app, logged_in, app_db):
    rep = make.user("rep")
    lead = make.lead(rep, owner_id=rep.user_id, lead_name="Busy Lead")
    now = datetime.now(UTC)
    for i in range(mywork.PAGE + 3):
        tasks.create_task(app_db.uow(), rep, lead, title=f"Chase {i}", due_at=now - timedelta(hours=i + 1))
    at = run_page(logged_in(new_app(), rep), "pages/my_work.py")
    assert at.metric[0].value == f"{mywork.PAGE}+"
    assert sum("_overdue_" in (b.key or "") and b.label == "Done" for b in at.button) == mywork.PAGE
    button(at, f"Show {mywork.PAGE} more", "overdue").click().run()
    assert not at.exception
    assert at.metric[0].value == str(mywork.PAGE + 3)
    assert sum("_overdue_" in (b.key or "") and b.label == "Done" for b in at.button) == mywork.PAGE + 3
    assert not [b for b in at.button if b.label.startswith("Show ")]
