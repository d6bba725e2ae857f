"""The server-backed sensor feed: each sensor's latest state from the local cache (feed kind "sensor"),
and history fetched by range from the server (`GET /api/sensors/{id}/readings`), cached per sensor.
Qt-free.

Why this split: the server pushes every sensor's latest state (level, state, last reading at most every
ten seconds) into every console's cache through the changes feed, but not every reading — a day of 1 Hz
readings for hundreds of sensors does not belong in each console. A plot therefore fetches the range it
shows, once, and then grows from the fetched history plus the live points the feed brings (and a
periodic fetch of the tail while it stays on screen). Offline, a plot shows what it has — history
fetched earlier and the live points the cache received — and says that more history needs the server.

* `sensor_state(data)` turns the contract's sensor JSON into what the map and lists show:
  ``{"state", "value", "at", "level", "reason", "rejected"}`` (times in epoch seconds).
* `parse_readings(answer)` checks the readings answer and turns per-minute min/max into a peak envelope
  (min and max of each minute at its start and middle), so a 24-hour plot still shows every excursion.
* `SensorHistory` is one sensor's plotted readings (fetched range + live points). It offers the
  `arrays()`/`version` pair `ui.sensors.plot.SensorPlot.update_from` reads, like `SensorSeries`.
* `ServerSensorFeed` implements `app.sensors.series.SensorFeed` over a cache and a client getter.
"""
from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import numpy as np

from app.sensors.alarm_source import BadAlarmData, NeedsServer, epoch
from app.sensors.levels import SensorState
from app.sensors.series import Readings, SensorInfo

if TYPE_CHECKING:
    from app.wire.sensors import ReadingsAnswer

log = logging.getLogger(__name__)

RAW_LIMIT_S = 6 * 3600        # the server's `auto` answers raw readings up to this span, else per minute
LIVE_KEEP = 20_000            # live points kept per sensor beyond the fetched range
STATES = {s.value for s in SensorState}


class BadReadings(ValueError):
    """A readings answer that does not follow the contract."""


def sensor_state(data: Mapping[str, Any]) -> dict[str, Any]:
    """The contract's sensor JSON as the display state the map and the sensor list read."""
    state = str(data.get("state") or "unknown")
    if state not in STATES:
        log.warning("sensor %s: unknown state %r shown as unknown", data.get("sensor_id"), state)
        state = "unknown"
    value = data.get("last_value")
    try:
        value = None if value is None else float(value)
    except (TypeError, ValueError):
        value = None
    try:
        at = epoch(data.get("last_time"))
    except BadAlarmData:
        at = None
    return {"state": state, "value": value if value is None or math.isfinite(value) else None, "at": at,
            "level": str(data.get("level") or "normal"), "reason": data.get("reason"),
            "rejected": int(data.get("rejected") or 0)}


@dataclass(frozen=True)
class Fetched:
    """One readings answer, ready to plot: times/values (an envelope for per-minute data)."""

    sensor_id: str
    start: float
    end: float
    resolution: str
    times: np.ndarray
    values: np.ndarray


def parse_readings(answer: ReadingsAnswer, sensor_id: str, start: float, end: float) -> Fetched:
    """Check a `GET /api/sensors/{id}/readings` answer (its model holds its types; the arrays' lengths
    are checked here) and put it in order; per-minute min/max become an envelope."""
    resolution = answer.resolution
    t = np.asarray(answer.times, dtype=np.float64)
    v = np.asarray(answer.values, dtype=np.float64)  # a missing mean (null) is NaN: a gap in the plot
    if t.shape != v.shape or t.ndim != 1:
        raise BadReadings(f"readings of {sensor_id}: {t.size} times but {v.size} values")
    if t.size > 1 and not np.all(np.diff(t) > 0):
        order = np.argsort(t, kind="stable")
        t, v = t[order], v[order]
        keep = np.concatenate(([True], np.diff(t) > 0))
        t, v = t[keep], v[keep]
    lo, hi = answer.min, answer.max
    if resolution == "minute" and lo is not None and hi is not None and len(lo) == len(hi) == t.size and t.size:
        lo_a = np.asarray(lo, dtype=np.float64)
        hi_a = np.asarray(hi, dtype=np.float64)
        step = float(np.median(np.diff(t))) if t.size > 1 else 60.0
        half = max(min(step, 60.0) / 2.0, 1.0)
        # peak envelope: each minute's min at its start and max half-way (the rising edge shows first)
        times = np.empty(2 * t.size)
        values = np.empty(2 * t.size)
        times[0::2], times[1::2] = t, t + half
        values[0::2], values[1::2] = lo_a, hi_a
        t, v = times, values
    return Fetched(sensor_id, start, end, resolution, t, v)


