"""Outreach email in the app: the lead page's "Send email" section, the template editor with preview, and bulk
sends with their preview ("send to 47, 3 skipped: …") and progress. Calls leadcore.outreach; writes no SQL."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from leadcore.accounts.actors import Actor
from leadcore.config import settings
from leadcore.errors import LeadcoreError
from leadcore.grid.filters import LeadFilters
from leadcore.intake.candidates import STATUSES
from leadcore.outreach import jobs as outreach_jobs
from leadcore.outreach import outbox, sending, templates
from leadcore.outreach.mailer import SmtpConfig, SmtpMailer, mailto_link
from leadcore.outreach.templates import TemplateView
from ui import cached, state
from ui.grid import md
from ui.resources import uow

ss = st.session_state
CHUNK = 10  # messages per drain call, so the progress bar moves


def smtp_config() -> SmtpConfig | None:
    return SmtpConfig.from_settings(settings())


def flash(kind: str, message: str) -> None:
    ss[state.OUTREACH_OUTCOME] = (kind, message)
    cached.clear()
    st.rerun()


def show_outcome() -> None:
    if outcome := ss.pop(state.OUTREACH_OUTCOME, None):
        getattr(st, outcome[0])(outcome[1])


def no_smtp_note() -> None:
    st.info("No SMTP server is configured, so the app cannot send email itself. An admin sets LEADCORE_SMTP_HOST, "
            "LEADCORE_SMTP_PORT, LEADCORE_SMTP_USERNAME, LEADCORE_SMTP_PASSWORD and LEADCORE_MAIL_FROM (see the "
            "README). Until then, open the email in your mail client.", icon=":material/mail:")


def send_queued(outbox_ids: list[int]) -> sending.DrainResult:
    """Drain these outbox messages now, in chunks, with a progress bar; stops at the rate limit or a server error."""
    config = smtp_config()
    assert config is not None
    s = settings()
    total = sending.DrainResult()
    bar = st.progress(0.0, text=f"Sending 0 of {len(outbox_ids)}…") if len(outbox_ids) > 1 else None
    for start in range(0, len(outbox_ids), CHUNK):
        r = sending.send_pending(uow(), lambda: SmtpMailer(config), per_minute=s.mail_per_minute,
                                 daily_cap=s.mail_daily_cap, outbox_ids=outbox_ids[start:start + CHUNK])
        total.sent += r.sent
        total.failed += r.failed
        total.capped += r.capped
        total.failures += r.failures
        total.error = total.error or r.error
        if bar is not None:
            done = min(start + CHUNK, len(outbox_ids))
            bar.progress(done / len(outbox_ids), text=f"Sending {done} of {len(outbox_ids)}…")
        if r.error or r.deferred:
            total.next_at = r.next_at
            break
    total.deferred = len(outbox_ids) - total.sent - total.failed - total.capped
    return total


def outcome_message(result: sending.DrainResult) -> tuple[str, str]:
    text = result.summary().capitalize() + "."
    if result.error:
        return "error", f"{text} {result.error}."
    if result.failed:
        reasons = "; ".join(f"lead {i}: {r}" for i, r in result.failures[:5])
        return "warning", f"{text} The server refused: {reasons}"
    if result.deferred or result.capped:
        when = f" (next slot {result.next_at:%H:%M:%S} UTC)" if result.next_at else ""
        return "info", (f"{text} The rest stay in the outbox{when} and go with the next 'Send pending' or "
                        "`python -m leadcore send-pending`.")
    return "success", text


# -- the lead page ---------------------------------------------------------------------------------------------------

def _toggle_dnc(actor: Actor, lead_id: int, key: str) -> None:
    flag = bool(ss[key])
    try:
        outbox.set_do_not_contact(uow(), actor, [lead_id], flag)
    except LeadcoreError as e:
        ss[state.OUTREACH_OUTCOME] = ("error", f"Not changed: {e}")
    else:
        ss[state.OUTREACH_OUTCOME] = ("success", "Marked do-not-contact." if flag else "Do-not-contact cleared.")
    cached.clear()


def lead_section(actor: Actor, lead: dict[str, Any]) -> None:
    """"Send email" on the lead page: do-not-contact, template, preview with empty fields, send or mailto."""
    lead_id = int(lead["id"])
    st.subheader("Send email", anchor=False)
    show_outcome()
    dnc = bool(lead.get("do_not_contact"))
    key = f"lc_outreach_dnc_{lead_id}"
    ss[key] = dnc  # the stored flag, whatever the widget last showed
    st.toggle("Do not contact", key=key, on_change=_toggle_dnc, args=(actor, lead_id, key),
              help="The lead asked not to be emailed: no one on the team can send to it.")
    if dnc:
        st.warning("This lead is marked do-not-contact; no email can be sent to it.", icon=":material/block:")
        return
    choices = templates.list_templates(uow(), actor)
    if not choices:
        st.caption("No email templates yet: a manager adds them on the Outreach page.")
        return
    by_id = {t.id: t for t in choices}
    tid = st.selectbox("Template", list(by_id), format_func=lambda i: by_id[i].name, key=f"lc_outreach_t_{lead_id}")
    try:
        r = outbox.preview_lead(uow(), actor, tid, lead_id)
        plan = outbox.preview_send(uow(), actor, tid, ids=[lead_id])
    except LeadcoreError as e:
        st.error(str(e))
        return
    if r.missing_fields:
        st.warning("Empty for this lead: " + ", ".join(r.missing_fields) + " (the template's default text, or "
                   "nothing, is used)", icon=":material/warning:")
    with st.container(border=True, key=f"lc_outreach_preview_{lead_id}"):
        st.markdown(f"**To:** {md(lead.get('email') or '(no email)')}  \n**Subject:** {md(r.subject)}")
        st.text(r.text)
    reason = plan.skipped[0][1] if plan.skipped else None
    confirm = False
    if reason == "recently_sent":
        days = settings().mail_repeat_window_days
        confirm = st.checkbox(f"Sent in the last {days} days: send again", key=f"lc_outreach_again_{lead_id}",
                              help="This template already went to this lead recently.")
    elif reason:
        st.caption(f"Cannot send: {outbox.REASONS[reason]}.")
    if smtp_config() is None:
        no_smtp_note()
        st.link_button("Open in mail client", mailto_link(lead.get("email") or "", r.subject, r.text),
                       icon=":material/open_in_new:", disabled=reason not in (None, "recently_sent"))
    elif st.button("Send email", type="primary", icon=":material/send:", key=f"lc_outreach_send_{lead_id}",
                   disabled=reason is not None and not (reason == "recently_sent" and confirm)):
        try:
            queued = outbox.queue_send(uow(), actor, tid, ids=[lead_id], confirm_repeat=confirm)
        except LeadcoreError as e:
            flash("error", f"Not sent: {e}")
        if not queued.outbox_ids:
            flash("error", f"Not sent: {queued.summary()}")
        result = send_queued(queued.outbox_ids)
        if result.sent:
            flash("success", f"Email sent to {lead.get('email')}.")
        flash(*outcome_message(result))
    recent = outbox.recent_messages(uow(), actor, lead_id=lead_id, limit=10)
    if recent:
        st.dataframe(messages_frame(recent)[["Status", "Subject", "When", "Server's answer"]], hide_index=True,
                     width="stretch")


def messages_frame(rows: list[outbox.OutboxRow]) -> pd.DataFrame:
    return pd.DataFrame([{"Lead": m.lead_id, "To": m.to_addr, "Subject": m.subject, "Template": m.template_name,
                          "Status": m.status, "Server's answer": m.smtp_response or "",
                          "When": f"{(m.attempted_at or m.created_at):%Y-%m-%d %H:%M}"} for m in rows],
                        columns=["Lead", "To", "Subject", "Template", "Status", "Server's answer", "When"])


# -- the Outreach page -----------------------------------------------------------------------------------------------

MERGE_HELP = ("Merge fields: " + ", ".join(f"`{{{{ {f} }}}}`" for f in templates.LEAD_FIELDS)
              + ", `{{ sender.name }}`, `{{ sender.email }}`. A default for an empty field: "
              "`{{ first_name | default(\"there\") }}`. Filters such as `upper`, `title`, `truncate` work; "
              "nothing else does.")
NEW = 0
PICK, PICK_NEXT = "lc_outreach_edit_pick", "lc_outreach_edit_pick_next"


def template_editor(actor: Actor, choices: list[TemplateView]) -> None:
    """Pick a template (or a new one), edit it (managers), preview it against any lead."""
    by_id = {t.id: t for t in choices}
    options = ([NEW] if actor.is_manager else []) + list(by_id)
    if not options:
        st.caption("No templates yet; a manager creates them here.")
        return
    if PICK_NEXT in ss:  # a template just saved or deleted: pick it (or the first) before the picker exists
        ss[PICK] = ss.pop(PICK_NEXT)
    tid = st.selectbox("Template", options, key=PICK,
                       format_func=lambda i: "New template…" if i == NEW else by_id[i].name)
    current = by_id.get(tid)
    st.caption(MERGE_HELP)
    with st.form(f"lc_outreach_form_{tid}", border=False):
        name = st.text_input("Name", value=current.name if current else "", disabled=not actor.is_manager)
        subject = st.text_input("Subject", value=current.subject if current else "", disabled=not actor.is_manager)
        body = st.text_area("Body", value=current.body if current else "", height=220,
                            disabled=not actor.is_manager)
        if actor.is_manager and st.form_submit_button("Save template", type="primary", icon=":material/save:"):
            try:
                saved = templates.save_template(uow(), actor, name=name, subject=subject, body=body,
                                                template_id=current.id if current else None)
            except LeadcoreError as e:
                st.error(f"Not saved: {e}")
            else:
                ss[PICK_NEXT] = saved.id
                flash("success", f"Template '{saved.name}' saved.")
    if current is None:
        return
    if actor.is_manager and st.button("Delete template", icon=":material/delete:", key="lc_outreach_delete"):
        templates.delete_template(uow(), actor, current.id)
        ss[PICK_NEXT] = options[0]
        flash("success", f"Template '{current.name}' deleted; emails sent with it keep their text.")
    st.markdown("**Preview**")
    lead_id = st.number_input("Lead id", min_value=1, step=1, value=None, key="lc_outreach_preview_lead",
                              placeholder="A lead's id (the # on its page)")
    if lead_id:
        try:
            r = outbox.preview_lead(uow(), actor, current.id, int(lead_id))
        except LeadcoreError as e:
            st.error(str(e))
            return
        if r.missing_fields:
            st.warning("Empty for this lead: " + ", ".join(r.missing_fields), icon=":material/warning:")
        with st.container(border=True):
            st.markdown(f"**Subject:** {md(r.subject)}")
            st.text(r.text)


def parse_ids(text: str) -> list[int]:
    ids = []
    for part in text.replace(";", ",").replace("\n", ",").split(","):
        part = part.strip().lstrip("#")
        if not part:
            continue
        if not part.isdigit() or int(part) <= 0:
            raise ValueError(f"'{part}' is not a lead id")
        ids.append(int(part))
    return ids


def bulk_send(actor: Actor, choices: list[TemplateView]) -> None:
    """Pick a template and leads, see who gets it and who is skipped and why, then send with progress."""
    if not choices:
        st.caption("No templates yet.")
        return
    by_id = {t.id: t for t in choices}
    tid = st.selectbox("Template", list(by_id), format_func=lambda i: by_id[i].name, key="lc_outreach_bulk_t")
    by = st.radio("Leads", ["ids", "status"], horizontal=True, key="lc_outreach_bulk_by",
                  format_func={"ids": "By id", "status": "Every lead with a status"}.__getitem__)
    if by == "ids":
        raw = st.text_area("Lead ids", key="lc_outreach_bulk_ids", height=80,
                           placeholder="12, 15, 19 — or paste a column of ids")
    else:
        statuses = st.multiselect("Status", list(STATUSES), default=["NEW"], format_func=str.title,
                                  key="lc_outreach_bulk_status")
    again = st.checkbox("Also send to leads that got this template recently", key="lc_outreach_bulk_again")
    if st.button("Preview send", icon=":material/preview:", key="lc_outreach_bulk_preview"):
        try:
            if by == "status" and not statuses:
                raise ValueError("pick at least one status")
            ids = parse_ids(raw) if by == "ids" else None
            filters = None if by == "ids" else LeadFilters(statuses=tuple(statuses)).validated()
            outbox.preview_send(uow(), actor, tid, ids=ids, filters=filters, confirm_repeat=again)
        except ValueError as e:
            st.error(f"{'Lead ids' if by == 'ids' else 'Status'}: {e}")
            return
        except LeadcoreError as e:
            st.error(str(e))
            return
        ss[state.OUTREACH_BULK] = {"template_id": tid, "ids": ids, "filters": filters, "confirm_repeat": again}
    pending = ss.get(state.OUTREACH_BULK)
    if not pending or pending["template_id"] != tid:
        return
    target = {"ids": pending["ids"], "filters": pending["filters"], "confirm_repeat": pending["confirm_repeat"]}
    plan = outbox.preview_send(uow(), actor, tid, **target)
    st.markdown(f"**{plan.summary().capitalize()}**")
    if plan.skipped:
        st.dataframe(pd.DataFrame([{"Lead": i, "Skipped because": outbox.REASONS[r]} for i, r in plan.skipped]),
                     hide_index=True)
    if smtp_config() is None:
        st.caption("Sending needs an SMTP server (see the note at the top); open single leads in your mail client "
                   "from their pages.")
        return
    if st.button(f"Send to {len(plan.send_ids)}", type="primary", icon=":material/send:",
                 disabled=not plan.send_ids, key="lc_outreach_bulk_send"):
        ss.pop(state.OUTREACH_BULK, None)
        try:
            queued = outbox.queue_send(uow(), actor, tid, **target)
        except LeadcoreError as e:
            flash("error", f"Not sent: {e}")
        flash(*outcome_message(send_queued(queued.outbox_ids)))


def outbox_panel(actor: Actor) -> None:
    """The team's recent messages, what is waiting, and emails sent per rep and per template."""
    rows = outbox.recent_messages(uow(), actor, limit=100)
    waiting = sum(1 for m in rows if m.status == "queued")
    if waiting and smtp_config() is not None and st.button(f"Send pending ({waiting})", icon=":material/outbox:",
                                                           key="lc_outreach_drain"):
        outreach_jobs.send_soon(uow())  # the background worker sends them; the page never waits on SMTP
        flash("info", f"Sending {waiting} queued message(s) in the background; refresh to see them sent.")
    if not rows:
        st.caption("No email sent yet.")
        return
    st.dataframe(messages_frame(rows), hide_index=True, width="stretch")
    counts = outbox.sent_counts(uow(), actor)
    left, right = st.columns(2)
    left.dataframe(pd.DataFrame(counts["per_rep"], columns=["rep", "sent"]), hide_index=True)
    right.dataframe(pd.DataFrame(counts["per_template"], columns=["template", "sent"]), hide_index=True)
