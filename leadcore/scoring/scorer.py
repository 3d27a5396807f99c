"""Explainable lead scores for leads whose source gave none.

score = base + the points of every rule that fired, clamped to 0..100. The points live in one JSON
file: the packaged ``scoring_weights.json``, or ``Settings.scoring_weights_file`` when that is set.
Each fired rule becomes a :class:`ScoreReason`, so the UI can say why a lead scored 72.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from operator import attrgetter
from pathlib import Path
from types import MappingProxyType
from typing import Any

from leadcore import config
from leadcore.errors import LeadcoreError
from leadcore.scoring.rules import (
    MAX_SCORE,
    MIN_SCORE,
    RULE_NAMES,
    RULES,
    Scorable,
    ScoreContext,
    Weights,
    is_company,
)


class ScoringWeightsError(LeadcoreError, ValueError):
    """The scoring weights file is missing, is not JSON, or names an unknown rule or a bad value."""



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
        for name, fn, points, key_of in self._rules["COMPANY" if is_company(c) else "INDIVIDUAL"]:
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
