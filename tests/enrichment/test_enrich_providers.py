"""The enrichers against recorded Hunter and Apollo answers (httpx.MockTransport; no network) and the demo
enricher's determinism."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from leadcore.config import Settings
from leadcore.enrichment import get_enrichers, parse_fields
from leadcore.enrichment.apollo import ApolloEnricher
from leadcore.enrichment.base import LeadFacts
from leadcore.enrichment.demo import DemoEnricher
from leadcore.enrichment.hunter import HunterEnricher
from leadcore.errors import InvalidInput, ProviderError

FIXTURES = Path(__file__).parents[1] / "fixtures"
KEY = "enrich-test-key-9z8y7x"
NINA = LeadFacts(id=1, type="INDIVIDUAL", lead_name="Nina Berger", company="Northwind Freight",
                 website="https://www.northwind-freight.com")
OLE = LeadFacts(id=2, type="INDIVIDUAL", lead_name="Ole Hansen", company="Northwind Freight",
                email=None, website="northwind-freight.com")
JONAS = LeadFacts(id=3, type="INDIVIDUAL", lead_name="Jonas Weber", company="Vertex Pay", website="vertexpay.io")
VERTEX = LeadFacts(id=4, type="COMPANY", lead_name="Vertex Pay", company="Vertex Pay", website="https://vertexpay.io")


def recorded(name: str, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=(FIXTURES / name).read_bytes(),
                          headers={"content-type": "application/json", **(headers or {})})


class Wire:
    """A scripted provider: answers requests in order and keeps what was sent."""

    def __init__(self, *replies: httpx.Response) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.replies.pop(0)


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"http_max_retries": 3, "http_backoff_base_s": 0.5, "http_backoff_max_s": 30.0,
                              "hunter_api_key": KEY, "apollo_api_key": KEY}
    return Settings(_env_file=None, **{**values, **overrides})  # type: ignore[call-arg]


def hunter(wire: Wire, sleeps: list[float] | None = None) -> HunterEnricher:
    return HunterEnricher(httpx.Client(transport=httpx.MockTransport(wire)), api_key=KEY, settings=settings(),
                          sleep=(sleeps if sleeps is not None else []).append, random=lambda: 1.0)


def apollo(wire: Wire, sleeps: list[float] | None = None) -> ApolloEnricher:
    return ApolloEnricher(httpx.Client(transport=httpx.MockTransport(wire)), api_key=KEY, settings=settings(),
                          sleep=(sleeps if sleeps is not None else []).append, random=lambda: 1.0)


# --- Hunter --------------------------------------------------------------------------------------------------------


def test_hunter_email_finder_fills_email_title_linkedin_and_phone() -> None:
    wire = Wire(recorded("hunter_email_finder.json"))
    found = hunter(wire).lookup(NINA)
    assert found == {
        "email": ("nina.berger@northwind-freight.com", 0.97),  # score 94, verified valid by Hunter
        "job_title": ("Head of Operations", 0.97),
        "linkedin_url": ("https://www.linkedin.com/in/nina-berger-7c1d2e", 0.97),
        "phone": ("+49 40 5550 2211", 0.97),
    }
    [request] = wire.requests
    assert (request.method, request.url.host, request.url.path) == ("GET", "api.hunter.io", "/v2/email-finder")
    assert dict(request.url.params) == {"first_name": "Nina", "last_name": "Berger", "domain": "northwind-freight.com"}
    assert request.headers["X-API-KEY"] == KEY and KEY not in str(request.url)


def test_hunter_asks_the_verifier_when_the_finder_is_unsure() -> None:
    wire = Wire(recorded("hunter_email_finder_unsure.json"), recorded("hunter_email_verifier_valid.json"))
    found = hunter(wire).lookup(OLE)
    assert found["email"] == ("ole.hansen@northwind-freight.com", 0.97)
    assert found["linkedin_url"] == ("https://www.linkedin.com/in/ole-hansen-hh", 0.97)  # a handle made a URL
    assert [r.url.path for r in wire.requests] == ["/v2/email-finder", "/v2/email-verifier"]
    assert dict(wire.requests[1].url.params) == {"email": "ole.hansen@northwind-freight.com"}


def test_hunter_drops_an_address_the_verifier_says_bounces() -> None:
    wire = Wire(recorded("hunter_email_finder_unsure.json"), recorded("hunter_email_verifier_invalid.json"))
    assert hunter(wire).lookup(OLE) == {}


def test_hunter_finding_nothing_is_an_empty_answer() -> None:
    wire = Wire(recorded("hunter_email_finder_none.json"))
    quiet = LeadFacts(id=5, type="INDIVIDUAL", lead_name="Quiet Person", website="quiet-company.example")
    assert hunter(wire).lookup(quiet) == {}


def test_hunter_uses_the_company_name_without_a_domain_and_skips_companies_and_single_names() -> None:
    wire = Wire(recorded("hunter_email_finder.json"))
    enricher = hunter(wire)
    enricher.lookup(LeadFacts(id=6, type="INDIVIDUAL", lead_name="Nina Berger", company="Northwind Freight",
                              email="nina@gmail.com"))  # webmail is no company domain
    assert dict(wire.requests[0].url.params)["company"] == "Northwind Freight"
    assert enricher.fields_for("COMPANY") == frozenset()
    assert not enricher.can_identify(LeadFacts(id=7, type="INDIVIDUAL", lead_name="Cher", website="cher.example"))


def test_hunter_401_names_the_setting() -> None:
    with pytest.raises(ProviderError) as info:
        hunter(Wire(recorded("hunter_error_401.json", 401))).lookup(NINA)
    assert str(info.value) == "Hunter.io rejected the API key (401); check LEADCORE_HUNTER_API_KEY"


def test_hunter_400_passes_on_the_reason() -> None:
    with pytest.raises(ProviderError) as info:
        hunter(Wire(recorded("hunter_error_400.json", 400))).lookup(NINA)
    assert "The domain is invalid: the domain does not exist" in str(info.value)


def test_hunter_rate_limit_honours_retry_after() -> None:
    sleeps: list[float] = []
    wire = Wire(recorded("hunter_error_403.json", 403, {"Retry-After": "4"}), recorded("hunter_email_finder.json"))
    assert hunter(wire, sleeps).lookup(NINA)["email"][0] == "nina.berger@northwind-freight.com"
    assert sleeps == [4.0] and len(wire.requests) == 2


def test_hunter_monthly_quota_is_not_retried() -> None:
    sleeps: list[float] = []
    wire = Wire(recorded("hunter_error_429.json", 429, {"Retry-After": "3600"}))
    with pytest.raises(ProviderError) as info:
        hunter(wire, sleeps).lookup(NINA)
    assert str(info.value).startswith("Hunter.io says the plan's usage limit is used up (429)")
    assert sleeps == [] and len(wire.requests) == 1 and KEY not in str(info.value)


# --- Apollo --------------------------------------------------------------------------------------------------------


def test_apollo_people_match_fills_a_person() -> None:
    wire = Wire(recorded("apollo_people_match.json"))
    found = apollo(wire).lookup(JONAS)
    assert found == {
        "email": ("jonas.weber@vertexpay.io", 0.95),
        "phone": ("+493055501234", 0.9),
        "linkedin_url": ("http://www.linkedin.com/in/jonas-weber-vertex", 0.9),
        "job_title": ("VP Engineering", 0.9),
        "industry": ("financial services", 0.9),
        "location": ("Berlin, Germany", 0.9),
    }
    [request] = wire.requests
    assert (request.method, request.url.path) == ("POST", "/api/v1/people/match")
    assert request.headers["X-Api-Key"] == KEY
    assert json.loads(request.content) == {"reveal_personal_emails": False, "reveal_phone_number": False,
                                           "first_name": "Jonas", "last_name": "Weber", "name": "Jonas Weber",
                                           "organization_name": "Vertex Pay", "domain": "vertexpay.io"}


def test_apollo_no_match_is_an_empty_answer() -> None:
    assert apollo(Wire(recorded("apollo_people_match_none.json"))).lookup(JONAS) == {}


def test_apollo_organization_enrich_fills_a_company() -> None:
    wire = Wire(recorded("apollo_organization_enrich.json"))
    found = apollo(wire).lookup(VERTEX)
    assert found == {"phone": ("+49 30 5550 1000", 0.9),
                     "linkedin_url": ("http://www.linkedin.com/company/vertex-pay", 0.9),
                     "industry": ("financial services", 0.9), "location": ("Berlin, Germany", 0.9),
                     "website": ("http://www.vertexpay.io", 0.9)}
    [request] = wire.requests
    assert (request.method, request.url.path, dict(request.url.params)) == (
        "GET", "/api/v1/organizations/enrich", {"domain": "vertexpay.io"})


def test_apollo_401_and_422_are_clear() -> None:
    with pytest.raises(ProviderError) as info:
        apollo(Wire(recorded("apollo_error_401.json", 401))).lookup(JONAS)
    assert str(info.value) == "Apollo.io rejected the API key (401); check LEADCORE_APOLLO_API_KEY"
    with pytest.raises(ProviderError) as info:
        apollo(Wire(recorded("apollo_error_422.json", 422))).lookup(JONAS)
    assert "Value for per_page must be less than or equal to 100" in str(info.value)


def test_apollo_429_honours_retry_after() -> None:
    sleeps: list[float] = []
    wire = Wire(recorded("apollo_error_429.json", 429, {"Retry-After": "7"}), recorded("apollo_people_match.json"))
    assert apollo(wire, sleeps).lookup(JONAS)["job_title"] == ("VP Engineering", 0.9)
    assert sleeps == [7.0]


def test_apollo_out_of_credits_is_not_retried() -> None:
    sleeps: list[float] = []
    with pytest.raises(ProviderError) as info:
        apollo(Wire(recorded("apollo_error_402.json", 402)), sleeps).lookup(JONAS)
    assert str(info.value).startswith("Apollo.io says the plan's usage limit is used up (402)")
    assert "insufficient credits" in str(info.value) and sleeps == []


# --- demo, registry, fields ----------------------------------------------------------------------------------------


def test_demo_is_deterministic_offline_and_within_its_fields() -> None:
    demo = DemoEnricher()
    first = demo.lookup(JONAS)
    assert first == demo.lookup(JONAS) and first
    assert set(first) <= demo.fields_for("INDIVIDUAL")
    assert all(0.6 <= c <= 0.99 for _, c in first.values())
    if "email" in first:
        assert first["email"][0] == "jonas.weber@vertexpay.io"
    assert set(demo.lookup(VERTEX)) <= demo.fields_for("COMPANY")
    assert demo.lookup(LeadFacts(id=9, type="INDIVIDUAL", lead_name="Anna Müller", company="X",
                                 website="x.example")).get("email", ("anna.muller@x.example", 1))[0] \
        == "anna.muller@x.example"


def test_registry_builds_a_waterfall_and_names_what_is_missing() -> None:
    chain = get_enrichers("hunter, apollo", settings())
    assert [e.name for e in chain] == ["hunter", "apollo"]
    assert [e.name for e in get_enrichers(None, settings())] == ["demo"]
    with pytest.raises(ProviderError, match="set LEADCORE_APOLLO_API_KEY"):
        get_enrichers("apollo", settings(apollo_api_key=None))
    with pytest.raises(ProviderError, match="choose from demo, hunter, apollo"):
        get_enrichers("clearbit", settings())


def test_fields_accept_everyday_names_and_refuse_unknown_ones() -> None:
    assert parse_fields("Phone, linkedin,title") == ("phone", "linkedin_url", "job_title")
    assert parse_fields(None) == parse_fields("") == ("email", "phone", "linkedin_url", "job_title", "industry",
                                                      "location", "website")
    with pytest.raises(InvalidInput, match="Cannot enrich 'size'"):
        parse_fields("email,size")
