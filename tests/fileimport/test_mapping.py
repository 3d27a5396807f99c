"""Guessing which lead field each uploaded column holds, and applying the (edited) mapping."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadcore.fileimport.mapping import LEAD_FIELDS, MAPPABLE_FIELDS, apply_mapping, guess_mapping


def test_lead_fields_are_the_spec_fields():
    assert LEAD_FIELDS == (
        "type", "lead_name", "email", "phone", "job_title", "company", "location", "headquarters",
        "industry", "website", "linkedin_url", "lead_score", "notes", "tags", "status",
    )


@pytest.mark.parametrize(
    "header, field",
    [
        # The original system's camelCase names.
        ("leadName", "lead_name"), ("jobTitle", "job_title"), ("linkedinLink", "linkedin_url"),
        ("leadScore", "lead_score"), ("companyName", "company"), ("headquarters", "headquarters"),
        ("website", "website"), ("industry", "industry"), ("location", "location"), ("phone", "phone"),
        ("email", "email"), ("type", "type"), ("status", "status"), ("notes", "notes"), ("tags", "tags"),
        ("company", "company"),
        # snake_case.
        ("lead_name", "lead_name"), ("job_title", "job_title"), ("linkedin_url", "linkedin_url"),
        ("lead_score", "lead_score"), ("company_name", "company"), ("first_name", "first_name"),
        ("last_name", "last_name"),
        # Names.
        ("Name", "lead_name"), ("Full Name", "lead_name"), ("contact", "lead_name"),
        ("Contact Name", "lead_name"), ("Person", "lead_name"), ("full-name", "lead_name"),
        ("First Name", "first_name"), ("firstName", "first_name"), ("Given name", "first_name"),
        ("Last Name", "last_name"), ("Surname", "last_name"), ("Family Name", "last_name"),
        # Titles.
        ("Title", "job_title"), ("Position", "job_title"), ("Role", "job_title"), ("Job", "job_title"),
        ("Job Title", "job_title"),
        # Score.
        ("Score", "lead_score"), ("Rating", "lead_score"), ("Lead Score", "lead_score"),
        # LinkedIn.
        ("LinkedIn", "linkedin_url"), ("LinkedIn URL", "linkedin_url"), ("linkedin profile", "linkedin_url"),
        ("LI", "linkedin_url"), ("LinkedIn-Profile-URL", "linkedin_url"),
        # Company.
        ("Organization", "company"), ("Organisation", "company"), ("Company Name", "company"),
        ("Employer", "company"), ("Account", "company"), ("Account Name", "company"),
        # Website.
        ("URL", "website"), ("Domain", "website"), ("Homepage", "website"), ("Web", "website"),
        ("Site", "website"), ("Website URL", "website"), ("Company Website", "website"),
        # Location.
        ("City", "city"), ("Region", "location"), ("Country", "country"), ("State/Province", "state"),
        ("Address", "location"),
        # Email.
        ("E-mail", "email"), ("Mail", "email"), ("Email Address", "email"), ("Work Email", "email"),
        ("EMAIL", "email"), ("e_mail", "email"), ("emailAddress", "email"),
        # Phone.
        ("Phone Number", "phone"), ("Mobile", "phone"), ("Tel", "phone"), ("Telephone", "phone"),
        ("Tel.", "phone"), ("Cell phone", "phone"),
        # Industry, HQ, type, tags, notes.
        ("Sector", "industry"), ("Vertical", "industry"), ("HQ", "headquarters"),
        ("Headquarters", "headquarters"), ("Kind", "type"), ("Lead Type", "type"),
        ("Label", "tags"), ("Labels", "tags"), ("Tag", "tags"), ("Note", "notes"), ("Comments", "notes"),
        ("Lead Status", "status"),
        # A record prefix in front of a known field.
        ("leadEmail", "email"), ("Contact Phone", "phone"), ("contact_email", "email"),
        # Surrounding space and odd punctuation.
        ("  Email  ", "email"), ("Job.Title", "job_title"), ("(Phone)", "phone"),
    ],
)
def test_guess_mapping_recognises_header(header, field):
    assert guess_mapping([header]) == {header: field}


@pytest.mark.parametrize("header", ["", "column 3", "Revenue", "Employees", "Lead", "id", "Stage", "Source"])
def test_guess_mapping_ignores_unknown_headers(header):
    assert guess_mapping([header]) == {header: None}


def test_first_header_for_a_field_wins_and_later_ones_are_ignored():
    headers = ["Location", "Address", "Email", "Work Email", "Name", "Full Name", "Tags"]
    assert guess_mapping(headers) == {
        "Location": "location",
        "Address": None,
        "Email": "email",
        "Work Email": None,
        "Name": "lead_name",
        "Full Name": None,
        "Tags": "tags",
    }


def test_guess_mapping_only_targets_mappable_fields():
    headers = ["leadName", "First Name", "Last Name", "Foo"]
    assert set(guess_mapping(headers).values()) - {None} <= set(MAPPABLE_FIELDS)


def test_apply_mapping_returns_field_to_raw_text():
    headers = ["Name", "E-mail", "Revenue", "Score"]
    mapping = guess_mapping(headers)
    row = ["  Ann Lee ", "ann@acme.io", "1M", " 80 "]
    assert apply_mapping(row, headers, mapping) == {
        "lead_name": "  Ann Lee ",
        "email": "ann@acme.io",
        "lead_score": " 80 ",
    }


@pytest.mark.parametrize(
    "row, expected_name",
    [
        (["Ann", "Lee", ""], "Ann Lee"),
        ([" Ann ", "", ""], "Ann"),
        (["", "Lee", ""], "Lee"),
        (["Ann", "Lee", "Dr. Ann Lee"], "Dr. Ann Lee"),
        (["Ann", "Lee", "   "], "Ann Lee"),
    ],
)
def test_first_and_last_name_are_joined_unless_a_name_is_given(row, expected_name):
    headers = ["First Name", "Last Name", "Full Name"]
    values = apply_mapping(row, headers, guess_mapping(headers))
    assert values["lead_name"] == expected_name
    assert "first_name" not in values and "last_name" not in values


def test_no_name_parts_no_name():
    headers = ["First Name", "Last Name", "Email"]
    assert apply_mapping(["", "", "a@b.io"], headers, guess_mapping(headers)) == {"email": "a@b.io"}


def test_edited_mapping_first_non_blank_column_wins():
    headers = ["Work Email", "Personal Email", "Junk"]
    mapping = {"Work Email": "email", "Personal Email": "email", "Junk": "not_a_field"}
    assert apply_mapping(["", "me@home.io", "x"], headers, mapping) == {"email": "me@home.io"}
    assert apply_mapping(["w@acme.io", "me@home.io", "x"], headers, mapping) == {"email": "w@acme.io"}


def test_apply_mapping_tolerates_short_rows_and_missing_headers():
    headers = ["Name", "Email", "Phone"]
    mapping = {"Name": "lead_name", "Email": "email"}  # Phone left out of the mapping entirely
    assert apply_mapping(["Ann"], headers, mapping) == {"lead_name": "Ann", "email": ""}


@given(st.lists(st.text(max_size=20), max_size=30, unique=True))
def test_guess_mapping_never_maps_two_headers_to_one_field(headers):
    mapping = guess_mapping(headers)
    assert list(mapping) == headers
    fields = [f for f in mapping.values() if f is not None]
    assert len(fields) == len(set(fields))
