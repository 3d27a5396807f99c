"""The offline demo provider: deterministic, realistic, query-shaped, overlapping between searches."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest

from leadcore.config import Settings
from leadcore.discovery.providers.base import SearchQuery
from leadcore.discovery.providers.demo import DemoProvider
from leadcore.discovery.providers.demo_query import slots_for
from leadcore.errors import InvalidInput
from leadcore.intake.candidates import LeadCandidate
from leadcore.intake.validation import validate_candidate


def demo(**overrides: Any) -> DemoProvider:
    values: dict[str, Any] = {"provider_page_size": 25, "provider_page_cap": 20}
    return DemoProvider(settings=Settings(_env_file=None, **{**values, **overrides}))  # type: ignore[call-arg]


def leads(query: SearchQuery, **overrides: Any) -> list[LeadCandidate]:
    return [c for page in demo(**overrides).search(query) for c in page]


def person_key(c: LeadCandidate) -> str:
    """What dedupe would match on: the email without case, or the LinkedIn slug."""
    if c.email:
        return c.email.lower()
    assert c.linkedin_url
    return c.linkedin_url.rstrip("/").rsplit("/", 1)[1]


def test_labelled_as_demo() -> None:
    p = demo()
    assert (p.name, p.label, p.is_demo) == ("demo", "Demo data (offline)", True)


def test_same_query_same_leads() -> None:
    q = SearchQuery("VP Engineering fintech", location="Berlin", limit=40)
    assert leads(q) == leads(q)


def test_same_leads_in_another_process_whatever_the_hash_seed() -> None:
    code = (
        "import json; from leadcore.discovery.providers.demo import DemoProvider; from leadcore.config import Settings;"
        "from leadcore.discovery.providers.base import SearchQuery;"
        "p = DemoProvider(settings=Settings(_env_file=None, provider_page_size=25, provider_page_cap=20));"
        "q = SearchQuery('Head of Sales saas', location='London', limit=15);"
        "print(json.dumps([(c.email, c.linkedin_url, c.phone) for page in p.search(q) for c in page]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    here = leads(SearchQuery("Head of Sales saas", location="London", limit=15))
    assert json.loads(out) == [[c.email, c.linkedin_url, c.phone] for c in here]


@pytest.mark.parametrize("first, second", [
    (SearchQuery("VP Engineering fintech", location="Berlin"),
     SearchQuery("Head of Engineering", location="Berlin", industry="Fintech")),
    (SearchQuery("CTO saas", limit=50), SearchQuery("VP Engineering SaaS", limit=50)),
    (SearchQuery("fintech", mode="company", location="Germany"),
     SearchQuery("payments startups", mode="company", location="Germany", tech_stack="Kafka")),
])
def test_related_searches_share_many_leads(first: SearchQuery, second: SearchQuery) -> None:
    a, b = leads(first), leads(second)
    key = person_key if first.mode == "individual" else (lambda c: (c.website or "").split("//")[-1].strip("/"))
    shared = {key(c) for c in a} & {key(c) for c in b}
    assert len(shared) > 0.3 * min(len(a), len(b))


def test_shared_leads_come_in_different_surface_forms() -> None:
    # Real sources disagree on case and URL shape; dedupe has to see through it.
    a = {c.raw_data["id"]: c for c in leads(SearchQuery("VP Engineering fintech", location="Berlin", limit=60))}  # type: ignore[index]
    b = {c.raw_data["id"]: c for c in leads(SearchQuery("CTO fintech", location="Berlin", limit=60))}  # type: ignore[index]
    both = a.keys() & b.keys()
    assert both
    assert any(a[i].email != b[i].email or a[i].linkedin_url != b[i].linkedin_url for i in both)
    assert all(person_key(a[i]) == person_key(b[i]) for i in both)


def test_individual_leads_match_the_query() -> None:
    got = leads(SearchQuery("VP Engineering fintech", location="Berlin", tech_stack="Kafka", limit=25))
    assert len(got) == 25
    assert {c.job_title for c in got} <= {"CTO", "VP Engineering", "Head of Engineering", "Director of Engineering"}
    assert "VP Engineering" in {c.job_title for c in got}
    for c in got:
        assert c.type == "INDIVIDUAL" and c.lead_score is None
        assert c.location == "Berlin, Germany" and c.industry == "Fintech"
        assert c.phone is None or c.phone.replace(" ", "").startswith("+4930")
        assert c.lead_name and c.company and c.website and c.email
        assert c.linkedin_url is None or re.fullmatch(
            r"https://(www\.)?linkedin\.com/in/[a-z-]+-[0-9a-f]{4}/?", c.linkedin_url
        )
        raw = c.raw_data or {}
        assert raw["source"] == "demo" and raw["organization"]["name"] == c.company
        assert isinstance(raw["organization"]["headcount"], int)
        assert raw["tech_stack"] == raw["organization"]["technologies"]
        assert validate_candidate(c) is None
        json.dumps(raw)
    # Those using the asked-for tech come first.
    assert "Kafka" in got[0].raw_data["tech_stack"]  # type: ignore[index]


def test_work_emails_are_first_dot_last_at_the_company_domain_mostly() -> None:
    got = leads(SearchQuery("sales", location="London", limit=200))
    work = [c for c in got if c.email and not c.email.lower().endswith(("@gmail.com", "@gmx.de", "@web.de"))]
    pattern = [c for c in work if re.fullmatch(r"[a-z]+\.[a-z]+@[a-z0-9]+\.[a-z.]+", c.email.lower())]  # type: ignore[union-attr]
    assert len(pattern) > 0.6 * len(got)
    assert any(c.email and c.email.endswith("@gmail.com") for c in got)  # some personal addresses
    assert all(c.email.split("@")[1].lower() in (c.website or "") for c in work)  # type: ignore[union-attr]


def test_company_leads() -> None:
    got = leads(SearchQuery("healthtech", mode="company", location="Paris", limit=10))
    assert len(got) == 10
    for c in got:
        assert c.type == "COMPANY" and c.lead_name == c.company
        assert c.headquarters == "Paris, France" and c.industry == "Healthcare"
        assert c.linkedin_url and c.linkedin_url.startswith("https://www.linkedin.com/company/")
        assert c.website
        assert c.phone is None or c.phone.startswith("+33 1")
        raw = c.raw_data or {}
        assert raw["source"] == "demo" and raw["headcount"] > 0 and raw["technologies"]
        assert validate_candidate(c) is None
    assert len({c.lead_name for c in got}) == 10


@pytest.mark.parametrize("location, expect", [
    ("Berlin", "Berlin, Germany"),
    ("münchen", "Munich, Germany"),
    ("Germany", "Germany"),
    ("UK", "United Kingdom"),
    ("Bay Area", "San Francisco, CA, United States"),
    ("Porto, Portugal", "Porto, Portugal"),
    ("atlantis", "Atlantis"),
])
def test_locations_follow_the_query(location: str, expect: str) -> None:
    got = leads(SearchQuery("Head of Marketing", location=location, limit=20))
    assert got and all(expect in (c.location or "") for c in got)


def test_an_unknown_industry_is_honoured() -> None:
    got = leads(SearchQuery("operations", industry="agritech", limit=10))
    assert len(got) == 10 and {c.industry for c in got} == {"Agritech"}


@pytest.mark.parametrize("text, titles", [
    ("VP Engineering", {"VP Engineering", "Head of Engineering", "Director of Engineering", "CTO"}),
    ("CFO", {"CFO", "VP Finance"}),
    ("Account Executive", {"Account Executive", "Business Development Representative", "Senior Account Executive"}),
    ("product manager", {"Product Manager", "Senior Product Manager"}),
    ("Engineering Manager", {"Engineering Manager", "Head of Engineering", "Director of Engineering",
                             "Staff Software Engineer", "Tech Lead"}),
    ("senior software engineer", {"Senior Software Engineer", "Software Engineer", "Staff Software Engineer",
                                  "Tech Lead"}),
])
def test_titles_derive_from_the_query_text(text: str, titles: set[str]) -> None:
    assert {s.title for s in slots_for(text)} == titles


def test_no_function_named_reaches_decision_makers() -> None:
    assert all(s.level >= 4 for s in slots_for("fintech startups"))


def test_pages_limit_and_page_cap() -> None:
    pages = list(demo(provider_page_size=10).search(SearchQuery("marketing", limit=35)))
    assert [len(p) for p in pages] == [10, 10, 10, 5]
    pages = list(demo(provider_page_size=10, provider_page_cap=2).search(SearchQuery("marketing", limit=35)))
    assert [len(p) for p in pages] == [10, 10]


def test_invalid_queries_fail_when_searching_starts() -> None:
    with pytest.raises(InvalidInput):
        demo().search(SearchQuery("   "))
