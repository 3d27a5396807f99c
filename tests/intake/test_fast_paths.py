"""The save path's shortcuts give exactly what the long way gives.

Each fast path (the ASCII email rule, the one-pass row check, the single phone parse, the regex tokenizer, the
cached host check, the canonical LinkedIn URL, the batch scorer) is compared with its reference: the general code
it skips, or a copy of the code it replaced, over generated and hand-picked input.
"""

from __future__ import annotations

import dataclasses
import json
import re
import string
import sys
from typing import Any

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadcore import emails
from leadcore.intake import dedupe, domains, validation
from leadcore.intake.candidates import STATUSES, LeadCandidate
from leadcore.scoring.rules import ScoreContext, context_from_query
from leadcore.scoring.scorer import Scorer, default_weights, load_weights, score_lead

# -- the email rule -----------------------------------------------------------------------------------------------

_EMAIL_ALPHABET = string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~.-@ \t\x00\x1c\"(),:;<>[\\]" + "äé"
emailish = st.text(alphabet=_EMAIL_ALPHABET, max_size=30)
structured = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join([*labels, tld])}",
    st.text(alphabet=string.ascii_letters + string.digits + ".-+_'", min_size=0, max_size=70),
    st.lists(st.text(alphabet=string.ascii_lowercase + string.digits + "-", min_size=0, max_size=66), max_size=4),
    st.sampled_from(["com", "io", "c", "xn--p1ai", "XN--P1AI", "x1", "co-", "-co", ""]),
)


@given(emailish | structured)
@settings(max_examples=2000)
def test_ascii_email_rule_agrees_with_the_character_by_character_rule(address: str) -> None:
    assert emails.is_plausible_email(address) == emails._is_plausible_email_general(address)


@pytest.mark.parametrize("address", [
    "a@b.co", "a.b@c.de", ".a@b.co", "a.@b.co", "a..b@c.de", "a@b", "a@b.c", "a@-b.co", "a@b-.co", "a@b..co",
    "a@b.co.", "@b.co", "a@", "a@@b.co", "a b@c.de", "a@b.xn--p1ai", "a@b.XN--p1ai", "a@b.c1", "a@1.23",
    "x" * 64 + "@b.co", "x" * 65 + "@b.co", "a@" + "b" * 63 + ".co", "a@" + "b" * 64 + ".co",
    "a@" + ".".join(["b" * 60] * 4) + ".co", "a@" + ".".join(["b" * 61] * 4) + ".co", "a@b.co\n", "a\x1f@b.co",
    "o'brien+tag@example.com", "üser@exämple.de",
])
def test_email_rule_edge_cases_agree(address: str) -> None:
    assert emails.is_plausible_email(address) == emails._is_plausible_email_general(address)


# -- the row check ------------------------------------------------------------------------------------------------

short_text = st.none() | st.text(alphabet=st.sampled_from(list("ab @.\x00 \t")), max_size=6) | st.sampled_from(
    ["Ann Lee", "ann@acme.io", " ann@acme.io ", "bad@", "x" * 501, "x" * 500, "", "  "]
)
candidates = st.builds(
    LeadCandidate,
    type=st.sampled_from(["INDIVIDUAL", "COMPANY", "individual", "OTHER"]),
    lead_name=short_text,
    email=short_text,
    phone=short_text,
    company=short_text,
    website=short_text,
    notes=st.none() | st.sampled_from(["", "note", "x\x00", "y" * 20_001]),
    lead_score=st.none() | st.sampled_from([0, 55, 100, 101, -1, True]),
    tags=st.lists(st.sampled_from(["vip", "", " ", "t" * 51, "a\x00"]), max_size=3),
    status=st.none() | st.sampled_from([*STATUSES, "new", "OTHER"]),
)


@given(candidates)
@settings(max_examples=1500)
def test_one_pass_row_check_never_passes_a_row_the_full_check_rejects(c: LeadCandidate) -> None:
    full = _full_check(c)
    assert validation.validate_candidate(c) == full
    if validation._obviously_valid(c):
        assert full is None


def test_the_one_pass_check_takes_the_common_rows() -> None:
    c = LeadCandidate(lead_name="Ann Lee", email="ann@acme.io", phone="+49 30 1234567", tags=["vip"], status="NEW")
    assert validation._obviously_valid(c)
    assert validation._obviously_valid(LeadCandidate(type="COMPANY", lead_name="Acme", website="acme.io"))


