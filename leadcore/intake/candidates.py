"""The shape every write path hands to the matcher: one candidate lead, validated or not yet."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class LeadType(StrEnum):
    INDIVIDUAL = "INDIVIDUAL"
    COMPANY = "COMPANY"


class Status(StrEnum):
    NEW = "NEW"
    CONTACTED = "CONTACTED"
    QUALIFIED = "QUALIFIED"
    IMPORTED = "IMPORTED"
    REJECTED = "REJECTED"
    ARCHIVED = "ARCHIVED"


COMPANY = LeadType.COMPANY
LEAD_TYPES = tuple(t.value for t in LeadType)
STATUSES = tuple(s.value for s in Status)
# What a person may set by hand: IMPORTED only comes from importing the lead as a contact (leads.conversion).
SETTABLE_STATUSES = tuple(s for s in STATUSES if s != "IMPORTED")

# The user-visible text fields of a lead, in display order (the "short" fields of SPEC §5 are marked).
SHORT_FIELDS = (
    "lead_name",
    "email",
    "phone",
    "job_title",
    "company",
    "location",
    "industry",
    "website",
    "linkedin_url",
)
TEXT_FIELDS = (*SHORT_FIELDS, "headquarters")
SHORT_FIELD_MAX = 500
NOTES_MAX = 20_000


@dataclass
class LeadCandidate:
    """A lead as a provider, a CSV row or a person typed it, before it is matched and saved.

    All text is already stripped; empty strings are ``None``. ``lead_score`` is ``None`` when the
    source gave none (the scorer fills it in).
    """

    type: str = LeadType.INDIVIDUAL.value
    lead_name: str | None = None
    email: str | None = None
    phone: str | None = None
    job_title: str | None = None
    company: str | None = None
    location: str | None = None
    headquarters: str | None = None
    industry: str | None = None
    website: str | None = None
    linkedin_url: str | None = None
    lead_score: int | None = None
    notes: str | None = None
    tags: list[str] = field(default_factory=list)
    status: str | None = None
    raw_data: dict[str, Any] | None = None
