"""Sensors for display: one sensor's last 24 h of readings in fixed numpy arrays, what the console knows
of a sensor, and the feed protocol the console reads sensors from.

* `SensorSeries` keeps the last 24 h of 1 Hz readings of one sensor (86,400 samples): times (epoch
  seconds, float64), values (float32) and the evaluated level (int8) per sample.
* `SensorFeed` is what the console reads sensors from; the product's feed is the server-backed
  `app.sensors.feed.ServerSensorFeed` (states from the changes feed, history fetched by range)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from app.sensors.levels import Thresholds

DAY_S = 86_400
HISTORY_S = DAY_S  # what a series keeps: the last 24 h


class SensorSeries:
    """A ring buffer of one sensor's readings: the newest `capacity` samples (default 24 h at 1 Hz).

    Appends are O(chunk); `arrays()` returns the samples oldest first (a copy when the buffer has
    wrapped). Times must increase; `extend` drops readings not newer than the last one.
    """

    def __init__(self, capacity: int = HISTORY_S):
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self.capacity = int(capacity)
        self._t = np.zeros(self.capacity, np.float64)
        self._v = np.zeros(self.capacity, np.float32)
        self._lv = np.zeros(self.capacity, np.int8)
        self._head = 0     # index of the next write
        self._size = 0
        self.version = 0   # bumps on every change (cheap "did it change" for views)

    def __len__(self) -> int:
        return self._size

    @property
    def last_time(self) -> float | None:
        return float(self._t[(self._head - 1) % self.capacity]) if self._size else None

    def last(self) -> tuple[float, float, int] | None:
        if not self._size:
            return None
        i = (self._head - 1) % self.capacity
        return float(self._t[i]), float(self._v[i]), int(self._lv[i])

    def append(self, t: float, value: float, level: int = 0) -> None:
        self.extend(np.array([t]), np.array([value]), np.array([level], np.int8))

    def extend(self, times: Sequence[float] | np.ndarray, values: Sequence[float] | np.ndarray,
               levels: Sequence[int] | np.ndarray | None = None) -> int:
        """Append readings (oldest first); returns how many were kept."""
        t = np.asarray(times, np.float64)
        v = np.asarray(values, np.float64)
        lv = np.zeros(len(t), np.int8) if levels is None else np.asarray(levels, np.int8)
        if not (len(t) == len(v) == len(lv)):
            raise ValueError("times, values and levels must have the same length")
        last = self.last_time
        if last is not None and len(t) and t[0] <= last:
            keep = t > last
            t, v, lv = t[keep], v[keep], lv[keep]
        n = len(t)
        if n == 0:
            return 0
        if n >= self.capacity:
            t, v, lv = t[-self.capacity:], v[-self.capacity:], lv[-self.capacity:]
            self._t[:], self._v[:], self._lv[:] = t, v, lv
            self._head, self._size = 0, self.capacity
            self.version += 1
            return n
        first = min(n, self.capacity - self._head)
        for dst, src in ((self._t, t), (self._v, v), (self._lv, lv)):
            dst[self._head:self._head + first] = src[:first]
            dst[:n - first] = src[first:]
        self._head = (self._head + n) % self.capacity
        self._size = min(self.capacity, self._size + n)
        self.version += 1
        return n

    def _ordered(self, arr: np.ndarray) -> np.ndarray:
        if self._size < self.capacity:
            return arr[:self._size].copy() if self._head == self._size else \
                np.concatenate((arr[self._head - self._size + self.capacity:], arr[:self._head]))
        return np.concatenate((arr[self._head:], arr[:self._head]))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(times, values, levels), oldest first."""
        return self._ordered(self._t), self._ordered(self._v), self._ordered(self._lv)

    def since(self, t0: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        t, v, lv = self.arrays()
        i = int(np.searchsorted(t, t0, side="left"))
        return t[i:], v[i:], lv[i:]

    def clear(self) -> None:
        self._head = self._size = 0
        self.version += 1


@dataclass(frozen=True)
class SensorInfo:
    """What the display needs of a sensor (built from `app.refdata.entities.Sensor`)."""

    id: str
    type: str
    name: str
    name_en: str = ""
    unit_of_measure: str = ""
    lat: float = 0.0
    lon: float = 0.0
    grid_code: str = ""
    owner_unit_id: str = ""
    interval_s: float = 60.0
    category_code: str = ""
    baseline: float = 0.0
    thresholds: Thresholds = field(default_factory=Thresholds)

    @classmethod
    def from_refdata(cls, sensor: Any) -> SensorInfo:
        get = sensor.get if isinstance(sensor, Mapping) else (lambda k, d=None: getattr(sensor, k, d))
        return cls(id=get("id"), type=get("type", ""), name=get("name", "") or get("id"),
                   name_en=get("name_en", "") or "", unit_of_measure=get("unit_of_measure", "") or "",
                   lat=float(get("lat", 0.0)), lon=float(get("lon", 0.0)),
                   grid_code=get("grid_code", "") or "", owner_unit_id=get("owner_unit_id", "") or "",
                   interval_s=float(get("interval_s", 60) or 60),
                   category_code=get("category_code", "") or "",
                   baseline=float(get("baseline", 0.0) or 0.0),
                   thresholds=Thresholds.from_rules(get("rules", None)))


Readings = dict[str, tuple[np.ndarray, np.ndarray]]


@runtime_checkable
class SensorFeed(Protocol):
    """Where sensor readings come from. Implementations must be cheap to call from the GUI thread
    (compute lazily or buffer what a worker thread produced) and safe to call from a worker."""

    def sensors(self) -> Sequence[SensorInfo]:
        """The sensors this feed reports on."""

    def now(self) -> float:
        """The feed's clock (epoch seconds)."""

    def history(self, sensor_id: str, start: float, end: float) -> tuple[np.ndarray, np.ndarray]:
        """Readings with start <= t <= end (times, values), oldest first."""

    def poll(self) -> Readings:
        """Readings that arrived since the previous poll (sensor id → (times, values))."""
