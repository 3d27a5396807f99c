"""Hunter.io adapter against recorded responses (httpx.MockTransport; no network)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from leadcore.config import Settings
from leadcore.discovery.providers.base import SearchQuery
from leadcore.discovery.providers.hunter import HunterProvider, domain_from_text
from leadcore.errors import ProviderError
from leadcore.intake.candidates import LeadCandidate

FIXTURES = Path(__file__).parents[2] / "fixtures"
KEY = "hunter-test-key-1a2b3c"
DOMAIN = "northwind-freight.com"


def recorded(name: str, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status, content=(FIXTURES / name).read_bytes(), headers={"content-type": "application/json", **(headers or {})}
    )


class Wire:
    """A scripted Hunter: answers requests in order and keeps what was sent."""

    def __init__(self, *replies: httpx.Response | Exception) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply

    def params(self) -> list[dict[str, str]]:
        return [dict(r.url.params) for r in self.requests]


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
    provider = HunterProvider(
        httpx.Client(transport=httpx.MockTransport(wire)),
        api_key=KEY,
        settings=settings(**overrides),
        sleep=slept.append,
        random=lambda: 1.0,
    )
    return list(provider.search(query))


def failure(wire: Wire, query: SearchQuery | None = None, **overrides: Any) -> ProviderError:
    with pytest.raises(ProviderError) as info:
        run(wire, query or SearchQuery(DOMAIN), **overrides)
    assert KEY not in str(info.value)
    return info.value


PAGES = (recorded("hunter_domain_search_p1.json"), recorded("hunter_domain_search_p2.json"))


def domain_data() -> dict[str, Any]:
    data = json.loads((FIXTURES / "hunter_domain_search_p1.json").read_text())["data"]
    data.pop("emails")
    return data


def test_domain_search_maps_every_field_across_two_pages() -> None:
    wire = Wire(*PAGES)
    pages = run(wire, SearchQuery(DOMAIN, limit=25))

    assert [len(p) for p in pages] == [2, 1]
    nina, info, ole = [c for page in pages for c in page]
    nina_record = json.loads((FIXTURES / "hunter_domain_search_p1.json").read_text())["data"]["emails"][0]
    assert nina == LeadCandidate(
        type="INDIVIDUAL",
        lead_name="Nina Berger",
        email="nina.berger@northwind-freight.com",
        phone="+49 40 5550 2211",
        job_title="Head of Operations",
        company="Northwind Freight",
        location="Hamburg, DE",
        industry="Transportation & Logistics",
        website=DOMAIN,
        linkedin_url="https://www.linkedin.com/in/nina-berger-7c1d2e",
        lead_score=None,
        raw_data={"email": nina_record, "domain": domain_data()},
    )
    assert nina.raw_data is not None and nina.raw_data["email"]["confidence"] == 94
    # A role address with no person behind it: kept, nameless, and no `linkedin` key at all.
    assert (info.email, info.lead_name, info.job_title, info.linkedin_url) == (
        "info@northwind-freight.com", None, None, None,
    )
    # Older answers give a LinkedIn handle rather than a URL.
    assert ole.linkedin_url == "https://www.linkedin.com/in/ole-hansen-hh"
    assert ole.phone is None and ole.job_title == "CTO"


def test_domain_search_pages_by_offset_and_sends_the_key_in_a_header() -> None:
    wire = Wire(*PAGES)
    run(wire, SearchQuery("https://www.Northwind-Freight.com/about", limit=25))

    assert wire.params() == [
        {"domain": DOMAIN, "limit": "2", "offset": "0"},
        {"domain": DOMAIN, "limit": "2", "offset": "2"},
    ]
    for request in wire.requests:
        assert request.method == "GET"
        assert request.url.path == "/v2/domain-search" and request.url.host == "api.hunter.io"
        assert request.headers["X-API-KEY"] == KEY
        assert KEY not in str(request.url)


def test_empty_domain_yields_no_pages() -> None:
    wire = Wire(recorded("hunter_domain_search_empty.json"))
    assert run(wire, SearchQuery("quiet-company.example")) == []
    assert len(wire.requests) == 1


def test_limit_is_respected_within_a_page() -> None:
    wire = Wire(*PAGES)
    pages = run(wire, SearchQuery(DOMAIN, limit=3), provider_page_size=2)
    assert [len(p) for p in pages] == [2, 1]
    wire = Wire(recorded("hunter_domain_search_p1.json"))
    pages = run(wire, SearchQuery(DOMAIN, limit=1))
    assert [len(p) for p in pages] == [1] and wire.params()[0]["limit"] == "1"


def test_page_cap_is_respected() -> None:
    wire = Wire(*PAGES)
    pages = run(wire, SearchQuery(DOMAIN, limit=100), provider_page_cap=1)
    assert [len(p) for p in pages] == [2] and len(wire.requests) == 1


@pytest.mark.parametrize("text, domain", [
    ("stripe.com", "stripe.com"),
    ("https://www.Stripe.com/jobs?x=1", "stripe.com"),
    ("www.acme.co.uk", "acme.co.uk"),
    ("jane@Acme.io", "acme.io"),
    ("acme.io.", "acme.io"),
])
def test_domain_from_text(text: str, domain: str) -> None:
    assert domain_from_text(text) == domain


@pytest.mark.parametrize("text", ["VP Engineering fintech", "localhost", "http://", "acme"])
def test_text_without_a_domain_is_refused_before_any_request(text: str) -> None:
    wire = Wire()
    with pytest.raises(ProviderError, match="one company domain"):
        run(wire, SearchQuery(text))
    assert wire.requests == []


def test_company_mode_is_refused_with_a_reason() -> None:
    wire = Wire()
    with pytest.raises(ProviderError, match="finds people at a company domain"):
        HunterProvider(httpx.Client(transport=httpx.MockTransport(wire)), api_key=KEY, settings=settings()).search(
            SearchQuery(DOMAIN, mode="company")
        )
    assert wire.requests == []


def test_401_names_the_setting_to_fix() -> None:
    wire = Wire(recorded("hunter_error_401.json", 401))
    err = failure(wire)
    assert str(err) == "Hunter.io rejected the API key (401); check LEADCORE_HUNTER_API_KEY"
    assert (err.status_code, err.retryable, len(wire.requests)) == (401, False, 1)


def test_400_passes_on_hunters_details() -> None:
    err = failure(Wire(recorded("hunter_error_400.json", 400)))
    assert str(err) == "Hunter.io rejected the search: The domain is invalid: the domain does not exist"
    assert err.status_code == 400


def test_422_passes_on_hunters_details() -> None:
    body = {"errors": [{"id": "wrong_params", "code": 422, "details": "Limit must be lower than 100"}]}
    err = failure(Wire(httpx.Response(422, json=body)))
    assert str(err) == "Hunter.io rejected the search: Limit must be lower than 100"


def test_403_is_hunters_rate_limit_and_honours_retry_after() -> None:
    sleeps: list[float] = []
    wire = Wire(recorded("hunter_error_403.json", 403, {"Retry-After": "3"}), *PAGES)
    pages = run(wire, SearchQuery(DOMAIN), sleeps=sleeps)
    assert sleeps == [3.0] and sum(len(p) for p in pages) == 3


def test_403_without_retry_after_backs_off_then_gives_up() -> None:
    sleeps: list[float] = []
    wire = Wire(*[recorded("hunter_error_403.json", 403) for _ in range(5)])
    with pytest.raises(ProviderError) as info:
        run(wire, SearchQuery(DOMAIN), sleeps=sleeps)
    assert sleeps == [0.5, 1.0, 2.0, 4.0]
    assert str(info.value) == "Hunter.io rate limited the search; retried 4 times over 7.5 s"
    assert (info.value.status_code, info.value.retryable) == (403, True)


def test_429_is_the_monthly_quota_and_is_not_retried() -> None:
    sleeps: list[float] = []
    wire = Wire(recorded("hunter_error_429.json", 429, {"Retry-After": "3600"}))
    with pytest.raises(ProviderError) as info:
        run(wire, SearchQuery(DOMAIN), sleeps=sleeps)
    assert sleeps == [] and len(wire.requests) == 1
    assert str(info.value).startswith("Hunter.io says the plan's usage limit is used up (429)")
    assert "usage limit for the month" in str(info.value)
    assert (info.value.status_code, info.value.retryable) == (429, False)


def test_500_then_success_retries_the_same_page() -> None:
    sleeps: list[float] = []
    wire = Wire(recorded("hunter_domain_search_p1.json"), httpx.Response(500), recorded("hunter_domain_search_p2.json"))
    pages = run(wire, SearchQuery(DOMAIN), sleeps=sleeps)
    assert len(sleeps) == 1 and [len(p) for p in pages] == [2, 1]
    assert [p["offset"] for p in wire.params()] == ["0", "2", "2"]


def test_persistent_502_reports_the_outage() -> None:
    err = failure(Wire(*[httpx.Response(502) for _ in range(5)]))
    assert str(err) == "Hunter.io is failing (HTTP 502); retried 4 times"


def test_timeouts_are_retried_then_reported() -> None:
    wire = Wire(*[httpx.ReadTimeout("timed out") for _ in range(3)])
    err = failure(wire, http_max_retries=2)
    assert str(err) == "Hunter.io did not answer within 20 s (retried 2 times)"
    assert err.retryable and len(wire.requests) == 3


def test_malformed_json_is_reported() -> None:
    err = failure(Wire(httpx.Response(200, text='{"data": {"emails": [')))
    assert str(err) == "Hunter.io sent a response that is not valid JSON"


def test_the_key_never_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # httpx logs every request URL at INFO
    wire = Wire(recorded("hunter_error_403.json", 403), httpx.ReadTimeout("timed out"), *PAGES)
    run(wire, SearchQuery(DOMAIN))
    assert "HTTP Request" in caplog.text and KEY not in caplog.text


def test_an_echoed_key_never_reaches_raw_data() -> None:
    body = json.loads((FIXTURES / "hunter_domain_search_p2.json").read_text())
    body["data"]["emails"][0]["sources"] = [{"uri": f"https://example.org/?api_key={KEY}"}]
    [[ole]] = run(Wire(httpx.Response(200, json=body)), SearchQuery(DOMAIN))
    assert KEY not in json.dumps(ole.raw_data)
