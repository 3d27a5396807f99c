"""Reading the team's contacts and companies: a searched, paged list and one record with where it came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_, select

from leadcore.accounts.actors import Actor
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Company, Contact, Lead
from leadcore.errors import InvalidInput, NotFound
from leadcore.inputs import has_nul

MAX_PAGE = 200
CONTACT_FIELDS = ("id", "name", "email", "phone", "job_title", "location", "linkedin_url", "company_id",
                  "source_lead_id", "created_at")
COMPANY_FIELDS = ("id", "name", "domain", "website", "linkedin_url", "industry", "headquarters", "phone",
                  "source_lead_id", "created_at")


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    offset: int
    limit: int


def _search(term: str | None, *columns: Any) -> ColumnElement[bool] | None:
    term = (term or "").strip()
    if not term:
        return None
    if len(term) > 200 or has_nul(term):
        raise InvalidInput("Search text is limited to 200 characters of text", field="q")
    pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(*(c.ilike(pattern, escape="\\") for c in columns))


def _page(uow: UnitOfWork, q: Any, where: list[ColumnElement[bool]], order: list[Any], offset: int,
          limit: int, row: Any) -> Page:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    if offset < 0:
        raise InvalidInput("offset must be 0 or more", field="offset")
    with uow:
        s = uow.session
        total = int(s.scalar(select(func.count()).select_from(q.where(*where).subquery())) or 0)
        rows = s.execute(q.where(*where).order_by(*order).offset(offset).limit(limit)).all()
        return Page([row(r) for r in rows], total, offset, limit)


def list_contacts(uow: UnitOfWork, actor: Actor, *, q: str | None = None, company_id: int | None = None,
                  offset: int = 0, limit: int = 50) -> Page:
    """The team's contacts, by name, with their company's name; ``q`` searches name, email, title, location and the
    company's name."""
    query = select(Contact, Company.name).join(Company, Company.id == Contact.company_id, isouter=True)
    where: list[ColumnElement[bool]] = [Contact.team_id == actor.team_id]
    if (found := _search(q, Contact.name, Contact.email, Contact.job_title, Contact.location, Company.name)) \
            is not None:
        where.append(found)
    if company_id is not None:
        where.append(Contact.company_id == company_id)

    def row(r: Any) -> dict[str, Any]:
        return {k: getattr(r[0], k) for k in CONTACT_FIELDS} | {"company_name": r[1]}

    return _page(uow, query, where, [func.lower(func.coalesce(Contact.name, Contact.email, "")), Contact.id],
                 offset, limit, row)


def list_companies(uow: UnitOfWork, actor: Actor, *, q: str | None = None, offset: int = 0, limit: int = 50) -> Page:
    """The team's companies, by name, with how many contacts each has; ``q`` searches name, domain, industry and
    headquarters."""
    people = select(func.count()).where(Contact.company_id == Company.id).scalar_subquery()
    query = select(Company, people.label("contacts"))
    where: list[ColumnElement[bool]] = [Company.team_id == actor.team_id]
    if (found := _search(q, Company.name, Company.domain, Company.industry, Company.headquarters)) is not None:
        where.append(found)

    def row(r: Any) -> dict[str, Any]:
        return {k: getattr(r[0], k) for k in COMPANY_FIELDS} | {"contacts": int(r[1])}

    return _page(uow, query, where, [func.lower(Company.name), Company.id], offset, limit, row)


def _leads(uow: UnitOfWork, where: ColumnElement[bool]) -> list[dict[str, Any]]:
    rows = uow.session.execute(select(Lead.id, Lead.lead_name, Lead.email, Lead.status, Lead.search_query,
                                      Lead.imported_at).where(where).order_by(Lead.id).limit(100)).all()
    return [dict(r._mapping) for r in rows]


def get_contact(uow: UnitOfWork, actor: Actor, contact_id: int) -> dict[str, Any]:
    """One contact with its company and the lead it was imported from."""
    with uow:
        c = uow.session.get(Contact, contact_id)
        if c is None or c.team_id != actor.team_id:
            raise NotFound(f"Contact {contact_id} was not found")
        company = uow.session.get(Company, c.company_id) if c.company_id else None
        source = Lead.id == c.source_lead_id if c.source_lead_id else false()
        return {k: getattr(c, k) for k in CONTACT_FIELDS} | {
            "company_name": company.name if company else None,
            "leads": _leads(uow, source),
        }


def get_company(uow: UnitOfWork, actor: Actor, company_id: int) -> dict[str, Any]:
    """One company with its people and the leads it came from (its own lead and its contacts' leads)."""
    with uow:
        c = uow.session.get(Company, company_id)
        if c is None or c.team_id != actor.team_id:
            raise NotFound(f"Company {company_id} was not found")
        people = uow.session.scalars(select(Contact).where(Contact.company_id == c.id)
                                     .order_by(func.lower(func.coalesce(Contact.name, "")), Contact.id)).all()
        came_from = or_(Lead.imported_company_id == c.id, Lead.id == c.source_lead_id if c.source_lead_id else false())
        return {k: getattr(c, k) for k in COMPANY_FIELDS} | {
            "people": [{k: getattr(p, k) for k in CONTACT_FIELDS} for p in people],
            "leads": _leads(uow, and_team(came_from, actor.team_id)),
        }


def and_team(where: ColumnElement[bool], team_id: int) -> ColumnElement[bool]:
    return (Lead.team_id == team_id) & where
