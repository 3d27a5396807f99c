"""Apollo.io people and organization search, mapped to candidate leads.

People: ``POST /api/v1/mixed_people/search`` — the endpoint that returns full person records (name,
LinkedIn, email when unlocked). Apollo's newer ``/mixed_people/api_search`` is free but returns
obfuscated last names and no LinkedIn URLs, which are not leads; the mapper still reads that shape.
Organizations: ``POST /api/v1/mixed_companies/search``. The key travels in the ``X-Api-Key`` header.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from leadcore.discovery.providers.base import SearchQuery, clean, join_place
from leadcore.discovery.providers.http import KeyedProvider
from leadcore.intake.candidates import LeadCandidate

PEOPLE_PATH = "/api/v1/mixed_people/search"
ORGANIZATIONS_PATH = "/api/v1/mixed_companies/search"
MAX_PER_PAGE = 100  # Apollo's documented ceiling
KEY_SETTING = "LEADCORE_APOLLO_API_KEY"

# Apollo returns these instead of an address it has not revealed to the caller's plan.
_LOCKED_EMAIL = re.compile(r"(?i)^(email_not_unlocked|not_unlocked|unavailable)@|@domain\.com$")


class ApolloProvider(KeyedProvider):
    """Apollo.io people (mode 'individual') and organization (mode 'company') search."""

    name = "apollo"
    label = "Apollo.io"
    is_demo = False

    key_setting = KEY_SETTING

    @property
    def _base(self) -> str:
        return self.settings.apollo_base_url.rstrip("/")

    def search(self, query: SearchQuery) -> Iterator[list[LeadCandidate]]:
        """Pages of people or organizations, ``per_page`` fixed so Apollo's page numbers stay aligned."""
        return self._pages(query.validated())

    def _pages(self, query: SearchQuery) -> Iterator[list[LeadCandidate]]:
        per_page = min(self.settings.provider_page_size, query.limit, MAX_PER_PAGE)
        company = query.mode == "company"
        url = self._base + (ORGANIZATIONS_PATH if company else PEOPLE_PATH)
        headers = {
            "X-Api-Key": self._api_key,
            "Content-Type": "application/json",
            "Cache-Control": "no-cache",
            "Accept": "application/json",
        }
        remaining = query.limit
        for page in range(1, self.settings.provider_page_cap + 1):
            body = search_body(query, page=page, per_page=per_page)
            data = self._http.request_json("POST", url, json=body, headers=headers)
            data = data if isinstance(data, dict) else {}
            if company:
                records = _records(data, "accounts") + _records(data, "organizations")
                candidates = [organization_candidate(r) for r in records]
            else:
                records = _records(data, "contacts") + _records(data, "people")
                candidates = [person_candidate(r) for r in records]
            candidates = candidates[:remaining]
            if candidates:
                yield candidates
            remaining -= len(candidates)
            if remaining <= 0 or len(records) < per_page or _last_page(data, page):
                return


def search_body(query: SearchQuery, *, page: int, per_page: int) -> dict[str, Any]:
    """The JSON body Apollo's search endpoints take for ``query``."""
    body: dict[str, Any] = {"page": page, "per_page": per_page}
    tags = [query.industry] if query.industry else []
    if query.mode == "company":
        body["q_organization_keyword_tags"] = [query.text, *tags]
        if query.location:
            body["organization_locations"] = [query.location]
    else:
        body["q_keywords"] = query.text
        if tags:
            body["q_organization_keyword_tags"] = tags
        if query.location:
            body["person_locations"] = [query.location]
    if query.tech_stack:
        # Apollo technology uids are lowercase names with underscores ('google_analytics').
        body["currently_using_any_of_technology_uids"] = [
            re.sub(r"[^a-z0-9]+", "_", tech.lower()).strip("_") for tech in query.tech_list()
        ]
    return body


def person_candidate(record: dict[str, Any]) -> LeadCandidate:
    """An INDIVIDUAL lead from an Apollo person (or contact) record; raw_data is the record."""
    org = _dict(record.get("organization"))
    first, last = clean(record.get("first_name")), clean(record.get("last_name"))
    name = clean(record.get("name")) or clean(" ".join(p for p in (first, last) if p))
    phone = None
    numbers = record.get("phone_numbers")
    if isinstance(numbers, list) and numbers and isinstance(numbers[0], dict):
        phone = clean(numbers[0].get("sanitized_number")) or clean(numbers[0].get("raw_number"))
    return LeadCandidate(
        type="INDIVIDUAL",
        lead_name=name,
        email=_email(record.get("email")),
        # The company switchboard (organization.phone) is not this person's number; it stays in raw_data.
        phone=phone,
        job_title=clean(record.get("title")),
        company=clean(org.get("name")) or clean(record.get("organization_name")),
        location=join_place(record.get("city"), record.get("state"), record.get("country")),
        industry=clean(org.get("industry")),
        website=clean(org.get("website_url")) or clean(org.get("primary_domain")),
        linkedin_url=clean(record.get("linkedin_url")),
        raw_data=record,
    )


def organization_candidate(record: dict[str, Any]) -> LeadCandidate:
    """A COMPANY lead from an Apollo organization (or account) record; raw_data is the record."""
    industries = record.get("industries")
    industry = clean(record.get("industry"))
    if not industry and isinstance(industries, list) and industries:
        industry = clean(industries[0])
    place = join_place(record.get("city"), record.get("state"), record.get("country"))
    primary_phone = _dict(record.get("primary_phone"))
    return LeadCandidate(
        type="COMPANY",
        lead_name=clean(record.get("name")),
        phone=clean(record.get("phone")) or clean(primary_phone.get("number")),
        company=clean(record.get("name")),
        location=place,
        headquarters=clean(record.get("raw_address")) or place,
        industry=industry,
        website=clean(record.get("website_url")) or clean(record.get("primary_domain")),
        linkedin_url=clean(record.get("linkedin_url")),
        raw_data=record,
    )


def _email(value: Any) -> str | None:
    email = clean(value)
    if not email or "@" not in email or _LOCKED_EMAIL.search(email):
        return None
    return email


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _records(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key)
    return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []


def _last_page(data: dict[str, Any], page: int) -> bool:
    pagination = data.get("pagination")
    total_pages = pagination.get("total_pages") if isinstance(pagination, dict) else None
    return isinstance(total_pages, int) and page >= total_pages
