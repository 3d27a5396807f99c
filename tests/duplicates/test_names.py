from __future__ import annotations

import pytest

from leadcore.duplicates.names import company_tokens, edit_distance, person_name, soundex
from leadcore.duplicates.scoring import compare, record


@pytest.mark.parametrize("raw, first, last", [
    ("Robert Fischer", "robert", "fischer"),
    ("Bob Fischer", "robert", "fischer"),
    ("Weiß, Hiro", "hiroshi", "weiss"),
    ("Hiro H. Weiß", "hiroshi", "weiss"),
    ("Jürgen Köhler", "jurgen", "kohler"),
    ("Juergen Koehler", "jurgen", "kohler"),
    ("Dr. Jane Smith, PhD", "jane", "smith"),
    ("R. Fischer", "r", "fischer"),
])
def test_person_name_parts(raw: str, first: str, last: str) -> None:
    name = person_name(raw)
    assert name is not None and (name.first, name.last) == (first, last)


@pytest.mark.parametrize("raw, tokens", [
    ("Atlas Bio Ltd", ("atlas", "bio")),
    ("ATLAS BIO (London)", ("atlas", "bio")),
    ("Acme GmbH", ("acme",)),
    ("The Acme Co.", ("acme",)),
    ("Acme Corp - Berlin office", ("acme",)),
    ("Delta Air Lines", ("delta", "air", "lines")),
    ("Freelance", ()),
])
def test_company_tokens_strip_legal_form_and_location(raw: str, tokens: tuple[str, ...]) -> None:
    assert company_tokens(raw) == tokens


def test_soundex_and_edit_distance() -> None:
    assert soundex("fischer") == soundex("fisher") == "F260"
    assert edit_distance("kelleer", "keller") == 1
    assert edit_distance("abcd", "badc") == 2


def _person(i: int, **fields: object) -> object:
    return record({"id": i, "type": "INDIVIDUAL", **fields})


def _verdict(a: dict[str, object], b: dict[str, object], *, kind: str = "INDIVIDUAL") -> object:
    ra, rb = record({"id": 1, "type": kind, **a}), record({"id": 2, "type": kind, **b})
    phones = {}
    for r in (ra, rb):
        if r.phone:
            phones[r.phone] = phones.get(r.phone, 0) + 1
    return compare(ra, rb, phones)


def test_bob_at_acme_with_gmail_and_other_phone_format_is_robert() -> None:
    v = _verdict({"lead_name": "Robert Fischer", "company": "Acme GmbH", "email": "robert.fischer@acme.de",
                  "phone": "+49 30 1234567"},
                 {"lead_name": "Bob Fischer", "company": "ACME", "email": "bob.fischer@gmail.com",
                  "phone": "030 123-4567"})
    assert v is not None and v.score >= 0.9  # type: ignore[attr-defined]
    assert "Bob = Robert" in v.reasons and any(r.startswith("same phone") for r in v.reasons)  # type: ignore[attr-defined]


def test_colleagues_on_one_switchboard_are_not_paired() -> None:
    assert _verdict({"lead_name": "Anna Schmidt", "company": "Acme", "phone": "+49 30 1234567"},
                    {"lead_name": "Peter Schmidt", "company": "Acme", "phone": "+49 30 1234567"}) is None


def test_colleagues_sharing_an_email_domain_with_near_names_are_not_paired() -> None:
    assert _verdict({"lead_name": "Maria Lopez", "email": "maria.lopez@acme.com"},
                    {"lead_name": "Mario Lopez", "email": "mario.lopez@acme.com"}) is None


def test_namesakes_at_other_companies_score_below_the_queue() -> None:
    v = _verdict({"lead_name": "John Smith", "company": "Acme", "email": "john.smith@acme.com"},
                 {"lead_name": "John Smith", "company": "Globex", "email": "john.smith@globex.com"})
    assert v is None or v.score < 0.7  # type: ignore[attr-defined]


def test_delta_dental_is_not_delta_air_lines() -> None:
    assert _verdict({"lead_name": "Delta Dental"}, {"lead_name": "Delta Air Lines"}, kind="COMPANY") is None


def test_company_variants_with_one_switchboard_pair() -> None:
    v = _verdict({"lead_name": "Atlas Bio Ltd", "phone": "+44 20 7946 0018"},
                 {"lead_name": "ATLAS BIO (London)", "phone": "020 7946 0018"}, kind="COMPANY")
    assert v is not None and v.score >= 0.9  # type: ignore[attr-defined]