class SensorHistory:
    """One sensor's plotted readings: a fetched range plus live points after it, oldest first.

    `version` bumps on every change; `arrays()` returns (times, values, levels) like
    `app.sensors.series.SensorSeries` (levels all zero: shading comes from the server's alarms).
    """

    def __init__(self, sensor_id: str):
        self.sensor_id = sensor_id
        self.version = 0
        self.covered: tuple[float, float] | None = None  # what was fetched from the server
        self.resolution: str | None = None
        self._t = np.empty(0)
        self._v = np.empty(0)
        self._live_t: list[float] = []
        self._live_v: list[float] = []
        self._arrays: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return int(self._t.size) + len(self._live_t)

    @property
    def last_time(self) -> float | None:
        if self._live_t:
            return self._live_t[-1]
        return float(self._t[-1]) if self._t.size else None

    def covers(self, start: float) -> bool:
        return self.covered is not None and self.covered[0] <= start

    def install(self, fetched: Fetched) -> None:
        """Take a fetched range: it replaces what it overlaps (a tail fetch extends the history)."""
        t, v = fetched.times, fetched.values
        if self.covered is not None and fetched.start > self.covered[0] and fetched.resolution == self.resolution:
            keep = self._t < (t[0] if t.size else fetched.start)
            t = np.concatenate((self._t[keep], t))
            v = np.concatenate((self._v[keep], v))
            start = self.covered[0]
        else:
            start = fetched.start
        self._t, self._v = t, v
        self.covered = (start, fetched.end)
        self.resolution = fetched.resolution
        last = float(t[-1]) if t.size else fetched.end
        while self._live_t and self._live_t[0] <= last:
            self._live_t.pop(0)
            self._live_v.pop(0)
        self._changed()

    def add_live(self, at: float | None, value: float | None) -> bool:
        """A live point from the feed; ignored unless newer than everything held."""
        if at is None or value is None or not math.isfinite(value):
            return False
        last = self.last_time
        if last is not None and at <= last:
            return False
        self._live_t.append(float(at))
        self._live_v.append(float(value))
        if len(self._live_t) > LIVE_KEEP:
            del self._live_t[:len(self._live_t) - LIVE_KEEP]
            del self._live_v[:len(self._live_v) - LIVE_KEEP]
        self._changed()
        return True

    def _changed(self) -> None:
        self.version += 1
        self._arrays = None

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._arrays is None:
            t = np.concatenate((self._t, np.asarray(self._live_t, dtype=np.float64)))
            v = np.concatenate((self._v, np.asarray(self._live_v, dtype=np.float64))).astype(np.float32)
            self._arrays = (t, v, np.zeros(t.size, np.int8))
        return self._arrays


def _iso(epoch_s: float) -> datetime:
    return datetime.fromtimestamp(epoch_s, tz=timezone.utc)


