"""The rep's day in the app: the lead page's activities and follow-ups, the My work page, timeline sentences."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import streamlit as st

from leadcore.accounts.actors import Actor, can_edit_lead
from leadcore.errors import LeadcoreError, StaleLead
from leadcore.leads import edits
from leadcore.work import activities, mywork, prefs, tasks
from leadcore.work.tasks import TaskRow
from ui import cached, nav, per_rep
from ui.grid import md
from ui.resources import uow

ss = st.session_state
KIND_LABELS = {"call": "Call", "email": "Email", "meeting": "Meeting", "other": "Other touch"}
OFFER_CONTACTED = "lc_work_offer_contacted"  # (lead id, lead version) after the first activity on a NEW lead
WORK_OUTCOME = "lc_work_outcome"  # (kind, message) shown once after a work action's rerun


def work_sentence(kind: str, d: dict[str, Any]) -> str:
    """A timeline sentence for an activity or a task event (values escaped)."""
    if kind == "activity_logged":
        text = f"**{KIND_LABELS.get(d.get('kind') or '', 'Activity')}**"
        if d.get("outcome"):
            text += f" — {md(d['outcome'])}"
        if d.get("duration_minutes"):
            text += f" ({d['duration_minutes']} min)"
        return text
    if kind == "task_created":
        return f"Follow-up planned: **{md(d.get('title') or '')}**"
    return f"Follow-up done: **{md(d.get('title') or '')}**"


def user_zone(actor: Actor) -> ZoneInfo:
    return prefs.get_prefs(uow(), actor).zone


def local(when: datetime, zone: ZoneInfo) -> str:
    return f"{when.astimezone(zone):%a %d %b %H:%M}"


def _outcome(kind: str, message: str) -> None:
    ss[WORK_OUTCOME] = (kind, message)
    cached.clear()
    st.rerun()


def show_outcome() -> None:
    if got := ss.pop(WORK_OUTCOME, None):
        getattr(st, got[0])(got[1])


def _when_inputs(prefix: str, zone: ZoneInfo, default: datetime, *, label: str) -> datetime:
    """A date and a time picked in the user's zone, as an aware datetime."""
    d_col, t_col = st.columns(2)
    local_default = default.astimezone(zone)
    day = d_col.date_input(f"{label} date", value=local_default.date(), key=f"{prefix}_date", format="YYYY-MM-DD")
    at = t_col.time_input(f"{label} time", value=local_default.time().replace(second=0, microsecond=0),
                          key=f"{prefix}_time", step=timedelta(minutes=15))
    day = day if isinstance(day, date) else local_default.date()
    return datetime.combine(day, at or time(9), tzinfo=zone)


def _offer_contacted(actor: Actor, lead: dict[str, Any]) -> None:
    offer = ss.get(OFFER_CONTACTED)
    if not offer or offer[0] != lead["id"] or lead["status"] != "NEW":
        return
    with st.container(border=True, key="lc_work_offer"):
        st.markdown("That was the first touch on this **New** lead. Mark it **Contacted**?")
        with st.container(horizontal=True):
            if st.button("Mark as Contacted", type="primary", icon=":material/flag:", key="lc_work_contacted"):
                ss.pop(OFFER_CONTACTED, None)
                try:
                    edits.update_lead(uow(), actor, lead["id"], {"status": "CONTACTED"}, expected_version=offer[1])
                except StaleLead as e:
                    _outcome("warning", f"Status not changed: {e}.")
                except LeadcoreError as e:
                    _outcome("error", f"Status not changed: {e}")
                _outcome("success", "Status set to Contacted.")
            if st.button("Keep it New", key="lc_work_keep_new"):
                ss.pop(OFFER_CONTACTED, None)
                st.rerun()