def _full_check(c: LeadCandidate) -> str | None:
    real = validation._obviously_valid
    validation._obviously_valid = lambda _c: False  # type: ignore[assignment]
    try:
        return validation.validate_candidate(c)
    finally:
        validation._obviously_valid = real


# -- phone numbers: one parse where a second one could only repeat it ---------------------------------------------

def _phone_norm_two_parses(raw: str | None, default_region: str | None = None) -> str | None:
    """phone_norm as it was, parsing every number twice."""
    if not raw or not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text or len(text) > 64:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    region = default_region.strip().upper() if isinstance(default_region, str) else None
    try:
        number = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    try:
        again = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.format_number(again, phonenumbers.PhoneNumberFormat.E164) != e164:
        return None
    return e164


_EXAMPLES = [
    number
    for region in sorted(phonenumbers.SUPPORTED_REGIONS)
    for kind in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE)
    if (number := phonenumbers.example_number_for_type(region, kind)) is not None
]


def _render(number: phonenumbers.PhoneNumber, style: int, tail: str, cuts: list[int], seps: list[str]) -> str:
    """A real example number, its last digits changed, written the ways people and providers write them."""
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    digits = e164[1:]
    digits = digits[: max(len(digits) - len(tail), 1)] + tail
    for cut, sep in sorted(zip(cuts, seps, strict=False), reverse=True):
        at = min(cut, len(digits))
        digits = digits[:at] + sep + digits[at:]
    cc = str(number.country_code)
    return ["+" + digits, "00" + digits, "+" + digits + " ", "+" + cc + " (0) " + digits[len(cc):],
            digits, "+" + digits + " x12", "+ " + digits][style]


phones = st.builds(
    _render,
    st.sampled_from(_EXAMPLES),
    st.integers(0, 6),
    st.text(alphabet="0123456789", max_size=4),
    st.lists(st.integers(1, 14), max_size=4),
    st.lists(st.sampled_from([" ", "-", ".", "(", ")", " ", "/", "0", "00"]), max_size=4),
)


@given(phones, st.sampled_from([None, "DE", "GB", "US", "IT", "RU", "NL", " de "]))
@settings(max_examples=2000, suppress_health_check=[HealthCheck.too_slow])
def test_phone_norm_with_one_parse_equals_two_parses(raw: str, region: str | None) -> None:
    assert dedupe.phone_norm(raw, region) == _phone_norm_two_parses(raw, region)


@pytest.mark.parametrize("raw", [
    "+49 30 1234567", "+49 (0)30 1234567", "+31 0000000", "+39 06 1234 5678", "+7 8 800 555 35 35", "+1 (415) 555-0100",
    "0049 30 1234567", "+44 20 7946 0958", "+44 (0) 20 7946 0958", "+225 01 02 03 04 05", "+39 0000 0000",
    "+49.30.1234567", "+4930-1234567", "+800 1234 5678", "+979 1234 5678", "+882 34 1234 5678",
])
def test_phone_norm_edge_cases_equal_two_parses(raw: str) -> None:
    for region in (None, "DE", "IT"):
        assert dedupe.phone_norm(raw, region) == _phone_norm_two_parses(raw, region)


# -- tokens, segments and hosts -----------------------------------------------------------------------------------

def test_alnum_runs_are_exactly_isalnum_runs_over_all_of_unicode() -> None:
    everything = "".join(map(chr, range(sys.maxunicode + 1)))
    by_regex = dedupe._ALNUM_RUN.sub("", everything)
    by_method = "".join(ch for ch in everything if not ch.isalnum())
    assert by_regex == by_method
    assert domains._SEGMENT_RE.sub("", everything) == "".join(
        ch for ch in everything if not (ch.isalnum() or ch in "-_.@~+")
    )


@given(st.text(alphabet=st.characters(codec=None), max_size=40), st.sampled_from(["", "'", "'.’"]))
@settings(max_examples=1000)
def test_tokens_match_the_character_loop(text: str, drop: str) -> None:
    reference = text
    for ch in drop:
        reference = reference.replace(ch, "")
    assert dedupe._tokens(text, drop=drop) == "".join(ch if ch.isalnum() else " " for ch in reference).split()


@given(st.text(alphabet=st.characters(codec=None), max_size=20))
def test_valid_segment_matches_the_character_loop(seg: str) -> None:
    assert domains._valid_segment(seg) == (bool(seg) and all(ch.isalnum() or ch in "-_.@~+" for ch in seg))


