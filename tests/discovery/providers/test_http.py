"""The shared provider HTTP layer: retries, backoff, Retry-After, error wording, secret scrubbing."""

from __future__ import annotations

import email.utils
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from leadcore.config import Settings
from leadcore.discovery.providers.http import ProviderHttp, provider_reason
from leadcore.errors import ProviderError

SECRET = "s3cr3t-key-abc"
URL = "https://api.example.test/v1/search"


class Wire:
    def __init__(self, *replies: httpx.Response | Exception) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


def http(wire: Wire, sleeps: list[float], *, jitter: float = 1.0, **overrides: Any) -> ProviderHttp:
    values: dict[str, Any] = {"http_timeout_s": 20.0, "http_max_retries": 4, "http_backoff_base_s": 0.5,
                              "http_backoff_max_s": 30.0}
    return ProviderHttp(
        Settings(_env_file=None, **{**values, **overrides}),  # type: ignore[call-arg]
        label="Example",
        key_setting="LEADCORE_EXAMPLE_KEY",
        secrets=[SECRET],
        client=httpx.Client(transport=httpx.MockTransport(wire)),
        sleep=sleeps.append,
        random=lambda: jitter,
    )


def test_returns_decoded_json_and_sends_what_it_was_given() -> None:
    wire = Wire(httpx.Response(200, json={"ok": [1, 2]}))
    got = http(wire, []).request_json("POST", URL, params={"a": "1"}, json={"q": "x"}, headers={"X-Key": SECRET})
    assert got == {"ok": [1, 2]}
    [request] = wire.requests
    assert request.url.params["a"] == "1" and request.headers["X-Key"] == SECRET and request.content == b'{"q":"x"}'


def test_full_jitter_scales_the_exponential_ceiling() -> None:
    sleeps: list[float] = []
    wire = Wire(*[httpx.Response(503) for _ in range(4)], httpx.Response(200, json={}))
    http(wire, sleeps, jitter=0.25).request_json("GET", URL)
    assert sleeps == [0.125, 0.25, 0.5, 1.0]


def test_backoff_never_exceeds_the_cap() -> None:
    sleeps: list[float] = []
    wire = Wire(*[httpx.Response(503) for _ in range(7)])
    client = http(wire, sleeps, http_max_retries=6, http_backoff_base_s=4.0, http_backoff_max_s=10.0)
    with pytest.raises(ProviderError):
        client.request_json("GET", URL)
    assert sleeps == [4.0, 8.0, 10.0, 10.0, 10.0, 10.0]


def test_retry_after_is_capped_at_the_backoff_maximum() -> None:
    sleeps: list[float] = []
    wire = Wire(httpx.Response(429, headers={"Retry-After": "3600"}), httpx.Response(200, json={}))
    http(wire, sleeps).request_json("GET", URL)
    assert sleeps == [30.0]


def test_retry_after_as_an_http_date() -> None:
    sleeps: list[float] = []
    when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=12), usegmt=True)
    wire = Wire(httpx.Response(503, headers={"Retry-After": when}), httpx.Response(200, json={}))
    http(wire, sleeps).request_json("GET", URL)
    assert len(sleeps) == 1 and 9.0 <= sleeps[0] <= 12.0


def test_retry_after_in_the_past_or_unreadable() -> None:
    sleeps: list[float] = []
    past = email.utils.format_datetime(datetime.now(UTC) - timedelta(minutes=5), usegmt=True)
    wire = Wire(
        httpx.Response(429, headers={"Retry-After": past}),
        httpx.Response(429, headers={"Retry-After": "soon-ish"}),
        httpx.Response(200, json={}),
    )
    http(wire, sleeps).request_json("GET", URL)
    assert sleeps == [0.0, 1.0]  # past date → now; unreadable → ordinary backoff (attempt 2)


def test_no_retries_configured_fails_on_the_first_answer() -> None:
    sleeps: list[float] = []
    wire = Wire(httpx.Response(429))
    with pytest.raises(ProviderError) as info:
        http(wire, sleeps, http_max_retries=0).request_json("GET", URL)
    assert str(info.value) == "Example rate limited the search; retried 0 times over 0 s" and sleeps == []


