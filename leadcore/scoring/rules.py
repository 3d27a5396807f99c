"""The scoring rules: what each looks at in a lead and the label it gives when it fires, with the context and
weights they read. :mod:`leadcore.scoring.scorer` adds them up into a score and loads the weights file."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from leadcore.emails import is_free_mail_domain, is_role_local_part

MIN_SCORE, MAX_SCORE = 0, 100
_LABEL_DETAIL_MAX = 60

# Words of a search that say nothing about the title a rep is after.

_STOPWORDS = frozenset({
    "a", "an", "and", "or", "the", "of", "in", "at", "for", "to", "on", "with", "by", "from",
    "who", "are", "is", "as", "near", "not", "any", "all",
    "und", "oder", "der", "die", "das", "den", "dem", "des", "im", "bei", "für", "mit", "von",
})



class Scorable(Protocol):
    """What the rules read of a lead: a ``Scorable``, a ``Lead`` or a row of those columns all qualify."""

    @property
    def type(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def job_title(self) -> str | None: ...
    @property
    def industry(self) -> str | None: ...
    @property
    def location(self) -> str | None: ...
    @property
    def headquarters(self) -> str | None: ...
    @property
    def website(self) -> str | None: ...
    @property
    def linkedin_url(self) -> str | None: ...



# The columns a rescore reads back from the leads table (the attributes of Scorable).

SCORED_FIELDS = ("type", "email", "phone", "job_title", "industry", "location", "headquarters", "website",
                 "linkedin_url")



@dataclass(frozen=True)
class ScoreContext:
    """What the search asked for, so "matches the target" rules have something to match."""

    industry: str | None = None
    location: str | None = None
    title_keywords: tuple[str, ...] = ()



@dataclass(frozen=True)
class Weights:
    """Points per rule, the base score, and the title phrases the title rules look for."""

    base: int
    rules: Mapping[str, int]
    decision_maker_titles: tuple[str, ...]
    senior_titles: tuple[str, ...]

    def points(self, rule: str) -> int:
        """Points for ``rule`` (0 when the file switched it off)."""
        return self.rules.get(rule, 0)



# --- the rules: each returns the label when it fires, else None ---------------------------

RuleFn = Callable[[Scorable, ScoreContext, Weights], str | None]



def is_company(c: Scorable) -> bool:
    return (c.type or "").strip().upper() == "COMPANY"



def _detail(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _LABEL_DETAIL_MAX else text[: _LABEL_DETAIL_MAX - 1] + "…"



def _email_parts(c: Scorable) -> tuple[str, str] | None:
    local, at, domain = (c.email or "").strip().rpartition("@")
    domain = domain.lower().rstrip(".")
    return (local, domain) if at and local and domain else None



def _work_email(c: Scorable, ctx: ScoreContext, w: Weights) -> str | None:
    parts = _email_parts(c)
    if parts is None or is_free_mail_domain(parts[1]):
        return None
    # A company's address is normally a role address (info@); for a person it identifies nobody.
    if not is_company(c) and is_role_local_part(parts[0]):
        return None
    return f"Has a work email (@{_detail(parts[1])})"



def _free_mail(c: Scorable, ctx: ScoreContext, w: Weights) -> str | None:
    parts = _email_parts(c)
    if parts is None or not is_free_mail_domain(parts[1]):
        return None
    return f"Free-mail address (@{_detail(parts[1])})"



def _role_email(c: Scorable, ctx: ScoreContext, w: Weights) -> str | None:
    parts = _email_parts(c)
    if parts is None or not is_role_local_part(parts[0]):
        return None
    return f"Role address ({_detail(parts[0])}@)"



@lru_cache(maxsize=64)
def _phrases_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    # Whole words only: "cto" must not fire inside "director", nor "vp" inside "vpn". One alternation of every
    # phrase, so a title costs one search rather than one per phrase.
    if not phrases:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p.casefold()) for p in phrases) + r")(?!\w)")



def _title_has(title: str | None, phrases: tuple[str, ...]) -> bool:
    folded = (title or "").casefold()
    pattern = _phrases_pattern(tuple(phrases))
    return bool(folded) and pattern is not None and pattern.search(folded) is not None



def _decision_maker(c: Scorable, ctx: ScoreContext, w: Weights) -> str | None:
    if not _title_has(c.job_title, w.decision_maker_titles):
        return None
    return f"Decision-maker title ({_detail(c.job_title or '')})"



def _senior(c: Scorable, ctx: ScoreContext, w: Weights) -> str | None:
    # Not cumulative: a "Senior Director" is scored as a decision maker only.
    title = c.job_title
    if _title_has(title, w.decision_maker_titles) or not _title_has(title, w.senior_titles):
        return None
    return f"Senior title ({_detail(c.job_title or '')})"



def _stem(word: str) -> str:
    # "CTOs" in a query should find a "CTO"; that is all the stemming this needs.
    return word[:-1] if len(word) > 3 and word.endswith("s") else word



def _title_match(c: Scorable, ctx: ScoreContext, w: Weights) -> str | None:
    words = {_stem(t) for t in re.findall(r"\w+", (c.job_title or "").casefold())}
    hits = [k for k in ctx.title_keywords if _stem(k.casefold()) in words]
    return f"Title matches the search ({_detail(', '.join(hits))})" if hits else None



def _has_phone(c: Scorable) -> bool:
    return any(ch.isdigit() for ch in c.phone or "")  # "n/a" is no number



def _phone(c: Scorable, ctx: ScoreContext, w: Weights) -> str | None:
    return "Has a phone number" if _has_phone(c) else None



def _linkedin(c: Scorable, ctx: ScoreContext, w: Weights) -> str | None:
    return "Has a LinkedIn profile" if (c.linkedin_url or "").strip() else None



def _company_website(c: Scorable, ctx: ScoreContext, w: Weights) -> str | None:
    return f"Has a website ({_detail(c.website or '')})" if (c.website or "").strip() else None



def _company_linkedin(c: Scorable, ctx: ScoreContext, w: Weights) -> str | None:
    return "Has a LinkedIn company page" if (c.linkedin_url or "").strip() else None



def _overlaps(value: str | None, target: str | None) -> bool:
    """Case-insensitive substring either way: 'Berlin' matches 'Berlin, Germany' and back."""
    v, t = (value or "").strip().casefold(), (target or "").strip().casefold()
    return bool(v and t) and (t in v or v in t)



def _industry_match(c: Scorable, ctx: ScoreContext, w: Weights) -> str | None:
    if not _overlaps(c.industry, ctx.industry):
        return None
    return f"Industry matches the target ({_detail(c.industry or '')})"



def _location_match(c: Scorable, ctx: ScoreContext, w: Weights) -> str | None:
    for place in (c.location, c.headquarters):
        if _overlaps(place, ctx.location):
            return f"Location matches the target ({_detail(place or '')})"
    return None



def _missing_contact(c: Scorable, ctx: ScoreContext, w: Weights) -> str | None:
    channels = [c.email, c.linkedin_url]
    if is_company(c):
        channels.append(c.website)  # a company is reached through its site
    if _has_phone(c) or any((x or "").strip() for x in channels):
        return None
    return "No contact data (email, phone or LinkedIn)"



_PERSON, _COMPANY, _BOTH = ("INDIVIDUAL",), ("COMPANY",), ("INDIVIDUAL", "COMPANY")

# (rule name, lead types it applies to, function), in the order reasons are listed.

RULES: tuple[tuple[str, tuple[str, ...], RuleFn], ...] = (
    ("work_email", _BOTH, _work_email),
    ("free_mail", _BOTH, _free_mail),
    ("role_email", _PERSON, _role_email),
    ("decision_maker_title", _PERSON, _decision_maker),
    ("senior_title", _PERSON, _senior),
    ("title_match", _PERSON, _title_match),
    ("phone", _BOTH, _phone),
    ("linkedin", _PERSON, _linkedin),
    ("company_website", _COMPANY, _company_website),
    ("company_linkedin", _COMPANY, _company_linkedin),
    ("industry_match", _BOTH, _industry_match),
    ("location_match", _BOTH, _location_match),
    ("missing_contact", _BOTH, _missing_contact),
)

RULE_NAMES = tuple(name for name, _, _ in RULES)


def context_from_query(
    text: str | None, industry: str | None, location: str | None
) -> ScoreContext:
    """The search's target: its industry, its location, and the query's words as title keywords."""
    words: list[str] = []
    for word in re.findall(r"\w+", (text or "").casefold()):
        if len(word) > 1 and word not in _STOPWORDS and not word.isdigit() and word not in words:
            words.append(word)
    return ScoreContext(
        industry=(industry or "").strip() or None,
        location=(location or "").strip() or None,
        title_keywords=tuple(words),
    )
