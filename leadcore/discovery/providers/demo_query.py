"""How the demo reads a search: places, industries, job functions, seniority and tech it asks for."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar

from leadcore.discovery.providers.base import SearchQuery
from leadcore.discovery.providers.demo_data import (
    CITIES,
    COUNTRY_ALIASES,
    DEFAULT_FUNCTIONS,
    FUNCTIONS,
    GENERAL_TECH,
    GENERIC_STEMS,
    INDUSTRIES,
    REGIONS,
    SENIORITY_WORDS,
    City,
    Industry,
)
from leadcore.discovery.providers.demo_universe import slug

T = TypeVar("T")


@dataclass(frozen=True)
class Slot:
    """A title the search wants, in the order results should show it."""

    function: str
    level: int
    title: str
    fit: int  # 0 is what the searcher asked for; larger is further away


@dataclass(frozen=True)
class Plan:
    cities: tuple[City, ...] | None  # None: anywhere
    industries: tuple[Industry, ...]  # empty: any industry
    slots: tuple[Slot, ...]
    tech: tuple[str, ...]  # casefolded


def plan(query: SearchQuery) -> Plan:
    """What ``query`` (already validated) asks the demo universe for."""
    return Plan(
        cities=parse_location(query.location) if query.location else None,
        industries=parse_industries(query.industry, explicit=True) if query.industry
        else parse_industries(query.text, explicit=False),
        slots=slots_for(query.text),
        tech=tuple(t.casefold() for t in query.tech_list()),
    )


def has_phrase(text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` as whole words (both casefolded)."""
    return re.search(rf"(?<![\w]){re.escape(phrase)}(?![\w])", text) is not None


def parse_location(location: str) -> tuple[City, ...]:
    """Known cities named in ``location``; else every city of a named country or region; else a new place."""
    text = location.casefold()
    cities = tuple(c for c in CITIES if any(has_phrase(text, a) for a in (c.name.casefold(), *c.aliases)))
    if cities:
        return cities
    countries = [name for name, aliases in COUNTRY_ALIASES.items() if any(has_phrase(text, a) for a in aliases)]
    first = location.split(",")[0].strip()
    first_key = first.casefold()
    regions = [r for r in REGIONS if has_phrase(first_key, r)]
    if regions or any(first_key in aliases for aliases in COUNTRY_ALIASES.values()):
        wanted = set(countries) | {c for r in regions for c in REGIONS[r]}
        return tuple(c for c in CITIES if c.country.casefold() in wanted)
    # A place the tables do not know: invent companies there, borrowing names from its country if named.
    like = next((c for c in CITIES if countries and c.country.casefold() == countries[0]), None)
    name = first.title() if first == first.lower() else first
    return (
        City(
            name=name,
            state=None,
            country=like.country if like else "",
            phone="",
            names=like.names if like else "intl",
            tld=like.tld if like else "com",
            weight=1,
        ),
    )


def parse_industries(text: str, *, explicit: bool) -> tuple[Industry, ...]:
    """Industries named in ``text``; an explicit industry the tables do not know becomes a new one."""
    folded = text.casefold()
    found = [
        i for i in INDUSTRIES
        if has_phrase(folded, i.label.casefold()) or any(has_phrase(folded, k) for k in i.keywords)
    ]
    if found or not explicit:
        return tuple(found)
    label = text.strip()
    label = label.title() if label == label.lower() else label
    return (
        Industry(
            key="custom-" + slug(label, "-"),
            label=label,
            keywords=(),
            stems=GENERIC_STEMS,
            nouns=("Group", "Partners", "Solutions", "Company", "Collective"),
            tech=GENERAL_TECH,
            blurb=f"serves customers in {label.lower()}",
        ),
    )


def slots_for(text: str) -> tuple[Slot, ...]:
    """Titles for the search text: its job function(s) near its seniority ('VP Engineering' → CTO, VP, Head…).

    Longer phrases win: 'Account Executive' is a sales title, not the executive function, and a title
    typed in full ('Product Manager') sets the seniority rather than the words inside it ('manager').
    """
    folded = text.casefold()
    named = _consume(folded, [(t.casefold(), f) for f, (_, titles) in FUNCTIONS.items() for _, t in titles]
                     + [(w, f) for f, (words, _) in FUNCTIONS.items() for w in words])
    functions = [f for f in FUNCTIONS if f in named]
    levels = _consume(folded, [(t.casefold(), level) for _, titles in FUNCTIONS.values() for level, t in titles])
    levels = levels or _consume(folded, list(SENIORITY_WORDS))
    seniority = max(levels) if levels else None
    chosen: list[tuple[int, int, int, Slot]] = []
    for order, function in enumerate(functions or DEFAULT_FUNCTIONS):
        for level, title in FUNCTIONS[function][1]:
            if seniority is not None and abs(level - seniority) > 1:
                continue
            if seniority is None and not functions and level < 4:
                continue  # no function named: reach the decision makers
            # Without a seniority, leaders first: head/director and above fit equally well.
            fit = abs(level - seniority) if seniority is not None else max(0, 4 - level)
            chosen.append((fit, -level, order, Slot(function, level, title, fit)))
    chosen.sort(key=lambda item: item[:3])
    return tuple(item[3] for item in chosen)


def _consume(text: str, phrases: list[tuple[str, T]]) -> list[T]:
    """Values of the phrases found in ``text``, longest first; a found phrase hides the shorter ones inside it."""
    found: list[T] = []
    for phrase, value in sorted(phrases, key=lambda pv: -len(pv[0])):
        pattern = rf"(?<![\w]){re.escape(phrase)}(?![\w])"
        if re.search(pattern, text):
            found.append(value)
            text = re.sub(pattern, lambda m: " " * len(m.group()), text)
    return found
