"""Webhook delivery settings, from the environment (docs/webhooks.md):

| setting | environment | default |
|---|---|---|
| enabled | ONEGRID_WEBHOOKS (0 = this process delivers nothing) | on |
| tick_s | ONEGRID_WEBHOOK_TICK_S: how often the stream is looked at | 1 s |
| timeout_s | ONEGRID_WEBHOOK_TIMEOUT_S: connect and read timeout of one delivery | 5 s |
| max_attempts | ONEGRID_WEBHOOK_MAX_ATTEMPTS: tries before an event becomes a dead letter | 8 |
| backoff_base_s, backoff_max_s | ONEGRID_WEBHOOK_BACKOFF_BASE_S, _MAX_S: the wait after the n-th failure is base·2^(n−1), at most max | 1 s, 300 s |
| workers | ONEGRID_WEBHOOK_WORKERS: subscriptions delivered at once | 4 |
| batch | events delivered per subscription and turn | 50 |
"""
from __future__ import annotations

import os

from pydantic import BaseModel, Field

_ENV = {"enabled": "ONEGRID_WEBHOOKS", "tick_s": "ONEGRID_WEBHOOK_TICK_S", "timeout_s": "ONEGRID_WEBHOOK_TIMEOUT_S",
        "max_attempts": "ONEGRID_WEBHOOK_MAX_ATTEMPTS", "backoff_base_s": "ONEGRID_WEBHOOK_BACKOFF_BASE_S",
        "backoff_max_s": "ONEGRID_WEBHOOK_BACKOFF_MAX_S", "workers": "ONEGRID_WEBHOOK_WORKERS"}


class WebhookSettings(BaseModel):
    enabled: bool = True
    tick_s: float = Field(1.0, gt=0)
    timeout_s: float = Field(5.0, gt=0)
    max_attempts: int = Field(8, ge=1)
    backoff_base_s: float = Field(1.0, ge=0)
    backoff_max_s: float = Field(300.0, ge=0)
    workers: int = Field(4, ge=1, le=64)
    batch: int = Field(50, ge=1, le=1000)

    def backoff_s(self, failures: int) -> float:
        return min(self.backoff_base_s * 2 ** max(failures - 1, 0), self.backoff_max_s)

    @classmethod
    def from_env(cls, environ=None) -> WebhookSettings:
        environ = os.environ if environ is None else environ
        return cls(**{name: environ[var] for name, var in _ENV.items() if environ.get(var)})