def _log_form(actor: Actor, lead: dict[str, Any], zone: ZoneInfo) -> None:
    with st.form("lc_work_log", clear_on_submit=True, border=True):
        st.markdown("**Log an activity**")
        c1, c2, c3 = st.columns([1, 2, 1])
        kind = c1.selectbox("Kind", list(KIND_LABELS), format_func=KIND_LABELS.__getitem__, key="lc_work_kind")
        outcome = c2.text_input("Outcome", placeholder="Interested, wants a demo", max_chars=500,
                                key="lc_work_outcome_text")
        minutes = c3.number_input("Minutes", min_value=0, max_value=1440, value=None, step=5, key="lc_work_minutes")
        when = _when_inputs("lc_work_when", zone, datetime.now(UTC), label="When")
        note = st.text_area("Activity note", max_chars=activities.NOTE_MAX, key="lc_work_note", height=80)
        st.markdown("**Next step** (optional)")
        n1, n2 = st.columns([1, 2])
        next_title = n1.text_input("Follow-up", placeholder="Send the proposal", max_chars=tasks.TITLE_MAX,
                                   key="lc_work_next_title")
        with n2:
            next_due = _when_inputs("lc_work_next", zone, datetime.now(UTC) + timedelta(days=1), label="Due")
        if not st.form_submit_button("Log activity", type="primary", icon=":material/add_call:"):
            return
    try:
        logged = activities.log_activity(uow(), actor, lead["id"], kind=kind, outcome=outcome, occurred_at=when,
                                         duration_minutes=int(minutes) if minutes is not None else None, note=note)
        if next_title.strip():
            tasks.create_task(uow(), actor, lead["id"], title=next_title, due_at=next_due)
    except LeadcoreError as e:
        st.error(f"Not logged: {e}")
        return
    if logged.first_touch:
        ss[OFFER_CONTACTED] = (lead["id"], logged.lead_version)
    _outcome("success", f"{KIND_LABELS[kind]} logged" + (" and follow-up planned." if next_title.strip() else "."))


def task_line(actor: Actor, t: TaskRow, zone: ZoneInfo, *, key: str, with_lead: bool) -> None:
    """One task: overdue ones in red; Done, Snooze (to tomorrow 9:00 in the user's zone) and Open lead."""
    with st.container(horizontal=True, vertical_alignment="center", key=f"lc_task_{key}_{t.id}"):
        if t.bucket == "overdue":
            st.badge("Overdue", color="red", icon=":material/alarm:")
        elif t.bucket == "today":
            st.badge("Today", color="orange")
        elif t.bucket == "done":
            st.badge("Done", color="green", icon=":material/check:")
        text = f"**{md(t.title)}** · due {local(t.due_at, zone)}"
        if with_lead:
            text += f" · {md(t.lead_name or t.company or f'lead {t.lead_id}')}"
        st.markdown(text, width="content")
        st.space("stretch")
        if t.bucket != "done":
            if st.button("Done", icon=":material/check:", key=f"lc_task_done_{key}_{t.id}"):
                _act(lambda: tasks.complete_task(uow(), actor, t.id), f"Done: {t.title}")
            tomorrow = datetime.combine(datetime.now(zone).date() + timedelta(days=1), time(9), tzinfo=zone)
            if st.button("Snooze", icon=":material/snooze:", key=f"lc_task_snooze_{key}_{t.id}",
                         help=f"Move it to {local(tomorrow, zone)}"):
                _act(lambda: tasks.snooze_task(uow(), actor, t.id, until=tomorrow),
                     f"Snoozed to {local(tomorrow, zone)}: {t.title}")
        if with_lead:
            st.page_link(nav.page("lead"), label="Open lead", icon=":material/open_in_new:",
                         query_params={"id": str(t.lead_id)})


def _act(fn: Any, message: str) -> None:
    try:
        fn()
    except LeadcoreError as e:
        _outcome("error", str(e))
    _outcome("success", message)


def task_form(actor: Actor, lead: dict[str, Any], zone: ZoneInfo, *, on_done: Any = None) -> None:
    """Plan a follow-up on ``lead`` (``id`` and ``owner_id`` are enough): title, due (in the user's zone), assignee
    (default: the lead's owner; reps pick themselves or the owner). ``on_done(message)``, when given, shows the
    outcome instead of this page's message (the grid's dialog: it says so above the grid and reruns)."""
    people = [u for u in cached.teammates(actor) if u.is_active]
    if not actor.is_manager:
        people = [u for u in people if u.id in (actor.user_id, lead["owner_id"])]
    default = lead["owner_id"] or actor.user_id
    ids = [u.id for u in people]
    names = {u.id: u.display_name for u in people}
    with st.form(f"lc_work_task_{lead['id']}", clear_on_submit=True, border=False):
        title = st.text_input("Title", placeholder="Call back about pricing", max_chars=tasks.TITLE_MAX,
                              key="lc_work_task_title")
        due = _when_inputs("lc_work_task_due", zone, datetime.now(UTC) + timedelta(days=1), label="Due")
        who = st.selectbox("Assignee", ids, index=ids.index(default) if default in ids else 0,
                           format_func=lambda u: names.get(u, f"User {u}"), key="lc_work_task_who")
        if not st.form_submit_button("Add follow-up", type="primary", icon=":material/add_task:"):
            return
    try:
        tasks.create_task(uow(), actor, lead["id"], title=title, due_at=due, assignee_id=who)
    except LeadcoreError as e:
        st.error(f"Not added: {e}")
        return
    message = f"Follow-up planned for {names.get(who, 'them')}, due {local(due, zone)}."
    if on_done is None:
        _outcome("success", message)
    on_done(message)


