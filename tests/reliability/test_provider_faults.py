"""Provider faults end to end: a scripted Apollo/Hunter (httpx.MockTransport) behind run_discovery, on both engines.

Whatever the provider does, the pages that arrived are kept, the run is marked partial (or failed) with the reason,
its counters add up, and nothing is saved twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from leadcore.accounts.actors import Actor
from leadcore.config import Settings
from leadcore.db.models import Lead, LeadEvent, LeadSearch
from leadcore.db.runtime import Database
from leadcore.discovery.providers.apollo import ApolloProvider
from leadcore.discovery.providers.base import SearchQuery
from leadcore.discovery.providers.hunter import HunterProvider
from leadcore.discovery.runs import DiscoveryResult, run_discovery
from tests.reliability.support import user

FIXTURES = Path(__file__).parents[1] / "fixtures"
Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def recorded(name: str, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=(FIXTURES / name).read_bytes(),
                          headers={"content-type": "application/json", **(headers or {})})


def body(data: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(data).encode(), headers={"content-type": "application/json"})


class Wire:
    """Answers requests in order; the last reply repeats (a storm)."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        if callable(reply) and not isinstance(reply, httpx.Response):
            return reply(request)
        return reply


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"http_max_retries": 2, "http_backoff_base_s": 0.5, "provider_page_size": 2,
                              "provider_page_cap": 20, "http_timeout_s": 7}
    return Settings(_env_file=None, **{**values, **overrides})  # type: ignore[call-arg]


def apollo(wire: Wire, **overrides: Any) -> ApolloProvider:
    return ApolloProvider(httpx.Client(transport=httpx.MockTransport(wire)), api_key="apollo-key-for-tests",
                          settings=settings(**overrides), sleep=lambda _s: None, random=lambda: 1.0)


def hunter(wire: Wire, **overrides: Any) -> HunterProvider:
    return HunterProvider(httpx.Client(transport=httpx.MockTransport(wire)), api_key="hunter-key-for-tests",
                          settings=settings(**overrides), sleep=lambda _s: None, random=lambda: 1.0)


def check_run(db: Database, result: DiscoveryResult) -> dict[str, Any]:
    """The run row agrees with the result, its counters add up, and its saved leads are exactly in the database."""
    with db.uow() as uow:
        run = uow.session.get(LeadSearch, result.search_id)
        assert run is not None
        assert (run.outcome, run.error) == (result.outcome, result.error)
        assert run.returned == result.count
        assert run.saved + run.duplicates + run.invalid == run.returned
        assert (run.saved, run.duplicates, run.invalid) == (result.saved, result.duplicates, result.invalid)
        stored = uow.session.scalar(select(func.count()).select_from(Lead).where(Lead.search_id == run.id))
        assert stored == run.saved
        return {"saved": run.saved, "duplicates": run.duplicates, "error": run.error}


def no_duplicates(db: Database) -> None:
    with db.uow() as uow:
        emails = uow.session.execute(select(Lead.email_norm, func.count()).where(Lead.email_norm.is_not(None))
                                     .group_by(Lead.email_norm).having(func.count() > 1)).all()
        links = uow.session.execute(select(Lead.linkedin_norm, func.count()).where(Lead.linkedin_norm.is_not(None))
                                    .group_by(Lead.linkedin_norm).having(func.count() > 1)).all()
        assert emails == [] and links == []


QUERY = SearchQuery("VP Engineering fintech", limit=10)


@pytest.fixture
def manager(db: Database) -> Actor:
    return user(db, "manager")


def test_timeout_on_page_three_keeps_pages_one_and_two(db: Database, manager: Actor) -> None:
    wire = Wire(recorded("apollo_people_p1.json"), recorded("apollo_people_p2.json"), httpx.ReadTimeout("slow"))
    result = run_discovery(db.uow(), manager, QUERY, provider=apollo(wire))
    assert result.outcome == "partial" and result.count == 4
    assert result.error == "Apollo.io did not answer within 7 s (retried 2 times)"
    run = check_run(db, result)
    assert run["saved"] == 4 and len(wire.requests) == 2 + 3
    # Running the same search again once the provider recovers saves the rest and duplicates nothing.
    again = run_discovery(db.uow(), manager, QUERY, provider=apollo(Wire(
        recorded("apollo_people_p1.json"), recorded("apollo_people_p2.json"), recorded("apollo_people_p3.json"))))
    assert again.outcome == "ok" and (again.saved, again.duplicates) == (1, 4)
    check_run(db, again)
    no_duplicates(db)


