"""Dedupe match keys (SPEC §5): every normalizer as a table, then match_keys and cluster on small batches."""

from __future__ import annotations

import socket

import pytest

from leadcore.intake import domains
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.dedupe import (
    MatchKeys,
    cluster,
    company_domain,
    company_name_key,
    email_key,
    email_norm,
    is_plausible_email,
    linkedin_norm,
    match_keys,
    name_key,
    person_name_key,
    phone_norm,
    registrable_domain,
)


@pytest.mark.parametrize(
    "raw, key",
    [
        ("  Ann.Lee+promo@GMail.com", "annlee@gmail.com"),
        ("ann.lee@gmail.com", "annlee@gmail.com"),
        ("a.n.n.l.e.e@gmail.com", "annlee@gmail.com"),
        ("AnnLee+a+b@gmail.com", "annlee@gmail.com"),
        ("ann.lee@googlemail.com", "annlee@gmail.com"),
        ("ANN.LEE+x@GOOGLEMAIL.COM", "annlee@gmail.com"),
        ("ann@acme.io", "ann@acme.io"),
        ("Ann@ACME.io", "ann@acme.io"),
        ("\t ann@acme.io \n", "ann@acme.io"),
        ("\u00a0ann@acme.io\u00a0", "ann@acme.io"),
        ("ann.lee@acme.io", "ann.lee@acme.io"),  # dots matter outside Gmail
        ("ann+crm@acme.io", "ann+crm@acme.io"),  # so do plus tags
        ("ann.lee@yahoo.com", "ann.lee@yahoo.com"),
        ("jane@mail.acme.co.uk", "jane@mail.acme.co.uk"),
        ("o'brien@acme.ie", "o'brien@acme.ie"),
        ("info@acme.com", "info@acme.com"),
        ("+promo@gmail.com", None),  # nothing left of the local part
        ("bob@@x", None),
        ("a b@example.com", None),
        ("jane@", None),
        ("@acme.com", None),
        ("x@example..com", None),
        ("x@example", None),
        ("x@localhost", None),
        (".x@example.com", None),
        ("x.@example.com", None),
        ("x..y@example.com", None),
        ("x@-example.com", None),
        ("x@example.c", None),
        ("x@example.123", None),
        ("Jane <jane@acme.com>", None),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_email_norm(raw, key):
    assert email_norm(raw) == key


@pytest.mark.parametrize(
    "raw, plausible",
    [
        ("jane@acme.com", True),
        ("jane+tag@acme.com", True),
        ("jane@mail.eu.acme.co.uk", True),
        ("JANE@ACME.COM", True),
        (" jane@acme.com ", True),
        ("j_a-n.e@acme-corp.io", True),
        ("jane@xn--bcher-kva.de", True),
        ("müller@bücher.de", True),  # Unicode letters are accepted in both parts, consistently
        ("bob@@x", False),
        ("a b@example.com", False),
        ("jane@", False),
        ("x@example..com", False),
        ("x@examplecom", False),
        ("x@.example.com", False),
        ("x@example.com.", False),
        ("jane@acme.com@evil.com", False),
        ("jane(at)acme.com", False),
        ("jane@ac me.com", False),
        ("a" * 65 + "@acme.com", False),
        ("", False),
    ],
)
def test_is_plausible_email(raw, plausible):
    assert is_plausible_email(raw) is plausible


@pytest.mark.parametrize(
    "raw, key",
    [
        ("ann@acme.io", "ann@acme.io"),
        ("info@acme.com", None),
        ("Sales@Acme.com", None),
        ("sales+eu@acme.com", None),
        ("no-reply@acme.com", None),
        ("hello@gmail.com", None),
        ("info.desk@acme.com", "info.desk@acme.com"),  # only the whole local part is a role
        ("bob@@x", None),
        (None, None),
    ],
)
def test_email_key_drops_role_addresses(raw, key):
    assert email_key(raw) == key


@pytest.mark.parametrize(
    "raw, key",
    [
        ("https://www.linkedin.com/in/jane-doe", "linkedin.com/in/jane-doe"),
        ("http://www.linkedin.com/in/jane-doe", "linkedin.com/in/jane-doe"),
        ("https://linkedin.com/in/jane-doe/", "linkedin.com/in/jane-doe"),
        ("www.linkedin.com/in/jane-doe", "linkedin.com/in/jane-doe"),
        ("linkedin.com/in/jane-doe", "linkedin.com/in/jane-doe"),
        ("//linkedin.com/in/jane-doe", "linkedin.com/in/jane-doe"),
        ("  https://www.linkedin.com/in/Jane-Doe  ", "linkedin.com/in/jane-doe"),
        ("HTTPS://WWW.LINKEDIN.COM/IN/JANE-DOE", "linkedin.com/in/jane-doe"),
        ("https://de.linkedin.com/in/jane-doe", "linkedin.com/in/jane-doe"),
        ("https://uk.linkedin.com/in/jane-doe/?originalSubdomain=uk", "linkedin.com/in/jane-doe"),
        ("https://www.linkedin.com/in/jane-doe?trk=public_profile", "linkedin.com/in/jane-doe"),
        ("https://www.linkedin.com/in/jane-doe#experience", "linkedin.com/in/jane-doe"),
        ("https://www.linkedin.com/in/jane-doe/details/experience/", "linkedin.com/in/jane-doe"),
        ("https://www.linkedin.com/in/jane-doe/en", "linkedin.com/in/jane-doe"),
        ("https://www.linkedin.com:443/in/jane-doe", "linkedin.com/in/jane-doe"),
        ("https://www.linkedin.com/in/j%C3%B6rg-m%C3%BCller", "linkedin.com/in/jörg-müller"),
        ("https://www.linkedin.com/in/jörg-müller", "linkedin.com/in/jörg-müller"),
        ("https://www.linkedin.com/in/jane%2Ddoe", "linkedin.com/in/jane-doe"),
        ("https://www.linkedin.com/company/Acme-Inc", "linkedin.com/company/acme-inc"),
        ("https://www.linkedin.com/company/acme-inc/about/", "linkedin.com/company/acme-inc"),
        ("https://www.linkedin.com/company/1234567", "linkedin.com/company/1234567"),
        ("https://www.linkedin.com/school/mit/", "linkedin.com/school/mit"),
        ("https://www.linkedin.com/showcase/acme-cloud", "linkedin.com/showcase/acme-cloud"),
        (
            "http://www.linkedin.com/pub/john-smith/12/345/678",
            "linkedin.com/pub/john-smith/12/345/678",
        ),
        ("linkedin.com/in/jane-doe", "linkedin.com/in/jane-doe"),  # already canonical
        ("https://www.linkedin.com/in/", None),
        ("https://www.linkedin.com/feed/", None),
        ("https://www.linkedin.com/", None),
        ("https://www.linkedin.com/sales/lead/ACwAA", None),
        ("https://lnkd.in/abc123", None),
        ("https://notlinkedin.com/in/jane-doe", None),
        ("https://linkedin.com.evil.com/in/jane-doe", None),
        ("https://www.facebook.com/jane-doe", None),
        ("jane-doe", None),
        ("https://www.linkedin.com/in/jane doe", None),
        ("", None),
        (None, None),
    ],
)
def test_linkedin_norm(raw, key):
    assert linkedin_norm(raw) == key


@pytest.mark.parametrize(
    "raw, domain",
    [
        ("http://www.acme.co.uk/about", "acme.co.uk"),
        ("https://acme.com", "acme.com"),
        ("acme.com", "acme.com"),
        ("www.acme.com", "acme.com"),
        ("ACME.COM.", "acme.com"),
        ("https://shop.eu.acme.com/de/contact?x=1#y", "acme.com"),
        ("https://user:pw@acme.com:8443/x", "acme.com"),
        ("acme.com.au", "acme.com.au"),
        ("https://www.acme.com.au/contact", "acme.com.au"),
        ("blog.acme.co.jp", "acme.co.jp"),
        ("jane@acme.com", "acme.com"),
        ("jane@mail.acme.co.uk", "acme.co.uk"),
        ("mailto:jane@acme.io", "acme.io"),
        ("https://bücher.de", "xn--bcher-kva.de"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
        # Private PSL section: each customer of a hosting provider is its own site.
        ("https://acme.github.io", "acme.github.io"),
        ("https://acme.github.io/docs/intro", "acme.github.io"),
        ("https://bolt.github.io", "bolt.github.io"),
        ("acme.myshopify.com", "acme.myshopify.com"),
        ("https://www.acme.myshopify.com/products/x", "acme.myshopify.com"),
        ("acme.blogspot.com", "acme.blogspot.com"),
        ("acme.herokuapp.com", "acme.herokuapp.com"),
        ("acme.netlify.app", "acme.netlify.app"),
        ("acme.notion.site", "acme.notion.site"),
        ("acme.substack.com", "acme.substack.com"),  # not in the PSL: added as an extra suffix
        ("acme.wordpress.com", "acme.wordpress.com"),
        ("https://www.substack.com", "substack.com"),
        ("https://janedoe.wixsite.com/acme", "janedoe.wixsite.com/acme"),
        ("https://janedoe.wixsite.com/Acme/about", "janedoe.wixsite.com/acme"),
        ("janedoe.wixsite.com", "janedoe.wixsite.com"),
        # Shared hosts: the path names the company.
        ("https://sites.google.com/view/acme", "sites.google.com/view/acme"),
        ("https://sites.google.com/view/Acme/home", "sites.google.com/view/acme"),
        ("https://sites.google.com/site/acmeltd", "sites.google.com/site/acmeltd"),
        ("https://sites.google.com/", None),
        ("https://linktr.ee/acme", "linktr.ee/acme"),
        ("linktr.ee/Acme/", "linktr.ee/acme"),
        ("https://linktr.ee/acme?utm_source=ig", "linktr.ee/acme"),
        ("https://linktr.ee", None),
        ("https://www.facebook.com/AcmeBakery", "facebook.com/acmebakery"),
        ("https://m.facebook.com/AcmeBakery/posts/1", "facebook.com/acmebakery"),
        ("https://fb.com/acmebakery", "facebook.com/acmebakery"),
        ("https://www.facebook.com/pages/Acme-Bakery/123", "facebook.com/pages/acme-bakery"),
        ("https://www.facebook.com/profile.php?id=1000", None),
        ("https://twitter.com/acme", "x.com/acme"),
        ("https://x.com/acme/status/123", "x.com/acme"),
        ("https://www.instagram.com/acme/", "instagram.com/acme"),
        ("https://www.instagram.com/p/Cx123/", None),
        ("https://www.youtube.com/@acme", "youtube.com/@acme"),
        ("https://www.youtube.com/c/acme", "youtube.com/c/acme"),
        ("https://www.youtube.com/watch?v=abc", None),
        ("https://youtu.be/abc", None),
        ("https://github.com/acme/widget", "github.com/acme"),
        ("https://medium.com/@acme", "medium.com/@acme"),
        ("medium.com/@acme", "medium.com/@acme"),  # an @ in the path is no email address
        ("https://bit.ly/3xyz", "bit.ly/3xyz"),
        ("https://www.linkedin.com/company/acme/about/", "linkedin.com/company/acme"),
        ("https://www.linkedin.com/feed/", None),
        ("https://docs.google.com/document/d/1abc/edit", None),
        ("https://www.google.com", "google.com"),
        # Nothing that identifies a company.
        ("http://192.168.1.10/admin", None),
        ("10.0.0.1", None),
        ("http://[::1]:8080/", None),
        ("http://localhost:8501", None),
        ("localhost", None),
        ("intranet", None),
        ("com", None),
        ("co.uk", None),
        ("github.io", None),
        ("http://", None),
        ("http://[oops", None),
        ("acme .com", None),
        ("-acme.com", None),
        ("", None),
        (None, None),
    ],
)
def test_registrable_domain(raw, domain):
    assert registrable_domain(raw) == domain


def test_registrable_domain_never_touches_the_network(monkeypatch):
    attempts: list[tuple] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access in a dedupe test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    # Build the extractor again, and look the hosts up afresh, with the network refused.
    domains._extractor.cache_clear()
    domains._registrable_domain.cache_clear()
    try:
        assert registrable_domain("http://www.acme.co.uk/about") == "acme.co.uk"
        assert registrable_domain("acme.github.io") == "acme.github.io"
        assert registrable_domain("shop.myshopify.com") == "shop.myshopify.com"
        assert attempts == []  # not even a failed try: tldextract's fallback would hide one
    finally:
        domains._extractor.cache_clear()
        domains._registrable_domain.cache_clear()


@pytest.mark.parametrize(
    "website, email, domain",
    [
        ("https://www.acme.co.uk", "jane@other.com", "acme.co.uk"),  # the website wins
        (None, "jane@acme.com", "acme.com"),
        ("", "jane@mail.acme.co.uk", "acme.co.uk"),
        (None, "info@acme.com", "acme.com"),  # a role address still tells the company's domain
        (None, "jane@gmail.com", None),
        (None, "jane@googlemail.com", None),
        (None, "jane@yahoo.co.uk", None),
        (None, "jane@hotmail.com", None),
        (None, "bob@@x", None),
        ("http://localhost", "jane@acme.com", "acme.com"),
        ("https://linktr.ee/acme", "jane@gmail.com", "linktr.ee/acme"),
        (None, None, None),
    ],
)
def test_company_domain(website, email, domain):
    assert company_domain(website, email) == domain


@pytest.mark.parametrize(
    "raw, region, e164",
    [
        ("+49 30 1234567", None, "+49301234567"),
        ("+49 (0)30 1234567", None, "+49301234567"),
        ("0049 30 1234567", None, "+49301234567"),
        ("00 49 30 1234567", None, "+49301234567"),
        ("030 1234567", "DE", "+49301234567"),
        ("030 1234567", "de", "+49301234567"),
        ("+1 (415) 555-0100", None, "+14155550100"),
        ("415.555.0100", "US", "+14155550100"),
        ("+1 415 555 0100 ext. 12", None, "+14155550100"),
        ("+44 20 7946 0958", None, "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("+14155550100", None, "+14155550100"),
        ("415 555 0100", None, None),  # no country code and no default region
        ("415 555 0100", "", None),
        ("415 555 0100", "XX", None),
        ("12", "US", None),
        ("+49 1", None, None),
        ("call me", "US", None),
        ("", None, None),
        (None, "US", None),
    ],
)
def test_phone_norm(raw, region, e164):
    assert phone_norm(raw, region) == e164


@pytest.mark.parametrize(
    "name, key",
    [
        ("John Smith", "john smith"),
        ("Smith John", "john smith"),
        ("Smith, John", "john smith"),
        ("  JOHN    smith ", "john smith"),
        ("Dr. John Smith", "john smith"),
        ("Mr John Smith Jr.", "john smith"),
        ("Prof. Dr. John Smith, PhD", "john smith"),
        ("John Smith III", "john smith"),
        ("Mrs. Jane Doe MD", "doe jane"),
        ("Ms Jane Doe", "doe jane"),
        ("José Álvarez", "alvarez jose"),
        ("Jose Alvarez", "alvarez jose"),
        ("ÁLVAREZ, JOSÉ", "alvarez jose"),
        ("Zoë Brontë", "bronte zoe"),
        ("Łukasz Żółw", "lukasz zolw"),
        ("Søren Kierkegaard", "kierkegaard soren"),
        ("Straße", "strasse"),
        ("O'Brien, Seán", "obrien sean"),
        ("O’Brien Sean", "obrien sean"),
        ("Mary-Jane Watson", "jane mary watson"),
        ("Mary Jane Watson", "jane mary watson"),
        ("Jean-Luc Picard", "jean luc picard"),
        ("Ｊｏｈｎ Ｓｍｉｔｈ", "john smith"),  # full-width letters
        ("Dr.", None),
        ("...", None),
        ("", None),
        (None, None),
    ],
)
def test_person_name_key(name, key):
    assert person_name_key(name) == key


@pytest.mark.parametrize(
    "company, key",
    [
        ("Acme", "acme"),
        ("ACME Inc.", "acme"),
        ("Acme, Inc", "acme"),
        ("Acme LLC", "acme"),
        ("Acme Ltd", "acme"),
        ("Acme Limited", "acme"),
        ("Acme Co., Ltd.", "acme"),
        ("The Acme Company", "acme"),
        ("Acme Corp.", "acme"),
        ("Acme Corporation", "acme"),
        ("Acme Pty Ltd", "acme"),
        ("Acme GmbH", "acme"),
        ("Acme GmbH & Co. KG", "acme"),
        ("Acme AG", "acme"),
        ("Acme S.A.", "acme"),
        ("Acme SAS", "acme"),
        ("Acme B.V.", "acme"),
        ("Acme PLC", "acme"),
        ("Acme S.r.l.", "acme"),
        ("Acme Oy", "acme"),
        ("Acme AB", "acme"),
        ("Acme Holdings Ltd", "acme holdings"),  # "holdings" is part of the name
        ("Smith & Co.", "smith"),
        ("Smith and Co", "smith"),
        ("Johnson & Johnson", "johnson and johnson"),
        ("Procter & Gamble Co.", "procter and gamble"),
        ("Société Générale S.A.", "societe generale"),
        ("Societe Generale", "societe generale"),
        ("Müller Bäckerei GmbH", "muller backerei"),
        ("McDonald's Corporation", "mcdonalds"),
        ("A.B.C. Ltd", "abc"),
        ("The Home Depot", "home depot"),
        ("Company", "company"),  # nothing but a legal form: keep it rather than lose the name
        ("The", "the"),
        ("", None),
        ("  &  ", "and"),
        ("...", None),
        (None, None),
    ],
)
def test_company_name_key(company, key):
    assert company_name_key(company) == key


@pytest.mark.parametrize(
    "lead_type, lead_name, company, key",
    [
        ("INDIVIDUAL", "John Smith", "Acme Inc.", "p:john smith|acme"),
        ("INDIVIDUAL", "Smith, Dr. John", "ACME", "p:john smith|acme"),
        ("individual", "John Smith", "Acme", "p:john smith|acme"),
        ("INDIVIDUAL", "John Smith", None, None),  # a common name without a company never matches
        ("INDIVIDUAL", None, "Acme", None),
        ("INDIVIDUAL", "John Smith", "Freelance", None),
        ("INDIVIDUAL", "John Smith", "Self-employed", None),
        ("INDIVIDUAL", "John Smith", "N/A", None),
        ("INDIVIDUAL", "John Smith", "-", None),
        ("COMPANY", "Acme Inc.", None, "c:acme"),
        ("COMPANY", "The Acme Company", "Acme", "c:acme"),
        ("COMPANY", None, "Acme GmbH", "c:acme"),
        ("company", "Acme", None, "c:acme"),
        ("COMPANY", None, None, None),
    ],
)
def test_name_key(lead_type, lead_name, company, key):
    assert name_key(lead_type, lead_name, company) == key


def make_candidate(**overrides) -> LeadCandidate:
    fields = {"type": "INDIVIDUAL", "lead_name": "Jane Doe", "company": "Acme"}
    fields.update(overrides)
    return LeadCandidate(**fields)


def test_match_keys_of_a_person():
    keys = match_keys(
        make_candidate(
            email=" Jane.Doe@ACME.com ",
            linkedin_url="https://de.linkedin.com/in/Jane-Doe/",
            website="https://www.acme.com/team",
            phone="030 1234567",
        ),
        default_region="DE",
    )
    assert keys == MatchKeys(
        email_norm="jane.doe@acme.com",
        linkedin_norm="linkedin.com/in/jane-doe",
        domain="acme.com",
        phone_norm="+49301234567",
        name_key="p:doe jane|acme",
    )
    # A person's domain is stored but is never evidence that two people are one lead.
    assert keys.strong("INDIVIDUAL") == (
        ("email", "jane.doe@acme.com"),
        ("linkedin", "linkedin.com/in/jane-doe"),
    )


def test_match_keys_of_a_company_include_the_domain():
    keys = match_keys(
        make_candidate(
            type="COMPANY",
            lead_name="Acme Ltd",
            email="info@acme.co.uk",
            website=None,
            linkedin_url="linkedin.com/company/acme",
        )
    )
    assert keys.email_norm is None  # a role address stays the lead's email but is no key
    assert keys.strong("COMPANY") == (
        ("linkedin", "linkedin.com/company/acme"),
        ("domain", "acme.co.uk"),
    )


def test_match_keys_ignore_a_person_whose_linkedin_is_the_employer_page():
    keys = match_keys(make_candidate(linkedin_url="https://www.linkedin.com/company/acme"))
    assert keys.linkedin_norm is None


def test_match_keys_ignore_a_company_whose_linkedin_is_a_person():
    keys = match_keys(make_candidate(type="COMPANY", linkedin_url="linkedin.com/in/jane-doe"))
    assert keys.linkedin_norm is None


def _keys(lead_type: str = "INDIVIDUAL", **overrides) -> tuple[str, MatchKeys]:
    return lead_type, match_keys(make_candidate(type=lead_type, **overrides))


def test_cluster_merges_rows_sharing_an_email_in_any_spelling():
    rows = [
        _keys(email="ann.lee@gmail.com"),
        _keys(email="bob@acme.com", lead_name="Bob Roe"),
        _keys(email="AnnLee+crm@googlemail.com", lead_name="Ann Lee", company="Other"),
    ]
    assert cluster(rows) == [0, 1, 0]


def test_cluster_merges_through_a_chain_of_strong_keys():
    rows = [
        _keys(email="jane@acme.com"),
        _keys(lead_name="J. Doe", linkedin_url="linkedin.com/in/jdoe"),
        _keys(lead_name="Jane D", email="jane@acme.com", linkedin_url="https://www.linkedin.com/in/jdoe/"),
    ]
    assert cluster(rows) == [0, 0, 0]


def test_cluster_keeps_same_name_at_different_companies_apart():
    rows = [
        _keys(lead_name="John Smith", company="Acme"),
        _keys(lead_name="John Smith", company="Globex"),
        _keys(lead_name="Smith, John", company="ACME Inc."),
    ]
    assert cluster(rows) == [0, 1, 0]


def test_cluster_keeps_same_name_same_company_with_different_emails_apart():
    rows = [
        _keys(lead_name="John Smith", email="john.smith@acme.com"),
        _keys(lead_name="John Smith", email="jsmith2@acme.com"),
    ]
    assert cluster(rows) == [0, 1]


def test_cluster_leaves_name_only_rows_alone_when_two_leads_share_the_name():
    rows = [
        _keys(lead_name="John Smith", email="john.smith@acme.com"),
        _keys(lead_name="John Smith", email="jsmith2@acme.com"),
        _keys(lead_name="John Smith"),
        _keys(lead_name="Smith John"),
    ]
    assert cluster(rows) == [0, 1, 2, 3]


def test_cluster_joins_name_only_rows_to_the_one_lead_with_that_name():
    rows = [
        _keys(lead_name="Jane Doe"),
        _keys(lead_name="Dr. Jane Doe", company="Acme Inc", email="jane@acme.com"),
        _keys(lead_name="Doe, Jane", company="ACME"),
        _keys(lead_name="Jane Doe", company="Globex"),
    ]
    assert cluster(rows) == [0, 0, 0, 3]


def test_cluster_merges_name_only_rows_with_each_other():
    rows = [_keys(lead_name="Jane Doe"), _keys(lead_name="Bob Roe"), _keys(lead_name="Doe, Jane")]
    assert cluster(rows) == [0, 1, 0]


def test_cluster_never_merges_two_leads_with_strong_keys_on_their_name():
    # One side must have nothing to disagree with, as in the matcher against stored leads.
    rows = [
        _keys(lead_name="Jane Doe", email="jane@acme.com"),
        _keys(lead_name="Jane Doe", linkedin_url="linkedin.com/in/janedoe"),
    ]
    assert cluster(rows) == [0, 1]


def test_cluster_never_merges_on_a_role_address():
    rows = [
        _keys(lead_name="Ann Lee", email="info@acme.com"),
        _keys(lead_name="Bob Roe", email="info@acme.com"),
        _keys(lead_name="Ann Lee", email="INFO@acme.com"),
    ]
    assert cluster(rows) == [0, 1, 0]


def test_cluster_never_merges_people_on_a_free_mail_or_company_domain():
    rows = [
        _keys(lead_name="Ann Lee", email="ann@gmail.com", company="Freelance"),
        _keys(lead_name="Bob Roe", email="bob@gmail.com", company="Freelance"),
        _keys(lead_name="Cy Poe", email="cy@acme.com", website="acme.com"),
        _keys(lead_name="Di Moe", email="di@acme.com", website="acme.com"),
    ]
    assert cluster(rows) == [0, 1, 2, 3]


def test_cluster_merges_companies_on_their_domain_but_not_on_a_hosting_domain():
    rows = [
        _keys("COMPANY", lead_name="Acme", website="https://www.acme.co.uk/about"),
        _keys("COMPANY", lead_name="ACME Ltd", website="acme.co.uk"),
        _keys("COMPANY", lead_name="Acme Shop", website="acme.myshopify.com"),
        _keys("COMPANY", lead_name="Bolt Shop", website="bolt.myshopify.com"),
        _keys("COMPANY", lead_name="Cog", website="https://linktr.ee/cog"),
        _keys("COMPANY", lead_name="Dyn", website="https://linktr.ee/dyn"),
        _keys("COMPANY", lead_name="Eon", website="https://linktr.ee"),
        _keys("COMPANY", lead_name="Fax", website="https://linktr.ee"),
    ]
    assert cluster(rows) == [0, 0, 2, 3, 4, 5, 6, 7]


def test_cluster_keeps_same_named_companies_with_different_domains_apart():
    rows = [
        _keys("COMPANY", lead_name="Apex Ltd", website="apex.co.uk"),
        _keys("COMPANY", lead_name="Apex Inc", website="apex.io"),
        _keys("COMPANY", lead_name="Apex"),
    ]
    assert cluster(rows) == [0, 1, 2]


def test_cluster_never_merges_a_person_with_a_company_by_name():
    rows = [
        _keys("COMPANY", lead_name="Acme", company="Acme"),
        _keys(lead_name="Acme", company="Acme"),
    ]
    assert cluster(rows) == [0, 1]


def test_cluster_of_nothing_is_empty():
    assert cluster([]) == []


@pytest.mark.parametrize("fields, key", [
    ({"lead_name": "Ann Lee", "location": "Berlin"}, "k:ann lee|||berlin|"),
    ({"lead_name": "Lee, Ann", "location": " BERLIN "}, "k:ann lee|||berlin|"),
    ({"lead_name": "Jürgen Köhler", "location": "Köln", "job_title": "CTO"}, "k:jurgen kohler|||koln|cto"),
    ({"lead_name": "Ann Lee", "email": "Info@Acme.io"}, "k:ann lee|info@acme.io|||"),
    ({"lead_name": "Ann Lee", "phone": "+49 (30) 123-4567"}, "k:ann lee||301234567||"),
    ({"lead_name": "Ann Lee", "phone": "12"}, None),  # too few digits to tell anyone apart
    ({"lead_name": "Ann Lee"}, None),  # a bare name is nobody in particular
    ({"lead_name": "Ann Lee", "company": "Freelance"}, None),
    ({"location": "Berlin"}, None),
])
def test_a_keyless_person_gets_a_fallback_key_from_everything_known_of_them(
    fields: dict[str, str], key: str | None
) -> None:
    assert match_keys(LeadCandidate(**fields)).name_key == key


@pytest.mark.parametrize("fields", [
    {"lead_name": "Ann Lee", "email": "ann@acme.io", "location": "Berlin"},
    {"lead_name": "Ann Lee", "linkedin_url": "https://linkedin.com/in/ann-lee", "location": "Berlin"},
    {"lead_name": "Ann Lee", "company": "Acme", "location": "Berlin"},
])
def test_a_person_with_a_real_key_gets_no_fallback_key(fields: dict[str, str]) -> None:
    assert not (match_keys(LeadCandidate(**fields)).name_key or "").startswith("k:")
