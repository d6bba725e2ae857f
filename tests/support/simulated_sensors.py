"""Test stand-ins for the console's sensors: a bank that evaluates a local feed itself, and an alarm source
built on that evaluation (the product shows the server's evaluation and alarms)."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from app.platform.events import EventGroup
from app.sensors.alarms import Alarm
from app.sensors.levels import SensorState, ThresholdEvaluator, is_valid
from app.sensors.series import HISTORY_S, SensorFeed, SensorInfo, SensorSeries


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


class SimulatedThresholdAlarmSource:
    """STAND-IN alarm source for tests and benchmarks (`tests.support.simulated_sensor_hub`): alarms from the
    console's own threshold evaluation of a local feed (`SensorBank` level changes). The product uses
    `app.sensors.alarm_source.FeedAlarmSource`, the server's alarms."""

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
