"""Sensor ring buffers, threshold evaluation (hysteresis, minimum duration, rate, validity), the
simulated feed and the stand-in alarm source."""
from __future__ import annotations

import math

import numpy as np
import pytest

from app.sensors.alarms import AlarmState
from app.sensors.levels import (
    Level,
    Reason,
    SensorState,
    ThresholdEvaluator,
    Thresholds,
    instantaneous_level,
    level_runs,
)
from app.sensors.series import HISTORY_S, SensorFeed, SensorInfo, SensorSeries
from server.demo.sensor_readings import RainEvent, SimulatedSensorFeed
from tests.support.simulated_sensors import (
    SensorBank,
    SimulatedThresholdAlarmSource,
    bootstrap_bank,
)

T0 = 1_795_400_000.0

WATER = Thresholds(warning_high=0.15, alarm_high=0.27, hysteresis=0.02, min_duration_s=60,
                   silent_after_s=300, min_valid=0.0, max_valid=3.0)


# ------------------------------------------------------------------ ring buffer


def test_series_keeps_a_day_of_1hz_readings():
    s = SensorSeries()
    assert s.capacity == HISTORY_S == 86_400
    t = T0 + np.arange(HISTORY_S)
    s.extend(t, np.sin(t))
    times, values, levels = s.arrays()
    assert len(s) == len(times) == 86_400
    assert times[0] == T0 and times[-1] == T0 + 86_399
    assert np.allclose(values, np.sin(t), atol=1e-6)


def test_series_wraps_around_and_stays_in_order():
    s = SensorSeries(capacity=10)
    for i in range(7):
        s.append(T0 + i, i, i % 3)
    s.extend(T0 + np.arange(7, 13), np.arange(7, 13))
    t, v, lv = s.arrays()
    assert len(s) == 10
    assert list(t - T0) == list(range(3, 13))
    assert list(v) == list(range(3, 13))
    assert list(lv[:4]) == [0, 1, 2, 0]  # levels travel with their readings
    assert s.last() == (T0 + 12, 12.0, 0)
    s.extend(T0 + np.arange(13, 40), np.arange(13, 40))  # more than the capacity at once
    t, v, _ = s.arrays()
    assert list(v) == list(range(30, 40))
    assert np.all(np.diff(t) > 0)


def test_series_drops_readings_that_are_not_newer():
    s = SensorSeries(capacity=5)
    s.extend([T0, T0 + 1, T0 + 2], [1, 2, 3])
    assert s.extend([T0 + 1, T0 + 2, T0 + 3], [9, 9, 4]) == 1
    assert list(s.arrays()[1]) == [1, 2, 3, 4]
    assert list(s.since(T0 + 2)[1]) == [3, 4]


def test_series_version_changes_on_every_append():
    s = SensorSeries(capacity=5)
    v0 = s.version
    s.append(T0, 1)
    assert s.version == v0 + 1
    s.extend([T0], [1])  # nothing new
    assert s.version == v0 + 1


# ------------------------------------------------------------------ thresholds


def test_instantaneous_level():
    rules = Thresholds(warning_high=10, alarm_high=20, warning_low=-10, alarm_low=-20)
    assert [instantaneous_level(v, rules) for v in (0, 10, 19.9, 20, -10, -25, float("nan"))] == \
        [Level.NORMAL, Level.WARNING, Level.WARNING, Level.ALARM, Level.WARNING, Level.ALARM, Level.NORMAL]


def _steps(*pairs):
    """Readings at 1 Hz: (value, seconds) pieces."""
    values = np.concatenate([np.full(n, v, float) for v, n in pairs])
    return T0 + np.arange(len(values)), values


def test_min_duration_must_pass_before_a_level_counts():
    ev = ThresholdEvaluator(WATER)
    t, v = _steps((0.0, 10), (0.2, 59), (0.0, 10), (0.2, 100))
    levels, reasons = ev.evaluate(t, v)
    assert levels[:79].max() == 0            # 59 s over the line is not enough
    start = 79                               # the second exceedance starts here
    assert levels[start + 59] == 0 and levels[start + 60] == Level.WARNING
    assert reasons[start + 60] == Reason.HIGH


def test_hysteresis_holds_a_level_until_the_value_is_back_past_it():
    ev = ThresholdEvaluator(Thresholds(alarm_high=0.27, hysteresis=0.02))
    t, v = _steps((0.30, 5), (0.26, 5), (0.251, 5), (0.249, 5), (0.26, 5))
    levels, _ = ev.evaluate(t, v)
    assert list(levels[:15]) == [2] * 15     # 0.26 and 0.251 are inside the hysteresis band
    assert list(levels[15:]) == [0] * 10     # 0.249 clears; 0.26 does not re-raise (below 0.27)


