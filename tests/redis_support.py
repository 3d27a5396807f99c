"""Redis for the tests that need a real one (127.0.0.1:6379; CI and the dev machine have it): a client, or a clean
skip when it cannot be reached."""

from __future__ import annotations

from typing import Any

import pytest


def redis_or_skip(url: str) -> Any:
    """A connected ``redis.Redis`` for ``url``; skips the test when the package or the server is missing."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {url}")
    return client
