"""Sensor readings for display: ring buffers, threshold evaluation, a feed protocol, a simulated feed and
the stand-in alarm source built on it. Qt-free (numpy only).

* `SensorSeries` keeps the last 24 h of 1 Hz readings of one sensor (86,400 samples) in fixed numpy
  arrays: times (epoch seconds, float64), values (float32) and the evaluated level (int8) per sample.
* `ThresholdEvaluator` turns readings into levels (0 normal, 1 warning, 2 alarm) with the sensor's
  rules: thresholds high and low, hysteresis (a level clears only once the value is back past the
  threshold by `hysteresis`), `min_duration_s` (an exceedance counts only once it has lasted that
  long), a rate-of-change check (`rate_per_min`, a warning) and the valid range (readings outside it
  are faults, not alarms). It is vectorised and carries its state across calls, so feeding a day in
  one call or a second at a time gives the same levels.
* `SensorFeed` is what the console reads sensors from. The product's feed is the server-backed
  `app.sensor_feed.ServerSensorFeed` (states from the changes feed, history fetched by range).
  `SimulatedSensorFeed` (tests and benchmarks only) computes realistic readings lazily from the clock
  (daily cycles, noise, and a rain event that drives the underpass water levels over their thresholds).
* `SensorBank` holds one series and one evaluator per sensor and ingests feed readings (tests and
  benchmarks: the product shows the server's evaluation).
* `AlarmSource` is what the alarm list reads. The product's source is `app.alarm_source.FeedAlarmSource`
  (the server's alarms). **`SimulatedThresholdAlarmSource` is a stand-in for tests and benchmarks**: it
  raises, updates and clears alarms from the console's own threshold evaluation of a local feed.
"""
from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum
from typing import Any, Protocol, runtime_checkable

import numpy as np

from app.refdata import SensorRules

from app.events import EventGroup

log = logging.getLogger(__name__)

DAY_S = 86_400
HISTORY_S = DAY_S


# ------------------------------------------------------------------------------------------ levels


class Level(IntEnum):
    NORMAL = 0
    WARNING = 1
    ALARM = 2


class Reason(IntEnum):
    """Why a sample is at its level (the highest-level condition that holds)."""

    NONE = 0
    HIGH = 1
    LOW = 2
    RATE = 3
    SILENT = 4  # no reading for too long (raised by the server's silent-sensor check)


class SensorState(StrEnum):
    """What the map and the lists show for a sensor now."""

    NORMAL = "normal"
    WARNING = "warning"
    ALARM = "alarm"
    SILENT = "silent"    # no reading for longer than silent_after_s
    FAULT = "fault"      # the latest reading is outside the valid range
    UNKNOWN = "unknown"  # no reading yet


@dataclass(frozen=True)
class Thresholds(SensorRules):
    """A sensor's alarm rules (the fields of `app.refdata.SensorRules`) with what plotting and the
    console-side evaluation need on top."""

    @classmethod
    def from_rules(cls, rules: Any) -> Thresholds:
        """From a SensorRules object, a dict, or None (no rules)."""
        if rules is None:
            return cls()
        get = rules.get if isinstance(rules, Mapping) else (lambda k, d=None: getattr(rules, k, d))
        kwargs = {}
        for name in cls.__dataclass_fields__:
            value = get(name, None)
            if value is not None:
                kwargs[name] = float(value)
        return cls(**kwargs)

    def lines(self) -> list[tuple[str, int, float]]:
        """(name, level, value) of every threshold that is set, for drawing."""
        out = []
        for name, level in (("alarm_high", Level.ALARM), ("warning_high", Level.WARNING),
                            ("warning_low", Level.WARNING), ("alarm_low", Level.ALARM)):
            value = getattr(self, name)
            if value is not None:
                out.append((name, int(level), value))
        return out

    @property
    def has_low(self) -> bool:
        return self.warning_low is not None or self.alarm_low is not None