class ServerSensorFeed:
    """`SensorFeed` over the local cache's sensor entities and the server's readings endpoint.

    `client()` returns the sync client while the console may talk to the server, else None. States
    (`states()`, `apply_rows()`) and histories are meant for one owner thread (the GUI thread's hub);
    `fetch()`/`history()` only do HTTP and may run on any worker.
    """

    def __init__(self, sensors: Iterable[Any], cache: Any, client: Callable[[], Any] | None = None, *,
                 clock: Callable[[], float] = time.time):
        self._sensors = [s if isinstance(s, SensorInfo) else SensorInfo.from_refdata(s) for s in sensors]
        self._cache = cache
        self._client = client or (lambda: None)
        self._clock = clock
        self._states: dict[str, dict[str, Any]] = {}
        self.histories: dict[str, SensorHistory] = {s.id: SensorHistory(s.id) for s in self._sensors}
        self._fresh: dict[str, tuple[list[float], list[float]]] = {}
        self._lock = threading.Lock()

    # -- SensorFeed

    def sensors(self) -> Sequence[SensorInfo]:
        return list(self._sensors)

    def now(self) -> float:
        """This console's clock corrected by the server clock offset, when known."""
        client = self._client()
        offset = getattr(client, "clock_offset_s", None) if client is not None else None
        return self._clock() + (offset or 0.0)

    def history(self, sensor_id: str, start: float, end: float) -> tuple[np.ndarray, np.ndarray]:
        fetched = self.fetch(sensor_id, start, end)
        return fetched.times, fetched.values

    def poll(self) -> Readings:
        """Live points taken from the feed since the previous poll."""
        with self._lock:
            fresh, self._fresh = self._fresh, {}
        return {sid: (np.asarray(t), np.asarray(v)) for sid, (t, v) in fresh.items()}

    # -- server history (blocking HTTP)

    @property
    def online(self) -> bool:
        return self._client() is not None

    def fetch(self, sensor_id: str, start: float, end: float, resolution: str = "auto") -> Fetched:
        """Readings of one sensor in [start, end] from the server; NeedsServer when offline; the
        client's ServerUnreachable / AuthExpired / ServerRefused pass through."""
        client = self._client()
        if client is None:
            raise NeedsServer("sensor history needs the server; the console is offline")
        answer = client.sensor_readings(sensor_id, _iso(start), _iso(end), resolution)
        return parse_readings(answer, sensor_id, start, end)

    def plan(self, sensor_id: str, window_s: float, now: float | None = None) -> tuple[float, float, str]:
        """What to fetch to show the last `window_s`: the whole window the first time (or when a wider
        window is asked for), else only the tail since the last fetch, at the same resolution."""
        now = self.now() if now is None else now
        start = now - window_s
        history = self.histories[sensor_id]
        if history.covers(start) and history.covered is not None:
            tail = max(history.covered[1] - 120.0, start)  # overlap: the last minute may have grown
            return tail, now, history.resolution or "auto"
        # up to 6 h `auto` is raw (and never trips the server's raw-range limit by a rounding)
        return start, now, "auto" if window_s <= RAW_LIMIT_S else "minute"

    def install(self, fetched: Fetched) -> SensorHistory:
        history = self.histories[fetched.sensor_id]
        history.install(fetched)
        return history

    # -- states from the cache

    def read_rows(self, ids: Iterable[str] | None = None) -> dict[str, Any]:
        """Sensor entities from the cache (blocking SQLite read)."""
        return self._cache.entities("sensor", None if ids is None else list(ids))

    def forget(self, ids: Iterable[str]) -> list[str]:
        """Drop the state of sensors the cache no longer holds (they left the user's scope): shown
        unknown again. Returns those dropped."""
        return [i for i in ids if self._states.pop(i, None) is not None]

    def apply_rows(self, rows: Mapping[str, Any]) -> tuple[list[str], list[str]]:
        """Take changed sensor entities; returns (ids whose display state changed, ids with a new
        reading). The new reading is added to the sensor's history as a live point."""
        state_changed: list[str] = []
        fresh: list[str] = []
        for sensor_id, data in rows.items():
            if not isinstance(data, Mapping):
                log.warning("skipping sensor entity %s: not an object", sensor_id)
                continue
            new = sensor_state(data)
            old = self._states.get(sensor_id)
            if old is None or old["state"] != new["state"]:
                state_changed.append(sensor_id)
            self._states[sensor_id] = new
            history = self.histories.get(sensor_id)
            if history is not None and history.add_live(new["at"], new["value"]):
                fresh.append(sensor_id)
                with self._lock:
                    t, v = self._fresh.setdefault(sensor_id, ([], []))
                    t.append(new["at"])
                    v.append(new["value"])
        return state_changed, fresh

    def states(self) -> dict[str, dict[str, Any]]:
        """Sensor id → display state; sensors the feed has not reported yet are "unknown"."""
        out = {s.id: {"state": "unknown", "value": None, "at": None} for s in self._sensors}
        out.update(self._states)
        return out
