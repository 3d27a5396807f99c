"""Lead scoring: every rule as a table row, the weights file, and a property over arbitrary text."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadcore import config
from leadcore.intake.candidates import LeadCandidate
from leadcore.scoring.rules import RULE_NAMES, ScoreContext, Weights, context_from_query
from leadcore.scoring.scorer import (
    Score,
    ScoreReason,
    ScoringWeightsError,
    default_weights,
    load_weights,
    score_lead,
)

WORK = {"email": "ann@acme.io"}  # +20 on its own: 50 with the base of 30


def make_lead(**overrides: Any) -> LeadCandidate:
    return LeadCandidate(**{"lead_name": "Ann Lee", **overrides})


def ctx(**kw: Any) -> ScoreContext:
    return ScoreContext(**kw)


# (id, candidate fields, context, expected value, expected fired rules in order) — default weights.
CASES: list[tuple[str, dict[str, Any], ScoreContext | None, int, list[str]]] = [
    # email rules
    ("work-email", WORK, None, 50, ["work_email"]),
    ("free-mail", {"email": "ann@GMail.com"}, None, 20, ["free_mail"]),
    ("role-address-company-domain", {"email": "info@acme.io"}, None, 25, ["role_email"]),
    ("role-address-free-mail", {"email": "info@gmail.com"}, None, 15, ["free_mail", "role_email"]),
    ("role-address-plus-tag", {"email": "Sales+eu@acme.io"}, None, 25, ["role_email"]),
    # contact channels
    ("nothing-to-contact", {}, None, 10, ["missing_contact"]),
    ("phone-only", {"phone": "+49 30 1234567"}, None, 35, ["phone"]),
    ("phone-without-digits-is-none", {"phone": "n/a"}, None, 10, ["missing_contact"]),
    ("linkedin-only", {"linkedin_url": "linkedin.com/in/ann"}, None, 40, ["linkedin"]),
    # title rules
    ("decision-maker-vp", {**WORK, "job_title": "VP Engineering"}, None, 70,
     ["work_email", "decision_maker_title"]),
    ("decision-maker-head-of", {**WORK, "job_title": "Head of Sales"}, None, 70,
     ["work_email", "decision_maker_title"]),
    ("decision-maker-german", {**WORK, "job_title": "Geschäftsführer"}, None, 70,
     ["work_email", "decision_maker_title"]),
    ("decision-maker-cfo-any-case", {**WORK, "job_title": "cfo"}, None, 70,
     ["work_email", "decision_maker_title"]),
    ("senior-title", {**WORK, "job_title": "Senior Software Engineer"}, None, 60,
     ["work_email", "senior_title"]),
    ("senior-manager", {**WORK, "job_title": "Marketing Manager"}, None, 60,
     ["work_email", "senior_title"]),
    ("senior-not-cumulative-with-decision-maker", {**WORK, "job_title": "Senior Director"}, None, 70,
     ["work_email", "decision_maker_title"]),
    ("plain-title", {**WORK, "job_title": "Software Engineer"}, None, 50, ["work_email"]),
    ("cto-not-inside-actor", {**WORK, "job_title": "Actor"}, None, 50, ["work_email"]),
    ("vp-not-inside-vpn", {**WORK, "job_title": "VPN Support"}, None, 50, ["work_email"]),
    ("title-matches-keyword", {**WORK, "job_title": "Data Engineer"}, ctx(title_keywords=("data",)), 55,
     ["work_email", "title_match"]),
    ("title-keyword-plural", {**WORK, "job_title": "CTO"}, context_from_query("CTOs", None, None), 75,
     ["work_email", "decision_maker_title", "title_match"]),
    ("title-keyword-no-match", {**WORK, "job_title": "Data Engineer"}, ctx(title_keywords=("sales",)), 50,
     ["work_email"]),
    # target matches
    ("industry-target-in-lead", {**WORK, "industry": "Computer Software"}, ctx(industry="software"), 60,
     ["work_email", "industry_match"]),
    ("industry-lead-in-target", {**WORK, "industry": "SaaS"}, ctx(industry="SaaS, Cloud"), 60,
     ["work_email", "industry_match"]),
    ("industry-no-match", {**WORK, "industry": "Retail"}, ctx(industry="Software"), 50, ["work_email"]),
    ("industry-missing-on-lead", WORK, ctx(industry="Software"), 50, ["work_email"]),
    ("location-target-in-lead", {**WORK, "location": "Berlin, Germany"}, ctx(location="berlin"), 55,
     ["work_email", "location_match"]),
    ("location-lead-in-target", {**WORK, "location": "Berlin"}, ctx(location="Berlin, Germany"), 55,
     ["work_email", "location_match"]),
    ("location-from-headquarters", {**WORK, "headquarters": "Berlin, DE"}, ctx(location="Berlin"), 55,
     ["work_email", "location_match"]),
    ("location-no-match", {**WORK, "location": "Munich"}, ctx(location="Berlin"), 50, ["work_email"]),
    # companies: website and company page count, title and role rules do not apply
    ("company-full", {"type": "COMPANY", "website": "acme.io", "linkedin_url": "linkedin.com/company/acme",
                      "industry": "Software"}, ctx(industry="software"), 55,
     ["company_website", "company_linkedin", "industry_match"]),
    ("company-title-ignored", {"type": "COMPANY", "website": "acme.io", "job_title": "CEO"},
     ctx(title_keywords=("ceo",)), 35, ["company_website"]),
    ("company-role-address-is-normal", {"type": "COMPANY", "email": "info@acme.io"}, None, 50,
     ["work_email"]),
    ("company-free-mail", {"type": "COMPANY", "email": "acme@gmail.com"}, None, 20, ["free_mail"]),
    ("company-nothing-to-contact", {"type": "COMPANY"}, None, 10, ["missing_contact"]),
    ("company-type-any-case", {"type": "company", "website": "acme.io"}, None, 35, ["company_website"]),
    ("company-location", {"type": "COMPANY", "website": "acme.io", "headquarters": "Berlin, Germany"},
     ctx(location="Berlin"), 40, ["company_website", "location_match"]),
    # clamped at 100 (30 + 20 + 20 + 5 + 5 + 10 + 10 + 5 = 105)
    ("clamped-at-100", {**WORK, "job_title": "CTO", "phone": "+1 555 0100", "linkedin_url": "x",
                        "industry": "Fintech", "location": "Berlin"},
     context_from_query("cto", "fintech", "berlin"), 100,
     ["work_email", "decision_maker_title", "title_match", "phone", "linkedin", "industry_match",
      "location_match"]),
]


@pytest.mark.parametrize("fields, context, value, rules", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_score_table(fields: dict[str, Any], context: ScoreContext | None, value: int, rules: list[str]) -> None:
    score = score_lead(make_lead(**fields), context=context, weights=default_weights())
    assert (score.value, list(score.rules)) == (value, rules)


def test_every_rule_fires_somewhere_in_the_table() -> None:
    fired = {rule for case in CASES for rule in case[4]}
    assert fired == set(RULE_NAMES)


def test_labels_name_what_fired() -> None:
    score = score_lead(make_lead(job_title="VP Engineering", email="ann@acme.io"), weights=default_weights())
    assert score.reasons == (
        ScoreReason("work_email", "Has a work email (@acme.io)", 20),
        ScoreReason("decision_maker_title", "Decision-maker title (VP Engineering)", 20),
    )


def test_breakdown_lists_base_and_reasons_and_sums_to_value() -> None:
    score = score_lead(make_lead(email="ann@gmail.com", phone="123"), weights=default_weights())
    rows = score.breakdown()
    assert rows[0] == {"rule": "base", "label": "Base score", "points": 30}
    assert [r["rule"] for r in rows[1:]] == ["free_mail", "phone"]
    assert sum(r["points"] for r in rows) == score.value == 25
    assert json.loads(json.dumps(rows)) == rows


def test_breakdown_shows_the_cap_when_clamped_at_100() -> None:
    case = next(c for c in CASES if c[0] == "clamped-at-100")
    rows = score_lead(make_lead(**case[1]), context=case[2], weights=default_weights()).breakdown()
    assert rows[-1] == {"rule": "clamp", "label": "Capped at 100", "points": -5}
    assert sum(r["points"] for r in rows) == 100


def write(tmp_path: Path, data: Any, name: str = "weights.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def test_clamped_at_0_with_custom_weights(tmp_path: Path) -> None:
    weights = load_weights(write(tmp_path, {"base": 10, "rules": {"missing_contact": -50}}))
    score = score_lead(make_lead(), weights=weights)
    assert score.value == 0
    assert score.breakdown()[-1] == {"rule": "clamp", "label": "Floored at 0", "points": 40}


def test_custom_file_overrides_listed_rules_and_keeps_the_rest(tmp_path: Path) -> None:
    weights = load_weights(write(tmp_path, {"base": 50, "rules": {"work_email": 40}}))
    score = score_lead(make_lead(email="ann@acme.io", phone="+1 555"), weights=weights)
    assert score.value == 95  # 50 + 40 + phone's default 5
    assert weights.decision_maker_titles == default_weights().decision_maker_titles


def test_custom_file_zero_switches_a_rule_off(tmp_path: Path) -> None:
    weights = load_weights(write(tmp_path, {"rules": {"phone": 0}}))
    score = score_lead(make_lead(email="ann@acme.io", phone="+1 555"), weights=weights)
    assert (score.value, score.rules) == (50, ("work_email",))


def test_custom_title_lists_replace_the_defaults(tmp_path: Path) -> None:
    weights = load_weights(write(tmp_path, {"decision_maker_titles": ["captain"], "senior_titles": ["first mate"]}))
    assert score_lead(make_lead(job_title="Captain"), weights=weights).rules == (
        "decision_maker_title", "missing_contact")
    assert score_lead(make_lead(job_title="First Mate"), weights=weights).rules == (
        "senior_title", "missing_contact")
    assert score_lead(make_lead(job_title="CEO"), weights=weights).rules == ("missing_contact",)


SetWeightsFile = Callable[[str], None]


@pytest.fixture
def weights_setting(monkeypatch: pytest.MonkeyPatch) -> Iterator[SetWeightsFile]:
    """Point ``LEADCORE_SCORING_WEIGHTS_FILE`` at a path, with a fresh settings object."""

    def use(path: str) -> None:
        monkeypatch.setenv("LEADCORE_SCORING_WEIGHTS_FILE", path)
        config.settings.cache_clear()

    yield use
    monkeypatch.delenv("LEADCORE_SCORING_WEIGHTS_FILE", raising=False)
    config.settings.cache_clear()


def test_settings_file_is_used_when_no_weights_given(
    tmp_path: Path, weights_setting: SetWeightsFile
) -> None:
    path = write(tmp_path, {"base": 70})
    weights_setting(path)
    assert score_lead(make_lead(email="ann@acme.io")).value == 90
    # An edited file is picked up without a restart.
    Path(path).write_text(json.dumps({"base": 60}), encoding="utf-8")
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_weights().base == 60


def test_empty_setting_means_packaged_defaults(weights_setting: SetWeightsFile) -> None:
    weights_setting("")
    assert load_weights() == default_weights()


def test_packaged_defaults_define_every_rule() -> None:
    weights = default_weights()
    assert set(weights.rules) == set(RULE_NAMES)
    assert weights.base == 30
    assert weights.rules["work_email"] > 0 > weights.rules["free_mail"]
    assert weights.rules["decision_maker_title"] > weights.rules["senior_title"] > 0
    assert weights.rules["free_mail"] < weights.rules["role_email"] < 0


@pytest.mark.parametrize(
    "content, message",
    [
        ({"rules": {"work_emial": 5}}, "unknown rule 'work_emial'"),
        ({"rules": {"phone": "5"}}, "rule 'phone' needs integer points"),
        ({"rules": {"phone": 5.5}}, "rule 'phone' needs integer points"),
        ({"rules": {"phone": True}}, "rule 'phone' needs integer points"),
        ({"rules": {"phone": 500}}, "rule 'phone' needs integer points from -100 to 100"),
        ({"rules": ["phone"]}, "'rules' must be an object"),
        ({"base": 150}, "'base' must be an integer from 0 to 100"),
        ({"base": "30"}, "'base' must be an integer"),
        ({"bonus": 1}, "unknown key(s) bonus"),
        ({"senior_titles": "senior"}, "'senior_titles' must be a list of non-empty strings"),
        ({"decision_maker_titles": ["ceo", ""]}, "'decision_maker_titles' must be a list"),
        ([1, 2], "expected a JSON object"),
        ("{\"base\": 30,", "not valid JSON"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else None,
)
def test_bad_weights_file_names_the_problem(tmp_path: Path, content: Any, message: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(ValueError) as info:
        load_weights(path)
    assert isinstance(info.value, ScoringWeightsError)
    assert message in str(info.value)
    assert path in str(info.value)


def test_missing_weights_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ScoringWeightsError, match="cannot read the scoring weights file"):
        load_weights(str(tmp_path / "nope.json"))


def test_comment_keys_are_ignored(tmp_path: Path) -> None:
    assert load_weights(write(tmp_path, {"_comment": "mine", "base": 40})).base == 40


def test_scoring_is_deterministic_and_does_not_touch_the_lead() -> None:
    lead = make_lead(email="ann@acme.io", job_title="Head of Data", location="Berlin", tags=["x"])
    before = copy.deepcopy(lead)
    context = context_from_query("head of data", "software", "Berlin")
    first = score_lead(lead, context=context, weights=default_weights())
    assert all(score_lead(lead, context=context, weights=default_weights()) == first for _ in range(3))
    assert lead == before


@pytest.mark.parametrize(
    "text, industry, location, expected",
    [
        ("CTOs at fintech startups in Berlin", "Fintech", " Berlin ",
         ScoreContext("Fintech", "Berlin", ("ctos", "fintech", "startups", "berlin"))),
        ("VP of Sales, VP sales", None, None, ScoreContext(None, None, ("vp", "sales"))),
        ("Geschäftsführer und Inhaber", "", "  ", ScoreContext(None, None, ("geschäftsführer", "inhaber"))),
        ("top 50 a b", None, None, ScoreContext(None, None, ("top",))),
        (None, None, None, ScoreContext()),
    ],
)
def test_context_from_query(text: str | None, industry: str | None, location: str | None,
                            expected: ScoreContext) -> None:
    assert context_from_query(text, industry, location) == expected


# --- properties -------------------------------------------------------------------------------------

maybe_text = st.one_of(st.none(), st.text(max_size=60))
leads = st.builds(
    LeadCandidate,
    type=st.sampled_from(["INDIVIDUAL", "COMPANY", "company", "", "other"]),
    lead_name=maybe_text, email=st.one_of(maybe_text, st.emails().map(str)), phone=maybe_text,
    job_title=maybe_text, company=maybe_text, location=maybe_text, headquarters=maybe_text,
    industry=maybe_text, website=maybe_text, linkedin_url=maybe_text,
)
contexts = st.builds(
    ScoreContext, industry=maybe_text, location=maybe_text,
    title_keywords=st.lists(st.text(max_size=20), max_size=4).map(tuple),
)
points = st.integers(min_value=-100, max_value=100)
any_weights = st.builds(
    Weights,
    base=st.integers(min_value=0, max_value=100),
    rules=st.fixed_dictionaries({name: points for name in RULE_NAMES}).map(MappingProxyType),
    decision_maker_titles=st.just(default_weights().decision_maker_titles),
    senior_titles=st.lists(st.text(min_size=1, max_size=10), max_size=3).map(tuple),
)


@settings(max_examples=300, deadline=None)
@given(lead=leads, context=st.one_of(st.none(), contexts), weights=st.one_of(st.just(default_weights()), any_weights))
def test_score_is_always_0_to_100_and_explained(lead: LeadCandidate, context: ScoreContext | None,
                                                weights: Weights) -> None:
    score = score_lead(lead, context=context, weights=weights)
    assert isinstance(score, Score)
    assert 0 <= score.value <= 100
    assert sum(row["points"] for row in score.breakdown()) == score.value
    assert json.dumps(score.breakdown())


@settings(max_examples=200, deadline=None)
@given(text=maybe_text, industry=maybe_text, location=maybe_text)
def test_context_from_query_never_raises(text: str | None, industry: str | None, location: str | None) -> None:
    context = context_from_query(text, industry, location)
    assert all(k and k == k.casefold() for k in context.title_keywords)
