"""The Integrations page (managers): webhook endpoints — add (secret shown once), status, delivery log,
redeliver, disable/enable, delete."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from leadcore.accounts.actors import Actor
from leadcore.errors import LeadcoreError
from leadcore.webhooks import endpoints
from ui.resources import uow

ss = st.session_state
SECRET = "lc_hooks_new_secret"  # (endpoint id, secret) of the endpoint just added: shown once
OUTCOME = "lc_hooks_outcome"


def _done(kind: str, message: str) -> None:
    ss[OUTCOME] = (kind, message)
    st.rerun()


def webhooks_section(actor: Actor) -> None:
    st.subheader("Webhooks")
    st.caption("Signed POSTs to your systems when leads change. Each request carries X-Leadcore-Signature: "
               "sha256=HMAC of \"timestamp.body\" with the endpoint's secret.")
    if OUTCOME in ss:
        kind, message = ss.pop(OUTCOME)
        (st.success if kind == "ok" else st.error)(message)
    if SECRET in ss:
        hook_id, secret = ss[SECRET]
        st.warning(f"Secret of webhook #{hook_id} — copy it now, it is not shown again:")
        st.code(secret, language=None)
        if st.button("I have copied it", key="lc_hooks_secret_done"):
            del ss[SECRET]
            st.rerun()
    _add_form(actor)
    hooks = endpoints.list_endpoints(uow(), actor)
    if not hooks:
        st.info("No webhooks yet.")
        return
    for h in hooks:
        if h.status != "active":
            status = ":red[disabled]"
        elif h.consecutive_failures:
            status = f":orange[failing ({h.consecutive_failures} in a row)]"
        else:
            status = ":green[active]"
        trouble = h.status != "active" or h.consecutive_failures > 0
        with st.expander(f"#{h.id} {h.url} — {status}, {h.pending} pending", expanded=trouble):
            st.write("Events: " + ", ".join(h.event_types))
            if h.status_reason:
                st.error(h.status_reason)
            elif h.consecutive_failures:
                st.warning(f"{h.consecutive_failures} failed in a row; next try after {h.retry_at:%Y-%m-%d %H:%M} UTC"
                           if h.retry_at else f"{h.consecutive_failures} failed in a row")
            _endpoint_actions(actor, h)


def _add_form(actor: Actor) -> None:
    with st.form("lc_hooks_add", clear_on_submit=True):
        url = st.text_input("Receiver URL", key="lc_hooks_url", placeholder="https://crm.example.com/hooks/leads")
        types = st.multiselect("Events", endpoints.EVENT_TYPES, default=["lead.created", "lead.updated"],
                               key="lc_hooks_types")
        if st.form_submit_button("Add webhook"):
            try:
                made = endpoints.register(uow(), actor, url=url, event_types=list(types))
            except LeadcoreError as exc:
                _done("error", str(exc))
                return
            ss[SECRET] = (made.endpoint.id, made.secret)
            _done("ok", f"Webhook #{made.endpoint.id} added.")


def _endpoint_actions(actor: Actor, h: endpoints.EndpointInfo) -> None:
    log = endpoints.deliveries(uow(), actor, h.id, limit=50)
    if log:
        st.dataframe(pd.DataFrame([{"attempt": a.id, "delivery": a.delivery_id, "event": a.event_id,
                                    "type": a.event_type, "lead": a.lead_id, "when": a.attempted_at,
                                    "ok": a.ok, "HTTP": a.status_code, "error": a.error,
                                    "response": (a.response_excerpt or "")[:80], "now": a.delivery_status}
                                   for a in log]), hide_index=True)
    else:
        st.caption("No deliveries yet.")
    cols = st.columns(3)
    if log:
        pick = cols[0].selectbox("Delivery to send again", sorted({a.delivery_id for a in log}, reverse=True),
                                 key=f"lc_hooks_pick_{h.id}")
        if cols[0].button("Redeliver", key=f"lc_hooks_redeliver_{h.id}"):
            endpoints.redeliver(uow(), actor, h.id, int(pick), now=datetime.now(UTC))
            _done("ok", f"Delivery {pick} will be sent again.")
    active = h.status == "active"
    if cols[1].button("Disable" if active else "Enable", key=f"lc_hooks_toggle_{h.id}"):
        endpoints.set_active(uow(), actor, h.id, not active)
        _done("ok", f"Webhook #{h.id} {'disabled' if active else 'enabled'}.")
    if cols[2].button("Delete", key=f"lc_hooks_delete_{h.id}"):
        endpoints.delete(uow(), actor, h.id)
        _done("ok", f"Webhook #{h.id} deleted.")
