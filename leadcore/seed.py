"""Realistic synthetic leads for demos and load: deterministic for a given seed."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, update

from leadcore.accounts.actors import Actor
from leadcore.db.engine import UnitOfWork
from leadcore.db.models import Lead
from leadcore.errors import InvalidInput
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.matcher import SaveResult, SearchContext, save_batch

FIRST = [
    "Anna", "Ben", "Clara", "David", "Elena", "Felix", "Greta", "Hannah", "Ivan", "Julia", "Karl", "Lena", "Marco",
    "Nina", "Oscar", "Paula", "Quentin", "Rosa", "Stefan", "Tara", "Uwe", "Vera", "Wim", "Xenia", "Yusuf", "Zoe",
    "Amir", "Bianca", "Chen", "Dmitri", "Emma", "Farah", "Gabriel", "Hiro", "Ingrid", "Jonas", "Kaito", "Laila",
    "Mateo", "Noor", "Omar", "Priya", "Rafael", "Sofia", "Tomas", "Uma", "Viktor", "Wen", "Yara"
]
LAST = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Schulz", "Koch",
    "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Braun", "Zimmermann", "Krüger", "Hartmann", "Lange",
    "Werner", "Krause", "Lehmann", "Köhler", "Smith", "Johnson", "Garcia", "Rossi", "Dubois", "Novak", "Kowalski",
    "Jensen", "Larsen", "Silva", "Costa", "Tanaka", "Kim", "Patel", "Singh", "Cohen", "Okafor", "Haddad", "Nguyen",
    "Ivanova", "Andersson", "Nielsen"
]
WORDS = [
    "Acme", "Nimbus", "Vertex", "Quantum", "Blue", "Harbor", "Lumen", "Atlas", "Nova", "Pioneer", "Apex", "Bright",
    "Cedar", "Delta", "Echo", "Falcon", "Granite", "Helix", "Iris", "Juniper", "Kepler", "Lattice", "Meridian",
    "Northwind", "Orbit", "Polar", "Quill", "Radiant", "Summit", "Tidal", "Umbra", "Vantage", "Willow", "Zenith"
]
SUFFIX = ("Labs", "Systems", "Analytics", "Pay", "Health", "Cloud", "Robotics", "Logistics", "Energy", "Studio")
INDUSTRIES = ("Fintech", "SaaS", "Healthcare", "E-commerce", "Logistics", "Energy", "Cybersecurity", "EdTech",
              "Manufacturing", "Media")
CITIES = ("Berlin, Germany", "Munich, Germany", "Hamburg, Germany", "London, United Kingdom", "Paris, France",
          "Amsterdam, Netherlands", "Madrid, Spain", "Stockholm, Sweden", "New York, United States",
          "Austin, United States", "Toronto, Canada", "Vienna, Austria", "Zurich, Switzerland")
TITLES = ("CEO", "CTO", "VP Engineering", "Head of Sales", "Marketing Manager", "Software Engineer",
          "Product Manager", "Director of Operations", "Founder", "Data Scientist", "Account Executive",
          "Head of Growth", "CFO", "Engineering Manager", "Senior Developer")
TLDS = (".com", ".io", ".de", ".co.uk", ".ai", ".fr")
TAGS = ("hot", "follow-up", "event-2026", "partner", "enterprise", "smb")


def _company(rng: random.Random, i: int) -> tuple[str, str]:
    name = f"{rng.choice(WORDS)} {rng.choice(SUFFIX)}"
    domain = f"{name.lower().replace(' ', '')}{i % 97 or ''}{rng.choice(TLDS)}"
    return name, domain


def candidates(n: int, *, seed: int = 1) -> Iterator[LeadCandidate]:
    """``n`` synthetic leads (about 85% people, 15% companies), the same for the same seed."""
    rng = random.Random(seed)
    companies = [_company(rng, i) for i in range(max(10, n // 8))]
    for i in range(n):
        company, domain = rng.choice(companies)
        industry = rng.choice(INDUSTRIES)
        city = rng.choice(CITIES)
        tags = rng.sample(TAGS, k=rng.choice((0, 0, 1, 2)))
        if rng.random() < 0.15:
            yield LeadCandidate(
                type="COMPANY",
                lead_name=f"{company} {i}",
                company=f"{company} {i}",
                website=f"https://www.{i}-{domain}",
                linkedin_url=f"https://www.linkedin.com/company/{domain.split('.')[0]}-{i}",
                industry=industry,
                headquarters=city,
                location=city,
                tags=tags,
                raw_data={"source": "seed", "headcount": rng.choice((12, 45, 150, 800, 4000))},
            )
            continue
        first, last = rng.choice(FIRST), rng.choice(LAST)
        slug = f"{first}.{last}{i}".lower()
        email = f"{slug}@{domain}" if rng.random() < 0.85 else f"{slug}@gmail.com"
        yield LeadCandidate(
            type="INDIVIDUAL",
            lead_name=f"{first} {last}",
            email=email,
            phone=f"+49 30 {rng.randint(1000000, 9999999)}" if rng.random() < 0.6 else None,
            job_title=rng.choice(TITLES),
            company=company,
            website=f"https://{domain}",
            linkedin_url=f"https://www.linkedin.com/in/{slug.replace('.', '-')}" if rng.random() < 0.7 else None,
            location=city,
            industry=industry,
            tags=tags,
            raw_data={"source": "seed"},
        )


QUERIES = ("VP Engineering fintech", "CTO SaaS Berlin", "Head of Sales healthcare", "Founders e-commerce",
           "Data leaders logistics", "Marketing managers media")
_STATUS_WEIGHTS = (("NEW", 55), ("CONTACTED", 22), ("QUALIFIED", 12), ("REJECTED", 8), ("ARCHIVED", 3))


def seed_demo(
    uow: UnitOfWork, actor: Actor, n: int, *, seed: int = 1, batch: int = 500,
    on_batch: Callable[[int], None] | None = None,
) -> SaveResult:
    """Save ``n`` synthetic leads through the matcher, spread over the last 90 days and a realistic funnel."""
    if n < 0:
        raise InvalidInput("N must be 0 or more", field="n")
    rng = random.Random(seed * 7919)
    statuses = [s for s, w in _STATUS_WEIGHTS for _ in range(w)]
    total = SaveResult()
    pending: list[LeadCandidate] = []
    gen = candidates(n, seed=seed)
    now = datetime.now(UTC)
    done = 0
    while True:
        pending = list(itertools.islice(gen, batch))
        if not pending:
            break
        query = rng.choice(QUERIES)
        ctx = SearchContext(source="seed", query=query, mode="individual")
        with uow:
            s = uow.session
            result = save_batch(s, actor, pending, ctx)
            updates = [
                {"lid": lead_id, "st": rng.choice(statuses),
                 "ts": now - timedelta(days=rng.random() * 90)}
                for lead_id in {r.lead_id for r in result.rows if r.outcome == "new" and r.lead_id}
            ]
            if updates:
                table = cast(Table, Lead.__table__)
                s.connection().execute(
                    update(table).where(table.c.id == bindparam("lid")).values(
                        status=bindparam("st"), created_at=bindparam("ts"), updated_at=bindparam("ts")
                    ),
                    updates,
                )
            uow.commit()
        total.add(result)
        done += len(pending)
        if on_batch:
            on_batch(done)
    return total
