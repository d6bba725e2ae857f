"""Exponential backoff with full jitter: after the n-th consecutive failure wait a uniformly random time
in [0, min(cap, base * 2**n)]. The jitter spreads the reconnects of a whole command centre's consoles
after a server restart instead of having them all arrive in the same second."""
from __future__ import annotations

import random


class Backoff:
    def __init__(self, base_s: float = 0.5, cap_s: float = 30.0, rng: random.Random | None = None):
        if base_s <= 0 or cap_s < base_s:
            raise ValueError(f"backoff needs 0 < base_s <= cap_s, got base_s={base_s}, cap_s={cap_s}")
        self.base_s = base_s
        self.cap_s = cap_s
        self.failures = 0
        self._rng = rng or random.Random()

    def next_delay(self) -> float:
        """Count one more failure and return how long to wait before the next attempt."""
        ceiling = min(self.cap_s, self.base_s * 2 ** min(self.failures, 32))
        self.failures += 1
        return self._rng.uniform(0, ceiling)

    def reset(self) -> None:
        self.failures = 0
