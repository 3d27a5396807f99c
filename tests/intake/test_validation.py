"""The row rules of SPEC §5, as tables."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadcore.fileimport.mapping import LEAD_FIELDS
from leadcore.intake.candidates import STATUSES, TEXT_FIELDS, LeadCandidate
from leadcore.intake.validation import (
    TAG_MAX,
    is_plausible_email,
    split_tags,
    validate_candidate,
    validate_fields,
)


def ok(**values: str | None) -> LeadCandidate:
    result = validate_fields(values)
    assert result.reason is None, result.reason
    assert result.candidate is not None and result.ok
    return result.candidate


def reason(**values: str | None) -> str:
    result = validate_fields(values)
    assert result.candidate is None and not result.ok
    assert result.reason
    return result.reason


@pytest.mark.parametrize("tags", ["\x00", "vip; \x00", "a\x00b"])
def test_a_tag_with_a_nul_character_is_refused_before_it_reaches_the_database(tags: str) -> None:
    """Found by the property below: a file's tags cell with NUL passed validate_fields, while validate_candidate
    (and PostgreSQL, at the write) refuse it."""
    assert "tags contain a NUL character" in reason(lead_name="Ann", tags=tags)


# --- email -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "bob@example.com", "ann.lee+promo@gmail.com", "o'brien@example.ie", "x@mail.sub.example.co.uk",
        "a_b-c@ex-ample.io", "UPPER@EXAMPLE.COM", "jürgen@müller.de", "1@2.io", "a@xn--bcher-kva.example",
        "me@example.xn--p1ai",
    ],
)
def test_plausible_emails(address):
    assert is_plausible_email(address)


@pytest.mark.parametrize(
    "address",
    [
        "bob@@x", "a b@example.com", "jane@", "@example.com", "x@example..com", "x@localhost",
        ".x@example.com", "x.@example.com", "x..y@example.com", "x@.example.com", "x@example.com.",
        "x@-example.com", "x@example-.com", "x@example.c", "x@example.c0m", "x@example.123",
        "x@[1.2.3.4]", "x@ex_ample.com", "x(y)@example.com", "a@b@example.com", "plainaddress",
        "x@exa mple.com", "x\t@example.com", "a" * 65 + "@example.com", "x@" + "a" * 64 + ".com", "",
    ],
)
def test_implausible_emails(address):
    assert not is_plausible_email(address)


# --- validate_fields: valid rows ---------------------------------------------------------------


def test_clean_row_becomes_candidate_with_stripped_values():
    c = ok(
        lead_name="  Ann Lee ", email=" ann@acme.io ", phone="", job_title="CTO", company="Acme",
        location="Berlin", headquarters="Berlin", industry="Software", website="acme.io",
        linkedin_url="https://linkedin.com/in/ann", lead_score=" 80 ", notes="  met at expo ",
        tags="vip; berlin", status="contacted", type="individual",
    )
    assert c == LeadCandidate(
        type="INDIVIDUAL", lead_name="Ann Lee", email="ann@acme.io", phone=None, job_title="CTO",
        company="Acme", location="Berlin", headquarters="Berlin", industry="Software",
        website="acme.io", linkedin_url="https://linkedin.com/in/ann", lead_score=80,
        notes="met at expo", tags=["vip", "berlin"], status="CONTACTED", raw_data=None,
    )


@pytest.mark.parametrize(
    "values",
    [
        {"lead_name": "Ann"},
        {"email": "ann@acme.io"},
        {"lead_name": "Ann", "email": "   "},
        {"type": "COMPANY", "lead_name": "Acme GmbH"},
        {"lead_name": "=SUM(1)"},
        {"lead_name": "+49 30 1234", "notes": "@mention -- =HYPERLINK(\"x\")"},
        {"lead_name": "Ann", "unknown_column": "whatever"},
    ],
    ids=["name-only", "email-only", "blank-email", "company-lead", "formula", "formula-ish", "extra-key"],
)
def test_valid_rows(values):
    assert validate_fields(values).candidate is not None


def test_formula_text_is_stored_as_written():
    assert ok(lead_name="=SUM(1)", notes="=cmd|' /C calc'!A0").lead_name == "=SUM(1)"


def test_company_lead_without_name_or_email_is_invalid_as_the_spec_says():
    result = validate_fields({"type": "Company", "company": " Acme GmbH "})
    assert result.candidate is None and "needs a name or an email" in (result.reason or "")


@pytest.mark.parametrize(
    "given_type, expected",
    [(None, "INDIVIDUAL"), ("", "INDIVIDUAL"), ("  ", "INDIVIDUAL"), ("individual", "INDIVIDUAL"),
     ("INDIVIDUAL", "INDIVIDUAL"), ("Company", "COMPANY"), (" company ", "COMPANY")],
)
def test_type_normalised(given_type, expected):
    assert ok(lead_name="Ann", type=given_type).type == expected


@pytest.mark.parametrize(
    "score, expected",
    [(None, None), ("", None), ("  ", None), ("0", 0), ("100", 100), (" 80 ", 80), ("080", 80),
     ("80.0", 80), ("7", 7)],
)
def test_lead_score_accepted(score, expected):
    assert ok(lead_name="Ann", lead_score=score).lead_score == expected


@pytest.mark.parametrize("status", STATUSES)
def test_every_status_accepted_in_any_case(status):
    assert ok(lead_name="Ann", status=status.lower()).status == status


@pytest.mark.parametrize(
    "raw, tags",
    [
        ("", []),
        ("vip", ["vip"]),
        ("vip, berlin", ["vip", "berlin"]),
        ("vip;berlin|q3", ["vip", "berlin", "q3"]),
        (" vip ,, ; | berlin ,", ["vip", "berlin"]),
        ("vip, berlin, vip", ["vip", "berlin"]),
        ("B, a, B, c", ["B", "a", "c"]),
        ("x" * TAG_MAX, ["x" * TAG_MAX]),
    ],
)
def test_tags_split_stripped_deduplicated_in_order(raw, tags):
    assert split_tags(raw) == tags
    assert ok(lead_name="Ann", tags=raw).tags == tags


def test_limits_are_inclusive():
    c = ok(lead_name="n" * 500, job_title="t" * 500, notes="x" * 20_000)
    assert c.lead_name is not None and len(c.lead_name) == 500


# --- validate_fields: invalid rows -------------------------------------------------------------


@pytest.mark.parametrize(
    "values, expected",
    [
        ({}, "needs a name or an email"),
        ({"lead_name": "  ", "email": ""}, "needs a name or an email"),
        ({"company": "Acme", "phone": "123"}, "needs a name or an email"),
        ({"type": "INDIVIDUAL", "company": "Acme"}, "needs a name or an email"),
        ({"email": "bob@@x"}, "email 'bob@@x' is not a valid address"),
        ({"lead_name": "Ann", "email": "a b@example.com"}, "email 'a b@example.com' is not a valid address"),
        ({"lead_name": "Ann", "email": "jane@"}, "email 'jane@' is not a valid address"),
        ({"lead_name": "Ann", "email": "x@example..com"}, "email 'x@example..com' is not a valid address"),
        ({"lead_name": "Ann", "type": "person"}, "type must be INDIVIDUAL or COMPANY, got 'person'"),
        ({"lead_name": "Ann", "type": "org"}, "type must be INDIVIDUAL or COMPANY, got 'org'"),
        ({"lead_name": "Ann", "lead_score": "101"}, "lead_score must be a whole number 0–100, got '101'"),
        ({"lead_name": "Ann", "lead_score": "-1"}, "lead_score must be a whole number 0–100, got '-1'"),
        ({"lead_name": "Ann", "lead_score": "80.5"}, "lead_score must be a whole number 0–100, got '80.5'"),
        ({"lead_name": "Ann", "lead_score": "high"}, "lead_score must be a whole number 0–100, got 'high'"),
        ({"lead_name": "Ann", "lead_score": "8e1"}, "lead_score must be a whole number 0–100, got '8e1'"),
        ({"lead_name": "Ann", "lead_score": "8 0"}, "lead_score must be a whole number 0–100, got '8 0'"),
        ({"lead_name": "Ann", "lead_score": "٨٠"}, "lead_score must be a whole number 0–100, got '٨٠'"),
        ({"lead_name": "Ann", "lead_score": "100.0001"}, "got '100.0001'"),
        ({"lead_name": "Ann", "status": "hot"},
         "status must be one of NEW, CONTACTED, QUALIFIED, IMPORTED, REJECTED, ARCHIVED, got 'hot'"),
        ({"lead_name": "Ann", "tags": "ok, " + "t" * 51}, f"tag '{'t' * 39}…' is longer than 50 characters"),
        ({"lead_name": "Ann", "notes": "x" * 20_001}, "notes is longer than 20,000 characters"),
    ],
)
def test_invalid_rows_say_why(values, expected):
    assert expected in reason(**values)


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_every_short_field_over_500_characters_is_invalid(field):
    values = {"lead_name": "Ann", field: "x" * 501}
    assert f"{field} is longer than 500 characters" in reason(**values)


def test_overlong_email_reports_length_not_validity():
    assert reason(email="a" * 495 + "@x.com") == "email is longer than 500 characters"


def test_every_failing_rule_is_reported_once():
    r = reason(email="bob@@x", lead_score="101", type="person")
    assert r.split("; ") == [
        "type must be INDIVIDUAL or COMPANY, got 'person'",
        "email 'bob@@x' is not a valid address",
        "lead_score must be a whole number 0–100, got '101'",
    ]


def test_long_values_are_cut_short_in_the_reason():
    r = reason(lead_name="Ann", status="s" * 1000)
    assert len(r) < 200


# --- validate_candidate ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "candidate",
    [
        LeadCandidate(lead_name="Ann"),
        LeadCandidate(email="ann@acme.io", lead_score=0, tags=["vip"], status="NEW"),
        LeadCandidate(type="COMPANY", lead_name="Acme", lead_score=100),
        LeadCandidate(lead_name="=SUM(1)", notes="n" * 20_000),
    ],
)
def test_valid_candidates(candidate):
    assert validate_candidate(candidate) is None


@pytest.mark.parametrize(
    "candidate, expected",
    [
        (LeadCandidate(), "needs a name or an email"),
        (LeadCandidate(company="Acme"), "needs a name or an email"),
        (LeadCandidate(lead_name="Ann", email="bob@@x"), "email 'bob@@x' is not a valid address"),
        (LeadCandidate(lead_name="Ann", type="company"), "type must be INDIVIDUAL or COMPANY, got 'company'"),
        (LeadCandidate(lead_name="Ann", lead_score=101), "lead_score must be a whole number 0–100, got '101'"),
        (LeadCandidate(lead_name="Ann", lead_score=-1), "got '-1'"),
        (LeadCandidate(lead_name="Ann", lead_score=True), "got 'True'"),  # type: ignore[arg-type]
        (LeadCandidate(lead_name="Ann", lead_score=80.5), "got '80.5'"),  # type: ignore[arg-type]
        (LeadCandidate(lead_name="Ann", status="new"), "status must be one of"),
        (LeadCandidate(lead_name="Ann", job_title="t" * 501), "job_title is longer than 500 characters"),
        (LeadCandidate(lead_name="Ann", headquarters="h" * 501), "headquarters is longer than 500"),
        (LeadCandidate(lead_name="Ann", notes="n" * 20_001), "notes is longer than 20,000 characters"),
        (LeadCandidate(lead_name="Ann", tags=["t" * 51]), "is longer than 50 characters"),
        (LeadCandidate(lead_name="Ann", tags=[""]), "tags must be non-empty text"),
        (LeadCandidate(lead_name="Ann", phone=12345), "phone must be text, got int"),  # type: ignore[arg-type]
    ],
)
def test_invalid_candidates_say_why(candidate, expected):
    r = validate_candidate(candidate)
    assert r is not None and expected in r


# --- properties --------------------------------------------------------------------------------

field_names = st.sampled_from([*LEAD_FIELDS, "first_name", "raw_data", "", "x"])


@given(st.dictionaries(field_names, st.one_of(st.none(), st.text(max_size=600)), max_size=16))
def test_validate_fields_never_raises_and_answers_exactly_one_way(values):
    result = validate_fields(values)
    assert (result.candidate is None) != (result.reason is None)
    if result.candidate is not None:
        assert validate_candidate(result.candidate) is None


@given(st.dictionaries(st.text(max_size=10), st.text(max_size=50), max_size=8))
def test_validate_fields_ignores_arbitrary_keys(values):
    validate_fields(values)


@given(st.text(max_size=80))
def test_is_plausible_email_never_raises(address):
    is_plausible_email(address)
