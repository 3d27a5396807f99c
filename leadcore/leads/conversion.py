"""Import good leads as contacts and companies: atomic and idempotent (importing twice returns the same records)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from leadcore import events
from leadcore.accounts.actors import Actor, can_edit_lead, ensure_can_edit
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Company, Contact, Lead
from leadcore.errors import NotFound


@dataclass(frozen=True)
class ImportResult:
    lead_id: int
    contact_id: int | None
    company_id: int | None
    created_contact: bool
    created_company: bool
    already_imported: bool


@dataclass
class BulkImportResult:
    imported: int = 0
    already: int = 0
    refused: int = 0
    not_found: int = 0
    results: list[ImportResult] = field(default_factory=list)


def _company_for(session: Session, actor: Actor, lead: Lead) -> tuple[Company | None, bool]:
    """The team's company for this lead: matched by domain first, then by exact name; created when missing."""
    name = lead.lead_name if lead.type == "COMPANY" else lead.company
    if not name and not lead.domain:
        return None, False
    if lead.domain:
        found = session.scalar(select(Company).where(Company.team_id == actor.team_id, Company.domain == lead.domain))
        if found:
            return found, False
    elif name:
        found = session.scalar(
            select(Company).where(Company.team_id == actor.team_id, Company.name == name).order_by(Company.id).limit(1)
        )
        if found:
            return found, False
    company = Company(
        team_id=actor.team_id,
        name=name or lead.domain or "",
        domain=lead.domain,
        website=lead.website,
        linkedin_url=lead.linkedin_url if lead.type == "COMPANY" else None,
        industry=lead.industry,
        headquarters=lead.headquarters or (lead.location if lead.type == "COMPANY" else None),
        phone=lead.phone if lead.type == "COMPANY" else None,
        source_lead_id=lead.id,
        created_by=actor.user_id,
    )
    try:
        with session.begin_nested():
            session.add(company)
            session.flush()
    except IntegrityError:
        # Another import created the same company a moment ago: use it.
        found = session.scalar(select(Company).where(Company.team_id == actor.team_id, Company.domain == lead.domain))
        return found, False
    return company, True


def import_in_session(session: Session, actor: Actor, lead: Lead) -> ImportResult:
    """Import one loaded lead inside the caller's transaction."""
    ensure_can_edit(actor, lead.id, lead.owner_id)
    if lead.imported:
        return ImportResult(lead.id, lead.imported_contact_id, lead.imported_company_id, False, False, True)
    company, created_company = _company_for(session, actor, lead)
    contact, created_contact = None, False
    if lead.type == "INDIVIDUAL":
        contact = session.scalar(select(Contact).where(Contact.source_lead_id == lead.id))
        if contact is None:
            contact = Contact(
                team_id=actor.team_id,
                name=lead.lead_name,
                email=lead.email,
                phone=lead.phone,
                job_title=lead.job_title,
                location=lead.location,
                linkedin_url=lead.linkedin_url,
                company_id=company.id if company else None,
                source_lead_id=lead.id,
                created_by=actor.user_id,
            )
            session.add(contact)
            session.flush()
            created_contact = True
    before = lead.status
    lead.imported = True
    lead.imported_at = datetime.now(UTC)
    lead.imported_contact_id = contact.id if contact else None
    lead.imported_company_id = company.id if company else None
    lead.status = "IMPORTED"
    lead.touch()
    events.record(
        session,
        lead_id=lead.id,
        team_id=lead.team_id,
        actor=actor,
        kind="imported",
        data={
            "contact_id": lead.imported_contact_id,
            "company_id": lead.imported_company_id,
            "created_contact": created_contact,
            "created_company": created_company,
            "status_from": before,
        },
    )
    session.flush()
    return ImportResult(lead.id, lead.imported_contact_id, lead.imported_company_id, created_contact,
                        created_company, False)


def _load_locked(session: Session, actor: Actor, lead_id: int) -> Lead | None:
    q = select(Lead).where(Lead.id == lead_id, Lead.team_id == actor.team_id)
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    return session.scalar(q)


def import_lead(uow: UnitOfWork, actor: Actor, lead_id: int) -> ImportResult:
    """Import one lead as a contact (and its company) or, for a COMPANY lead, as a company."""
    with uow:
        uow.writing()
        lead = _load_locked(uow.session, actor, lead_id)
        if lead is None:
            raise NotFound(f"Lead {lead_id} was not found")
        result = import_in_session(uow.session, actor, lead)
        uow.commit()
    return result


def bulk_import(uow: UnitOfWork, actor: Actor, ids: list[int]) -> BulkImportResult:
    """Import many leads in one transaction; leads the actor may not edit are refused."""
    out = BulkImportResult()
    with uow:
        uow.writing()
        s = uow.session
        for lead_id in dict.fromkeys(ids):
            lead = _load_locked(s, actor, lead_id)
            if lead is None:
                out.not_found += 1
                continue
            if not can_edit_lead(actor, lead.owner_id):
                out.refused += 1
                continue
            r = import_in_session(s, actor, lead)
            out.results.append(r)
            if r.already_imported:
                out.already += 1
            else:
                out.imported += 1
        uow.commit()
    return out
