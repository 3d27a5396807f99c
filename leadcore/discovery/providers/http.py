"""JSON over HTTP for provider adapters: bounded retries with backoff, and errors a user can act on.

Every error message and every line this module logs passes through ``scrub``, so an API key never
leaves it in text. httpx itself logs each request URL at INFO, which is why adapters send keys in
headers rather than query strings. A key echoed in a response body is masked before decoding, so it
cannot reach ``raw_data`` either.
"""

from __future__ import annotations

import email.utils
import json as jsonlib
import logging
import random as random_module
import re
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from leadcore.config import Settings
from leadcore.config import settings as default_settings
from leadcore.errors import ProviderError

log = logging.getLogger(__name__)

# Query-string parameters that carry credentials in some provider APIs.
_SECRET_PARAM = re.compile(r"(?i)\b(api_key|apikey|key|token|access_token)=[^&\s\"']+")
_REASON_MAX = 300


@dataclass(frozen=True)
class _Transient:
    """A failure worth asking again about: 'timeout' | 'unreachable' | 'rate_limited' | 'failing'."""

    kind: str
    status: int | None = None
    retry_after: float | None = None
    detail: str = ""


class ProviderHttp:
    """Sends one JSON request to one provider, retrying what is worth retrying.

    ``rate_limit_statuses`` are retried with backoff (honouring ``Retry-After``); ``quota_statuses``
    mean the plan's allowance is used up and are not retried (Hunter answers 429 for that and 403
    for "slow down", the opposite of most APIs).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        label: str,
        key_setting: str,
        secrets: Sequence[str] = (),
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] = random_module.random,
        rate_limit_statuses: Collection[int] = frozenset({429}),
        quota_statuses: Collection[int] = frozenset(),
    ) -> None:
        self.settings = settings
        self.label = label
        self.key_setting = key_setting
        self._secrets = tuple(s for s in secrets if s)
        self.client = client or httpx.Client(timeout=httpx.Timeout(settings.http_timeout_s))
        self._sleep = sleep
        self._random = random
        self._rate_limit_statuses = frozenset(rate_limit_statuses)
        self._quota_statuses = frozenset(quota_statuses)

    def request_json(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """The decoded JSON body of a 2xx answer; raises ProviderError for anything else."""
        retries = self.settings.http_max_retries
        slept = 0.0
        for attempt in range(retries + 1):
            outcome = self._attempt(method, url, params=params, json=json, headers=headers)
            if not isinstance(outcome, _Transient):
                return outcome
            if attempt == retries:
                raise self._error(self._gave_up(outcome, retries, slept), status=outcome.status, retryable=True)
            delay = self._delay(attempt, outcome.retry_after)
            log.warning(
                "%s: %s %s failed (%s); retry %d of %d in %s s",
                self.label, method, self.scrub(url), outcome.status or outcome.kind, attempt + 1, retries, _secs(delay),
            )
            self._sleep(delay)
            slept += delay
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _attempt(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        json: Any,
        headers: Mapping[str, str] | None,
    ) -> Any:
        """One request: the decoded body, a _Transient worth retrying, or a raised ProviderError."""
        try:
            response = self.client.request(method, url, params=params, json=json, headers=headers)
        except httpx.TimeoutException:
            return _Transient("timeout")
        except httpx.TransportError as exc:
            return _Transient("unreachable", detail=self.scrub(str(exc)) or type(exc).__name__)
        except httpx.RequestError as exc:  # decoding or redirect trouble: asking again gets the same
            raise self._error(f"{self.label} sent a response that could not be read ({exc})") from exc
        status = response.status_code
        if 200 <= status < 300:
            return self._decode(response)
        retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
        if status in self._rate_limit_statuses:
            return _Transient("rate_limited", status=status, retry_after=retry_after)
        if status >= 500:
            return _Transient("failing", status=status, retry_after=retry_after)
        raise self._client_error(response)

    def _gave_up(self, outcome: _Transient, retries: int, slept: float) -> str:
        label, times = self.label, _times(retries)
        if outcome.kind == "timeout":
            return f"{label} did not answer within {_secs(self.settings.http_timeout_s)} s (retried {times})"
        if outcome.kind == "unreachable":
            return f"{label} could not be reached ({outcome.detail}); retried {times}"
        if outcome.kind == "rate_limited":
            return f"{label} rate limited the search; retried {times} over {_secs(slept)} s"
        return f"{label} is failing (HTTP {outcome.status}); retried {times}"

    def scrub(self, text: str) -> str:
        """``text`` with every known secret and credential-looking query parameter masked."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return _SECRET_PARAM.sub(lambda m: f"{m.group(1)}=***", text)

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        cap = self.settings.http_backoff_max_s
        if retry_after is not None:
            return min(retry_after, cap)
        # Full jitter: spreads retries of many clients instead of synchronising them.
        return self._random() * min(cap, self.settings.http_backoff_base_s * 2**attempt)

    def _decode(self, response: httpx.Response) -> Any:
        text = response.text
        for secret in self._secrets:
            text = text.replace(secret, "***")  # an echoed key must not reach raw_data
        try:
            return jsonlib.loads(text)
        except ValueError:
            log.warning("%s sent non-JSON (HTTP %d, %d bytes)", self.label, response.status_code, len(text))
            raise self._error(
                f"{self.label} sent a response that is not valid JSON", status=response.status_code
            ) from None

    def _client_error(self, response: httpx.Response) -> ProviderError:
        status = response.status_code
        reason = self.scrub(provider_reason(response))
        if status == 401:
            return self._error(
                f"{self.label} rejected the API key (401); check {self.key_setting}", status=status
            )
        if status in self._quota_statuses:
            return self._error(
                f"{self.label} says the plan's usage limit is used up ({status}): "
                "upgrade the plan or wait for the allowance to reset"
                + (f" ({reason})" if reason else ""),
                status=status,
            )
        if status == 403:
            return self._error(
                f"{self.label} refused access (403): your plan may not include this endpoint"
                + (f" ({reason})" if reason else ""),
                status=status,
            )
        if status in (400, 422):
            return self._error(
                f"{self.label} rejected the search: {reason or f'no reason given (HTTP {status})'}",
                status=status,
            )
        if status == 404:
            return self._error(
                f"{self.label} has no such endpoint (404); check the provider base URL setting", status=status
            )
        return self._error(
            f"{self.label} answered HTTP {status}" + (f": {reason}" if reason else ""), status=status
        )

    def _error(self, message: str, *, status: int | None = None, retryable: bool = False) -> ProviderError:
        return ProviderError(self.scrub(message), status_code=status, retryable=retryable)


