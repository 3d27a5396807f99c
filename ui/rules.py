"""The assignment rules editor (managers): the team's rules in order, a form to add one, apply with a preview."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from leadcore.accounts.actors import Actor
from leadcore.errors import LeadcoreError
from leadcore.intake.candidates import LEAD_TYPES
from leadcore.work import assignment
from ui import cached
from ui.resources import uow

ss = st.session_state
STRATEGY_LABELS = {"round_robin": "Round robin", "least_loaded": "Least loaded (fewest open leads)",
                   "fixed": "Always one person"}
PREVIEW = "lc_rules_preview_text"  # the dry run's summary text
APPLIED = "lc_rules_applied_result"  # {"summary", "changes"} of the last real apply, for undo
OUTCOME = "lc_rules_outcome"


def _names(actor: Actor) -> dict[int, str]:
    return {u.id: u.display_name + ("" if u.is_active else " (inactive)") for u in cached.teammates(actor)}


def describe(conditions: dict[str, Any]) -> str:
    """A rule's conditions as a short sentence ("any lead" when there are none)."""
    parts = []
    labels = {"types": "type", "industries": "industry", "tags": "tag", "sources": "source"}
    for key, label in labels.items():
        if conditions.get(key):
            parts.append(f"{label} is {' or '.join(map(str, conditions[key]))}")
    if conditions.get("location_contains"):
        parts.append(f"location contains “{conditions['location_contains']}”")
    if conditions.get("search_query_contains"):
        parts.append(f"source query contains “{conditions['search_query_contains']}”")
    if conditions.get("min_score") is not None or conditions.get("max_score") is not None:
        parts.append(f"score {conditions.get('min_score', 0)}–{conditions.get('max_score', 100)}")
    if conditions.get("search_id") is not None:
        parts.append(f"found by search #{conditions['search_id']}")
    return "; ".join(parts) or "any lead"


def _done(kind: str, message: str) -> None:
    ss[OUTCOME] = (kind, message)
    st.rerun()


def rules_table(actor: Actor, rules: list[dict[str, Any]]) -> None:
    names = _names(actor)
    if not rules:
        st.info("No rules yet: new leads stay unassigned until someone takes them. Add a rule below.",
                icon=":material/alt_route:")
        return
    frame = pd.DataFrame([{
        "Order": r["position"], "Rule": r["name"], "Active": r["active"], "When": describe(r["conditions"]),
        "Strategy": STRATEGY_LABELS[r["strategy"]], "People": ", ".join(names.get(u, f"user {u}")
                                                                      for u in r["assignee_ids"]),
        "Capacity": r["capacity"]} for r in rules])
    st.dataframe(frame, hide_index=True, width="stretch")
    with st.container(horizontal=True, vertical_alignment="bottom"):
        by_label = {f"{r['position']}. {r['name']}": r for r in rules}
        picked = st.selectbox("Rule", list(by_label), key="lc_rules_pick", width=320)
        rule = by_label.get(picked or "")
        if rule is not None:
            if st.button("Deactivate" if rule["active"] else "Activate", key="lc_rules_toggle"):
                try:
                    assignment.update_rule(uow(), actor, rule["id"], {**rule, "active": not rule["active"]})
                except LeadcoreError as e:
                    _done("error", str(e))
                _done("success", f"Rule “{rule['name']}” {'deactivated' if rule['active'] else 'activated'}.")
            if st.button("Delete", icon=":material/delete:", key="lc_rules_delete"):
                assignment.delete_rule(uow(), actor, rule["id"])
                _done("success", f"Rule “{rule['name']}” deleted.")


