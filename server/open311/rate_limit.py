"""Token buckets per citizen app key and per client address, in this server process's memory.

Each server process keeps its own buckets, so with N processes behind one address the limit a client
meets is up to N times the setting; the front proxy's per-address limit (docs/operations.md) is the
hard outer bound. A bucket refills at `rate` tokens a second up to `burst`.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

MAX_BUCKETS = 100_000  # the least recently used are forgotten (a forgotten bucket starts full)


class RateLimiter:
    def __init__(self, rate_per_s: float, burst: int, clock=time.monotonic):
        self.rate = rate_per_s
        self.burst = burst
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when `key` may go on now (a token is taken), else the seconds until it may."""
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate)
            wait = 0.0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = (1 - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > MAX_BUCKETS:
                self._buckets.popitem(last=False)
            return wait
