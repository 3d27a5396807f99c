"""What every discovery provider is: a query in, pages of candidate leads out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, Protocol

from leadcore.errors import InvalidInput
from leadcore.intake.candidates import LeadCandidate

MODES = ("individual", "company")
MAX_LIMIT = 1000


@dataclass(frozen=True)
class SearchQuery:
    """One discovery search as the user typed it."""

    text: str
    mode: str = "individual"  # 'individual' | 'company'
    location: str | None = None
    industry: str | None = None
    tech_stack: str | None = None  # comma separated as typed
    limit: int = 25

    def validated(self) -> SearchQuery:
        """The same query with fields trimmed (blank optionals become None); raises InvalidInput if unusable."""
        text = " ".join((self.text or "").split())
        if not text:
            raise InvalidInput("Type what to search for (for example 'VP Engineering fintech')", field="text")
        mode = (self.mode or "").strip().lower()
        if mode not in MODES:
            raise InvalidInput(
                f"Search mode must be 'individual' or 'company', not {self.mode!r}", field="mode"
            )
        if isinstance(self.limit, bool) or not isinstance(self.limit, int) or not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidInput(f"Limit must be a whole number from 1 to {MAX_LIMIT}", field="limit")
        return replace(
            self,
            text=text,
            mode=mode,
            location=clean(self.location),
            industry=clean(self.industry),
            tech_stack=clean(self.tech_stack),
        )

    def tech_list(self) -> list[str]:
        """The tech stack split on commas, trimmed, blanks dropped, order kept."""
        return [part.strip() for part in (self.tech_stack or "").split(",") if part.strip()]


class Provider(Protocol):
    """A source of candidate leads. ``search`` validates eagerly, then yields pages lazily."""

    name: str  # 'demo' | 'apollo' | 'hunter'
    label: str  # 'Demo data (offline)', 'Apollo.io', 'Hunter.io'
    is_demo: bool

    def search(self, query: SearchQuery) -> Iterator[list[LeadCandidate]]:
        """Pages of candidates; at most ``query.limit`` in total; ``raw_data`` is the provider's record."""
        ...


@dataclass(frozen=True)
class ProviderInfo:
    """What the UI needs to offer a provider in a picker."""

    name: str
    label: str
    configured: bool
    is_demo: bool


def clean(value: Any) -> str | None:
    """A provider value as candidate text: stripped, whitespace collapsed, empty or non-text as None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None


def join_place(*parts: Any) -> str | None:
    """'Berlin, Berlin, Germany' → 'Berlin, Germany': non-empty parts joined, repeats dropped."""
    seen: list[str] = []
    for part in parts:
        text = clean(part)
        if text and text.casefold() not in (s.casefold() for s in seen):
            seen.append(text)
    return ", ".join(seen) or None
