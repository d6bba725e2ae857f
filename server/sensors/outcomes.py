"""What a batch of sensor readings comes to: the readings that passed, the rejections with their reasons,
each sender's outcome, the jobs the ingest writer takes, and the counters of one process's ingest."""
from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from server.sensors.reading import CheckedItem

REASONS = ("malformed", "unknown_sensor", "wrong_unit", "not_finite", "impossible_value", "future_time",
           "too_old", "store_refused")


@dataclass(frozen=True)
class Reading:
    sensor_id: str
    time: datetime
    value: float


@dataclass(frozen=True)
class Rejection:
    index: int
    sensor_id: str
    reason: str
    message: str
    time: datetime | None = None  # for `impossible_value`: when the sensor sent it (fault state)

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "sensor_id": self.sensor_id, "reason": self.reason, "message": self.message}


@dataclass
class BatchOutcome:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "duplicates": self.duplicates,
                "rejected": [r.to_dict() for r in self.rejected]}


@dataclass
class IngestJob:
    """Readings queued for the writer by one sender. `future` is answered for a sender that waits (HTTP);
    `on_done` is called once the job's batch is over, written or failed (MQTT acknowledges its message
    to the broker only then, so a reading the process never wrote is delivered again)."""

    items: list[CheckedItem]
    source: str
    future: Future | None = None
    audit_actor: tuple[str, str] | None = None  # (username, role) of an HTTP sender, for the audit trail
    on_done: Callable[[], None] | None = None


@dataclass
class IngestStats:
    """Counters and recent lags (seconds from a reading's time to the commit that evaluated it)."""

    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    evaluated: int = 0  # readings run through a sensor's evaluator (each once, in the process that stored it)
    batches: int = 0
    rejected_by: Counter = field(default_factory=Counter)  # (source, reason) → readings rejected
    lost: int = 0  # readings sent without waiting (MQTT) in batches that failed whole (database unreachable)
    lags: deque = field(default_factory=lambda: deque(maxlen=2_000_000))
    batch_seconds: deque = field(default_factory=lambda: deque(maxlen=100_000))