def test_chunked_evaluation_equals_one_pass():
    rng = np.random.default_rng(7)
    t = T0 + np.arange(20_000)
    v = 0.15 + 0.14 * np.sin(t / 900.0) + 0.01 * rng.standard_normal(len(t))
    rules = Thresholds(warning_high=0.15, alarm_high=0.27, hysteresis=0.02, min_duration_s=60,
                       rate_per_min=0.03, min_valid=0.0, max_valid=3.0)
    whole, whole_r = ThresholdEvaluator(rules).evaluate(t, v)
    ev = ThresholdEvaluator(rules)
    parts = [ev.evaluate(t[i:i + n], v[i:i + n]) for i, n in _chunks(len(t), rng)]
    assert np.array_equal(whole, np.concatenate([p[0] for p in parts]))
    assert np.array_equal(whole_r, np.concatenate([p[1] for p in parts]))
    assert set(np.unique(whole)) == {0, 1, 2}


def _chunks(n, rng):
    i = 0
    while i < n:
        size = int(rng.integers(1, 400))
        yield i, min(size, n - i)
        i += size


def test_low_thresholds_and_invalid_readings():
    rules = Thresholds(warning_low=-10, alarm_low=-20, hysteresis=1, min_valid=-300, max_valid=300)
    ev = ThresholdEvaluator(rules)
    t, v = _steps((-25, 3), (999, 3), (-19.5, 3), (-8.5, 3))
    levels, reasons = ev.evaluate(t, v)
    assert list(levels) == [2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0]  # 999 is a fault: holds; -19.5 in band
    assert reasons[0] == Reason.LOW


def test_rate_of_rise_raises_a_warning():
    rules = Thresholds(warning_high=1.6, alarm_high=2.1, rate_per_min=0.1, min_duration_s=0)
    ev = ThresholdEvaluator(rules)
    t = T0 + np.arange(600)
    v = np.where(t - T0 < 300, 0.4, 0.4 + (t - T0 - 300) * 0.005)  # 0.3 m/min from 300 s on
    levels, reasons = ev.evaluate(t, v)
    assert levels[:300].max() == 0
    assert levels[340] == Level.WARNING and reasons[340] == Reason.RATE  # rise over the last minute


def test_level_runs_for_shading():
    t = T0 + np.arange(10)
    lv = np.array([0, 1, 1, 2, 0, 0, 1, 1, 1, 1], np.int8)
    assert level_runs(t, lv) == [(T0 + 1, T0 + 4, 2), (T0 + 6, T0 + 9, 1)]
    assert level_runs(t, lv, 2) == [(T0 + 3, T0 + 4, 2)]
    assert level_runs(t, np.zeros(10, np.int8)) == []


# ------------------------------------------------------------------ simulated feed


def _feed(refdata, now, **kw):
    return SimulatedSensorFeed(refdata.sensors, clock=lambda: now[0], **kw)


def test_simulated_feed_is_a_sensor_feed_and_deterministic(refdata):
    now = [T0]
    feed = _feed(refdata, now)
    assert isinstance(feed, SensorFeed)
    assert [s.id for s in feed.sensors()] == [s.id for s in refdata.sensors]
    t1, v1 = feed.history("wl-001", T0 - 600, T0)
    t2, v2 = feed.history("wl-001", T0 - 300, T0)
    assert len(t1) == 601 and np.array_equal(v1[300:], v2)


def test_poll_returns_new_readings_once(refdata):
    now = [T0]
    feed = _feed(refdata, now)
    assert feed.poll() == {}
    now[0] += 5.4
    first = feed.poll()
    assert set(first) == {s.id for s in refdata.sensors}
    assert list(first["rf-001"][0] - T0) == [1, 2, 3, 4, 5]
    now[0] += 1
    second = feed.poll()
    assert list(second["rf-001"][0] - T0) == [6]
    t, v = feed.history("rf-001", T0 + 6, T0 + 6)
    assert np.array_equal(second["rf-001"][1], v)  # live equals history


def test_rain_event_drives_drainage_levels_over_their_thresholds(refdata):
    start = T0
    now = [T0 + 4 * 3600]
    feed = _feed(refdata, now, rain_events=[RainEvent(start)])
    bank, changes, _ = bootstrap_bank(feed, seconds=6 * 3600)
    water = [s for s in refdata.sensors if s.type == "water_level"]
    peaks = {s.id: float(bank.series[s.id].arrays()[1].max()) for s in water}
    over_alarm = [s.id for s in water if peaks[s.id] >= s.rules.alarm_high]
    over_warning = [s.id for s in water if s.rules.warning_high <= peaks[s.id] < s.rules.alarm_high]
    below = [s.id for s in water if peaks[s.id] < s.rules.warning_high]
    assert len(over_alarm) >= 3 and len(over_warning) >= 2 and below  # not every underpass floods
    rain = [s for s in refdata.sensors if s.type == "rainfall"]
    assert all(bank.series[s.id].arrays()[1].max() > s.rules.alarm_high for s in rain)
    before = bank.series["wl-001"].since(start - 3600)[1][:3000]
    assert before.max() < 0.05  # dry before the storm
    raised = {c.sensor_id for c in changes if c.new == Level.ALARM}
    assert set(over_alarm) <= raised
    # four hours on, the water has gone down again: the alarms cleared
    assert all(bank.levels[sid] == 0 for sid in over_alarm)


