"""Explainable lead scores for leads whose source gave none.

score = base + the points of every rule that fired, clamped to 0..100. The points live in one JSON
file: the packaged ``scoring_weights.json``, or ``Settings.scoring_weights_file`` when that is set.
Each fired rule becomes a :class:`ScoreReason`, so the UI can say why a lead scored 72.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from operator import attrgetter
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

from leadcore import config
from leadcore.emails import is_free_mail_domain, is_role_local_part
from leadcore.errors import LeadcoreError

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


class ScoringWeightsError(LeadcoreError, ValueError):
    """The scoring weights file is missing, is not JSON, or names an unknown rule or a bad value."""


@dataclass(frozen=True)
class ScoreContext:
    """What the search asked for, so "matches the target" rules have something to match."""

    industry: str | None = None
    location: str | None = None
    title_keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScoreReason:
    """One rule that fired: its name, a sentence for humans, and the points it added (or took)."""

    rule: str
    label: str
    points: int


@dataclass(frozen=True)
class Score:
    """A 0..100 score and the reasons behind it; ``base`` is where every lead starts."""

    value: int
    reasons: tuple[ScoreReason, ...]
    base: int = 0

    @property
    def rules(self) -> tuple[str, ...]:
        """The names of the rules that fired, in evaluation order."""
        return tuple(r.rule for r in self.reasons)

    def breakdown(self) -> list[dict[str, Any]]:
        """JSON-able rows whose points add up to ``value``: the base, each reason, and any clamp."""
        rows = [{"rule": "base", "label": "Base score", "points": self.base}]
        rows += [{"rule": r.rule, "label": r.label, "points": r.points} for r in self.reasons]
        clamp = self.value - (self.base + sum(r.points for r in self.reasons))
        if clamp:
            label = f"Capped at {MAX_SCORE}" if clamp < 0 else f"Floored at {MIN_SCORE}"
            rows.append({"rule": "clamp", "label": label, "points": clamp})
        return rows


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


def _is_company(c: Scorable) -> bool:
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
    if not _is_company(c) and is_role_local_part(parts[0]):
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
    if _is_company(c):
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


def score_lead(
    c: Scorable, *, context: ScoreContext | None = None, weights: Weights | None = None
) -> Score:
    """Score ``c`` 0..100 with a reason per rule that fired; same input, same score.

    Without ``weights`` the configured weights are used (see :func:`load_weights`).
    """
    return Scorer(weights, context).score(c)


# Rules that read nothing of a lead but these fields (besides the context and weights): a Scorer remembers their
# labels per value, since a batch of leads repeats the same few titles, industries and places.
_MEMO_KEYS: dict[str, Callable[[Scorable], Any]] = {
    "decision_maker_title": attrgetter("job_title"),
    "senior_title": attrgetter("job_title"),
    "title_match": attrgetter("job_title"),
    "industry_match": attrgetter("industry"),
    "location_match": attrgetter("location", "headquarters"),
}


class Scorer:
    """Scores for many leads under one context and one set of weights (a batch of a search); :func:`score_lead`
    is one lead with a fresh scorer.

    The rules that can fire are picked once per lead type, and the labels of rules that depend on a single field
    (title, industry, place) are remembered per value for the scorer's lifetime: a remembered label is the one the
    rule gives that value, so the results are those of scoring each lead alone."""

    def __init__(self, weights: Weights | None = None, context: ScoreContext | None = None) -> None:
        self.weights = w = weights if weights is not None else load_weights()
        self.context = context or ScoreContext()
        self._rules = {
            lead_type: tuple(
                (name, fn, w.points(name), _MEMO_KEYS.get(name))
                for name, types, fn in RULES
                if w.points(name) and lead_type in types
            )
            for lead_type in ("INDIVIDUAL", "COMPANY")
        }
        self._memo: dict[tuple[str, Any], str | None] = {}
        self._fragments: dict[ScoreReason, str] = {}
        self._base_fragment = json.dumps({"rule": "base", "label": "Base score", "points": w.base})

    def score(self, c: Scorable) -> Score:
        w, ctx, memo = self.weights, self.context, self._memo
        reasons = []
        for name, fn, points, key_of in self._rules["COMPANY" if _is_company(c) else "INDIVIDUAL"]:
            if key_of is None:
                label = fn(c, ctx, w)
            else:
                key = (name, key_of(c))
                try:
                    label = memo[key]
                except KeyError:
                    label = memo[key] = fn(c, ctx, w)
                except TypeError:  # a field of an unexpected, unhashable type: just evaluate
                    label = fn(c, ctx, w)
            if label is not None:
                reasons.append(ScoreReason(name, label, points))
        total = w.base + sum(r.points for r in reasons)
        return Score(value=max(MIN_SCORE, min(MAX_SCORE, total)), reasons=tuple(reasons), base=w.base)

    def breakdown_json(self, score: Score) -> str:
        """``json.dumps(score.breakdown())`` of a score this scorer made, character for character, from the JSON
        of each reason (remembered: a batch repeats the same reasons)."""
        if score.base != self.weights.base:
            return json.dumps(score.breakdown())
        parts = [self._base_fragment]
        fragments = self._fragments
        for r in score.reasons:
            fragment = fragments.get(r)
            if fragment is None:
                fragment = fragments[r] = json.dumps({"rule": r.rule, "label": r.label, "points": r.points})
            parts.append(fragment)
        clamp = score.value - (score.base + sum(r.points for r in score.reasons))
        if clamp:
            return json.dumps(score.breakdown())
        return "[" + ", ".join(parts) + "]"


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


# --- weights ------------------------------------------------------------------------------

DEFAULT_WEIGHTS_RESOURCE = "scoring_weights.json"
_KEYS = ("base", "rules", "decision_maker_titles", "senior_titles")


def _read_json(text: str, where: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        at = f"line {e.lineno}, column {e.colno}"
        raise ScoringWeightsError(f"{where}: not valid JSON ({e.msg} at {at})") from e
    if not isinstance(data, dict):
        raise ScoringWeightsError(f"{where}: expected a JSON object with {', '.join(_KEYS)}")
    return data


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _phrases(value: object, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(p, str) and p.strip() for p in value):
        raise ScoringWeightsError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(p.strip() for p in value)


def _rule_points(raw: object, where: str, start: Mapping[str, int]) -> dict[str, int]:
    if not isinstance(raw, dict):
        raise ScoringWeightsError(f"{where}: 'rules' must be an object of rule name -> points")
    rules = dict(start)
    for name, points in raw.items():
        if name not in RULE_NAMES:
            known = ", ".join(RULE_NAMES)
            raise ScoringWeightsError(f"{where}: unknown rule {name!r}; known rules: {known}")
        if not _is_int(points) or not -MAX_SCORE <= points <= MAX_SCORE:
            raise ScoringWeightsError(
                f"{where}: rule {name!r} needs integer points from -100 to 100, got {points!r}"
            )
        rules[name] = points
    return rules


def _parse(data: dict[str, Any], where: str, defaults: Weights | None) -> Weights:
    """Validate ``data``; keys it leaves out come from ``defaults`` (required when None)."""
    unknown = sorted(k for k in data if k not in _KEYS and not k.startswith("_"))
    if unknown:
        allowed = ", ".join(_KEYS)
        raise ScoringWeightsError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {allowed}")
    missing = [k for k in _KEYS if k not in data]
    if defaults is None and missing:
        raise ScoringWeightsError(f"{where}: missing key(s) {', '.join(missing)}")
    base = data.get("base", defaults.base if defaults else 0)
    if not _is_int(base) or not MIN_SCORE <= base <= MAX_SCORE:
        raise ScoringWeightsError(f"{where}: 'base' must be an integer from 0 to 100, got {base!r}")
    rules = _rule_points(data.get("rules", {}), where, defaults.rules if defaults else {})
    dm = defaults.decision_maker_titles if defaults else ()
    senior = defaults.senior_titles if defaults else ()
    if "decision_maker_titles" in data:
        dm = _phrases(data["decision_maker_titles"], "decision_maker_titles", where)
    if "senior_titles" in data:
        senior = _phrases(data["senior_titles"], "senior_titles", where)
    return Weights(
        base=base, rules=MappingProxyType(rules), decision_maker_titles=dm, senior_titles=senior
    )


@lru_cache(maxsize=1)
def default_weights() -> Weights:
    """The weights shipped with leadcore (``leadcore/scoring/scoring_weights.json``)."""
    resource = resources.files("leadcore.scoring").joinpath(DEFAULT_WEIGHTS_RESOURCE)
    text = resource.read_text(encoding="utf-8")
    return _parse(_read_json(text, DEFAULT_WEIGHTS_RESOURCE), DEFAULT_WEIGHTS_RESOURCE, None)


@lru_cache(maxsize=8)
def _load_file(path: str, mtime_ns: int) -> Weights:
    # Keyed on the modification time, so an edited file is picked up without a restart.
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ScoringWeightsError(f"{path}: not UTF-8 text ({e.reason})") from e
    return _parse(_read_json(text, path), path, default_weights())


def load_weights(path: str | None = None) -> Weights:
    """Weights from ``path``, else ``Settings.scoring_weights_file``, else the packaged defaults.

    A file may list only the rules it changes; the others keep their default points. Raises
    :class:`ScoringWeightsError` (a ``ValueError``) naming the problem: a missing file, bad JSON,
    an unknown rule or key, or points that are not integers.
    """
    if path is None:
        path = config.settings().scoring_weights_file.strip() or None
    if not path:
        return default_weights()
    try:
        mtime_ns = Path(path).stat().st_mtime_ns
        return _load_file(path, mtime_ns)
    except OSError as e:
        reason = e.strerror or str(e)
        raise ScoringWeightsError(f"{path}: cannot read the scoring weights file ({reason})") from e
