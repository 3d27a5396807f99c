"""The offline demo enricher: no key, no network, the same answer for the same lead every time.

Every value is derived from a hash of the lead's name and company, so the demo leads of ``python -m leadcore
seed-demo`` get plausible phones, LinkedIn profiles, titles, industries and locations, and a second run finds the
same. Some lookups deliberately find nothing or find it with low confidence, as real providers do.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from leadcore.enrichment.base import Findings, LeadFacts

TITLES = ("CEO", "CTO", "VP Engineering", "Head of Sales", "Marketing Manager", "Product Manager",
          "Director of Operations", "Founder", "Head of Growth", "CFO", "Engineering Manager")
INDUSTRIES = ("Fintech", "SaaS", "Healthcare", "E-commerce", "Logistics", "Energy", "Cybersecurity", "EdTech",
              "Manufacturing", "Media")
CITIES = ("Berlin, Germany", "Munich, Germany", "Hamburg, Germany", "London, United Kingdom", "Paris, France",
          "Amsterdam, Netherlands", "Vienna, Austria", "Zurich, Switzerland", "New York, United States")
PERSON_FIELDS = frozenset({"email", "phone", "linkedin_url", "job_title", "industry", "location"})
COMPANY_FIELDS = frozenset({"phone", "linkedin_url", "industry", "location", "website"})


def slug(text: str | None, sep: str = "-") -> str:
    """'Anna Müller' → 'anna-muller': ASCII letters and digits joined by ``sep``."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return sep.join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


class DemoEnricher:
    """Deterministic made-up values for demo data (1 credit a lookup, so budgets can be tried without a plan)."""

    name = "demo"
    label = "Demo data (offline)"
    credit_cost = 1

    def fields_for(self, lead_type: str) -> frozenset[str]:
        return COMPANY_FIELDS if lead_type == "COMPANY" else PERSON_FIELDS

    def can_identify(self, lead: LeadFacts) -> bool:
        return bool(slug(lead.company or lead.lead_name) if lead.type == "COMPANY" else slug(lead.lead_name))

    def lookup(self, lead: LeadFacts) -> Findings:
        seed = hashlib.sha256(f"{lead.lead_name or ''}|{lead.company or ''}|{lead.id}".encode()).digest()

        def confidence(i: int) -> float:
            return round(0.6 + (seed[i] % 40) / 100, 2)  # 0.60–0.99: about one in four is below CONFIDENT

        def found(i: int) -> bool:
            return seed[i + 8] % 10 != 0  # about one lookup in ten finds nothing for a field

        digits = "".join(str(b % 10) for b in seed[16:23])
        hexed = seed[24:27].hex()
        out: Findings = {}
        if lead.type == "COMPANY":
            name = slug(lead.company or lead.lead_name)
            if not name:
                return {}
            values = {"phone": f"+49 30 {digits}", "linkedin_url": f"https://www.linkedin.com/company/{name}-{hexed}",
                      "industry": INDUSTRIES[seed[3] % len(INDUSTRIES)], "location": CITIES[seed[4] % len(CITIES)],
                      "website": f"https://www.{slug(lead.company or lead.lead_name, '')}.example"}
        else:
            first, last = lead.name_parts()
            person = slug(lead.lead_name)
            if not person:
                return {}
            values = {"phone": f"+49 30 {digits}", "linkedin_url": f"https://www.linkedin.com/in/{person}-{hexed}",
                      "job_title": TITLES[seed[3] % len(TITLES)], "industry": INDUSTRIES[seed[5] % len(INDUSTRIES)],
                      "location": CITIES[seed[4] % len(CITIES)]}
            domain = lead.domain
            if domain and first:
                local = ".".join(p for p in (slug(first, ""), slug(last, "")) if p)
                if local:
                    values["email"] = f"{local}@{domain}"
        for i, field in enumerate(sorted(values)):
            if found(i):
                out[field] = (values[field], confidence(i))
        return out
