"""What every enricher is: a lead's known facts in, ``{field: (value, confidence)}`` out, at a credit cost."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from leadcore.errors import InvalidInput

# The lead fields enrichment may fill, in display order, with the words people use for them.
FIELDS = ("email", "phone", "linkedin_url", "job_title", "industry", "location", "website")
FIELD_WORDS = {"email": "email", "phone": "phone", "linkedin_url": "LinkedIn", "job_title": "title",
               "industry": "industry", "location": "location", "website": "website"}
# Accepted spellings on the command line and in the API ('linkedin' is 'linkedin_url', 'title' is 'job_title').
_ALIASES = {"linkedin": "linkedin_url", "title": "job_title", "job": "job_title", "site": "website",
            "domain": "website", "city": "location"}
# A finding below this confidence is not used: the next provider of the waterfall is asked instead.
CONFIDENT = 0.7

Findings = dict[str, tuple[str, float]]


@dataclass(frozen=True)
class LeadFacts:
    """What an enricher may use to identify a lead: a snapshot of its fields (read before any provider call)."""

    id: int
    type: str  # 'INDIVIDUAL' | 'COMPANY'
    lead_name: str | None = None
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    job_title: str | None = None
    location: str | None = None
    industry: str | None = None
    website: str | None = None
    linkedin_url: str | None = None

    @property
    def domain(self) -> str | None:
        """The company's domain from the website (or the email's domain when it is not a webmail address)."""
        host = ""
        if self.website:
            raw = self.website.strip()
            host = urlsplit(raw if "//" in raw else f"//{raw}").hostname or ""
        if not host and self.email and "@" in self.email:
            host = self.email.rsplit("@", 1)[1]
            if host.lower() in WEBMAIL:
                host = ""
        host = host.lower().rstrip(".").removeprefix("www.")
        return host or None

    def name_parts(self) -> tuple[str | None, str | None]:
        """('Anna', 'Müller') from 'Anna Müller'; a one-word name is a first name."""
        words = (self.lead_name or "").split()
        if not words:
            return None, None
        return words[0], (" ".join(words[1:]) or None)


WEBMAIL = frozenset({"gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "gmx.de", "web.de",
                     "icloud.com", "aol.com", "proton.me", "protonmail.com"})


class Enricher(Protocol):
    """A source of missing lead fields. ``lookup`` makes one paid lookup (``credit_cost`` credits of the team's
    monthly budget, whatever it finds) and answers only fields of ``fields_for(lead.type)``."""

    name: str  # 'demo' | 'hunter' | 'apollo'
    label: str  # 'Demo data (offline)', 'Hunter.io', 'Apollo.io'
    credit_cost: int

    def fields_for(self, lead_type: str) -> frozenset[str]:
        """The fields this enricher can fill for a lead of this type."""
        ...

    def can_identify(self, lead: LeadFacts) -> bool:
        """Whether the lead has what a lookup needs (a name and a domain, say); no credit is spent otherwise."""
        ...

    def lookup(self, lead: LeadFacts) -> Findings:
        """``{field: (value, confidence 0..1)}`` for what it found; raises ProviderError when the provider fails."""
        ...


def parse_fields(text: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """'email, phone,linkedin' → ('email', 'phone', 'linkedin_url') in FIELDS order; None or '' → every field.
    Raises InvalidInput naming the unknown field and the known ones."""
    if text is None:
        return FIELDS
    parts = text.split(",") if isinstance(text, str) else list(text)
    chosen: set[str] = set()
    for part in parts:
        word = str(part).strip().lower().replace("-", "_").replace(" ", "_")
        if not word:
            continue
        word = _ALIASES.get(word, word)
        if word not in FIELDS:
            raise InvalidInput(f"Cannot enrich {str(part).strip()!r}: choose from {', '.join(FIELDS)}",
                               field="fields")
        chosen.add(word)
    if not chosen:
        return FIELDS
    return tuple(f for f in FIELDS if f in chosen)
