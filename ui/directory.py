"""The Contacts and Companies pages: a searched, paged list, and one record (``?id=``) with where it came from."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from leadcore.accounts.actors import Actor
from leadcore.directory import records
from leadcore.errors import LeadcoreError, NotFound
from ui import nav
from ui.grid import md
from ui.resources import uow
from ui.text import plural

PAGE_SIZE = 50


def record_id() -> int | None:
    raw = st.query_params.get("id")
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def listing(kind: str, key: str, fetch: Callable[[str, int], records.Page], columns: dict[str, str],
            placeholder: str) -> None:
    """A list with a search box and pages; each row opens its record."""
    q = st.text_input("Search", placeholder=placeholder, key=f"dir_{key}_q")
    page_no = int(st.session_state.get(f"dir_{key}_page", 1))
    try:
        page = fetch(q, (page_no - 1) * PAGE_SIZE)
    except LeadcoreError as e:
        st.error(str(e))
        return
    if not page.total:
        st.info(f"No {kind} match this search." if q else
                f"No {kind} yet. A lead becomes a contact or company with “Import as contact” on its page, or "
                "with the Import bulk action in the Leads grid.", icon=":material/info:")
        return
    st.markdown(f"**{plural(page.total, kind[:-1] if kind != 'companies' else 'company')}**")
    frame = pd.DataFrame([{label: item.get(field) for field, label in columns.items()} for item in page.items])
    frame.insert(0, "Open", [f"?id={item['id']}" for item in page.items])
    st.dataframe(frame, hide_index=True, width="stretch", key=f"dir_{key}_table", placeholder="—",
                 column_config={"Open": st.column_config.LinkColumn("Open", display_text="Open", width="small")})
    pages = max(1, math.ceil(page.total / PAGE_SIZE))
    if pages > 1:
        st.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, step=1, key=f"dir_{key}_page",
                        width=160)


def fields_table(rec: dict[str, Any], labels: dict[str, str]) -> None:
    rows = [(label, rec.get(field)) for field, label in labels.items() if rec.get(field) not in (None, "")]
    st.table(pd.DataFrame(rows, columns=["Field", "Value"]).astype(str).set_index("Field"))


def source_leads(leads: list[dict[str, Any]]) -> None:
    st.subheader("Came from", anchor=False)
    if not leads:
        st.caption("No lead of your team (it may have been purged).")
    for lead in leads:
        name = lead.get("lead_name") or lead.get("email") or f"Lead {lead['id']}"
        st.page_link(nav.page("lead"), label=f"{name} · {str(lead['status']).title()}",
                     query_params={"id": str(lead["id"])}, icon=":material/person_search:")


def open_record(kind: str, get: Callable[[int], dict[str, Any]], record_id: int) -> dict[str, Any] | None:
    try:
        return get(record_id)
    except NotFound:
        st.error(f"{kind} {record_id} was not found: it may belong to another team.", icon=":material/search_off:")
    except LeadcoreError as e:
        st.error(f"This {kind.lower()} could not be opened: {md(e)}")
    return None


def contacts_page(actor: Actor) -> None:
    st.title("Contacts", anchor=False)
    if (rid := record_id()) is None:
        st.caption("People imported from your team's leads.")
        listing("contacts", "contacts",
                lambda q, offset: records.list_contacts(uow(), actor, q=q, offset=offset, limit=PAGE_SIZE),
                {"name": "Name", "email": "Email", "job_title": "Title", "company_name": "Company",
                 "location": "Location", "phone": "Phone"}, "Name, email, title, company or location")
        return
    st.page_link(nav.page("contacts"), label="All contacts", icon=":material/arrow_back:")
    rec = open_record("Contact", lambda i: records.get_contact(uow(), actor, i), rid)
    if rec is None:
        return
    st.header(rec["name"] or rec["email"] or f"Contact {rec['id']}", anchor=False)
    left, right = st.columns([3, 2], gap="large")
    with left:
        fields_table(rec, {"email": "Email", "phone": "Phone", "job_title": "Title", "location": "Location",
                           "linkedin_url": "LinkedIn", "created_at": "Created"})
    with right:
        if rec["company_id"]:
            st.subheader("Company", anchor=False)
            st.page_link(nav.page("companies"), label=rec["company_name"] or f"Company {rec['company_id']}",
                         query_params={"id": str(rec["company_id"])}, icon=":material/domain:")
        source_leads(rec["leads"])


def companies_page(actor: Actor) -> None:
    st.title("Companies", anchor=False)
    if (rid := record_id()) is None:
        st.caption("Companies imported from your team's leads, with their people.")
        listing("companies", "companies",
                lambda q, offset: records.list_companies(uow(), actor, q=q, offset=offset, limit=PAGE_SIZE),
                {"name": "Name", "domain": "Domain", "industry": "Industry", "headquarters": "Headquarters",
                 "contacts": "People"}, "Name, domain, industry or headquarters")
        return
    st.page_link(nav.page("companies"), label="All companies", icon=":material/arrow_back:")
    rec = open_record("Company", lambda i: records.get_company(uow(), actor, i), rid)
    if rec is None:
        return
    st.header(rec["name"], anchor=False)
    left, right = st.columns([3, 2], gap="large")
    with left:
        fields_table(rec, {"domain": "Domain", "website": "Website", "industry": "Industry",
                           "headquarters": "Headquarters", "phone": "Phone", "linkedin_url": "LinkedIn",
                           "created_at": "Created"})
        st.subheader(f"People ({len(rec['people'])})", anchor=False)
        if not rec["people"]:
            st.caption("No contacts at this company yet.")
        for person in rec["people"]:
            label = (person["name"] or person["email"] or f"Contact {person['id']}") + (
                f" · {person['job_title']}" if person["job_title"] else "")
            st.page_link(nav.page("contacts"), label=label, query_params={"id": str(person["id"])},
                         icon=":material/person:")
    with right:
        source_leads(rec["leads"])
