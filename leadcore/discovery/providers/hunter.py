"""Hunter.io Domain Search: the people Hunter knows at one company domain, as candidate leads.

``GET /v2/domain-search?domain=…&limit=…&offset=…``. Hunter accepts the key as the ``api_key``
query parameter or the ``X-API-KEY`` header; we send the header so the key never sits in a URL
(httpx logs request URLs at INFO level, and proxies log them too).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from leadcore.discovery.providers.base import SearchQuery, clean, join_place
from leadcore.discovery.providers.http import KeyedProvider
from leadcore.errors import ProviderError
from leadcore.intake.candidates import LeadCandidate

DOMAIN_SEARCH_PATH = "/v2/domain-search"
MAX_PER_REQUEST = 100  # Hunter's documented ceiling for `limit`
KEY_SETTING = "LEADCORE_HUNTER_API_KEY"

_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class HunterProvider(KeyedProvider):
    """Hunter.io domain search; individual mode only (Hunter finds people at a domain)."""

    name = "hunter"
    label = "Hunter.io"
    is_demo = False

    key_setting = KEY_SETTING
    # Hunter: 403 = "you hit the per-second rate limit" (retry), 429 = "monthly usage is used up".
    rate_limit_statuses = frozenset({403})
    quota_statuses = frozenset({429})

    @property
    def _url(self) -> str:
        return self.settings.hunter_base_url.rstrip("/") + DOMAIN_SEARCH_PATH

    def search(self, query: SearchQuery) -> Iterator[list[LeadCandidate]]:
        """Pages of people at the domain typed as the query text.

        A company-mode query or text with no domain raises ProviderError up front (not InvalidInput):
        the query is valid for other providers, so the search is recorded as failed with this reason.
        """
        query = query.validated()
        if query.mode != "individual":
            raise ProviderError(
                "Hunter.io finds people at a company domain; switch the mode to 'individual' "
                "and type the domain (for example 'stripe.com')"
            )
        return self._pages(domain_from_text(query.text), query.limit)

    def _pages(self, domain: str, limit: int) -> Iterator[list[LeadCandidate]]:
        per_request = min(self.settings.provider_page_size, limit, MAX_PER_REQUEST)
        headers = {"X-API-KEY": self._api_key, "Accept": "application/json"}
        offset = 0
        for _ in range(self.settings.provider_page_cap):
            params = {"domain": domain, "limit": per_request, "offset": offset}
            body = self._http.request_json("GET", self._url, params=params, headers=headers)
            data = body.get("data") if isinstance(body, dict) else None
            data = data if isinstance(data, dict) else {}
            emails = data.get("emails")
            records = [e for e in emails if isinstance(e, dict)] if isinstance(emails, list) else []
            context = {k: v for k, v in data.items() if k != "emails"}
            candidates = [email_candidate(r, context) for r in records[: limit - offset]]
            if candidates:
                yield candidates
            offset += len(records)
            meta = body.get("meta") if isinstance(body, dict) else None
            total = meta.get("results") if isinstance(meta, dict) else None
            if offset >= limit or len(records) < per_request or (isinstance(total, int) and offset >= total):
                return


def domain_from_text(text: str) -> str:
    """'https://www.Stripe.com/about' → 'stripe.com'; raises ProviderError when there is no domain."""
    raw = text.strip()
    if "@" in raw and "/" not in raw:
        raw = raw.rsplit("@", 1)[1]  # an email address names its domain
    host = urlsplit(raw if "//" in raw else f"//{raw}").hostname or ""
    host = host.lower().rstrip(".").removeprefix("www.")
    if not _DOMAIN.match(host):
        raise ProviderError(f"Hunter.io searches one company domain; type a domain such as 'stripe.com', not {text!r}")
    return host


def email_candidate(record: dict[str, Any], domain_data: dict[str, Any]) -> LeadCandidate:
    """An INDIVIDUAL lead from one Hunter email record and its domain's data.

    raw_data = {"email": the email record as received, "domain": the domain data without the email list}.
    Hunter's ``confidence`` stays in raw_data; it is not a lead score.
    """
    first, last = clean(record.get("first_name")), clean(record.get("last_name"))
    linkedin = clean(record.get("linkedin"))
    if linkedin and not linkedin.lower().startswith(("http://", "https://")):
        linkedin = f"https://www.linkedin.com/in/{linkedin.strip('/')}"  # older answers give a handle
    return LeadCandidate(
        type="INDIVIDUAL",
        lead_name=clean(" ".join(p for p in (first, last) if p)),
        email=clean(record.get("value")),
        phone=clean(record.get("phone_number")),
        job_title=clean(record.get("position")),
        company=clean(domain_data.get("organization")),
        location=join_place(domain_data.get("city"), domain_data.get("state"), domain_data.get("country")),
        industry=clean(domain_data.get("industry")),
        website=clean(domain_data.get("domain")),
        linkedin_url=linkedin,
        raw_data={"email": record, "domain": domain_data},
    )
