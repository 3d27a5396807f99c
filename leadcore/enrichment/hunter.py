"""Hunter.io as an enricher: the Email Finder for a person's work address, confirmed by the Email Verifier.

``GET /v2/email-finder?domain=…&first_name=…&last_name=…`` (``company=…`` when there is no domain) answers
``{"data": {"email", "score" 0–100, "position", "linkedin_url", "phone_number", "verification": {"status"}}}``;
``GET /v2/email-verifier?email=…`` answers ``{"data": {"status": "valid" | "invalid" | "accept_all" | "webmail" |
"disposable" | "unknown", "score"}}``. The verifier is asked only when the finder's score is below the confidence
threshold and the finder did not verify the address itself. The key travels in the ``X-API-KEY`` header; Hunter
answers 403 for "too many requests per second" (retried, honouring Retry-After) and 429 for "the month's usage is
used up" (not retried).
"""

from __future__ import annotations

from typing import Any

from leadcore.discovery.providers.base import clean
from leadcore.discovery.providers.http import KeyedProvider
from leadcore.discovery.providers.hunter import KEY_SETTING
from leadcore.enrichment.base import CONFIDENT, Findings, LeadFacts

FINDER_PATH = "/v2/email-finder"
VERIFIER_PATH = "/v2/email-verifier"
PERSON_FIELDS = frozenset({"email", "job_title", "linkedin_url", "phone"})
# Verifier status → confidence in the address (None: do not use it at all).
_VERIFIED = {"valid": 0.97, "accept_all": 0.6, "webmail": 0.75, "unknown": 0.5, "invalid": None, "disposable": None}


class HunterEnricher(KeyedProvider):
    """People only: Hunter finds a person's address at a company (1 credit a lookup, verification included)."""

    name = "hunter"
    label = "Hunter.io"
    credit_cost = 1

    key_setting = KEY_SETTING
    rate_limit_statuses = frozenset({403})
    quota_statuses = frozenset({429})

    def fields_for(self, lead_type: str) -> frozenset[str]:
        return frozenset() if lead_type == "COMPANY" else PERSON_FIELDS

    def can_identify(self, lead: LeadFacts) -> bool:
        first, last = lead.name_parts()
        return bool(first and last and (lead.domain or lead.company))

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        url = self.settings.hunter_base_url.rstrip("/") + path
        body = self._http.request_json("GET", url, params=params,
                                       headers={"X-API-KEY": self._api_key, "Accept": "application/json"})
        data = body.get("data") if isinstance(body, dict) else None
        return data if isinstance(data, dict) else {}

    def lookup(self, lead: LeadFacts) -> Findings:
        first, last = lead.name_parts()
        if not self.can_identify(lead) or first is None or last is None:
            return {}
        params = {"first_name": first, "last_name": last}
        if lead.domain:
            params["domain"] = lead.domain
        else:
            params["company"] = lead.company or ""
        data = self._get(FINDER_PATH, params)
        email = clean(data.get("email"))
        if not email or "@" not in email:
            return {}
        score = data.get("score")
        confidence = score / 100 if isinstance(score, int | float) and not isinstance(score, bool) else 0.5
        verification = data.get("verification")
        status = verification.get("status") if isinstance(verification, dict) else None
        if status is None and confidence < CONFIDENT:
            status = self._get(VERIFIER_PATH, {"email": email}).get("status")
        if isinstance(status, str) and status in _VERIFIED:
            verified = _VERIFIED[status]
            if verified is None:
                return {}  # Hunter itself says the address bounces or is throwaway
            confidence = max(confidence, verified) if status == "valid" else min(confidence, verified)
        confidence = round(min(max(confidence, 0.0), 1.0), 2)
        out: Findings = {"email": (email, confidence)}
        # The other fields come from the same person record: as sure as the match itself.
        for field, key in (("job_title", "position"), ("linkedin_url", "linkedin_url"), ("phone", "phone_number")):
            value = clean(data.get(key))
            if value and field == "linkedin_url" and not value.lower().startswith(("http://", "https://")):
                value = f"https://www.linkedin.com/in/{value.strip('/')}"
            if value:
                out[field] = (value, confidence)
        return out
