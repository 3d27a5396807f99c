"""/api/contacts and /api/companies: what imported leads became, with search, pages and where each came from."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from leadcore.api.auth import ActorDep, DbDep
from leadcore.api.docs import errors_doc
from leadcore.api.schemas import INT32_MAX, OutModel
from leadcore.directory import records

router = APIRouter(tags=["contacts"])
RecordId = Annotated[int, Path(alias="id", ge=1, le=INT32_MAX, description="The record's id.")]
SearchText = Annotated[str | None, Query(max_length=200, description="Free text (name, email, title, company …).")]
Offset = Annotated[int, Query(ge=0, le=INT32_MAX)]
Limit = Annotated[int, Query(ge=1, le=records.MAX_PAGE)]


class ContactOut(OutModel):
    id: int
    name: str | None
    email: str | None
    phone: str | None
    job_title: str | None
    location: str | None
    linkedin_url: str | None
    company_id: int | None
    company_name: str | None = None
    source_lead_id: int | None
    created_at: datetime


class CompanyOut(OutModel):
    id: int
    name: str
    domain: str | None
    website: str | None
    linkedin_url: str | None
    industry: str | None
    headquarters: str | None
    phone: str | None
    source_lead_id: int | None
    created_at: datetime
    contacts: int | None = None


class SourceLeadOut(OutModel):
    id: int
    lead_name: str | None
    email: str | None
    status: str
    search_query: str | None
    imported_at: datetime | None


class ContactDetail(ContactOut):
    leads: list[SourceLeadOut]


class CompanyDetail(CompanyOut):
    people: list[ContactOut]
    leads: list[SourceLeadOut]


class ContactPage(OutModel):
    items: list[ContactOut]
    total: int
    offset: int
    limit: int


class CompanyPage(OutModel):
    items: list[CompanyOut]
    total: int
    offset: int
    limit: int


def _page(page: records.Page) -> dict[str, Any]:
    return {"items": page.items, "total": page.total, "offset": page.offset, "limit": page.limit}


@router.get("/api/contacts", response_model=ContactPage, summary="Contacts", responses=errors_doc(401, 422))
def list_contacts(actor: ActorDep, db: DbDep, q: SearchText = None, offset: Offset = 0, limit: Limit = 50,
                  company_id: Annotated[int | None, Query(alias="companyId", ge=1, le=INT32_MAX)] = None
                  ) -> dict[str, Any]:
    """The team's contacts by name; ``q`` searches name, email, title, location and company; ``companyId`` narrows
    to the people at one company."""
    return _page(records.list_contacts(db.uow(), actor, q=q, company_id=company_id, offset=offset, limit=limit))


@router.get("/api/contacts/{id}", response_model=ContactDetail, summary="One contact",
            responses=errors_doc(401, 404, 422))
def get_contact(contact_id: RecordId, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    """A contact with its company and the lead it was imported from; another team's answers 404."""
    return records.get_contact(db.uow(), actor, contact_id)


@router.get("/api/companies", response_model=CompanyPage, summary="Companies", responses=errors_doc(401, 422))
def list_companies(actor: ActorDep, db: DbDep, q: SearchText = None, offset: Offset = 0, limit: Limit = 50
                   ) -> dict[str, Any]:
    """The team's companies by name, with how many people each has; ``q`` searches name, domain, industry and
    headquarters."""
    return _page(records.list_companies(db.uow(), actor, q=q, offset=offset, limit=limit))


@router.get("/api/companies/{id}", response_model=CompanyDetail, summary="One company",
            responses=errors_doc(401, 404, 422))
def get_company(company_id: RecordId, actor: ActorDep, db: DbDep) -> dict[str, Any]:
    """A company with its people and the leads it came from; another team's answers 404."""
    return records.get_company(db.uow(), actor, company_id)
