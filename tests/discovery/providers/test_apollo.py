"""Apollo.io adapter against recorded responses (httpx.MockTransport; no network)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from leadcore.config import Settings
from leadcore.discovery.providers.apollo import ApolloProvider
from leadcore.discovery.providers.base import SearchQuery
from leadcore.errors import ProviderError
from leadcore.intake.candidates import LeadCandidate

FIXTURES = Path(__file__).parents[2] / "fixtures"
KEY = "apollo-test-key-9f8e7d"
PEOPLE_URL = "https://api.apollo.io/api/v1/mixed_people/search"
ORGS_URL = "https://api.apollo.io/api/v1/mixed_companies/search"


def recorded(name: str, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status, content=(FIXTURES / name).read_bytes(), headers={"content-type": "application/json", **(headers or {})}
    )


class Wire:
    """A scripted Apollo: answers requests in order and keeps what was sent."""

    def __init__(self, *replies: httpx.Response | Exception) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "http_timeout_s": 20.0,
        "http_max_retries": 4,
        "http_backoff_base_s": 0.5,
        "http_backoff_max_s": 30.0,
        "provider_page_size": 2,
        "provider_page_cap": 20,
    }
    return Settings(_env_file=None, **{**values, **overrides})  # type: ignore[call-arg]


def run(
    wire: Wire, query: SearchQuery, *, sleeps: list[float] | None = None, **overrides: Any
) -> list[list[LeadCandidate]]:
    slept = sleeps if sleeps is not None else []
    provider = ApolloProvider(
        httpx.Client(transport=httpx.MockTransport(wire)),
        api_key=KEY,
        settings=settings(**overrides),
        sleep=slept.append,
        random=lambda: 1.0,
    )
    return list(provider.search(query))


def failure(wire: Wire, query: SearchQuery | None = None, **overrides: Any) -> ProviderError:
    with pytest.raises(ProviderError) as info:
        run(wire, query or SearchQuery("VP Engineering fintech"), **overrides)
    assert KEY not in str(info.value)
    return info.value


PEOPLE = (recorded("apollo_people_p1.json"), recorded("apollo_people_p2.json"), recorded("apollo_people_p3.json"))


def test_people_search_maps_every_field_across_three_pages() -> None:
    wire = Wire(*PEOPLE)
    pages = run(wire, SearchQuery("VP Engineering fintech", location="Berlin", industry="Fintech", limit=25))

    assert [len(p) for p in pages] == [2, 2, 1]
    maren, tobias, priya, jonas, lea = [c for page in pages for c in page]
    assert maren == LeadCandidate(
        type="INDIVIDUAL",
        lead_name="Maren Vogt",
        email="maren.vogt@ledgerline.io",
        phone="+493055501234",
        job_title="VP Engineering",
        company="Ledgerline",
        location="Berlin, Germany",
        industry="financial services",
        website="http://www.ledgerline.io",
        linkedin_url="http://www.linkedin.com/in/maren-vogt-4b2a1c",
        raw_data=json.loads((FIXTURES / "apollo_people_p1.json").read_text())["people"][0],
    )
    assert maren.raw_data is not None and maren.raw_data["organization"]["estimated_num_employees"] == 180
    assert maren.raw_data["organization"]["technology_names"] == ["AWS", "Kafka", "Kotlin", "PostgreSQL"]
    # A locked placeholder address is no address; the company switchboard is not the person's phone.
    assert (tobias.email, tobias.phone, tobias.company) == (None, None, "Payvault GmbH")
    assert tobias.location == "Munich, Bavaria, Germany"
    # Missing website falls back to the primary domain; a null industry stays None.
    assert (priya.website, priya.industry, priya.email) == ("kontorfinance.co.uk", None, None)
    assert priya.location == "London, England, United Kingdom"
    assert lea.email == "lea@mintfold.com" and lea.job_title == "VP of Engineering"
    assert all(c.lead_score is None for page in pages for c in page)
    assert jonas.lead_name == "Jonas Keller"


def test_a_record_missing_its_organization_and_place_still_maps() -> None:
    wire = Wire(*PEOPLE)
    jonas = [c for page in run(wire, SearchQuery("VP Engineering fintech")) for c in page][3]
    assert jonas.company is None and jonas.website is None and jonas.location is None
    assert jonas.linkedin_url is None and jonas.email == "JONAS.KELLER@CLEARPAY-LABS.COM"


def test_people_search_sends_filters_pagination_and_the_key_header() -> None:
    wire = Wire(*PEOPLE)
    query = SearchQuery(
        "  VP Engineering  fintech ", location=" Berlin ", industry="Fintech", tech_stack="Kafka, Google Analytics"
    )
    run(wire, query)

    assert [str(r.url) for r in wire.requests] == [PEOPLE_URL] * 3
    assert all(r.method == "POST" and r.headers["X-Api-Key"] == KEY for r in wire.requests)
    first = wire.bodies()[0]
    assert first == {
        "page": 1,
        "per_page": 2,
        "q_keywords": "VP Engineering fintech",
        "q_organization_keyword_tags": ["Fintech"],
        "person_locations": ["Berlin"],
        "currently_using_any_of_technology_uids": ["kafka", "google_analytics"],
    }
    assert [(b["page"], b["per_page"]) for b in wire.bodies()] == [(1, 2), (2, 2), (3, 2)]
    for request in wire.requests:
        assert KEY not in str(request.url) and KEY not in request.content.decode()


def test_organization_search_maps_accounts_and_organizations() -> None:
    wire = Wire(recorded("apollo_organizations_p1.json"), recorded("apollo_organizations_p2.json"))
    pages = run(wire, SearchQuery("fintech", mode="company", location="Europe"))

    assert [len(p) for p in pages] == [2, 1]
    ledgerline, quayside, fernwood = [c for page in pages for c in page]
    assert ledgerline == LeadCandidate(
        type="COMPANY",
        lead_name="Ledgerline",
        phone="+49 30 5550 1000",
        company="Ledgerline",
        location="Berlin, Germany",
        headquarters="Friedrichstrasse 68, 10117 Berlin, Germany",
        industry="financial services",
        website="http://www.ledgerline.io",
        linkedin_url="http://www.linkedin.com/company/ledgerline",
        raw_data=json.loads((FIXTURES / "apollo_organizations_p1.json").read_text())["accounts"][0],
    )
    # No `industry` but an `industries` list; phone only under primary_phone; no raw_address.
    assert (quayside.industry, quayside.phone) == ("financial services", "+44 20 7946 0321")
    assert quayside.headquarters == "London, England, United Kingdom"
    assert quayside.raw_data is not None and quayside.raw_data["current_technologies"][0]["uid"] == "stripe"
    assert (fernwood.website, fernwood.location, fernwood.linkedin_url) == ("fernwoodcredit.com", None, None)
    assert [str(r.url) for r in wire.requests] == [ORGS_URL] * 2
    assert wire.bodies()[0] == {
        "page": 1,
        "per_page": 2,
        "q_organization_keyword_tags": ["fintech"],
        "organization_locations": ["Europe"],
    }


def test_empty_result_yields_no_pages() -> None:
    wire = Wire(recorded("apollo_people_empty.json"))
    assert run(wire, SearchQuery("zzqx nobody")) == []
    assert len(wire.requests) == 1


def test_limit_cuts_the_last_page_and_stops_asking() -> None:
    wire = Wire(*PEOPLE)
    pages = run(wire, SearchQuery("VP Engineering fintech", limit=3))
    assert [len(p) for p in pages] == [2, 1]
    assert [(b["page"], b["per_page"]) for b in wire.bodies()] == [(1, 2), (2, 2)]


def test_a_limit_below_the_page_size_asks_for_just_that_many() -> None:
    wire = Wire(recorded("apollo_people_p1.json"))
    pages = run(wire, SearchQuery("VP Engineering fintech", limit=1))
    assert [len(p) for p in pages] == [1]
    assert wire.bodies()[0]["per_page"] == 1


def test_page_cap_is_respected() -> None:
    wire = Wire(*PEOPLE)
    pages = run(wire, SearchQuery("VP Engineering fintech", limit=100), provider_page_cap=2)
    assert sum(len(p) for p in pages) == 4
    assert len(wire.requests) == 2


def test_401_names_the_setting_to_fix_and_is_not_retried() -> None:
    wire = Wire(recorded("apollo_error_401.json", 401))
    err = failure(wire)
    assert str(err) == "Apollo.io rejected the API key (401); check LEADCORE_APOLLO_API_KEY"
    assert (err.status_code, err.retryable, len(wire.requests)) == (401, False, 1)


def test_403_says_the_plan_may_not_include_the_endpoint() -> None:
    err = failure(Wire(recorded("apollo_error_403.json", 403)))
    assert str(err).startswith("Apollo.io refused access (403): your plan may not include this endpoint")
    assert "not accessible with this api_key on a free plan" in str(err)
    assert err.status_code == 403 and not err.retryable


def test_422_passes_on_apollos_reason() -> None:
    err = failure(Wire(recorded("apollo_error_422.json", 422)))
    assert str(err) == "Apollo.io rejected the search: Value for per_page must be less than or equal to 100"
    assert err.status_code == 422


def test_429_honours_retry_after_then_succeeds() -> None:
    sleeps: list[float] = []
    wire = Wire(recorded("apollo_error_429.json", 429, {"Retry-After": "7"}), *PEOPLE)
    pages = run(wire, SearchQuery("VP Engineering fintech"), sleeps=sleeps)
    assert sleeps == [7.0]
    assert sum(len(p) for p in pages) == 5


def test_429_without_retry_after_backs_off_exponentially_then_gives_up() -> None:
    sleeps: list[float] = []
    wire = Wire(*[recorded("apollo_error_429.json", 429) for _ in range(5)])
    with pytest.raises(ProviderError) as info:
        run(wire, SearchQuery("VP Engineering fintech"), sleeps=sleeps)
    assert sleeps == [0.5, 1.0, 2.0, 4.0]  # random() pinned to 1.0: the full-jitter ceiling
    assert str(info.value) == "Apollo.io rate limited the search; retried 4 times over 7.5 s"
    assert (info.value.status_code, info.value.retryable) == (429, True)


def test_500_then_success_retries_once() -> None:
    sleeps: list[float] = []
    wire = Wire(httpx.Response(500, text="upstream error"), *PEOPLE)
    pages = run(wire, SearchQuery("VP Engineering fintech"), sleeps=sleeps)
    assert len(sleeps) == 1 and sum(len(p) for p in pages) == 5
    assert wire.bodies()[0] == wire.bodies()[1]  # the same page asked again


def test_persistent_503_reports_the_outage() -> None:
    err = failure(Wire(*[httpx.Response(503) for _ in range(5)]))
    assert str(err) == "Apollo.io is failing (HTTP 503); retried 4 times"
    assert (err.status_code, err.retryable) == (503, True)


def test_timeouts_are_retried_then_reported() -> None:
    wire = Wire(*[httpx.ReadTimeout("timed out") for _ in range(5)])
    err = failure(wire)
    assert str(err) == "Apollo.io did not answer within 20 s (retried 4 times)"
    assert err.retryable and len(wire.requests) == 5


def test_a_timeout_mid_search_then_success_loses_nothing() -> None:
    wire = Wire(recorded("apollo_people_p1.json"), httpx.ReadTimeout("timed out"), *PEOPLE[1:])
    pages = run(wire, SearchQuery("VP Engineering fintech"))
    assert [len(p) for p in pages] == [2, 2, 1]


def test_malformed_json_is_reported() -> None:
    err = failure(Wire(httpx.Response(200, text="<html><body>Bad gateway</body></html>")))
    assert str(err) == "Apollo.io sent a response that is not valid JSON"


def test_an_echoed_key_never_reaches_raw_data() -> None:
    body = json.loads((FIXTURES / "apollo_people_p3.json").read_text())
    body["people"][0]["headline"] = f"debug api_key={KEY}"
    wire = Wire(httpx.Response(200, json=body))
    [[lea]] = run(wire, SearchQuery("VP Engineering fintech"))
    assert KEY not in json.dumps(lea.raw_data)


def test_the_key_never_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    wire = Wire(httpx.Response(503), httpx.ReadTimeout("timed out"), *PEOPLE)
    run(wire, SearchQuery("VP Engineering fintech"))
    assert "retry" in caplog.text and KEY not in caplog.text


def test_the_api_search_shape_maps_without_hidden_fields() -> None:
    # /mixed_people/api_search returns locked records: first name, obfuscated last name, no email.
    body = {
        "total_entries": 1,
        "people": [
            {
                "id": "67b1",
                "first_name": "Andrea",
                "last_name_obfuscated": "Ku***r",
                "title": "Head of Engineering",
                "has_email": True,
                "organization": {"name": "Ledgerline", "has_industry": True},
            }
        ],
    }
    [[andrea]] = run(Wire(httpx.Response(200, json=body)), SearchQuery("Head of Engineering"))
    assert (andrea.lead_name, andrea.company, andrea.email) == ("Andrea", "Ledgerline", None)
