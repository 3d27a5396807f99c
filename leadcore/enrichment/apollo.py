"""Apollo.io as an enricher: People Enrichment for a person, Organization Enrichment for a company.

``POST /api/v1/people/match`` with the name, employer domain or name, email and LinkedIn URL we know answers
``{"person": {"email", "email_status", "title", "linkedin_url", "city", "state", "country", "phone_numbers",
"organization": {"industry", "website_url", ...}}}`` (``"person": null`` when nothing matches).
``GET /api/v1/organizations/enrich?domain=…`` answers ``{"organization": {"industry", "phone", "linkedin_url",
"website_url", "city", "state", "country", "estimated_num_employees", ...}}``. The key travels in the
``X-Api-Key`` header; 429 is the per-minute rate limit (retried, honouring Retry-After); 402 means the plan's
credits are used up (not retried).
"""

from __future__ import annotations

from typing import Any

from leadcore.discovery.providers.apollo import KEY_SETTING
from leadcore.discovery.providers.base import clean, join_place
from leadcore.discovery.providers.http import KeyedProvider
from leadcore.enrichment.base import Findings, LeadFacts

PEOPLE_MATCH_PATH = "/api/v1/people/match"
ORGANIZATION_ENRICH_PATH = "/api/v1/organizations/enrich"
PERSON_FIELDS = frozenset({"email", "phone", "linkedin_url", "job_title", "industry", "location"})
COMPANY_FIELDS = frozenset({"phone", "linkedin_url", "industry", "location", "website"})
# Apollo's email_status → confidence; an address it only guessed is below the threshold.
_EMAIL_STATUS = {"verified": 0.95, "likely to engage": 0.8, "extrapolated": 0.6, "guessed": 0.5,
                 "unavailable": None, "bounced": None}
MATCH_CONFIDENCE = 0.9  # a record Apollo matched on name and employer


class ApolloEnricher(KeyedProvider):
    """People match (INDIVIDUAL) and organization enrich (COMPANY), 1 credit a lookup."""

    name = "apollo"
    label = "Apollo.io"
    credit_cost = 1

    key_setting = KEY_SETTING
    quota_statuses = frozenset({402})

    def fields_for(self, lead_type: str) -> frozenset[str]:
        return COMPANY_FIELDS if lead_type == "COMPANY" else PERSON_FIELDS

    def can_identify(self, lead: LeadFacts) -> bool:
        if lead.type == "COMPANY":
            return lead.domain is not None
        return bool(lead.email or lead.linkedin_url or (lead.lead_name and (lead.domain or lead.company)))

    def _headers(self) -> dict[str, str]:
        return {"X-Api-Key": self._api_key, "Content-Type": "application/json", "Cache-Control": "no-cache",
                "Accept": "application/json"}

    def lookup(self, lead: LeadFacts) -> Findings:
        if not self.can_identify(lead):
            return {}
        base = self.settings.apollo_base_url.rstrip("/")
        if lead.type == "COMPANY":
            body = self._http.request_json("GET", base + ORGANIZATION_ENRICH_PATH, params={"domain": lead.domain},
                                           headers=self._headers())
            org = body.get("organization") if isinstance(body, dict) else None
            return organization_findings(org) if isinstance(org, dict) else {}
        body = self._http.request_json("POST", base + PEOPLE_MATCH_PATH, json=match_body(lead),
                                       headers=self._headers())
        person = body.get("person") if isinstance(body, dict) else None
        return person_findings(person) if isinstance(person, dict) else {}


def match_body(lead: LeadFacts) -> dict[str, Any]:
    """What we know of a person, as People Enrichment takes it (personal emails and phones are not revealed)."""
    first, last = lead.name_parts()
    body: dict[str, Any] = {"reveal_personal_emails": False, "reveal_phone_number": False}
    for key, value in (("first_name", first), ("last_name", last), ("name", lead.lead_name),
                       ("organization_name", lead.company), ("domain", lead.domain), ("email", lead.email),
                       ("linkedin_url", lead.linkedin_url)):
        if value:
            body[key] = value
    return body


def person_findings(person: dict[str, Any]) -> Findings:
    out: Findings = {}
    email = clean(person.get("email"))
    status = clean(person.get("email_status"))
    email_confidence = _EMAIL_STATUS.get(status.lower(), 0.7) if status else 0.7
    if email and "@" in email and email_confidence is not None and not email.lower().startswith(
            ("email_not_unlocked@", "not_unlocked@")):
        out["email"] = (email, email_confidence)
    numbers = person.get("phone_numbers")
    if isinstance(numbers, list) and numbers and isinstance(numbers[0], dict):
        phone = clean(numbers[0].get("sanitized_number")) or clean(numbers[0].get("raw_number"))
        if phone:
            out["phone"] = (phone, MATCH_CONFIDENCE)
    org = person.get("organization")
    org = org if isinstance(org, dict) else {}
    for field, value in (("linkedin_url", clean(person.get("linkedin_url"))), ("job_title", clean(person.get("title"))),
                         ("industry", clean(org.get("industry"))),
                         ("location", join_place(person.get("city"), person.get("state"), person.get("country")))):
        if value:
            out[field] = (value, MATCH_CONFIDENCE)
    return out


def organization_findings(org: dict[str, Any]) -> Findings:
    out: Findings = {}
    primary = org.get("primary_phone")
    phone = clean(org.get("phone")) or (clean(primary.get("number")) if isinstance(primary, dict) else None)
    industry = clean(org.get("industry"))
    industries = org.get("industries")
    if not industry and isinstance(industries, list) and industries:
        industry = clean(industries[0])
    for field, value in (("phone", phone), ("linkedin_url", clean(org.get("linkedin_url"))), ("industry", industry),
                         ("location", join_place(org.get("city"), org.get("state"), org.get("country"))),
                         ("website", clean(org.get("website_url")))):
        if value:
            out[field] = (value, MATCH_CONFIDENCE)
    return out
