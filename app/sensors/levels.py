"""A sensor's readings turned into levels (0 normal, 1 warning, 2 alarm), by the one evaluator the server's
ingest and the console share (numpy, Qt-free).

`ThresholdEvaluator` applies the sensor's rules: thresholds high and low, hysteresis (a level clears
only once the value is back past the threshold by `hysteresis`), `min_duration_s` (an exceedance counts
only once it has lasted that long), a rate-of-change check (`rate_per_min`, a warning) and the valid
range (readings outside it are faults, not alarms). It is vectorised and carries its state across
calls, so feeding a day in one call or a second at a time gives the same levels."""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any

import numpy as np

from app.refdata.entities import SensorRules


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
    """A sensor's alarm rules (the fields of `app.refdata.entities.SensorRules`) with what plotting and the
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