def provider_reason(response: httpx.Response) -> str:
    """The provider's own explanation from an error body, in one line ('' when there is none)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    parts: list[str] = []
    _collect_reasons(body, parts)
    reason = "; ".join(dict.fromkeys(p for p in parts if p))
    return reason[:_REASON_MAX]


def _collect_reasons(body: Any, parts: list[str]) -> None:
    if isinstance(body, str):
        parts.append(" ".join(body.split()))
    elif isinstance(body, list):
        for item in body:
            _collect_reasons(item, parts)
    elif isinstance(body, dict):
        # Hunter: {"errors": [{"id", "code", "details"}]}; Apollo: {"error": ...} or {"message": ...}.
        for key in ("errors", "error", "details", "message", "detail"):
            if key in body:
                _collect_reasons(body[key], parts)


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP-date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _times(n: int) -> str:
    return "1 time" if n == 1 else f"{n} times"


def _secs(seconds: float) -> str:
    return f"{round(seconds, 1):g}"


class KeyedProvider:
    """What the providers reached with an API key share: their settings, their key and the HTTP helper that retries
    and words failures. The HTTP client, the retry clock and the jitter are injectable (tests pass a MockTransport
    client and a fake clock). A subclass names its label, key setting and, where its API differs, the statuses that
    mean "slow down" and "quota used up"."""

    label: str
    key_setting: str
    rate_limit_statuses: frozenset[int] = frozenset({429})
    quota_statuses: frozenset[int] = frozenset()

    def __init__(
        self,
        client: httpx.Client | None = None,
        *,
        api_key: str,
        settings: Settings | None = None,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] = random_module.random,
    ) -> None:
        self.settings = settings or default_settings()
        self._api_key = api_key
        self._http = ProviderHttp(
            self.settings,
            label=self.label,
            key_setting=self.key_setting,
            secrets=[api_key],
            client=client,
            sleep=sleep,
            random=random,
            rate_limit_statuses=self.rate_limit_statuses,
            quota_statuses=self.quota_statuses,
        )
