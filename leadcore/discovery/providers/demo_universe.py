"""The demo's fixed synthetic world: companies per (city, industry) and the people who work there.

Everything is derived from fixed seeds through hashlib, so the same company or person comes out the
same in every process and every search. Companies in the known cities are generated once per process
(a few thousand small records); a company's staff is derived on demand from (company, title, n), so
two searches that reach the same company and titles return the same people.
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from leadcore.discovery.providers.demo_data import (
    CITIES,
    GENERAL_TECH,
    GENERIC_STEMS,
    INDUSTRIES,
    NAME_POOLS,
    NAME_TAILS,
    City,
    Industry,
)

UNIVERSE_SEED = 20240611
COMPANIES_PER_WEIGHT = 4  # a weight-3 hub gets 12 companies per industry
CUSTOM_CELL_SIZE = 8  # companies invented for a place or industry the tables do not know

SENIORITY_LABELS = {6: "c_suite", 5: "vp", 4: "director", 3: "manager", 2: "lead", 1: "senior", 0: "entry"}


@dataclass(frozen=True)
class Company:
    id: str
    name: str
    domain: str
    industry: Industry
    city: City
    headcount: int
    founded: int
    technologies: tuple[str, ...]
    email_pattern: str  # 'first.last' | 'flast' | 'first' | 'first_last'
    rank: int  # fixed position in the universe's relevance order

    @property
    def linkedin_slug(self) -> str:
        return slug(self.name, "-")

    @property
    def description(self) -> str:
        return f"{self.name} {self.industry.blurb}."


@dataclass(frozen=True)
class Person:
    id: str
    first_name: str
    last_name: str
    title: str
    level: int
    function: str
    company: Company
    email: str
    personal_email: bool
    phone: str | None
    linkedin_slug: str | None


def digest(*parts: object) -> int:
    """A stable 64-bit number for ``parts`` (hashlib, so identical in every process)."""
    text = "|".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def fold(text: str) -> str:
    """ASCII for addresses: 'Jürgen Müller' → 'Juergen Mueller', 'Lefèvre' → 'Lefevre'."""
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss"),
                 ("ł", "l"), ("Ł", "L"), ("ø", "o"), ("å", "a")):
        text = text.replace(a, b)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def slug(text: str, sep: str = "") -> str:
    """Lowercase ASCII words joined by ``sep``: 'Atlas Health' → 'atlashealth' / 'atlas-health'."""
    return sep.join(re.findall(r"[a-z0-9]+", fold(text).lower()))


@lru_cache(maxsize=1)
def known_companies() -> tuple[Company, ...]:
    """Every company in the known cities × industries, generated once from UNIVERSE_SEED."""
    rng = random.Random(UNIVERSE_SEED)
    taken: set[str] = set()
    made: list[Company] = []
    for city in CITIES:
        for industry in INDUSTRIES:
            for _ in range(city.weight * COMPANIES_PER_WEIGHT):
                made.append(_company(rng, f"demo-co-{len(made):05d}", city, industry, taken))
    order = list(range(len(made)))
    rng.shuffle(order)  # the relevance order interleaves cities and industries
    return tuple(replace(c, rank=order[i]) for i, c in enumerate(made))


@lru_cache(maxsize=1)
def _known_names() -> frozenset[str]:
    return frozenset(n for c in known_companies() for n in (c.name.lower(), c.domain))


@lru_cache(maxsize=512)
def custom_cell(city: City, industry: Industry) -> tuple[Company, ...]:
    """Companies for a place or industry outside the tables, seeded by both, cached per process."""
    key = f"{city.label.casefold()}|{industry.key}"
    rng = random.Random(digest("cell", key))
    taken = set(_known_names())
    made = [_company(rng, f"demo-co-x{digest(key, i) % 16**10:010x}", city, industry, taken)
            for i in range(CUSTOM_CELL_SIZE)]
    # Ranked after every known company, interleaved with other invented cells.
    return tuple(replace(c, rank=len(known_companies()) + digest("rank", c.id) % 10**9) for c in made)


def _company(rng: random.Random, company_id: str, city: City, industry: Industry, taken: set[str]) -> Company:
    name = _company_name(rng, city, industry, taken)
    tld = rng.choices(["com", "io", city.tld or "com", "co", "ai" if industry.key == "ai" else "com"],
                      weights=[45, 25, 20, 5, 5])[0]
    domain = f"{slug(name)}.{tld}"
    while domain in taken:
        domain = f"{slug(name)}{rng.choice(['hq', 'app', 'group', 'labs'])}.{tld}"
    taken.add(domain)
    headcount = round(10 ** rng.uniform(1.0, 3.9))
    tech = list(rng.sample(industry.tech, k=min(3, len(industry.tech))))
    for extra in rng.sample(GENERAL_TECH, k=rng.randint(3, 5)):
        if extra not in tech:
            tech.append(extra)
    pattern = rng.choices(["first.last", "flast", "first", "first_last"], weights=[80, 10, 6, 4])[0]
    return Company(
        id=company_id,
        name=name,
        domain=domain,
        industry=industry,
        city=city,
        headcount=headcount,
        founded=rng.randint(1998, 2022),
        technologies=tuple(tech),
        email_pattern=pattern,
        rank=0,
    )


def _company_name(rng: random.Random, city: City, industry: Industry, taken: set[str]) -> str:
    for _ in range(30):
        form = rng.randrange(4)
        if form == 0:
            name = rng.choice(industry.stems) + rng.choice(NAME_TAILS)
        elif form == 1:
            name = f"{rng.choice(GENERIC_STEMS)} {rng.choice(industry.nouns)}"
        elif form == 2:
            name = f"{rng.choice(industry.stems)}{rng.choice(GENERIC_STEMS).lower()}"
        else:
            name = f"{rng.choice(industry.stems)} {rng.choice(industry.nouns)}"
        words = name.lower().split()
        if name.lower() not in taken and len(set(words)) == len(words):
            break
    else:
        name = f"{name} {city.name}"
    taken.add(name.lower())
    return name


def has_role(company: Company, title: str, level: int) -> bool:
    """Whether this company has someone with ``title``: small firms lack the VP and director layers."""
    chance = {6: 90, 5: 80 if company.headcount >= 80 else 25, 4: 75 if company.headcount >= 30 else 40}.get(level, 90)
    return digest("role", company.id, title) % 100 < chance


def holders(level: int) -> int:
    """How many people hold one title at a company: one leader, a few individual contributors."""
    return 1 if level >= 4 else 2 if level == 3 else 3


def person(company: Company, function: str, level: int, title: str, n: int) -> Person:
    """The n-th holder of ``title`` at ``company``; always the same person."""
    rng = random.Random(digest("person", company.id, title, n))
    pool = company.city.names if rng.random() < 0.75 else rng.choice(["en", "intl", "in", "es"])
    firsts, lasts = NAME_POOLS.get(pool, NAME_POOLS["intl"])
    first, last = rng.choice(firsts), rng.choice(lasts)
    f, ln = slug(first), slug(last)
    local = {"first.last": f"{f}.{ln}", "flast": f"{f[:1]}{ln}", "first": f, "first_last": f"{f}_{ln}"}[
        company.email_pattern
    ]
    personal = rng.random() < 0.12
    if personal:
        mailbox = "gmail.com" if company.city.names != "de" or rng.random() < 0.6 else rng.choice(["gmx.de", "web.de"])
        email = f"{f}{ln}{rng.randint(1, 99):02d}@{mailbox}"
    else:
        email = f"{local}@{company.domain}"
    phone = None
    if company.city.phone and rng.random() < 0.65:
        phone = fill_digits(company.city.phone, rng)
    linkedin = f"{slug(first, '-')}-{slug(last, '-')}-{rng.getrandbits(16):04x}" if rng.random() < 0.92 else None
    return Person(
        id=f"demo-p-{digest(company.id, title, n) % 16**12:012x}",
        first_name=first,
        last_name=last,
        title=title,
        level=level,
        function=function,
        company=company,
        email=email,
        personal_email=personal,
        phone=phone,
        linkedin_slug=linkedin,
    )


def fill_digits(template: str, rng: random.Random) -> str:
    """'+49 30 #### ####' with random digits; the first digit of the subscriber number is never 0 or 1."""
    out: list[str] = []
    first = True
    for ch in template:
        if ch == "#":
            out.append(str(rng.randint(2, 9) if first else rng.randint(0, 9)))
            first = False
        else:
            out.append(ch)
    return "".join(out)