def test_one_retry_is_worded_in_the_singular() -> None:
    wire = Wire(httpx.Response(500), httpx.Response(500))
    with pytest.raises(ProviderError, match=r"^Example is failing \(HTTP 500\); retried 1 time$"):
        http(wire, [], http_max_retries=1).request_json("GET", URL)


def test_connection_errors_are_retried_and_reported() -> None:
    wire = Wire(*[httpx.ConnectError("[Errno 111] Connection refused") for _ in range(3)])
    with pytest.raises(ProviderError) as info:
        http(wire, [], http_max_retries=2).request_json("GET", URL)
    assert str(info.value) == "Example could not be reached ([Errno 111] Connection refused); retried 2 times"
    assert info.value.retryable


def test_an_unreadable_response_is_not_retried() -> None:
    sleeps: list[float] = []
    wire = Wire(httpx.DecodingError("Error -3 while decompressing data"))
    with pytest.raises(ProviderError) as info:
        http(wire, sleeps).request_json("GET", URL)
    assert str(info.value) == "Example sent a response that could not be read (Error -3 while decompressing data)"
    assert sleeps == [] and len(wire.requests) == 1


@pytest.mark.parametrize("status, body, message", [
    (404, {"error": "Not found"}, "Example has no such endpoint (404); check the provider base URL setting"),
    (402, {"message": "Payment required"}, "Example answered HTTP 402: Payment required"),
    (409, None, "Example answered HTTP 409"),
    (400, None, "Example rejected the search: no reason given (HTTP 400)"),
    (403, None, "Example refused access (403): your plan may not include this endpoint"),
])
def test_other_client_errors_are_not_retried(status: int, body: Any, message: str) -> None:
    sleeps: list[float] = []
    reply = httpx.Response(status, json=body) if body is not None else httpx.Response(status)
    with pytest.raises(ProviderError) as info:
        http(Wire(reply), sleeps).request_json("GET", URL)
    assert str(info.value) == message and info.value.status_code == status and sleeps == []


def test_secrets_are_scrubbed_from_messages_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    body = {"errors": [{"details": f"key {SECRET} is not valid for https://x.test/?api_key={SECRET}&a=1"}]}
    wire = Wire(httpx.Response(503), httpx.Response(422, json=body))
    with pytest.raises(ProviderError) as info:
        http(wire, []).request_json("GET", f"{URL}?api_key={SECRET}")
    assert SECRET not in str(info.value) and "api_key=***" in str(info.value)
    # httpx itself logs request URLs, which is why adapters send keys in headers; ours are scrubbed.
    ours = [r.getMessage() for r in caplog.records if r.name == "leadcore.discovery.providers.http"]
    assert ours and all(SECRET not in line for line in ours)


def test_scrub_masks_credential_query_parameters() -> None:
    scrub = http(Wire(), []).scrub
    assert scrub(f"GET https://a.test/x?domain=a.io&api_key={SECRET}") == "GET https://a.test/x?domain=a.io&api_key=***"
    assert scrub("https://a.test/?token=abc&x=1") == "https://a.test/?token=***&x=1"
    assert scrub(f"plain {SECRET} text") == "plain *** text"


@pytest.mark.parametrize("body, reason", [
    ({"errors": [{"id": "wrong_params", "code": 400, "details": "You are missing the domain parameter"}]},
     "You are missing the domain parameter"),
    ({"error": "Invalid access credentials."}, "Invalid access credentials."),
    ({"message": "Too   many\nrequests"}, "Too many requests"),
    ({"error": {"message": "nested"}}, "nested"),
    ({"errors": ["a", "b", "a"]}, "a; b"),
    ({"unrelated": 1}, ""),
    ("just a string", "just a string"),
])
def test_provider_reason(body: Any, reason: str) -> None:
    assert provider_reason(httpx.Response(400, json=body)) == reason


def test_provider_reason_of_a_non_json_body_is_empty() -> None:
    assert provider_reason(httpx.Response(400, text="<html>")) == ""
