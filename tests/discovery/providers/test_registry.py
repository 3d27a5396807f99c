"""Choosing a provider by name, what is configured, and the search query's own validation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from leadcore.config import Settings
from leadcore.discovery.providers import (
    ApolloProvider,
    DemoProvider,
    HunterProvider,
    ProviderInfo,
    available_providers,
    get_provider,
)
from leadcore.discovery.providers.base import SearchQuery
from leadcore.errors import InvalidInput, ProviderError


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"apollo_api_key": None, "hunter_api_key": None, "default_provider": "demo"}
    return Settings(_env_file=None, **{**values, **overrides})  # type: ignore[call-arg]


def test_available_providers_without_keys() -> None:
    assert available_providers(settings()) == [
        ProviderInfo("demo", "Demo data (offline)", configured=True, is_demo=True),
        ProviderInfo("apollo", "Apollo.io", configured=False, is_demo=False),
        ProviderInfo("hunter", "Hunter.io", configured=False, is_demo=False),
    ]


def test_available_providers_with_keys() -> None:
    infos = available_providers(settings(apollo_api_key="a-key", hunter_api_key="h-key"))
    assert [(i.name, i.configured) for i in infos] == [("demo", True), ("apollo", True), ("hunter", True)]


def test_a_blank_key_is_not_configured() -> None:
    infos = available_providers(settings(apollo_api_key="   "))
    assert [i.configured for i in infos if i.name == "apollo"] == [False]


@pytest.mark.parametrize("name", [None, "", "  ", "demo", "DEMO"])
def test_demo_by_default_or_by_name(name: str | None) -> None:
    provider = get_provider(name, settings())
    assert isinstance(provider, DemoProvider) and provider.is_demo


def test_default_provider_setting_is_used_when_no_name_is_given() -> None:
    provider = get_provider(None, settings(default_provider="hunter", hunter_api_key="h-key"))
    assert isinstance(provider, HunterProvider)


@pytest.mark.parametrize("name, message", [
    ("apollo", "Apollo.io is not configured: set LEADCORE_APOLLO_API_KEY"),
    ("Hunter", "Hunter.io is not configured: set LEADCORE_HUNTER_API_KEY"),
    ("clearbit", "Unknown provider 'clearbit': choose one of demo, apollo, hunter"),
])
def test_unconfigured_or_unknown_providers_say_what_to_do(name: str, message: str) -> None:
    with pytest.raises(ProviderError) as info:
        get_provider(name, settings())
    assert str(info.value) == message


def test_an_unconfigured_default_provider_is_an_error_too() -> None:
    with pytest.raises(ProviderError, match="LEADCORE_APOLLO_API_KEY"):
        get_provider(None, settings(default_provider="apollo"))


def test_configured_providers_get_the_client_and_sleep() -> None:
    sleeps: list[float] = []
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            return httpx.Response(429, headers={"Retry-After": "2"})
        return httpx.Response(200, json={"people": [], "pagination": {"total_pages": 0}})

    client = httpx.Client(transport=httpx.MockTransport(handler))
    provider = get_provider("apollo", settings(apollo_api_key=" a-key "), client=client, sleep=sleeps.append)
    assert isinstance(provider, ApolloProvider) and not provider.is_demo
    assert list(provider.search(SearchQuery("cto"))) == []
    assert sleeps == [2.0] and seen[0].headers["X-Api-Key"] == "a-key"


def test_query_is_trimmed_and_blank_optionals_become_none() -> None:
    q = SearchQuery("  VP   Engineering\tfintech ", mode=" Company ", location="  ", industry=" SaaS ",
                    tech_stack=" React,  AWS ,, ", limit=10).validated()
    assert q == SearchQuery("VP Engineering fintech", mode="company", location=None, industry="SaaS",
                            tech_stack="React, AWS ,,", limit=10)
    assert q.tech_list() == ["React", "AWS"]


@pytest.mark.parametrize("query, field", [
    (SearchQuery(""), "text"),
    (SearchQuery(" \n "), "text"),
    (SearchQuery("cto", mode="people"), "mode"),
    (SearchQuery("cto", limit=0), "limit"),
    (SearchQuery("cto", limit=1001), "limit"),
    (SearchQuery("cto", limit=True), "limit"),
])
def test_unusable_queries_name_the_field(query: SearchQuery, field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        query.validated()
    assert info.value.field == field


@pytest.mark.parametrize("limit", [1, 1000])
def test_limit_bounds_are_inclusive(limit: int) -> None:
    assert SearchQuery("cto", limit=limit).validated().limit == limit