def lead_section(actor: Actor, lead: dict[str, Any]) -> None:
    """The lead page's work section: log an activity (and a next step), its follow-ups, plan one."""
    st.subheader("Activities and follow-ups", anchor=False)
    if not lead["is_active"]:
        st.caption("Deleted leads take no activities.")
        return
    show_outcome()
    zone = user_zone(actor)
    _offer_contacted(actor, lead)
    if can_edit_lead(actor, lead["owner_id"]):
        _log_form(actor, lead, zone)
    else:
        st.caption("Only the lead's owner or a manager logs activities on it.")
    for t in tasks.list_tasks(uow(), actor, lead_id=lead["id"]):
        task_line(actor, t, zone, key="lead", with_lead=False)
    with st.expander("Plan a follow-up", icon=":material/add_task:"):
        task_form(actor, lead, zone)


def _lead_links(rows: list[dict[str, Any]], zone: ZoneInfo, *, when_key: str, when_label: str) -> None:
    for r in rows:
        with st.container(horizontal=True, vertical_alignment="center"):
            st.page_link(nav.page("lead"), label=r["lead_name"] or r["company"] or f"Lead {r['id']}",
                         icon=":material/person:", query_params={"id": str(r["id"])})
            st.caption(f"{md(r['company'] or '')} · {when_label} {local(r[when_key], zone)}")


MY_WORK_SHOWN = "lc_my_work_shown"  # {list name: rows asked for} after "Show more"


def _show_more(work: mywork.MyWork, name: str) -> None:
    """Under a list that holds more than it shows: a button for the next page, or where the rest are."""
    if name not in work.more:
        return
    shown = len(getattr(work, name))
    if shown >= tasks.LIST_LIMIT:
        st.caption(f"Showing the first {shown}. Work through these first; the rest come up as you go.")
    elif st.button(f"Show {mywork.PAGE} more", icon=":material/expand_more:", key=f"lc_my_work_more_{name}"):
        ss[MY_WORK_SHOWN] = {**ss.get(MY_WORK_SHOWN, {}), name: shown + mywork.PAGE}
        st.rerun()


def my_work_page(actor: Actor) -> None:
    """Overdue, today's and upcoming follow-ups; my new leads not yet touched; my leads gone quiet. Each list shows
    its first page ("50+" when it holds more) and a button for the next."""
    show_outcome()
    work = mywork.my_work(uow(), actor, shown=ss.get(MY_WORK_SHOWN))
    zone = ZoneInfo(work.time_zone)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Overdue", work.count_label("overdue"), border=True)
    c2.metric("Due today", work.count_label("today"), border=True)
    c3.metric("New, not touched", work.count_label("untouched"), border=True)
    c4.metric(f"Quiet for {work.quiet_days}+ days", work.count_label("quiet"), border=True)
    for name, title, empty in (("overdue", "Overdue", "Nothing overdue."),
                               ("today", "Due today", "Nothing else due today."),
                               ("upcoming", "Upcoming", "No follow-ups planned.")):
        st.subheader(title, anchor=False)
        rows = getattr(work, name)
        if not rows:
            st.caption(empty)
        for t in rows:
            task_line(actor, t, zone, key=name, with_lead=True)
        _show_more(work, name)
    st.subheader("My new leads nobody has touched", anchor=False)
    if not work.untouched:
        st.caption("Every new lead of yours has had a first touch.")
    _lead_links(work.untouched, zone, when_key="created_at", when_label="since")
    _show_more(work, "untouched")
    st.subheader(f"My leads quiet for {work.quiet_days} days or more", anchor=False)
    if not work.quiet:
        st.caption("None of your leads has gone quiet.")
    _lead_links(work.quiet, zone, when_key="last_touch", when_label="last touch")
    _show_more(work, "quiet")
    if not actor.is_manager:  # managers read the whole team on Analytics
        per_rep.my_numbers(actor)
    with st.expander("My time zone and quiet days", icon=":material/schedule:"), \
            st.form("lc_work_prefs", border=False):
        zones = prefs.time_zones()
        tz = st.selectbox("Time zone", zones, index=zones.index(work.time_zone) if work.time_zone in zones else 0,
                          key="lc_work_tz", help="What “today” means for your follow-ups")
        quiet = st.number_input("A lead is quiet after (days)", 1, 365, value=work.quiet_days, key="lc_work_quiet")
        if st.form_submit_button("Save"):
            _act(lambda: prefs.set_prefs(uow(), actor, time_zone=tz, quiet_days=int(quiet)), "Saved.")