# -- the canonical LinkedIn URL -------------------------------------------------------------------------------------

linkedin_like = st.builds(
    lambda scheme, host, kind, slug, tail: f"{scheme}{host}/{kind}/{slug}{tail}",
    st.sampled_from(["https://", "http://", "HTTPS://", "", "//", "https:/"]),
    st.sampled_from(["www.linkedin.com", "linkedin.com", "de.linkedin.com", "WWW.LinkedIn.com", "linkedin.co",
                     "www.linkedin.com.", "wwwxlinkedin.com"]),
    st.sampled_from(["in", "company", "school", "showcase", "pub", "IN", "jobs", ""]),
    st.text(alphabet=string.ascii_letters + string.digits + "-_.%@+~ /Ééü", max_size=12),
    st.sampled_from(["", "/", "//", "/x", "?trk=1", "#about", " ", "\n"]),
)


@given(linkedin_like | st.text(max_size=40))
@settings(max_examples=3000)
def test_canonical_linkedin_shortcut_agrees_with_the_parser(url: str) -> None:
    assert domains.linkedin_norm(url) == domains._linkedin_norm_parsed(url)


@pytest.mark.parametrize("url", [
    "https://www.linkedin.com/in/jane-doe-1a2b3c", "http://linkedin.com/company/ACME-Labs/", "https://www.linkedin.com/in/",
    "https://www.linkedin.com/in/-", "https://www.linkedin.com/in/a--b", "https://www.linkedin.com/in/jane//",
    "https://www.linkedin.com/school/mit", "https://www.linkedin.com/pub/jane/1/2/3",
])
def test_canonical_linkedin_urls_agree(url: str) -> None:
    assert domains.linkedin_norm(url) == domains._linkedin_norm_parsed(url)
    assert domains._CANONICAL_LINKEDIN.fullmatch(url) or "pub" in url or url.endswith(("/in/", "//"))


@pytest.mark.parametrize("host", [
    "acme.io", "1.2.3.4", "10.0.0.1", "1.2.3", "01.2.3.4", "256.1.1.1", "a1.b2", "www.example.com.", "LOCALHOST",
    "xn--mnchen-3ya.de", "münchen.de", "999", "a.1", "",
])
def test_host_check_treats_ip_addresses_as_before(host: str) -> None:
    domains._valid_host.cache_clear()
    got = domains._valid_host(host)
    expected = host.strip().rstrip(".").lower()
    if expected and not expected.isascii():
        expected = expected.encode("idna").decode("ascii").lower()
    looks_like_ip = bool(re.fullmatch(r"[0-9.]+", expected)) and _is_ip(expected)
    if not expected or not domains._HOST_RE.match(expected) or looks_like_ip:
        assert got is None
    else:
        assert got == expected


def _is_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def test_name_keys_are_the_same_cached_or_not() -> None:
    names = ["Dr. John Smith", "Smith, John", "Anna Müller", "ANNA MULLER", "O'Brien", "Łukasz Żółć", "  "]
    firms = ["The Acme Co., Ltd.", "Smith & Co.", "ACME", "Müller GmbH", "Stealth", "Freelance"]
    first = [(dedupe.person_name_key(n), dedupe.company_name_key(f)) for n in names for f in firms]
    dedupe._person_name_key.cache_clear()
    dedupe._company_name_key.cache_clear()
    again = [(dedupe.person_name_key(n), dedupe.company_name_key(f)) for n in names for f in firms]
    assert first == again
    assert dedupe.person_name_key("Smith, Dr. John") == dedupe.person_name_key("John Smith") == "john smith"
    assert dedupe.company_name_key("The Acme Co., Ltd.") == "acme"


# -- scoring ------------------------------------------------------------------------------------------------------

_TITLES = ["CTO", "Senior Developer", "Senior Director", "VP Engineering", "Head of Sales", "", None, "vpn admin",
           "Geschäftsführerin", "Engineering Manager", "Founder & CEO"]
