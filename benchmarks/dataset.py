"""Deterministic synthetic leads: realistic people and companies, about 10% duplicate variants of earlier ones.

A duplicate variant is the same person or company written differently, the way a second provider or a CSV
would write it: gmail dots and ``+tags``, upper-case email, LinkedIn URLs with another scheme, a country
subdomain, a trailing slash or a tracking query, a company website with a path. Most variants point at a lead
saved in an earlier batch (duplicate of an existing lead); some land in the same batch (duplicate in file).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace

from leadcore.intake.candidates import LeadCandidate

DUPLICATE_SHARE = 0.10
_RECENT = 4_000  # variants copy one of the last N originals, so some fall into the same batch


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST = _words(
    "Anna Ben Clara David Elena Felix Greta Hannah Ivan Julia Karl Lena Marco Nina Oscar Paula Quentin Rosa Stefan "
    "Tara Uwe Vera Wim Xenia Yusuf Zoe Amir Bianca Chen Dmitri Emma Farah Gabriel Hiro Ingrid Jonas Kaito Laila "
    "Mateo Noor Omar Priya Rafael Sofia Tomas Uma Viktor Wen Yara Aiko Bruno Carmen Diego Eva Fatima Goran Helga"
)
LAST = _words(
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Hoffmann Schulz Koch Richter Klein Wolf Neumann "
    "Schwarz Braun Zimmermann Krüger Hartmann Lange Werner Krause Lehmann Köhler Smith Johnson Garcia Rossi Dubois "
    "Novak Kowalski Jensen Larsen Silva Costa Tanaka Kim Patel Singh Cohen Okafor Haddad Nguyen Ivanova Andersson "
    "Nielsen O'Brien Lindqvist Moreau Bianchi Horvat Yilmaz Sato Park"
)
WORDS = _words(
    "Acme Nimbus Vertex Quantum Blue Harbor Lumen Atlas Nova Pioneer Apex Bright Cedar Delta Echo Falcon Granite "
    "Helix Iris Juniper Kepler Lattice Meridian Northwind Orbit Polar Quill Radiant Summit Tidal Umbra Vantage "
    "Willow Zenith Aurora Beacon Cobalt Drift Ember Fjord Glacier Horizon Ion Jade Kinetic Lynx Mosaic Nexus"
)
SUFFIX = ("Labs", "Systems", "Analytics", "Pay", "Health", "Cloud", "Robotics", "Logistics", "Energy", "Studio")
INDUSTRIES = ("Fintech", "SaaS", "Healthcare", "E-commerce", "Logistics", "Energy", "Cybersecurity", "EdTech",
              "Manufacturing", "Media")
CITIES = ("Berlin, Germany", "Munich, Germany", "Hamburg, Germany", "London, United Kingdom", "Paris, France",
          "Amsterdam, Netherlands", "Madrid, Spain", "Stockholm, Sweden", "New York, United States",
          "Austin, United States", "Toronto, Canada", "Vienna, Austria", "Zurich, Switzerland")
TITLES = ("CEO", "CTO", "VP Engineering", "Head of Sales", "Marketing Manager", "Software Engineer",
          "Product Manager", "Director of Operations", "Founder", "Data Scientist", "Account Executive",
          "Head of Growth", "CFO", "Engineering Manager", "Senior Developer", "=HYPERLINK(\"x\")")
TLDS = (".com", ".io", ".de", ".co.uk", ".ai", ".fr")
TAGS = ("hot", "follow-up", "event-2026", "partner", "enterprise", "smb")
STATUSES = (("NEW", 55), ("CONTACTED", 20), ("QUALIFIED", 12), ("IMPORTED", 3), ("REJECTED", 7), ("ARCHIVED", 3))
QUERY_ROLES = ("VP Engineering", "CTO", "Head of Sales", "Founders", "Data leaders", "Marketing managers",
               "CFO", "Product managers", "Growth leads", "Engineering managers")


def queries() -> list[str]:
    """The search queries the synthetic runs came from (role × industry × city: 1,300 distinct)."""
    return [f"{r} {i.lower()} {c.split(',')[0]}" for r in QUERY_ROLES for i in INDUSTRIES for c in CITIES]


def search_terms() -> list[str]:
    """Free-text grid searches: names, companies, email parts, one rare slug and one with no hits."""
    return ["hartmann", "nimbus", "julia", "cobalt robotics", "o'brien", "gmail", "kowalski", "zzqx", "mosaic health",
            "yilmaz"]


class LeadStream:
    """``n`` candidates in a fixed order for a given seed; ``originals`` and ``variants`` count what was made."""

    def __init__(self, n: int, *, seed: int = 6) -> None:
        self.n = n
        self.seed = seed
        self.originals = 0
        self.variants = 0

    def __iter__(self) -> Iterator[LeadCandidate]:
        rng = random.Random(self.seed)
        statuses = [s for s, w in STATUSES for _ in range(w)]
        companies = [self._company(rng, i) for i in range(max(50, self.n // 8))]
        recent: list[LeadCandidate] = []
        for i in range(self.n):
            if recent and rng.random() < DUPLICATE_SHARE:
                self.variants += 1
                yield _variant(rng, rng.choice(recent))
                continue
            c = self._person(rng, i, companies) if rng.random() < 0.85 else self._org(rng, i, companies)
            c.status = rng.choice(statuses)
            c.tags = rng.sample(TAGS, k=rng.choice((0, 0, 1, 2)))
            self.originals += 1
            recent.append(c)
            if len(recent) > _RECENT:
                del recent[: _RECENT // 2]
            yield c

    @staticmethod
    def _company(rng: random.Random, i: int) -> tuple[str, str]:
        name = f"{rng.choice(WORDS)} {rng.choice(SUFFIX)}"
        return name, f"{name.lower().replace(' ', '')}{i}{rng.choice(TLDS)}"

    @staticmethod
    def _person(rng: random.Random, i: int, companies: list[tuple[str, str]]) -> LeadCandidate:
        company, domain = rng.choice(companies)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        slug = f"{first}.{last}{i}".lower().replace("'", "")
        email = f"{slug}@{domain}" if rng.random() < 0.8 else f"{slug}@gmail.com"
        return LeadCandidate(
            type="INDIVIDUAL",
            lead_name=f"{first} {last}",
            email=email,
            phone=f"+49 30 {rng.randint(1000000, 9999999)}" if rng.random() < 0.5 else None,
            job_title=rng.choice(TITLES),
            company=company,
            website=f"https://{domain}",
            linkedin_url=f"https://www.linkedin.com/in/{slug.replace('.', '-')}" if rng.random() < 0.7 else None,
            location=rng.choice(CITIES),
            industry=rng.choice(INDUSTRIES),
            raw_data={"source": "bench", "seniority": rng.choice(("junior", "senior", "executive"))},
        )

    @staticmethod
    def _org(rng: random.Random, i: int, companies: list[tuple[str, str]]) -> LeadCandidate:
        company, domain = rng.choice(companies)
        name = f"{company} {i}"
        city = rng.choice(CITIES)
        return LeadCandidate(
            type="COMPANY",
            lead_name=name,
            company=name,
            website=f"https://www.{i}-{domain}",
            linkedin_url=f"https://www.linkedin.com/company/{domain.split('.')[0]}-{i}",
            industry=rng.choice(INDUSTRIES),
            headquarters=city,
            location=city,
            raw_data={"source": "bench", "headcount": rng.choice((12, 45, 150, 800, 4000))},
        )


def _variant(rng: random.Random, c: LeadCandidate) -> LeadCandidate:
    """The same lead written differently; sometimes with a field the original lacked (the merge fills it)."""
    v = replace(c, tags=[], raw_data={"source": "bench-variant"}, status=None)
    if c.type == "COMPANY":
        host = (c.website or "").split("//www.", 1)[-1]
        v.website = rng.choice((f"http://{host}/about", f"https://{host.upper()}/", f"www.{host}"))
        v.lead_name = (c.lead_name or "").upper()
        v.linkedin_url = None
        v.phone = v.phone or f"+44 20 {rng.randint(1000000, 9999999)}"
        return v
    kind = rng.random()
    if c.email and c.email.endswith("@gmail.com") and kind < 0.4:
        local = c.email.split("@")[0].replace(".", "")
        v.email = f"{local[:3]}.{local[3:]}+{rng.choice(('news', 'crm', 'x'))}@gmail.com"
    elif c.linkedin_url and kind < 0.7:
        slug = c.linkedin_url.rstrip("/").rsplit("/", 1)[-1]
        v.linkedin_url = rng.choice((f"http://de.linkedin.com/in/{slug}/", f"linkedin.com/in/{slug}?trk=abc",
                                     f"https://www.linkedin.com/in/{slug.upper()}/"))
        v.email = None
    elif c.email:
        v.email = c.email.upper()
        v.lead_name = (c.lead_name or "").upper()
    v.phone = v.phone or f"+49 40 {rng.randint(1000000, 9999999)}"
    return v
