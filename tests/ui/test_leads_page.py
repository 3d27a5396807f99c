"""The leads grid: roles, URL filters, paging, saving edits with conflict checks, bulk actions, empty states."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
from streamlit.testing.v1 import AppTest

from leadcore.grid import listing, options
from leadcore.grid.filters import LeadFilters
from leadcore.leads import edits
from ui import state, widgets

LEADS = "pages/leads.py"


def open_grid(at: AppTest, **params: str) -> AppTest:
    at.run()
    assert not at.exception
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(LEADS).run()
    assert not at.exception, at.exception
    return at


def shown_names(at: AppTest) -> list[str]:
    """The Name column as the grid shows it: the text of each lead link (its fragment, decoded)."""
    return [unquote(link.split("#", 1)[1]) for link in at.data_editor[0].value["lead_name"].tolist()]


def shown_ids(at: AppTest) -> list[int]:
    return [int(i) for i in at.data_editor[0].value.index]


def edit(at: AppTest, rows: dict[int, dict[str, Any]]) -> AppTest:
    """Type into the grid: what st.data_editor puts in session state when cells are edited."""
    at.session_state[at.session_state[state.GRID_EDITOR_KEY]] = {
        "edited_rows": rows, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception, at.exception
    return at


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def texts(elements: Any) -> str:
    return "\n".join(e.value for e in elements)


@pytest.fixture
def team(make):
    manager = make.user("manager", name="Mia Manager")
    rep = make.user("rep", name="Rui Rep")
    other = make.user("rep", name="Ola Other")
    return manager, rep, other


@pytest.mark.parametrize("role", ["rep", "manager", "admin"])
def test_the_grid_opens_for_every_role(make, new_app, logged_in, role):
    who = make.user(role)
    make.lead(who, lead_name="Ada Lovelace")
    at = open_grid(logged_in(new_app(), who))
    assert at.title[0].value == "Leads"
    assert at.text_input(key="lf_q").label == "Search"
    assert shown_names(at) == ["Ada Lovelace"]


def test_filters_in_the_url_drive_the_list_and_the_widgets(team, make, new_app, logged_in, app_db):
    manager, _, _ = team
    a = make.lead(manager, lead_name="Ann Qualified", lead_score=80)
    make.lead(manager, lead_name="Bob Qualified", lead_score=30)
    make.lead(manager, lead_name="Ann New", lead_score=90)
    edits.update_lead(app_db.uow(), manager, a, {"status": "QUALIFIED"}, expected_version=1)
    b = listing.list_leads(app_db.uow(), manager, LeadFilters(q="Bob")).items[0]
    edits.update_lead(app_db.uow(), manager, b["id"], {"status": "QUALIFIED"}, expected_version=b["version"])
    at = open_grid(logged_in(new_app(), manager), statuses="QUALIFIED", q="ann")
    assert shown_ids(at) == [a]
    assert at.text_input(key="lf_q").value == "ann"
    assert at.multiselect(key="lf_status").value == ["QUALIFIED"]
    assert at.query_params["statuses"] == "QUALIFIED" and at.query_params["q"] == "ann"


def test_typing_a_search_filters_and_puts_it_in_the_url(team, make, new_app, logged_in):
    manager, _, _ = team
    make.lead(manager, lead_name="Grace Hopper", company="Navy")
    make.lead(manager, lead_name="Alan Turing", company="Bletchley")
    at = open_grid(logged_in(new_app(), manager))
    assert len(shown_ids(at)) == 2
    at.text_input(key="lf_q").set_value("bletch").run()
    assert not at.exception
    assert shown_names(at) == ["Alan Turing"]
    assert at.query_params["q"] == "bletch"


def test_owner_and_score_filters(team, make, new_app, logged_in):
    manager, rep, _ = team
    mine = make.lead(manager, lead_name="Owned", lead_score=70, owner_id=rep.user_id)
    make.lead(manager, lead_name="Free", lead_score=70)
    make.lead(manager, lead_name="Low", lead_score=10, owner_id=rep.user_id)
    at = open_grid(logged_in(new_app(), manager), owner_ids=str(rep.user_id), score_min="50")
    assert shown_ids(at) == [mine]
    assert at.data_editor[0].value["owner"].tolist() == ["Rui Rep"]


def test_unreadable_url_params_show_everything_instead_of_failing(team, make, new_app, logged_in):
    manager, _, _ = team
    make.lead(manager)
    at = open_grid(logged_in(new_app(), manager), statuses="NOPE", score_min="abc", created_from="soon",
                   sort="drop table", size="7", page="x")
    assert len(shown_ids(at)) == 1


def test_pages_of_twenty_with_next_and_a_total(team, make, new_app, logged_in):
    manager, _, _ = team
    ids = [make.lead(manager, lead_score=i % 100) for i in range(45)]
    at = open_grid(logged_in(new_app(), manager), sort="created")
    first = shown_ids(at)
    assert len(first) == 20 and "Leads 1–20 of 45" in texts(at.caption)
    click(at, "lc_grid_next")
    second = shown_ids(at)
    assert len(second) == 20 and not set(first) & set(second)
    assert at.query_params["page"] == "2"
    click(at, "lc_grid_next")
    third = shown_ids(at)
    assert len(third) == 5 and "Leads 41–45 of 45" in texts(at.caption)
    assert sorted(first + second + third) == sorted(ids)
    assert at.button(key="lc_grid_next").disabled
    click(at, "lc_grid_prev")
    assert shown_ids(at) == second


def test_a_page_number_in_the_url_opens_that_page_and_past_the_end_the_last(team, make, new_app, logged_in):
    manager, _, _ = team
    for _ in range(25):
        make.lead(manager)
    at = open_grid(logged_in(new_app(), manager), page="2")
    assert len(shown_ids(at)) == 5
    at = open_grid(logged_in(new_app(), manager), page="9")
    assert len(shown_ids(at)) == 5


def test_fifty_rows_a_page_can_be_chosen(team, make, new_app, logged_in):
    manager, _, _ = team
    for _ in range(55):
        make.lead(manager)
    at = open_grid(logged_in(new_app(), manager))
    at.selectbox(key="lf_size").set_value(50).run()
    assert not at.exception
    assert len(shown_ids(at)) == 50 and at.query_params["size"] == "50"


def test_a_filter_change_goes_back_to_page_one(team, make, new_app, logged_in):
    manager, _, _ = team
    for _ in range(25):
        make.lead(manager, tags=["t"])
    at = open_grid(logged_in(new_app(), manager), page="2")
    at.multiselect(key="lf_tags").set_value(["t"]).run()
    assert not at.exception
    assert len(shown_ids(at)) == 20 and "page" not in at.query_params


def test_saving_an_edited_status_writes_only_that_row(team, make, new_app, logged_in, app_db):
    manager, _, _ = team
    ids = [make.lead(manager, lead_score=90 - i) for i in range(3)]
    at = open_grid(logged_in(new_app(), manager))
    assert shown_ids(at) == ids
    edit(at, {1: {"status": "CONTACTED", "select": True}})
    assert "Unsaved changes on 1 lead" in texts(at.markdown)
    click(at, "lc_grid_save")
    assert "Saved 1 lead." in texts(at.success)
    after = {i: edits.get_lead(app_db.uow(), manager, i) for i in ids}
    assert after[ids[1]]["status"] == "CONTACTED" and after[ids[1]]["version"] == 2
    assert [after[i]["version"] for i in (ids[0], ids[2])] == [1, 1]
    assert at.data_editor[0].value.loc[ids[1], "status"] == "CONTACTED"  # the grid re-read the rows


def test_score_tags_notes_and_owner_are_saved(team, make, new_app, logged_in, app_db):
    manager, rep, _ = team
    lead_id = make.lead(manager)
    at = open_grid(logged_in(new_app(), manager))
    edit(at, {0: {"lead_score": 77.0, "tags": ["vip", "q3"], "notes": "call Monday", "owner": "Rui Rep"}})
    click(at, "lc_grid_save")
    got = edits.get_lead(app_db.uow(), manager, lead_id)
    assert (got["lead_score"], got["tags"], got["notes"], got["owner_id"]) == (77, ["vip", "q3"], "call Monday",
                                                                               rep.user_id)


def test_a_status_save_keeps_the_cached_tag_list_and_a_tag_save_reads_it_again(team, make, new_app, logged_in,
                                                                                 monkeypatch):
    """The tag list scans every active lead (cached.clear): only a save that may change it reads it again."""
    manager, _, _ = team
    make.lead(manager, tags=["warm"])
    reads: list[int] = []
    team_tags = options.team_tags
    monkeypatch.setattr(options, "team_tags", lambda uow, actor, **kw: reads.append(1) or team_tags(uow, actor, **kw))
    at = open_grid(logged_in(new_app(), manager))
    before = len(reads)
    assert before >= 1
    edit(at, {0: {"status": "CONTACTED"}})
    click(at, "lc_grid_save")
    assert "Saved 1 lead." in texts(at.success)
    assert len(reads) == before  # still the cached list
    edit(at, {0: {"tags": ["warm", "hot"]}})
    click(at, "lc_grid_save")
    assert len(reads) > before
    assert "hot" in at.multiselect(key=widgets.TAGS).options


BLANKABLE = ["company", "job_title", "email", "location", "search_query", "notes"]


def test_empty_cells_are_blank_not_none_and_saving_writes_only_the_edited_row(team, make, new_app, logged_in,
                                                                                app_db):
    manager, _, _ = team
    sparse = [make.lead(manager, lead_name=f"Sparse {i}", email=None, company=None, job_title=None, location=None,
                        lead_score=90 - i) for i in range(2)]
    at = open_grid(logged_in(new_app(), manager))
    frame = at.data_editor[0].value
    assert list(frame.index) == sparse
    for column in BLANKABLE:
        assert frame[column].tolist() == [""] * len(sparse), (column, frame[column].tolist())
    assert not frame[BLANKABLE].isna().any().any()

    edit(at, {1: {"status": "CONTACTED"}})
    assert "Unsaved changes on 1 lead" in texts(at.markdown)
    click(at, "lc_grid_save")
    assert "Saved 1 lead." in texts(at.success)
    first, second = (edits.get_lead(app_db.uow(), manager, i) for i in sparse)
    assert first["version"] == 1  # the untouched row was not written
    assert (second["status"], second["version"]) == ("CONTACTED", 2)
    assert (second["company"], second["job_title"], second["email"], second["location"]) == (None,) * 4


def test_a_stale_save_names_the_lead_in_a_conflict_and_still_saves_the_others(team, make, new_app, logged_in,
                                                                                app_db):
    manager, _, _ = team
    first = make.lead(manager, lead_name="Stale Sam", lead_score=90)
    second = make.lead(manager, lead_name="Fresh Fay", lead_score=80)
    at = open_grid(logged_in(new_app(), manager))
    # Someone else changes Sam's status and Fay's notes after the grid was read.
    edits.update_lead(app_db.uow(), manager, first, {"status": "CONTACTED"}, expected_version=1)
    edits.update_lead(app_db.uow(), manager, second, {"notes": "changed elsewhere"}, expected_version=1)
    edit(at, {0: {"status": "REJECTED"}, 1: {"status": "QUALIFIED"}})
    click(at, "lc_grid_save")
    warning = texts(at.warning)
    assert "conflict" in warning and "Stale Sam" in warning and "status → REJECTED" in warning
    assert "yours “REJECTED”, theirs “CONTACTED”" in warning
    assert "Saved 1 lead." in texts(at.success)
    sam, fay = (edits.get_lead(app_db.uow(), manager, i) for i in (first, second))
    assert sam["status"] == "CONTACTED"  # the same field: not overwritten
    assert fay["status"] == "QUALIFIED" and fay["notes"] == "changed elsewhere"  # different fields: both kept
    table = at.table[0].value  # the conflict side by side
    assert (table.loc["Yours", "Status"], table.loc["Theirs (saved now)", "Status"]) == ("Rejected", "Contacted")


@pytest.mark.parametrize("keep", ["mine", "theirs"])
def test_a_conflict_is_decided_with_keep_mine_or_keep_theirs(team, make, new_app, logged_in, app_db, keep):
    manager, _, _ = team
    sam = make.lead(manager, lead_name="Stale Sam", lead_score=90)
    at = open_grid(logged_in(new_app(), manager))
    edits.update_lead(app_db.uow(), manager, sam, {"status": "CONTACTED", "lead_score": 70}, expected_version=1)
    edit(at, {0: {"status": "REJECTED", "tags": ["mine"]}})
    click(at, "lc_grid_save")
    assert edits.get_lead(app_db.uow(), manager, sam)["status"] == "CONTACTED"
    click(at, f"lc_conflict_{keep}_{sam}")
    lead = edits.get_lead(app_db.uow(), manager, sam)
    if keep == "mine":
        assert "Saved 1 lead." in texts(at.success)
        assert (lead["status"], lead["tags"], lead["lead_score"]) == ("REJECTED", ["mine"], 70)
    else:
        assert "Kept the saved values of Stale Sam." in texts(at.info)
        assert (lead["status"], lead["tags"], lead["lead_score"]) == ("CONTACTED", [], 70)
    assert not [b for b in at.button if b.key and b.key.startswith("lc_conflict_")]


def test_keep_mine_waits_while_other_edits_are_unsaved(team, make, new_app, logged_in, app_db):
    manager, _, _ = team
    sam = make.lead(manager, lead_name="Stale Sam", lead_score=90)
    make.lead(manager, lead_name="Other Olga", lead_score=80)
    at = open_grid(logged_in(new_app(), manager))
    edits.update_lead(app_db.uow(), manager, sam, {"status": "CONTACTED"}, expected_version=1)
    edit(at, {0: {"status": "REJECTED"}})
    click(at, "lc_grid_save")
    edit(at, {1: {"lead_score": 5}})
    assert at.button(key=f"lc_conflict_mine_{sam}").disabled


def test_a_follow_up_task_from_a_grid_row(team, make, new_app, logged_in, app_db):
    from leadcore.work import tasks

    manager, rep, _ = team
    lead_id = make.lead(manager, lead_name="Tara Task", owner_id=rep.user_id)
    at = open_grid(logged_in(new_app(), manager))
    at.session_state["lc_grid_task_click"] = {"row": 0}  # what pressing "+ Add" in the Task column sets ...
    at.session_state["lc_grid_task_for"] = {"id": lead_id, "owner_id": rep.user_id, "name": "Tara Task"}  # ... then
    at.run()
    assert not at.exception, at.exception
    at.text_input(key="lc_work_task_title").set_value("Send the deck")
    next(b for b in at.form_submit_button if b.label == "Add follow-up").click().run()
    assert not at.exception, at.exception
    assert "Follow-up planned for Rui Rep" in texts(at.success)
    (task,) = tasks.list_tasks(app_db.uow(), rep)
    assert (task.title, task.lead_id) == ("Send the deck", lead_id)
    assert "lc_grid_task_for" not in at.session_state


def test_columns_are_chosen_pinned_and_remembered(team, make, new_app, logged_in, app_db):
    from leadcore.work import layout

    manager, _, _ = team
    make.lead(manager, lead_name="Col Umn")
    at = open_grid(logged_in(new_app(), manager))
    assert list(at.data_editor[0].proto.column_order) == ["select", "open", "task", *layout.DEFAULT_SHOWN]
    def menu(label: str) -> Any:
        return next(m for m in at.multiselect if m.label == label)

    menu("Shown, in this order").set_value(["email", "status", "lead_name"]).run()
    menu("Pinned on the left").set_value(["email"]).run()
    assert menu("Shown, in this order").value == ["email", "status", "lead_name"]  # the menu follows the layout
    assert not at.exception, at.exception
    assert list(at.data_editor[0].proto.column_order) == ["select", "open", "task", "email", "status", "lead_name"]
    assert layout.get_layout(app_db.uow(), manager) == layout.GridLayout(("email", "status", "lead_name"), ("email",))
    again = open_grid(logged_in(new_app(), manager))  # another session: the same columns
    assert list(again.data_editor[0].proto.column_order)[3:] == ["email", "status", "lead_name"]
    click(again, "lc_columns_reset")
    assert list(again.data_editor[0].proto.column_order)[3:] == list(layout.DEFAULT_SHOWN)


def test_a_rep_is_told_which_leads_belong_to_someone_else(team, make, new_app, logged_in, app_db):
    manager, rep, other = team
    theirs = make.lead(manager, lead_name="Their Lead", lead_score=90, owner_id=other.user_id)
    free = make.lead(manager, lead_name="Free Lead", lead_score=80)
    at = open_grid(logged_in(new_app(), rep))
    assert "Leads owned by other reps can't be changed" in texts(at.caption)
    edit(at, {0: {"status": "CONTACTED"}, 1: {"status": "CONTACTED"}})
    click(at, "lc_grid_save")
    error = texts(at.error)
    assert "You may not change 1 lead" in error and "Their Lead" in error and "Ola Other" in error
    assert edits.get_lead(app_db.uow(), manager, theirs)["status"] == "NEW"
    assert edits.get_lead(app_db.uow(), manager, free)["status"] == "CONTACTED"


def test_an_invalid_value_is_reported_in_words(team, make, new_app, logged_in):
    manager, _, _ = team
    make.lead(manager, lead_name="Tag Heavy")
    at = open_grid(logged_in(new_app(), manager))
    edit(at, {0: {"tags": ["x" * 60]}})
    click(at, "lc_grid_save")
    assert "Tag Heavy" in texts(at.error) and "longer than 50 characters" in texts(at.error)


def test_discard_drops_unsaved_edits(team, make, new_app, logged_in, app_db):
    manager, _, _ = team
    lead_id = make.lead(manager)
    at = open_grid(logged_in(new_app(), manager))
    edit(at, {0: {"status": "REJECTED"}})
    click(at, "lc_grid_discard")
    assert at.button(key="lc_grid_save").disabled
    assert edits.get_lead(app_db.uow(), manager, lead_id)["status"] == "NEW"


def test_bulk_status_on_ticked_rows_asks_first_then_changes_only_those(team, make, new_app, logged_in, app_db):
    manager, _, _ = team
    ids = [make.lead(manager, lead_score=90 - i) for i in range(4)]
    at = open_grid(logged_in(new_app(), manager))
    edit(at, {0: {"select": True}, 2: {"select": True}})
    at.selectbox(key="lc_bulk_action").set_value("status").run()
    assert at.radio(key="lc_bulk_scope").value == "selected"
    at.selectbox(key="lc_bulk_status").set_value("QUALIFIED").run()
    click(at, "lc_bulk_apply")
    assert "Set the status of 2 leads you ticked to **Qualified**?" in texts(at.markdown)
    assert edits.get_lead(app_db.uow(), manager, ids[0])["status"] == "NEW"  # nothing before the confirmation
    click(at, "lc_bulk_yes")
    assert "Updated 2 leads." in texts(at.success)
    statuses = [edits.get_lead(app_db.uow(), manager, i)["status"] for i in ids]
    assert statuses == ["QUALIFIED", "NEW", "QUALIFIED", "NEW"]


def test_bulk_cancel_changes_nothing(team, make, new_app, logged_in, app_db):
    manager, _, _ = team
    lead_id = make.lead(manager)
    at = open_grid(logged_in(new_app(), manager))
    at.selectbox(key="lc_bulk_action").set_value("archive").run()
    at.radio(key="lc_bulk_scope").set_value("filter").run()
    click(at, "lc_bulk_apply")
    click(at, "lc_bulk_no")
    assert not at.session_state[state.GRID_PENDING] if state.GRID_PENDING in at.session_state else True
    assert edits.get_lead(app_db.uow(), manager, lead_id)["status"] == "NEW"


def test_bulk_delete_of_the_whole_filter_then_restore_from_the_trash(team, make, new_app, logged_in, app_db):
    manager, _, _ = team
    tagged = [make.lead(manager, tags=["junk"]) for _ in range(25)]
    keep = make.lead(manager)
    at = open_grid(logged_in(new_app(), manager), tags="junk")
    at.selectbox(key="lc_bulk_action").set_value("delete").run()
    assert at.radio(key="lc_bulk_scope").value == "selected"  # never the whole filter unless chosen
    at.radio(key="lc_bulk_scope").set_value("filter").run()
    click(at, "lc_bulk_apply")
    assert "all 25 leads matching the filter" in texts(at.markdown)
    click(at, "lc_bulk_yes")
    assert "Deleted 25 leads." in texts(at.success)
    assert listing.list_leads(app_db.uow(), manager).total == 1
    assert edits.get_lead(app_db.uow(), manager, keep)["is_active"]
    at.toggle(key="lf_deleted").set_value(True).run()
    assert not at.exception
    assert "**25 leads** in the trash" in texts(at.markdown)
    assert at.selectbox(key="lc_bulk_action").options == ["Restore"]
    at.selectbox(key="lc_bulk_action").set_value("restore").run()
    at.radio(key="lc_bulk_scope").set_value("filter").run()
    click(at, "lc_bulk_apply")
    click(at, "lc_bulk_yes")
    assert "Restored 25 leads." in texts(at.success)
    assert all(edits.get_lead(app_db.uow(), manager, i)["is_active"] for i in tagged)


def test_bulk_add_tags_and_assign(team, make, new_app, logged_in, app_db):
    manager, rep, _ = team
    ids = [make.lead(manager, lead_score=90 - i) for i in range(2)]
    at = open_grid(logged_in(new_app(), manager))
    at.selectbox(key="lc_bulk_action").set_value("add_tags").run()
    at.multiselect(key="lc_bulk_tags").set_value(["event"]).run()
    at.radio(key="lc_bulk_scope").set_value("filter").run()
    click(at, "lc_bulk_apply")
    click(at, "lc_bulk_yes")
    at.selectbox(key="lc_bulk_action").set_value("assign").run()
    at.selectbox(key="lc_bulk_owner").set_value("Rui Rep").run()
    at.radio(key="lc_bulk_scope").set_value("filter").run()
    click(at, "lc_bulk_apply")
    assert "to **Rui Rep**" in texts(at.markdown)
    click(at, "lc_bulk_yes")
    for i in ids:
        got = edits.get_lead(app_db.uow(), manager, i)
        assert got["tags"] == ["event"] and got["owner_id"] == rep.user_id


def test_bulk_import_of_ticked_leads(team, make, new_app, logged_in, app_db):
    manager, _, _ = team
    lead_id = make.lead(manager, company="Acme", website="https://acme.io")
    at = open_grid(logged_in(new_app(), manager))
    edit(at, {0: {"select": True}})
    at.selectbox(key="lc_bulk_action").set_value("import").run()
    click(at, "lc_bulk_apply")
    click(at, "lc_bulk_yes")
    assert "Imported 1 lead." in texts(at.success)
    got = edits.get_lead(app_db.uow(), manager, lead_id)
    assert got["imported"] and got["imported_contact_id"]


def test_a_rep_can_only_claim_leads_in_bulk(team, make, new_app, logged_in, app_db):
    manager, rep, _ = team
    lead_id = make.lead(manager)
    at = open_grid(logged_in(new_app(), rep))
    at.selectbox(key="lc_bulk_action").set_value("assign").run()
    assert at.selectbox(key="lc_bulk_owner").options == ["Rui Rep"]
    at.radio(key="lc_bulk_scope").set_value("filter").run()
    click(at, "lc_bulk_apply")
    click(at, "lc_bulk_yes")
    assert edits.get_lead(app_db.uow(), manager, lead_id)["owner_id"] == rep.user_id


def test_a_new_team_is_told_how_to_get_leads(make, new_app, logged_in):
    rep = make.user("rep")
    at = open_grid(logged_in(new_app(), rep))
    assert at.subheader[0].value == "No leads yet"
    assert {p.value for p in at.page_link} >= {"Run a discovery search", "Import a CSV file"}
    assert not at.data_editor


def test_no_match_says_so_and_offers_to_clear(team, make, new_app, logged_in):
    manager, _, _ = team
    make.lead(manager, lead_name="Somebody")
    at = open_grid(logged_in(new_app(), manager), q="nobody-like-this")
    assert "No leads match these filters." in texts(at.info)
    at.button(key="lc_empty_clear").click().run()
    assert not at.exception
    assert len(shown_ids(at)) == 1


def test_another_teams_leads_never_show(make, new_app, logged_in):
    mine = make.user("manager", team="Blue")
    theirs = make.user("manager", team="Red")
    make.lead(theirs, lead_name="Red Secret")
    at = open_grid(logged_in(new_app(), mine))
    assert at.subheader[0].value == "No leads yet"


def test_leads_of_one_search_from_a_link(team, make, new_app, logged_in, app_db):
    from leadcore.discovery.providers.base import SearchQuery
    from leadcore.discovery.runs import run_discovery

    manager, _, _ = team
    make.lead(manager, lead_name="Not From Search")
    search_id = run_discovery(app_db.uow(), manager, SearchQuery(text="CTO SaaS", limit=5),
                              provider_name="demo").search_id
    at = open_grid(logged_in(new_app(), manager), search_id=str(search_id))
    names = shown_names(at)
    assert names and "Not From Search" not in names
    assert f"search #{search_id}" in texts(at.caption)


def test_a_bulk_action_can_be_undone_from_its_result(team, make, new_app, logged_in, app_db):
    manager, _, _ = team
    ids = [make.lead(manager, lead_score=90 - i, tags=["keep"]) for i in range(3)]
    at = open_grid(logged_in(new_app(), manager))
    edit(at, {0: {"select": True}, 1: {"select": True}})
    at.selectbox(key="lc_bulk_action").set_value("status").run()
    at.selectbox(key="lc_bulk_status").set_value("REJECTED").run()
    click(at, "lc_bulk_apply")
    click(at, "lc_bulk_yes")
    assert [edits.get_lead(app_db.uow(), manager, i)["status"] for i in ids] == ["REJECTED", "REJECTED", "NEW"]
    assert "Bulk action: Set status: Rejected" in [c.value for c in at.caption]
    click(at, "lc_bulk_undo")
    assert "Undone: 2 leads back as before." in texts(at.success)
    assert [edits.get_lead(app_db.uow(), manager, i)["status"] for i in ids] == ["NEW", "NEW", "NEW"]
    assert not [b for b in at.button if b.key == "lc_bulk_undo"]


def test_dismissing_the_undo_offer_keeps_the_bulk_change(team, make, new_app, logged_in, app_db):
    manager, _, _ = team
    ids = [make.lead(manager, lead_score=90 - i) for i in range(2)]
    at = open_grid(logged_in(new_app(), manager))
    edit(at, {0: {"select": True}})
    at.selectbox(key="lc_bulk_action").set_value("status").run()
    at.selectbox(key="lc_bulk_status").set_value("REJECTED").run()
    click(at, "lc_bulk_apply")
    click(at, "lc_bulk_yes")
    click(at, "lc_bulk_undo_dismiss")
    assert not [b for b in at.button if b.key in ("lc_bulk_undo", "lc_bulk_undo_dismiss")]
    assert [edits.get_lead(app_db.uow(), manager, i)["status"] for i in ids] == ["REJECTED", "NEW"]


def test_more_than_500_leads_ask_for_the_number_to_be_typed(team, make, new_app, logged_in, app_db):
    manager, _, _ = team
    make.leads(manager, 501)
    at = open_grid(logged_in(new_app(), manager))
    at.selectbox(key="lc_bulk_action").set_value("archive").run()
    at.radio(key="lc_bulk_scope").set_value("filter").run()
    click(at, "lc_bulk_apply")
    assert at.button(key="lc_bulk_yes").disabled
    at.text_input(key="lc_bulk_typed").input("500").run()
    assert at.button(key="lc_bulk_yes").disabled
    at.text_input(key="lc_bulk_typed").input("501").run()
    click(at, "lc_bulk_yes")
    assert "Archived 501 leads." in texts(at.success)
