"""The HMAC-SHA256 signature of a webhook delivery (docs/webhooks.md).

Header `X-OneGrid-Signature: t=<unix seconds>,v1=<hex>`, where hex = HMAC-SHA256(secret, "<t>.<body>"),
the body being the exact bytes sent. The time is inside the signed text, so a captured delivery cannot be
replayed later with a fresh time; a subscriber refuses a `t` far from its clock (`tolerance_s`).
"""
from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-OneGrid-Signature"
EVENT_ID_HEADER = "X-OneGrid-Event-Id"  # the idempotency key: the same event always carries the same id


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, now: float, tolerance_s: float = 300) -> bool:
    """Whether `header` signs `body` with `secret` at a time within `tolerance_s` of `now`."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_s:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), f"t={timestamp},v1={parts.get('v1', '')}")
