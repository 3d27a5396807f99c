"""The offline demo provider: realistic, deterministic leads from a fixed synthetic universe.

Results are drawn from the universe in demo_universe.py and ranked by fit, so the same search returns
the same leads and similar searches share many of them. Surface forms (LinkedIn URL shape, email
case, phone spacing) vary by search, the way real sources disagree, so dedupe has work to do.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from itertools import islice
from typing import Any

from leadcore.config import Settings
from leadcore.config import settings as default_settings
from leadcore.discovery.providers.base import SearchQuery
from leadcore.discovery.providers.demo_data import CITIES, INDUSTRIES
from leadcore.discovery.providers.demo_query import Plan, plan
from leadcore.discovery.providers.demo_universe import (
    SENIORITY_LABELS,
    Company,
    Person,
    custom_cell,
    digest,
    fill_digits,
    has_role,
    holders,
    known_companies,
    person,
)
from leadcore.intake.candidates import LeadCandidate

PEOPLE_PER_COMPANY = 4


class DemoProvider:
    """Offline demo data; labelled as such wherever it is shown."""

    name = "demo"
    label = "Demo data (offline)"
    is_demo = True

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or default_settings()

    def search(self, query: SearchQuery) -> Iterator[list[LeadCandidate]]:
        """Pages of ``provider_page_size`` candidates, at most ``limit`` (and the page cap) in total."""
        query = query.validated()
        size = self.settings.provider_page_size
        total = min(query.limit, size * self.settings.provider_page_cap)
        return _pages(islice(candidates(query), total), size)


def _pages(items: Iterator[LeadCandidate], size: int) -> Iterator[list[LeadCandidate]]:
    while page := list(islice(items, size)):
        yield page


def query_seed(query: SearchQuery) -> str:
    """A stable fingerprint of the normalized query fields (hashlib, never the salted hash())."""
    fields = [
        query.text.casefold(),
        query.mode,
        (query.location or "").casefold(),
        (query.industry or "").casefold(),
        ",".join(sorted(t.casefold() for t in query.tech_list())),
    ]
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


def candidates(query: SearchQuery) -> Iterator[LeadCandidate]:
    """Every matching candidate, best first (an unbounded-ish generator; callers slice it)."""
    the_plan = plan(query)
    seed = query_seed(query)
    for company in matching_companies(the_plan):
        if query.mode == "company":
            yield company_candidate(company, seed)
            continue
        # A few stakeholders per account, so similar searches reach the same accounts and people.
        # Among equally good titles the pick depends on the company, never on the query.
        staff = [
            (slot.fit, digest("pick", company.id, slot.title, n), slot, n)
            for slot in the_plan.slots
            if has_role(company, slot.title, slot.level)
            for n in range(holders(slot.level))
        ]
        picked = sorted(sorted(staff, key=lambda s: s[:2])[:PEOPLE_PER_COMPANY], key=lambda s: (s[0], -s[2].level))
        for _, _, slot, n in picked:
            yield person_candidate(person(company, slot.function, slot.level, slot.title, n), seed)


def matching_companies(the_plan: Plan) -> list[Company]:
    """Companies in the wanted places and industries, those using the wanted tech first."""
    cities = the_plan.cities
    industries = the_plan.industries
    city_labels = {c.label for c in cities} if cities is not None else None
    industry_keys = {i.key for i in industries}
    known_city = {c.label for c in CITIES}
    known_industry = {i.key for i in INDUSTRIES}
    pool = [
        c for c in known_companies()
        if (city_labels is None or c.city.label in city_labels)
        and (not industry_keys or c.industry.key in industry_keys)
    ]
    for city in cities if cities is not None else CITIES:
        for industry in industries or INDUSTRIES:
            if city.label not in known_city or industry.key not in known_industry:
                pool.extend(custom_cell(city, industry))

    def tech_hits(company: Company) -> int:
        used = {t.casefold() for t in company.technologies}
        return sum(1 for t in the_plan.tech if t in used)

    return sorted(pool, key=lambda c: (-tech_hits(c), c.rank))


def _variant(seed: str, record_id: str, choices: int) -> int:
    return digest("variant", seed, record_id) % choices


def person_candidate(p: Person, seed: str) -> LeadCandidate:
    """An INDIVIDUAL candidate for ``p`` as this search's source happens to spell it."""
    company = p.company
    email = p.email
    if _variant(seed, p.id + "email", 10) < 3:  # some sources capitalise the local part
        local, _, domain = email.partition("@")
        email = ".".join(part.capitalize() for part in local.split(".")) + "@" + domain
    phone = p.phone
    if phone and _variant(seed, p.id + "phone", 10) < 3:
        phone = phone.replace(" ", "").replace("-", "")
    linkedin = None
    if p.linkedin_slug:
        host = ["www.linkedin.com", "linkedin.com", "www.linkedin.com", "www.linkedin.com"][
            _variant(seed, p.id + "li-host", 4)
        ]
        trailing = "/" if _variant(seed, p.id + "li-slash", 3) == 0 else ""
        linkedin = f"https://{host}/in/{p.linkedin_slug}{trailing}"
    website = _website(company, seed)
    raw: dict[str, Any] = {
        "source": "demo",
        "id": p.id,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "title": p.title,
        "seniority": SENIORITY_LABELS[p.level],
        "department": p.function,
        "email_type": "personal" if p.personal_email else "work",
        "organization": _company_raw(company),
        "tech_stack": list(company.technologies),
    }
    return LeadCandidate(
        type="INDIVIDUAL",
        lead_name=f"{p.first_name} {p.last_name}",
        email=email,
        phone=phone,
        job_title=p.title,
        company=company.name,
        location=company.city.label,
        industry=company.industry.label,
        website=website,
        linkedin_url=linkedin,
        raw_data=raw,
    )


def company_candidate(company: Company, seed: str) -> LeadCandidate:
    """A COMPANY candidate for ``company``; headcount, founding year and tech stay in raw_data."""
    trailing = "/" if _variant(seed, company.id + "li-slash", 3) == 0 else ""
    has_phone = bool(company.city.phone) and digest("hq-phone", company.id) % 10 < 7
    return LeadCandidate(
        type="COMPANY",
        lead_name=company.name,
        email=f"hello@{company.domain}" if digest("hq-mail", company.id) % 3 == 0 else None,
        phone=_hq_phone(company) if has_phone else None,
        company=company.name,
        location=company.city.label,
        headquarters=company.city.label,
        industry=company.industry.label,
        website=_website(company, seed),
        linkedin_url=f"https://www.linkedin.com/company/{company.linkedin_slug}{trailing}",
        raw_data={"source": "demo", **_company_raw(company)},
    )


def _website(company: Company, seed: str) -> str:
    forms = ["https://www.{d}", "https://{d}", "http://www.{d}/", "{d}", "https://www.{d}/"]
    return forms[_variant(seed, company.id + "web", len(forms))].format(d=company.domain)


def _hq_phone(company: Company) -> str:
    return fill_digits(company.city.phone, random.Random(digest("hq-phone-digits", company.id)))


def _company_raw(company: Company) -> dict[str, Any]:
    return {
        "id": company.id,
        "name": company.name,
        "domain": company.domain,
        "industry": company.industry.label,
        "headcount": company.headcount,
        "founded_year": company.founded,
        "technologies": list(company.technologies),
        "headquarters": company.city.label,
        "description": company.description,
        "linkedin_url": f"https://www.linkedin.com/company/{company.linkedin_slug}",
    }
