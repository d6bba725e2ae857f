"""Hand-worked examples: the signature (checked against `openssl dgst -sha256 -hmac`), the backoff series,
and the rate limit's token bucket."""
from __future__ import annotations

from app.webhooks.signing import signature, verify
from server.open311.rate_limit import RateLimiter
from server.webhooks.settings import WebhookSettings

BODY = b'{"a":1}'
# printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac s3cret
OPENSSL_HEX = "1698a50bc74d1ff1db85c4e0a5297c2ad9fdba245d5737cdb789e4cc6e098940"


def test_signature_is_hmac_sha256_of_time_dot_body():
    header = signature("s3cret", 1_700_000_000, BODY)
    assert header == f"t=1700000000,v1={OPENSSL_HEX}"
    assert verify("s3cret", header, BODY, now=1_700_000_100)
    assert not verify("other", header, BODY, now=1_700_000_100)               # wrong secret
    assert not verify("s3cret", header, b'{"a":2}', now=1_700_000_100)       # body changed
    assert not verify("s3cret", header, BODY, now=1_700_000_000 + 301)        # too old: a replay
    assert not verify("s3cret", header.replace("t=1700000000", "t=1700000100"), BODY, now=1_700_000_100)
    assert not verify("s3cret", "garbage", BODY, now=1_700_000_000)


def test_backoff_doubles_up_to_its_cap():
    settings = WebhookSettings(backoff_base_s=1, backoff_max_s=300)
    # 1, 2, 4, 8, 16, 32, 64, 128, 256, then 512 capped at 300
    assert [settings.backoff_s(n) for n in range(1, 11)] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300]


def test_token_bucket_by_hand():
    now = [0.0]
    limiter = RateLimiter(rate_per_s=2, burst=3, clock=lambda: now[0])
    # a full bucket of 3: three go at once, the fourth waits (1 − 0) / 2 = 0.5 s
    assert [limiter.take("k") for _ in range(3)] == [0, 0, 0]
    assert limiter.take("k") == 0.5
    now[0] = 0.25  # 0.25 s × 2/s = 0.5 token: still short by half a token → 0.25 s
    assert limiter.take("k") == 0.25
    now[0] = 1.0   # 0.5 + 0.75 × 2 = 2 tokens: two go, the third waits 0.5 s
    assert [limiter.take("k") for _ in range(3)] == [0, 0, 0.5]
    assert limiter.take("other") == 0  # every key has its own bucket