def instantaneous_level(value: float, rules: Thresholds) -> Level:
    """The level a single reading falls in, without hysteresis or duration (for display of a value)."""
    if value is None or not math.isfinite(value):
        return Level.NORMAL
    if ((rules.alarm_high is not None and value >= rules.alarm_high)
            or (rules.alarm_low is not None and value <= rules.alarm_low)):
        return Level.ALARM
    if ((rules.warning_high is not None and value >= rules.warning_high)
            or (rules.warning_low is not None and value <= rules.warning_low)):
        return Level.WARNING
    return Level.NORMAL


def is_valid(values: np.ndarray, rules: Thresholds) -> np.ndarray:
    ok = np.isfinite(values)
    if rules.min_valid is not None:
        ok &= values >= rules.min_valid
    if rules.max_valid is not None:
        ok &= values <= rules.max_valid
    return ok


@dataclass
class _Condition:
    """One hysteresis condition with its carried state."""

    name: str
    level: int
    reason: int
    raw: bool = False
    run_start: float = math.nan


class ThresholdEvaluator:
    """Stateful, vectorised level evaluation of one sensor's readings (see the module docstring).

    ``evaluate(times, values)`` returns ``(levels, reasons)`` int8 arrays, one entry per reading, and
    remembers where it stopped; times must increase across calls. NaN or out-of-range readings hold
    every condition as it was (a fault says nothing about the level).
    """

    RATE_WINDOW_S = 60.0

    def __init__(self, rules: Thresholds):
        self.rules = rules
        self._conditions: list[_Condition] = []
        for name, level, reason in (("alarm_high", Level.ALARM, Reason.HIGH),
                                    ("alarm_low", Level.ALARM, Reason.LOW),
                                    ("warning_high", Level.WARNING, Reason.HIGH),
                                    ("warning_low", Level.WARNING, Reason.LOW)):
            if getattr(rules, name) is not None:
                self._conditions.append(_Condition(name, int(level), int(reason)))
        if rules.rate_per_min:
            self._conditions.append(_Condition("rate", int(Level.WARNING), int(Reason.RATE)))
        self._tail_t = np.empty(0)
        self._tail_v = np.empty(0)
        self.last_time: float | None = None

    def _enter_exit(self, cond: _Condition, t: np.ndarray, v: np.ndarray,
                    valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r = self.rules
        h = r.hysteresis or 0.0
        with np.errstate(invalid="ignore"):
            if cond.name == "alarm_high":
                return valid & (v >= r.alarm_high), valid & (v < r.alarm_high - h)
            if cond.name == "warning_high":
                return valid & (v >= r.warning_high), valid & (v < r.warning_high - h)
            if cond.name == "alarm_low":
                return valid & (v <= r.alarm_low), valid & (v > r.alarm_low + h)
            if cond.name == "warning_low":
                return valid & (v <= r.warning_low), valid & (v > r.warning_low + h)
            # rate: change over the last minute, from readings before this chunk too
            all_t = np.concatenate((self._tail_t, t))
            all_v = np.concatenate((self._tail_v, np.where(valid, v, np.nan)))
            ok = np.isfinite(all_v)
            if ok.sum() < 2:
                none = np.zeros(len(t), bool)
                return none, valid.copy()
            prev = np.interp(t - self.RATE_WINDOW_S, all_t[ok], all_v[ok])
            span = np.minimum(self.RATE_WINDOW_S, t - all_t[ok][0])
            with np.errstate(divide="ignore", invalid="ignore"):
                rate = (v - prev) / (span / 60.0)
            rate = np.where(span > 0, rate, 0.0)
            if not r.has_low:  # only rising matters for a high-only sensor (water coming up)
                magnitude = rate
            else:
                magnitude = np.abs(rate)
            limit = r.rate_per_min
            return valid & (magnitude >= limit), valid & (magnitude < 0.8 * limit)

    def evaluate(self, times: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = np.asarray(times, dtype=np.float64)
        v = np.asarray(values, dtype=np.float64)
        n = len(t)
        levels = np.zeros(n, np.int8)
        reasons = np.zeros(n, np.int8)
        if n == 0:
            return levels, reasons
        valid = is_valid(v, self.rules)
        idx = np.arange(n)
        min_dur = self.rules.min_duration_s or 0.0
        for cond in self._conditions:
            enter, exit_ = self._enter_exit(cond, t, v, valid)
            last_enter = np.maximum.accumulate(np.where(enter, idx, -1))
            last_exit = np.maximum.accumulate(np.where(exit_, idx, -1))
            raw = np.where(last_enter > last_exit, True,
                           np.where(last_exit > last_enter, False, cond.raw))
            prev = np.empty(n, bool)
            prev[0] = cond.raw
            prev[1:] = raw[:-1]
            starts = raw & ~prev
            last_start = np.maximum.accumulate(np.where(starts, idx, -1))
            run_start = np.where(last_start >= 0, t[np.maximum(last_start, 0)], cond.run_start)
            confirmed = raw & (t - run_start >= min_dur)
            better = confirmed & (cond.level > levels)
            levels[better] = cond.level
            reasons[better] = cond.reason
            cond.raw = bool(raw[-1])
            cond.run_start = float(run_start[-1]) if cond.raw else math.nan
        if self.rules.rate_per_min:
            keep = t >= t[-1] - self.RATE_WINDOW_S - 1
            tail_t = np.concatenate((self._tail_t, t[keep]))
            tail_v = np.concatenate((self._tail_v, np.where(valid, v, np.nan)[keep]))
            cut = tail_t >= t[-1] - self.RATE_WINDOW_S - 1
            self._tail_t, self._tail_v = tail_t[cut], tail_v[cut]
        self.last_time = float(t[-1])
        return levels, reasons


def level_runs(times: np.ndarray, levels: np.ndarray, min_level: int = 1,
               gap_s: float | None = None) -> list[tuple[float, float, int]]:
    """Periods at or above `min_level` as (start, end, highest level in the period); a period ends at
    the time of the first sample below it (or at the last sample). For shading a plot."""
    n = len(times)
    if n == 0:
        return []
    on = levels >= min_level
    if not on.any():
        return []
    edges = np.diff(on.astype(np.int8))
    starts = list(np.flatnonzero(edges == 1) + 1)
    ends = list(np.flatnonzero(edges == -1) + 1)
    if on[0]:
        starts.insert(0, 0)
    if on[-1]:
        ends.append(n - 1)
    out = []
    for s, e in zip(starts, ends):
        top = int(levels[s:max(e, s + 1)].max())
        out.append((float(times[s]), float(times[e]), top))
    return out


# ------------------------------------------------------------------------------------------ series


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


# ------------------------------------------------------------------------------------------ sensors


@dataclass(frozen=True)
class SensorInfo:
    """What the display needs of a sensor (built from `app.refdata.Sensor`)."""

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


# ------------------------------------------------------------------------------------------ simulation


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser on uint64 arrays (wraps silently, as array arithmetic does)."""
    x = x.astype(np.uint64, copy=True)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def _uniform(seconds: np.ndarray, seed: int) -> np.ndarray:
    """Deterministic uniform noise in [-1, 1) per integer second and seed."""
    key = seconds.astype(np.int64).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(seed)
    return (_mix64(key) >> np.uint64(11)).astype(np.float64) / float(1 << 53) * 2.0 - 1.0


def _gauss(seconds: np.ndarray, seed: int) -> np.ndarray:
    """Roughly normal noise with unit variance (sum of three uniforms)."""
    return (_uniform(seconds, seed) + _uniform(seconds, seed + 7919) + _uniform(seconds, seed + 104729))


def _smooth_noise(t: np.ndarray, seed: int, period_s: float) -> np.ndarray:
    """Value noise: random knots every `period_s`, cosine-interpolated; in [-1, 1]."""
    k = np.floor(t / period_s)
    frac = t / period_s - k
    a = _uniform(k, seed)
    b = _uniform(k + 1, seed)
    w = (1 - np.cos(np.pi * frac)) / 2
    return a + (b - a) * w


def _pulse(x: np.ndarray, peak_at: float, shape: float = 3.0) -> np.ndarray:
    """A gamma-shaped pulse of height 1 at `peak_at` seconds after x = 0 (zero before)."""
    u = np.maximum(x, 0.0) / peak_at
    with np.errstate(over="ignore", invalid="ignore"):
        y = np.where(x > 0, u ** shape * np.exp(shape * (1.0 - u)), 0.0)
    return np.nan_to_num(y)


@dataclass(frozen=True)
class RainEvent:
    """A storm: rain intensity rises to `peak_mm_h` `peak_after_s` after `start` and tails off."""

    start: float
    peak_mm_h: float = 68.0
    peak_after_s: float = 40 * 60.0


def _stable_seed(text: str) -> int:
    h = 1469598103934665603
    for ch in text.encode():
        h = ((h ^ ch) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h >> 8


class SimulatedSensorFeed:
    """Demo readings for the demo city's sensors at `sample_period_s` (1 Hz), computed lazily from the
    clock: the same second always gives the same value, so history and live polling agree.

    * water_level: dry (≈ 0 m) until the rain event, then a lagged flood wave per underpass; the most
      exposed ones go over their alarm threshold, some only over warning, some stay low.
    * rainfall: the storm's intensity (peak ≈ 68 mm/h: over the 50 mm/h alarm line).
    * strain, bridge_displacement, tilt: daily thermal cycle (peak mid-afternoon) plus traffic peaks
      for strain, plus noise. settlement: a slow drift. gas_concentration: a few %LEL of background
      with one short leak episode on one sensor in the past day. manhole_cover: closed (0); one cover
      is lifted (2) by the flood for a few minutes at its peak.

    `rain_events` default: one storm that began 50 minutes before the feed was made, so a demo opens
    with levels rising through their thresholds. `clock` is injectable for tests.
    """

    def __init__(self, sensors: Iterable[Any], *, clock: Callable[[], float] = time.time,
                 rain_events: Sequence[RainEvent] | None = None, sample_period_s: float = 1.0,
                 utc_offset_s: float = 8 * 3600, max_poll_s: float = 3600.0):
        self._sensors = [s if isinstance(s, SensorInfo) else SensorInfo.from_refdata(s) for s in sensors]
        self._by_id = {s.id: s for s in self._sensors}
        self._clock = clock
        self.period = float(sample_period_s)
        self.utc_offset_s = utc_offset_s
        self.max_poll_s = max_poll_s
        start = self._clock()
        self.rain_events = list(rain_events) if rain_events is not None else [RainEvent(start - 50 * 60)]
        self._cursor = math.floor(start / self.period) * self.period  # last time handed out by poll
        self._lock = threading.Lock()
        # per-type ranks give each sensor its own exposure (deterministic, by file order)
        self._rank: dict[str, tuple[int, int]] = {}
        by_type: dict[str, list[str]] = {}
        for s in self._sensors:
            by_type.setdefault(s.type, []).append(s.id)
        for ids in by_type.values():
            for i, sid in enumerate(ids):
                self._rank[sid] = (i, len(ids))

    # -- SensorFeed

    def sensors(self) -> Sequence[SensorInfo]:
        return list(self._sensors)

    def now(self) -> float:
        return self._clock()

    def history(self, sensor_id: str, start: float, end: float) -> tuple[np.ndarray, np.ndarray]:
        first = math.ceil(start / self.period)
        last = math.floor(end / self.period)
        if last < first:
            return np.empty(0), np.empty(0)
        t = np.arange(first, last + 1, dtype=np.float64) * self.period
        return t, self.values(sensor_id, t)

    def poll(self) -> Readings:
        with self._lock:
            now = math.floor(self._clock() / self.period) * self.period
            start = max(self._cursor + self.period, now - self.max_poll_s)
            if now < start:
                return {}
            self._cursor = now
        return {s.id: self.history(s.id, start, now) for s in self._sensors}

    # -- the model

    def rain(self, t: np.ndarray) -> np.ndarray:
        """Rain intensity (mm/h) over the district at times t."""
        out = np.zeros_like(t)
        for ev in self.rain_events:
            out += ev.peak_mm_h * _pulse(t - ev.start, ev.peak_after_s, 3.0)
        return out

    def values(self, sensor_id: str, t: np.ndarray) -> np.ndarray:
        s = self._by_id[sensor_id]
        seed = _stable_seed(s.id)
        rank, count = self._rank.get(sensor_id, (0, 1))
        local = (t + self.utc_offset_s) % DAY_S
        day = np.sin(2 * np.pi * (local - 9 * 3600) / DAY_S)     # peaks at 15:00 local
        sec = np.floor(t / self.period)
        kind = s.type
        if kind == "water_level":
            # the flood wave is scaled to the sensor's own alarm line (an underpass depth gauge
            # alarms at 0.27 m, a storm well at 2.1 m): exposure 1.45 and 1.2 go over it, 0.85 and
            # 0.65 reach warning only, 0.4 stays normal
            exposure = [1.45, 1.2, 0.85, 0.65, 0.4][rank % 5] * (1.0 + 0.04 * (rank // 5))
            alarm = s.thresholds.alarm_high
            span = (alarm - s.baseline) if alarm is not None and alarm > s.baseline else 0.27
            lag = 8 * 60 + (rank % 4) * 5 * 60
            depth = np.zeros_like(t)
            for ev in self.rain_events:
                wave = _pulse(t - ev.start - lag, ev.peak_after_s + 20 * 60, 4.0)
                depth += span * exposure * (ev.peak_mm_h / 68.0) * wave
            ripple = span * (0.015 * _gauss(sec, seed) * (depth > 0.04 * span)
                             + 0.005 * _gauss(sec, seed + 1) + 0.02 * _smooth_noise(t, seed, 1800))
            return np.clip(s.baseline + depth + ripple, 0.0, None)
        if kind == "rainfall":
            factor = 0.9 + 0.1 * rank
            r = self.rain(t - 60 * rank) * factor
            return np.clip(r * (1 + 0.05 * _gauss(sec, seed)) + 0.05 * _gauss(sec, seed + 3) * (r > 0.5),
                           0.0, None)
        if kind == "strain":
            traffic = (np.exp(-((local - 8.3 * 3600) / 3600.0) ** 2)
                       + np.exp(-((local - 18 * 3600) / 4000.0) ** 2))
            return (s.baseline + 90.0 * day + 60.0 * traffic + 25.0 * _smooth_noise(t, seed, 300)
                    + 3.0 * _gauss(sec, seed))
        if kind == "bridge_displacement":
            return 6.0 * day + 1.2 * _smooth_noise(t, seed, 900) + 0.15 * _gauss(sec, seed) + s.baseline
        if kind == "tilt":
            return s.baseline + 0.08 * day + 0.02 * _smooth_noise(t, seed, 1800) + 0.004 * _gauss(sec, seed)
        if kind == "settlement":
            drift = -0.6 * ((t % (7 * DAY_S)) / (7 * DAY_S))
            return s.baseline + drift + 0.3 * _smooth_noise(t, seed, 3600) + 0.05 * _gauss(sec, seed)
        if kind == "gas_concentration":
            base = 1.5 + 0.8 * _smooth_noise(t, seed, 600) + 0.3 * _gauss(sec, seed)
            if rank == 1:  # one valve well leaks for a while, 20:00 to 20:40 local time
                base = base + 13.0 * _pulse(local - 20 * 3600, 15 * 60, 2.0)
            return np.clip(base, 0.0, None)
        if kind == "manhole_cover":
            state = np.zeros_like(t)
            if rank == 0:
                for ev in self.rain_events:
                    x = t - ev.start - 8 * 60
                    peak = ev.peak_after_s + 20 * 60
                    state = np.where((x > peak - 4 * 60) & (x < peak + 6 * 60), 2.0, state)
            return state
        # an unknown type: baseline with a little noise
        return s.baseline + 0.01 * _gauss(sec, seed)


# ------------------------------------------------------------------------------------------ bank


@dataclass(frozen=True)
class LevelChange:
    """A sensor's evaluated level changed at `at` (epoch seconds)."""

    sensor_id: str
    at: float
    old: int
    new: int
    reason: int
    value: float


class SensorBank:
    """One `SensorSeries` and one `ThresholdEvaluator` per sensor; `ingest` evaluates and stores
    readings and reports level changes. Not thread-safe: one owner (the GUI thread's hub, or a worker
    that builds the bank before handing it over)."""

    def __init__(self, sensors: Iterable[SensorInfo], capacity: int = HISTORY_S):
        self.sensors: dict[str, SensorInfo] = {s.id: s for s in sensors}
        self.series = {sid: SensorSeries(capacity) for sid in self.sensors}
        self.evaluators = {sid: ThresholdEvaluator(s.thresholds) for sid, s in self.sensors.items()}
        self.levels: dict[str, int] = {sid: 0 for sid in self.sensors}
        self.reasons: dict[str, int] = {sid: 0 for sid in self.sensors}
        self.peak: dict[str, float] = {}

    def ingest(self, readings: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> list[LevelChange]:
        changes: list[LevelChange] = []
        for sid, (times, values) in readings.items():
            series = self.series.get(sid)
            if series is None or len(times) == 0:
                continue
            t = np.asarray(times, np.float64)
            v = np.asarray(values, np.float64)
            last = series.last_time
            if last is not None:
                keep = t > last
                t, v = t[keep], v[keep]
            if len(t) == 0:
                continue
            levels, reasons = self.evaluators[sid].evaluate(t, v)
            series.extend(t, v, levels)
            prev = self.levels[sid]
            switch = np.flatnonzero(np.diff(np.concatenate(([prev], levels.astype(np.int16)))) != 0)
            for i in switch:
                old = prev if i == 0 else int(levels[i - 1])
                changes.append(LevelChange(sid, float(t[i]), old, int(levels[i]), int(reasons[i]),
                                           float(v[i])))
            self.levels[sid] = int(levels[-1])
            self.reasons[sid] = int(reasons[-1])
        return changes

    def state(self, sensor_id: str, now: float) -> SensorState:
        series = self.series[sensor_id]
        last = series.last()
        if last is None:
            return SensorState.UNKNOWN
        t, v, lv = last
        rules = self.sensors[sensor_id].thresholds
        silent_after = rules.silent_after_s or 0
        if silent_after and now - t > silent_after:
            return SensorState.SILENT
        if not bool(is_valid(np.array([v], np.float64), rules)[0]):
            return SensorState.FAULT
        return {0: SensorState.NORMAL, 1: SensorState.WARNING, 2: SensorState.ALARM}[lv]

    def states(self, now: float) -> dict[str, dict[str, Any]]:
        """Sensor id → {"state", "value", "at"} for the map."""
        out = {}
        for sid, series in self.series.items():
            last = series.last()
            out[sid] = {"state": self.state(sid, now).value,
                        "value": None if last is None else last[1],
                        "at": None if last is None else last[0]}
        return out


def bootstrap_bank(feed: SensorFeed, *, seconds: float = HISTORY_S,
                   capacity: int = HISTORY_S) -> tuple[SensorBank, list[LevelChange], float]:
    """A bank filled with the feed's last `seconds` of history (run it on a worker thread: a day of
    1 Hz readings for a few dozen sensors takes a fraction of a second). Returns the bank, the level
    changes found in the history, and the time it reaches."""
    sensors = list(feed.sensors())
    bank = SensorBank(sensors, capacity)
    end = feed.now()
    changes: list[LevelChange] = []
    for s in sensors:
        t, v = feed.history(s.id, end - seconds, end)
        changes += bank.ingest({s.id: (t, v)})
    return bank, changes, end


# ------------------------------------------------------------------------------------------ alarms


class AlarmState(StrEnum):
    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    CLEARED = "cleared"


@dataclass(frozen=True)
class Alarm:
    """One alarm of one sensor: raised when its level leaves normal, cleared when it returns.
    `level` is the highest level reached; `value` the latest reading at a level change;
    `case_id` links the case opened for it (by the server; None until known)."""

    id: str
    sensor_id: str
    level: int
    reason: int
    value: float
    raised_at: float
    updated_at: float
    cleared_at: float | None = None
    acknowledged_at: float | None = None
    acknowledged_by: str | None = None
    case_id: str | None = None
    # what the server says on top (app.alarm_source.alarm_from_data); the stand-in leaves them empty
    ack_note: str | None = None
    cleared_by: str | None = None        # None with cleared_at set: cleared automatically
    clear_reason: str | None = None
    message: str = ""
    threshold: float | None = None
    peak_value: float | None = None

    @property
    def state(self) -> AlarmState:
        if self.cleared_at is not None:
            return AlarmState.CLEARED
        if self.acknowledged_at is not None:
            return AlarmState.ACKNOWLEDGED
        return AlarmState.RAISED

    @property
    def active(self) -> bool:
        return self.cleared_at is None


@runtime_checkable
class AlarmSource(Protocol):
    """What the alarm list reads. `events.alarms_changed(ids: list[str])` fires (on any thread) when
    alarms are added or change."""

    events: EventGroup

    def alarms(self) -> list[Alarm]:
        """Every alarm kept, oldest first."""

    def alarm(self, alarm_id: str) -> Alarm | None: ...

    def acknowledge(self, alarm_id: str, by: str, at: float | None = None) -> Alarm:
        """Mark an alarm acknowledged (KeyError for an unknown id)."""


class SimulatedThresholdAlarmSource:
    """STAND-IN alarm source for tests and benchmarks (`ui.simulated_sensor_hub`): alarms from the
    console's own threshold evaluation of a local feed (`SensorBank` level changes). The product uses
    `app.alarm_source.FeedAlarmSource`, the server's alarms."""

    def __init__(self, keep: int = 1000, clock: Callable[[], float] = time.time):
        self.events = EventGroup("alarms_changed")
        self._alarms: dict[str, Alarm] = {}
        self._active: dict[str, str] = {}  # sensor id → active alarm id
        self._keep = keep
        self._clock = clock
        self._lock = threading.Lock()

    def alarms(self) -> list[Alarm]:
        with self._lock:
            return list(self._alarms.values())

    def alarm(self, alarm_id: str) -> Alarm | None:
        with self._lock:
            return self._alarms.get(alarm_id)

    def acknowledge(self, alarm_id: str, by: str, at: float | None = None) -> Alarm:
        with self._lock:
            alarm = self._alarms[alarm_id]
            if alarm.acknowledged_at is None:
                alarm = replace(alarm, acknowledged_at=self._clock() if at is None else at,
                                acknowledged_by=by)
                self._alarms[alarm_id] = alarm
        self.events.alarms_changed.emit([alarm_id])
        return alarm

    def link_case(self, alarm_id: str, case_id: str | None) -> None:
        with self._lock:
            self._alarms[alarm_id] = replace(self._alarms[alarm_id], case_id=case_id)
        self.events.alarms_changed.emit([alarm_id])

    def apply(self, changes: Iterable[LevelChange]) -> list[str]:
        """Raise, update or clear alarms for level changes; returns the ids that changed."""
        touched: list[str] = []
        with self._lock:
            for ch in changes:
                active_id = self._active.get(ch.sensor_id)
                if ch.new > 0 and active_id is None:
                    alarm_id = f"{ch.sensor_id}@{int(ch.at)}"
                    self._alarms[alarm_id] = Alarm(alarm_id, ch.sensor_id, ch.new, ch.reason, ch.value,
                                                   ch.at, ch.at)
                    self._active[ch.sensor_id] = alarm_id
                elif ch.new > 0:
                    alarm_id = active_id
                    old = self._alarms[alarm_id]
                    self._alarms[alarm_id] = replace(
                        old, level=max(old.level, ch.new),
                        reason=ch.reason if ch.new >= old.level else old.reason,
                        value=ch.value, updated_at=ch.at)
                elif active_id is not None:
                    alarm_id = active_id
                    self._alarms[alarm_id] = replace(self._alarms[alarm_id], cleared_at=ch.at,
                                                     value=ch.value, updated_at=ch.at)
                    del self._active[ch.sensor_id]
                else:
                    continue
                if alarm_id not in touched:
                    touched.append(alarm_id)
            touched += self._trim()
        if touched:
            self.events.alarms_changed.emit(touched)
        return touched

    def _trim(self) -> list[str]:
        """Forget the oldest cleared alarms beyond `keep`; returns their ids (listeners drop them)."""
        removed: list[str] = []
        if len(self._alarms) <= self._keep:
            return removed
        for alarm_id in [a.id for a in sorted(self._alarms.values(), key=lambda a: a.raised_at)
                         if not a.active]:
            if len(self._alarms) <= self._keep:
                break
            del self._alarms[alarm_id]
            removed.append(alarm_id)
        return removed