scored = st.builds(
    LeadCandidate,
    type=st.sampled_from(["INDIVIDUAL", "COMPANY", " company ", ""]),
    lead_name=st.sampled_from(["Ann Lee", None]),
    email=st.sampled_from([None, "", "ann@acme.io", "info@acme.io", "ann@gmail.com", "x", "sales@GMAIL.com."]),
    phone=st.sampled_from([None, "", "n/a", "+49 30 1234567"]),
    job_title=st.sampled_from(_TITLES),
    location=st.sampled_from([None, "Berlin, Germany", "Paris", ""]),
    headquarters=st.sampled_from([None, "Berlin", "Munich"]),
    industry=st.sampled_from([None, "SaaS", "Fintech", "saas platforms"]),
    website=st.sampled_from([None, "", "https://acme.io", " "]),
    linkedin_url=st.sampled_from([None, "", "https://linkedin.com/in/ann"]),
)
contexts = st.sampled_from([
    ScoreContext(),
    context_from_query("VP Engineering saas Berlin", "SaaS", "Berlin"),
    context_from_query("CTOs in fintech", "Fintech", "Paris, France"),
])


@given(st.lists(scored, min_size=1, max_size=30), contexts)
@settings(max_examples=300)
def test_batch_scorer_equals_score_lead(leads: list[LeadCandidate], ctx: ScoreContext) -> None:
    weights = default_weights()
    scorer = Scorer(weights, ctx)
    for c in leads:  # the scorer remembers labels between leads: same answers in any order, twice
        assert scorer.score(c) == score_lead(c, context=ctx, weights=weights)
    for c in reversed(leads):
        assert scorer.score(c) == score_lead(c, context=ctx, weights=weights)


def test_batch_scorer_follows_the_weights_file(tmp_path: Any) -> None:
    path = tmp_path / "w.json"
    path.write_text('{"rules": {"work_email": 0, "phone": 40}, "base": 10}', encoding="utf-8")
    weights = load_weights(str(path))
    c = LeadCandidate(lead_name="Ann", email="ann@acme.io", phone="+49 30 1234567", job_title="CTO")
    assert Scorer(weights).score(c) == score_lead(c, weights=weights)
    assert "work_email" not in Scorer(weights).score(c).rules


@given(st.lists(scored, min_size=1, max_size=30), contexts)
@settings(max_examples=200)
def test_breakdown_json_is_json_dumps_of_the_breakdown(leads: list[LeadCandidate], ctx: ScoreContext) -> None:
    scorer = Scorer(default_weights(), ctx)
    for c in leads:
        score = scorer.score(c)
        assert scorer.breakdown_json(score) == json.dumps(score.breakdown())


def test_breakdown_json_of_a_clamped_score(tmp_path: Any) -> None:
    path = tmp_path / "w.json"
    path.write_text('{"base": 95, "rules": {"phone": 20, "missing_contact": -100}}', encoding="utf-8")
    scorer = Scorer(load_weights(str(path)))
    for c in (LeadCandidate(lead_name="A", phone="+49 30 1234567"), LeadCandidate(lead_name="B")):
        score = scorer.score(c)
        assert score.value in (0, 100)
        assert scorer.breakdown_json(score) == json.dumps(score.breakdown())


# -- match keys without the phone ----------------------------------------------------------------------------------

keyed = st.builds(
    LeadCandidate,
    type=st.sampled_from(["INDIVIDUAL", "COMPANY", " company "]),
    lead_name=short_text,
    email=short_text | st.sampled_from(["ann.lee+x@gmail.com", "info@acme.io", "bo@sub.acme.co.uk"]),
    phone=st.none() | st.sampled_from(["+49 30 1234567", "030 1234567", "0049 (30) 123-4567", "n/a", "+1 202 555 0143",
                                       ""]),
    company=short_text | st.sampled_from(["Acme GmbH", "The Acme Co., Ltd."]),
    website=short_text | st.sampled_from(["https://acme.io/about", "linktr.ee/acme"]),
    linkedin_url=st.none() | st.sampled_from(["https://www.linkedin.com/in/ann-lee/", "linkedin.com/company/acme"]),
)


@given(keyed, st.sampled_from([None, "DE", "US"]))
@settings(max_examples=500)
def test_keys_without_the_phone_are_the_keys_but_the_phone(c: LeadCandidate, region: str | None) -> None:
    """Planning a batch skips the phone (it matches nothing); every key it does compute is the full one."""
    full = dedupe.match_keys(c, default_region=region)
    planned = dedupe.match_keys(c, default_region=region, phone=False)
    assert planned.phone_norm is None
    assert planned == dataclasses.replace(full, phone_norm=None)
