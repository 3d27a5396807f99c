"""One lead (``?id=``): every field, where it came from, why it scored what it did, its timeline, notes, import."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from leadcore import events
from leadcore.accounts.actors import Actor, can_edit_lead
from leadcore.directory import records
from leadcore.discovery import runs
from leadcore.errors import LeadcoreError, NotFound, StaleLead
from leadcore.intake.candidates import NOTES_MAX, SETTABLE_STATUSES, STATUSES
from leadcore.leads import conversion, edits
from ui import auth, cached, enrichment, nav, outreach, state, timeline, work
from ui.grid import md
from ui.resources import uow

ss = st.session_state
SEEN = "lc_lead_seen"  # (lead id, version) the page last showed
RESET_STATUS = "lc_lead_reset_status"  # set after our own write: the status picker shows the lead's status again
EXPECT = "lc_lead_expect"  # (lead id, version) shown when the user started changing the status: what the edit expects
CONFIRM_DELETE = "lc_lead_confirm_delete"
FIELDS = {  # lead field -> label, in reading order
    "type": "Type", "status": "Status", "lead_name": "Name", "email": "Email", "phone": "Phone",
    "job_title": "Title", "company": "Company", "location": "Location", "headquarters": "Headquarters",
    "industry": "Industry", "website": "Website", "linkedin_url": "LinkedIn", "lead_score": "Score",
    "tags": "Tags", "notes": "Summary", "owner_name": "Owner", "source": "Source", "search_query": "Source query",
    "search_mode": "Search mode", "search_location": "Search location", "search_industry": "Search industry",
    "search_tech_stack": "Search tech stack", "duplicate_count": "Times seen again", "created_at": "Created",
    "updated_at": "Updated", "version": "Version",
}


def back_link() -> None:
    st.page_link(nav.page("leads"), label="Back to Leads", icon=":material/arrow_back:")


def not_found(message: str) -> None:
    st.error(message, icon=":material/search_off:")
    back_link()
    st.stop()


def _when(v: Any) -> str:
    return f"{v:%Y-%m-%d %H:%M}" if isinstance(v, datetime) else ("" if v is None else str(v))


def _text(v: Any) -> str:
    if v is None or v == "" or v == []:
        return "—"
    if isinstance(v, list):
        return ", ".join(str(x) for x in v)
    if isinstance(v, datetime):
        return _when(v)
    return str(v)


def status_key(lead_id: int) -> str:
    return f"lc_lead_status_{lead_id}"


def done(kind: str, message: str, lead_id: int) -> None:
    """Show ``message`` after the rerun that reloads the lead; the status picker starts over from the lead."""
    ss[state.LEAD_OUTCOME] = (kind, message)
    ss.pop(EXPECT, None)
    ss[RESET_STATUS] = lead_id
    cached.clear()
    st.rerun()


def header(lead: dict[str, Any]) -> None:
    st.title(lead["lead_name"] or lead["email"] or f"Lead {lead['id']}", anchor=False)
    bits = [f"#{lead['id']}", str(lead["type"]).title()]
    if lead.get("job_title") or lead.get("company"):
        bits.append(" at ".join(md(x) for x in (lead.get("job_title"), lead.get("company")) if x))
    bits.append(f"owner: {md(lead['owner_name'] or 'unassigned')}")
    with st.container(horizontal=True, vertical_alignment="center"):
        st.badge(str(lead["status"]).title(), color="blue", icon=":material/flag:")
        st.badge(f"Score {lead['lead_score'] if lead['lead_score'] is not None else '—'}", color="violet")
        if lead["imported"] and lead["status"] != "IMPORTED":
            st.badge("Imported", color="green", icon=":material/check_circle:")
        if not lead["is_active"]:
            st.badge("Deleted", color="red", icon=":material/delete:")
        st.caption(" · ".join(bits))


def quick_actions(actor: Actor, lead: dict[str, Any], shown_version: int) -> None:
    """``shown_version``: the version the previous run showed (a click acts on what the user saw)."""
    editable = can_edit_lead(actor, lead["owner_id"])
    lead_id = lead["id"]
    with st.container(border=True):
        if not editable:
            st.caption(f"This lead belongs to {md(lead['owner_name'] or 'another rep')}; only its owner or a "
                       "manager can change it. You can still add notes.")
        with st.container(horizontal=True, vertical_alignment="bottom"):
            key = status_key(lead_id)
            if ss.pop(RESET_STATUS, None) == lead_id or key not in ss:
                ss[key] = lead["status"]  # through session state, so the browser's picker follows too
            options = list(SETTABLE_STATUSES) if lead["status"] in SETTABLE_STATUSES else list(STATUSES)
            status = st.selectbox("Status", options, format_func=str.title, key=key, width=200,
                                  disabled=not editable, on_change=lambda: ss.__setitem__(EXPECT, ss.get(SEEN)))
            if st.button("Update status", disabled=not editable or status == lead["status"]):
                started = ss.get(EXPECT)
                expected = started[1] if started and started[0] == lead_id else shown_version
                try:
                    edits.update_lead(uow(), actor, lead_id, {"status": status}, expected_version=expected)
                except StaleLead as e:
                    done("warning", f"Not saved: {e}.", lead_id)
                except LeadcoreError as e:
                    done("error", f"Not saved: {e}", lead_id)
                done("success", f"Status set to {status.title()}.", lead_id)
            st.space("stretch")
            if lead["imported"]:
                st.button("Imported", icon=":material/check_circle:", disabled=True,
                          help="Already imported; see Import below")
            elif st.button("Import as " + ("company" if lead["type"] == "COMPANY" else "contact"), type="primary",
                           icon=":material/move_to_inbox:", disabled=not editable or not lead["is_active"]):
                try:
                    r = conversion.import_lead(uow(), actor, lead["id"])
                except LeadcoreError as e:
                    done("error", f"Not imported: {e}", lead["id"])
                made = " and ".join(x for x in (f"contact #{r.contact_id}" if r.contact_id else "",
                                                f"company #{r.company_id}" if r.company_id else "") if x)
                done("success", f"Imported as {made or 'a record'}.", lead["id"])
            if lead["is_active"]:
                if st.button("Delete", icon=":material/delete:", disabled=not editable):
                    ss[CONFIRM_DELETE] = lead["id"]
            elif st.button("Restore", icon=":material/restore_from_trash:", disabled=not editable):
                try:
                    edits.restore_lead(uow(), actor, lead["id"])
                except LeadcoreError as e:
                    done("error", f"Not restored: {e}", lead["id"])
                done("success", "Lead restored; it is back in the grid.", lead["id"])
        if ss.get(CONFIRM_DELETE) == lead["id"] and lead["is_active"]:
            st.warning("Delete this lead? It moves to the trash (Leads → Show deleted leads) and can be restored.")
            with st.container(horizontal=True):
                if st.button("Yes, delete", type="primary", key="lc_lead_delete_yes"):
                    ss.pop(CONFIRM_DELETE, None)
                    try:
                        edits.delete_lead(uow(), actor, lead["id"])
                    except LeadcoreError as e:
                        done("error", f"Not deleted: {e}", lead["id"])
                    done("success", "Lead deleted. Restore it here or from the trash on the Leads page.", lead["id"])
                if st.button("Cancel", key="lc_lead_delete_no"):
                    ss.pop(CONFIRM_DELETE, None)
                    st.rerun()


def details(lead: dict[str, Any]) -> None:
    st.subheader("Details", anchor=False)
    rows = {label: _text(lead.get(field)) for field, label in FIELDS.items()}
    rows["Type"], rows["Status"] = str(lead["type"]).title(), str(lead["status"]).title()
    if lead.get("website"):
        rows["Website"] = lead["website"]
    st.table(rows, border="horizontal")


def source(actor: Actor, lead: dict[str, Any]) -> None:
    st.subheader("Where it came from", anchor=False)
    if lead.get("search_id"):
        try:
            s = runs.get_search(uow(), actor, lead["search_id"])
        except NotFound:
            st.caption(f"Search #{lead['search_id']} is no longer recorded.")
        else:
            st.markdown(f"Found by search **#{s['id']}** ({md(s['provider'])}) — “{md(s['query'] or '(no query)')}”"
                        f" on {_when(s['started_at'])}: {s['returned']} returned, {s['saved']} new, "
                        f"{s['duplicates']} already known.")
        st.page_link(nav.page("leads"), label="Other leads of this search", icon=":material/table_view:",
                     query_params={"search_id": str(lead["search_id"])})
    elif lead.get("search_query"):
        st.markdown(f"Source query “{md(lead['search_query'])}” ({md(lead.get('source') or 'unknown source')}).")
        st.page_link(nav.page("leads"), label="Other leads of this query", icon=":material/table_view:",
                     query_params={"search_query": lead["search_query"]})
    else:
        st.caption(f"Added from {md(lead.get('source') or 'an unknown source')}, not by a search.")
    with st.expander("Raw provider record", icon=":material/data_object:"):
        if lead.get("raw_data"):
            st.json(lead["raw_data"], expanded=2)
        else:
            st.caption("The source sent no raw record for this lead.")


def imported(actor: Actor, lead: dict[str, Any]) -> None:
    if not lead["imported"]:
        return
    st.subheader("Imported", anchor=False)
    st.caption(f"Imported on {_when(lead['imported_at'])}.")
    for kind, key, getter, page_key in (("Contact", "imported_contact_id", records.get_contact, "contacts"),
                                        ("Company", "imported_company_id", records.get_company, "companies")):
        if lead.get(key):
            try:
                rec = getter(uow(), actor, lead[key])
            except NotFound:
                st.caption(f"{kind} #{lead[key]} (no longer exists)")
                continue
            label = f"{kind}: {rec.get('name') or rec.get('email') or '#' + str(rec['id'])}"
            st.page_link(nav.page(page_key), label=label, query_params={"id": str(rec["id"])},
                         icon=":material/person:" if kind == "Contact" else ":material/domain:")


def score(lead: dict[str, Any]) -> None:
    value = lead["lead_score"]
    st.subheader(f"Why {value if value is not None else 'no score'}", anchor=False)
    rows = lead.get("score_breakdown") or []
    if not rows:
        st.caption("The source gave this score; there is no breakdown.")
        return
    frame = pd.DataFrame([{"Reason": r.get("label") or r.get("rule"), "Points": int(r.get("points") or 0)}
                          for r in rows])
    st.dataframe(frame, hide_index=True, width="stretch", column_order=("Points", "Reason"), column_config={
        "Points": st.column_config.NumberColumn(format="%+d", width="small")})  # points first: a long reason
    # ("Has a website (https://…)") would push them out of the narrow column
    total = int(frame["Points"].sum())
    if value is not None and total != value:
        st.caption(f"The computed score was {total}; someone has set it to {value} by hand since.")


def summary(actor: Actor, lead: dict[str, Any], shown_version: int) -> None:
    """The lead's summary: one text kept up to date (the grid's Summary column); notes below are timeline entries."""
    st.subheader("Summary", anchor=False)
    if not can_edit_lead(actor, lead["owner_id"]):
        st.markdown(md(lead["notes"]) if lead.get("notes") else "—")
        return
    key, loaded_key = f"lc_lead_summary_text_{lead['id']}", f"lc_lead_summary_loaded_{lead['id']}"
    saved = lead.get("notes") or ""
    if key not in ss or ss.get(key) == ss.get(loaded_key):  # not being edited: follow the lead's summary
        ss[key] = saved
    ss[loaded_key] = saved
    with st.form(f"lc_lead_summary_{lead['id']}", border=False):
        text = st.text_area("Summary", key=key, max_chars=NOTES_MAX, height=90, label_visibility="collapsed",
                            placeholder="Who they are, what they need, where it stands")
        if st.form_submit_button("Save summary", icon=":material/save:"):
            if text.strip() == saved.strip():
                done("info", "The summary is unchanged.", lead["id"])
            try:
                edits.update_lead(uow(), actor, lead["id"], {"notes": text}, expected_version=shown_version)
            except StaleLead as e:
                done("warning", f"Summary not saved: {e}.", lead["id"])
            except LeadcoreError as e:
                done("error", f"Summary not saved: {e}", lead["id"])
            ss.pop(key, None)
            done("success", "Summary saved.", lead["id"])


def notes(actor: Actor, lead: dict[str, Any]) -> None:
    st.subheader("Add a note", anchor=False)
    st.caption("Notes are dated entries on the timeline below; the grid shows the latest one.")
    with st.form("lc_lead_note", clear_on_submit=True, border=False):
        text = st.text_area("Note", placeholder="Called, left a voicemail…", max_chars=20_000,
                            label_visibility="collapsed")
        if st.form_submit_button("Add note", icon=":material/add_comment:"):
            try:
                edits.add_note(uow(), actor, lead["id"], text)
            except LeadcoreError as e:
                st.error(str(e))
            else:
                done("success", "Note added.", lead["id"])


def history(actor: Actor, lead: dict[str, Any]) -> None:
    st.subheader("Timeline", anchor=False)
    entries = events.timeline(uow(), actor, lead["id"])
    names = {u.id: u.display_name for u in cached.teammates(actor)}
    if not entries:
        st.caption("Nothing has happened to this lead yet.")
    for e in entries:
        with st.container(border=e.kind == "note_added"):
            st.markdown(f"{timeline.ICONS.get(e.kind, ':material/circle:')} {timeline.sentence(e, names)}")
            if e.kind == "note_added":
                st.text(str(e.data.get("text", "")))
            st.caption(f"{md(e.user_name or 'system')} · {_when(e.created_at)}")


actor = auth.actor()
raw_id = st.query_params.get("id", "")
try:
    lead_id = int(str(raw_id).strip())
    if lead_id <= 0:
        raise ValueError
except ValueError:
    not_found("This link does not point to a lead. Open one from the Leads page.")
try:
    lead = edits.get_lead(uow(), actor, lead_id)
except NotFound:
    not_found(f"Lead {lead_id} was not found. It may have been purged, or it belongs to another team.")
except LeadcoreError as e:
    not_found(f"This lead could not be opened: {e}")

seen = ss.get(SEEN)
shown = seen[1] if seen and seen[0] == lead_id else lead["version"]
ss[SEEN] = (lead_id, lead["version"])
back_link()
header(lead)
if outcome := ss.pop(state.LEAD_OUTCOME, None):
    getattr(st, outcome[0])(outcome[1])
quick_actions(actor, lead, shown)
left, right = st.columns([3, 2], gap="large")
with left:
    work.lead_section(actor, lead)
    details(lead)
    enrichment.provenance_section(actor, lead)
    source(actor, lead)
with right:
    imported(actor, lead)
    score(lead)
    summary(actor, lead, shown)
    notes(actor, lead)
    outreach.lead_section(actor, lead)
    history(actor, lead)