@pytest.mark.parametrize("first_page", [False, True], ids=["from-the-start", "after-page-one"])
def test_a_429_storm_ends_the_run_with_the_rate_limit_reason(db: Database, manager: Actor, first_page: bool) -> None:
    storm = recorded("apollo_error_429.json", 429, {"Retry-After": "2"})
    wire = Wire(recorded("apollo_people_p1.json"), storm) if first_page else Wire(storm)
    result = run_discovery(db.uow(), manager, QUERY, provider=apollo(wire))
    assert result.outcome == ("partial" if first_page else "failed")
    assert result.error == "Apollo.io rate limited the search; retried 2 times over 4 s"
    assert result.error_status == 429
    run = check_run(db, result)
    assert run["saved"] == (2 if first_page else 0)


def test_a_5xx_storm_is_reported_as_the_provider_failing(db: Database, manager: Actor) -> None:
    wire = Wire(recorded("apollo_people_p1.json"), httpx.Response(503, text="<html>upstream down</html>"))
    result = run_discovery(db.uow(), manager, QUERY, provider=apollo(wire))
    assert result.outcome == "partial" and result.error == "Apollo.io is failing (HTTP 503); retried 2 times"
    check_run(db, result)


def test_a_truncated_body_keeps_what_came_before_it(db: Database, manager: Actor) -> None:
    whole = (FIXTURES / "apollo_people_p2.json").read_bytes()
    cut = httpx.Response(200, content=whole[: len(whole) // 2], headers={"content-type": "application/json"})
    result = run_discovery(db.uow(), manager, QUERY, provider=apollo(Wire(recorded("apollo_people_p1.json"), cut)))
    assert result.outcome == "partial" and result.error == "Apollo.io sent a response that is not valid JSON"
    assert check_run(db, result)["saved"] == 2


@pytest.mark.parametrize(
    "page",
    [
        [1, None, "x", {"first_name": 5, "organization": [], "phone_numbers": "no"}],
        [{"name": "", "email": "bob@@x"}, {"name": "Ok Person", "email": "ok@person.example"}],
        [{"name": "x" * 5000, "email": "long@name.example"}],
    ],
    ids=["wrong-types", "invalid-and-valid", "oversized-field"],
)
def test_malformed_records_are_rejected_or_kept_never_a_crash(db: Database, manager: Actor, page: Any) -> None:
    wire = Wire(body({"people": page, "pagination": "not-a-dict"}))
    result = run_discovery(db.uow(), manager, QUERY, provider=apollo(wire))
    assert result.outcome == "ok" and result.error is None
    check_run(db, result)


def test_a_body_of_the_wrong_shape_is_an_empty_page(db: Database, manager: Actor) -> None:
    result = run_discovery(db.uow(), manager, QUERY, provider=apollo(Wire(body(["not", "an", "object"]))))
    assert (result.outcome, result.count) == ("ok", 0)
    check_run(db, result)


def test_the_same_lead_twice_in_one_page_is_saved_once(db: Database, manager: Actor) -> None:
    person = json.loads((FIXTURES / "apollo_people_p1.json").read_text())["people"][0]
    shouting = {**person, "email": person["email"].upper(), "linkedin_url": person["linkedin_url"] + "/?trk=x"}
    result = run_discovery(db.uow(), manager, SearchQuery("VP Engineering", limit=2),
                           provider=apollo(Wire(body({"people": [person, shouting]}))))
    assert (result.count, result.saved, result.duplicates) == (2, 1, 1)
    check_run(db, result)
    no_duplicates(db)
    with db.uow() as uow:
        lead = uow.session.scalars(select(Lead)).one()
        kinds = list(uow.session.scalars(select(LeadEvent.kind).where(LeadEvent.lead_id == lead.id)))
        assert sorted(kinds) == ["created", "duplicate_seen"]


def test_hunter_quota_used_up_fails_at_once_with_its_reason(db: Database, manager: Actor) -> None:
    wire = Wire(recorded("hunter_error_429.json", 429))
    result = run_discovery(db.uow(), manager, SearchQuery("northwind-freight.com"), provider=hunter(wire))
    assert result.outcome == "failed" and len(wire.requests) == 1  # a used-up quota is not retried
    assert result.error and "usage limit is used up (429)" in result.error
    check_run(db, result)


def test_hunter_rate_limit_after_a_page_is_partial(db: Database, manager: Actor) -> None:
    wire = Wire(recorded("hunter_domain_search_p1.json"), recorded("hunter_error_403.json", 403))
    result = run_discovery(db.uow(), manager, SearchQuery("northwind-freight.com", limit=10), provider=hunter(wire))
    assert result.outcome == "partial"
    assert result.error == "Hunter.io rate limited the search; retried 2 times over 1.5 s"
    assert check_run(db, result)["saved"] == 2


def test_a_connection_error_mid_run_is_partial_with_the_reason(db: Database, manager: Actor) -> None:
    wire = Wire(recorded("hunter_domain_search_p1.json"), httpx.ConnectError("connection refused"))
    result = run_discovery(db.uow(), manager, SearchQuery("northwind-freight.com", limit=10), provider=hunter(wire))
    assert result.outcome == "partial"
    assert result.error == "Hunter.io could not be reached (connection refused); retried 2 times"
    check_run(db, result)
