"""Realistic sensor readings computed lazily from the clock, for the demo city (published over MQTT by
`server.demo.sensors`) and for tests: daily cycles, noise, and rain events that drive the underpass
water levels over their thresholds."""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.sensors.series import DAY_S, Readings, SensorInfo


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