def _csv(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def new_rule_form(actor: Actor, next_position: int) -> None:
    people = [u for u in cached.teammates(actor) if u.is_active]
    names = {u.id: u.display_name for u in people}
    with st.form("lc_rules_new", border=True, clear_on_submit=True):
        st.markdown("**Add a rule** (tried in order; the first that matches and has someone free wins)")
        c1, c2, c3 = st.columns([2, 2, 1])
        name = c1.text_input("Name", max_chars=200, placeholder="Fintech to Cy", key="lc_rules_name")
        strategy = c2.selectbox("Strategy", list(STRATEGY_LABELS), format_func=STRATEGY_LABELS.__getitem__,
                                key="lc_rules_strategy")
        position = c3.number_input("Order", min_value=0, value=next_position, step=1, key="lc_rules_position")
        who = st.multiselect("People", list(names), format_func=lambda u: names.get(u, f"User {u}"),
                             key="lc_rules_people", placeholder="Who gets the leads")
        c1, c2, c3 = st.columns(3)
        types = c1.multiselect("Lead type", list(LEAD_TYPES), format_func=str.title, key="lc_rules_types")
        industries = c2.text_input("Industries (comma separated)", key="lc_rules_industries")
        location = c3.text_input("Location contains", key="lc_rules_location")
        c1, c2, c3 = st.columns(3)
        score = c1.slider("Score", 0, 100, (0, 100), key="lc_rules_score")
        tags = c2.text_input("Any of these tags (comma separated)", key="lc_rules_tags")
        query = c3.text_input("Source query contains", key="lc_rules_query")
        capacity = st.number_input("Capacity: at most this many open leads per person (empty: no limit)",
                                   min_value=1, value=None, step=10, key="lc_rules_capacity")
        if not st.form_submit_button("Add rule", type="primary", icon=":material/add:"):
            return
    conditions: dict[str, Any] = {"types": types, "industries": _csv(industries), "tags": _csv(tags),
                                  "location_contains": location, "search_query_contains": query}
    if score != (0, 100):
        conditions.update(min_score=score[0], max_score=score[1])
    try:
        assignment.create_rule(uow(), actor, {"name": name, "strategy": strategy, "assignee_ids": list(who),
                                              "capacity": int(capacity) if capacity else None,
                                              "position": int(position), "conditions": conditions})
    except LeadcoreError as e:
        st.error(f"Not added: {e}")
        return
    _done("success", f"Rule “{name.strip()}” added.")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def apply_panel(actor: Actor) -> None:
    st.subheader("Assign the unassigned leads", anchor=False)
    st.caption("New leads are routed as they arrive. This gives the open leads that have no owner yet an owner "
               "through the same rules. Preview first: nothing changes until you assign.")
    names = _names(actor)
    with st.container(horizontal=True):
        if st.button("Preview", icon=":material/preview:", key="lc_rules_preview"):
            try:
                ss[PREVIEW] = assignment.apply_rules(uow(), actor, dry_run=True).summary(names)
            except LeadcoreError as e:
                ss[PREVIEW] = f"error: {e}"
        if st.button("Assign now", type="primary", icon=":material/person_add:", key="lc_rules_apply",
                     disabled=PREVIEW not in ss):
            result = assignment.apply_rules(uow(), actor, dry_run=False)
            ss[APPLIED] = {"summary": result.summary(names), "changes": result.changes}
            ss.pop(PREVIEW, None)
            cached.clear()
            st.rerun()
    if PREVIEW in ss:
        st.info(_sentence(ss[PREVIEW]), icon=":material/preview:")
    if applied := ss.get(APPLIED):
        st.success(_sentence(applied["summary"]))
        if applied["changes"] and st.button("Undo", icon=":material/undo:", key="lc_rules_undo"):
            n = assignment.undo_apply(uow(), actor, applied["changes"])
            ss.pop(APPLIED, None)
            cached.clear()
            _done("success", f"Undone: {n} leads are unassigned again.")


def rules_page(actor: Actor) -> None:
    if got := ss.pop(OUTCOME, None):
        getattr(st, got[0])(got[1])
    rules = assignment.list_rules(uow(), actor)
    rules_table(actor, rules)
    new_rule_form(actor, max([r["position"] for r in rules], default=-1) + 1)
    apply_panel(actor)
