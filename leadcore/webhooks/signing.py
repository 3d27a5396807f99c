"""The signature a receiver checks: ``sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>``."""

from __future__ import annotations

import hashlib
import hmac


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver does (constant-time compare); also used by the tests."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)