def test_daily_cycle_of_bridge_strain(refdata):
    now = [T0]
    feed = _feed(refdata, now, rain_events=[])
    t, v = feed.history("sg-001", T0 - 86_400, T0)
    local_hour = ((t + 8 * 3600) % 86_400) // 3600
    afternoon = v[(local_hour >= 14) & (local_hour < 16)].mean()
    night = v[(local_hour >= 2) & (local_hour < 4)].mean()
    assert afternoon - night > 100  # thermal expansion by day
    assert np.std(np.diff(v)) > 0  # and noise


# ------------------------------------------------------------------ bank and alarms


def _info(sid="x", **rules):
    return SensorInfo(id=sid, type="water_level", name=sid, unit_of_measure="m",
                      thresholds=Thresholds(**rules))


def test_bank_states_silent_fault_and_levels():
    bank = SensorBank([_info("a", alarm_high=1, silent_after_s=60, min_valid=0, max_valid=5),
                       _info("b"), _info("c", min_valid=0, max_valid=5)])
    bank.ingest({"a": (np.array([T0, T0 + 1]), np.array([0.5, 2.0])),
                 "c": (np.array([T0]), np.array([9.0]))})
    assert bank.state("a", T0 + 2) is SensorState.ALARM
    assert bank.state("a", T0 + 100) is SensorState.SILENT
    assert bank.state("b", T0) is SensorState.UNKNOWN
    assert bank.state("c", T0) is SensorState.FAULT
    states = bank.states(T0 + 2)
    assert states["a"] == {"state": "alarm", "value": 2.0, "at": T0 + 1}


def test_alarm_source_raises_updates_clears_and_acknowledges():
    bank = SensorBank([_info("wl", warning_high=0.15, alarm_high=0.27, hysteresis=0.02)])
    source = SimulatedThresholdAlarmSource(clock=lambda: T0 + 999)
    seen = []
    source.events.alarms_changed.connect(seen.append)
    t, v = _steps((0.0, 5), (0.2, 5), (0.3, 5), (0.2, 5), (0.0, 5))
    changes = bank.ingest({"wl": (t, v)})
    assert [(c.old, c.new) for c in changes] == [(0, 1), (1, 2), (2, 1), (1, 0)]
    ids = source.apply(changes)
    assert len(ids) == 1 and seen == [ids]
    alarm = source.alarm(ids[0])
    assert alarm.level == Level.ALARM and alarm.raised_at == T0 + 5 and alarm.cleared_at == T0 + 20
    assert alarm.state is AlarmState.CLEARED
    acked = source.acknowledge(alarm.id, "op1")
    assert acked.acknowledged_by == "op1" and acked.acknowledged_at == T0 + 999
    assert seen[-1] == [alarm.id]
    with pytest.raises(KeyError):
        source.acknowledge("nope", "op1")
    # a new exceedance is a new alarm
    t2, v2 = _steps((0.3, 3))
    source.apply(bank.ingest({"wl": (t2 + 100, v2)}))
    active = [a for a in source.alarms() if a.active]
    assert len(active) == 1 and active[0].state is AlarmState.RAISED


def test_alarm_source_forgets_oldest_cleared_alarms_beyond_keep():
    bank = SensorBank([_info("wl", alarm_high=1.0)])
    source = SimulatedThresholdAlarmSource(keep=3)
    removed_events = []
    source.events.alarms_changed.connect(removed_events.append)
    for i in range(6):
        t, v = _steps((2.0, 2), (0.0, 2))
        source.apply(bank.ingest({"wl": (t + 10 * i, v)}))
    assert len(source.alarms()) == 3
    assert any(source.alarm(i) is None for ids in removed_events for i in ids)


def test_bootstrap_of_the_demo_city_fills_a_day(refdata):
    now = [T0]
    feed = _feed(refdata, now)
    bank, _changes, end = bootstrap_bank(feed)
    assert end == T0 and all(len(s) == 86_400 for s in bank.series.values())
    assert not math.isnan(bank.series["wl-001"].last()[1])
