"""The server-backed sensor feed: states from the cache's "sensor" entities, history fetched by range
through a fake client (raw or per-minute envelope), tail fetches that extend what is held, live points,
and no fetch at all while offline."""
from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from app.sensors.alarm_source import NeedsServer
from app.sensors.feed import BadReadings, ServerSensorFeed, parse_readings, sensor_state
from app.sensors.series import SensorFeed, SensorInfo
from app.wire.sensors import ReadingsAnswer

T0 = 1_796_104_800.0
SENSORS = [SensorInfo(id="wl-001", type="water_level", name="下穿", unit_of_measure="m"),
           SensorInfo(id="rf-001", type="rainfall", name="雨量", unit_of_measure="mm/h")]


def sensor_row(sensor_id="wl-001", state="alarm", value=0.31, at="2026-12-01T06:00:00+00:00"):
    return {"sensor_id": sensor_id, "last_time": at, "last_value": value, "level": "alarm", "state": state,
            "reason": "high", "rejected": 2, "updated_at": at}


class FakeCache:
    def __init__(self, rows=None):
        self.rows = dict(rows or {})

    def entities(self, kind, ids=None):
        assert kind == "sensor"
        return {k: v for k, v in self.rows.items() if ids is None or k in ids}


class FakeClient:
    """Answers like the server: raw readings at 1 Hz up to 6 h, else per-minute aggregates."""

    clock_offset_s = 0.0

    def __init__(self):
        self.calls = []

    def sensor_readings(self, sensor_id, start: datetime, end: datetime, resolution="auto"):
        self.calls.append((sensor_id, start.timestamp(), end.timestamp(), resolution))
        s, e = start.timestamp(), end.timestamp()
        if resolution == "raw" or (resolution == "auto" and e - s <= 6 * 3600):
            t = np.arange(np.ceil(s), np.floor(e) + 1)
            return ReadingsAnswer(sensor_id=sensor_id, resolution="raw", times=t.tolist(),
                                  values=(0.1 + 0.0 * t).tolist(), min=None, max=None)
        t = np.arange(np.ceil(s / 60) * 60, e, 60.0)
        return ReadingsAnswer(sensor_id=sensor_id, resolution="minute", times=t.tolist(),
                              values=[0.2] * len(t), min=[0.1] * len(t), max=[0.3] * len(t))


def test_sensor_state_from_the_contract():
    state = sensor_state(sensor_row())
    assert state == {"state": "alarm", "value": 0.31, "at": T0, "level": "alarm", "reason": "high",
                     "rejected": 2}
    assert sensor_state({"sensor_id": "x", "state": "exploded"})["state"] == "unknown"


def test_states_and_live_points_from_the_cache():
    cache = FakeCache({"wl-001": sensor_row()})
    feed = ServerSensorFeed(SENSORS, cache)
    assert isinstance(feed, SensorFeed)
    changed, fresh = feed.apply_rows(feed.read_rows())
    assert changed == ["wl-001"] and fresh == ["wl-001"]
    states = feed.states()
    assert states["wl-001"]["state"] == "alarm" and states["rf-001"]["state"] == "unknown"
    # the same state with a newer reading: no state change, one more live point
    changed, fresh = feed.apply_rows({"wl-001": sensor_row(state="alarm", value=0.32,
                                                           at="2026-12-01T06:00:10+00:00")})
    assert changed == [] and fresh == ["wl-001"]
    t, v, _ = feed.histories["wl-001"].arrays()
    assert t.tolist() == [T0, T0 + 10] and v.tolist() == pytest.approx([0.31, 0.32])
    polled = feed.poll()
    assert polled["wl-001"][0].tolist() == [T0, T0 + 10] and feed.poll() == {}
    # an older reading (feed replayed) adds nothing
    assert feed.apply_rows({"wl-001": sensor_row()}) == ([], [])


def test_history_is_fetched_by_range_and_then_only_the_tail():
    client = FakeClient()
    now = [T0]
    feed = ServerSensorFeed(SENSORS, FakeCache(), lambda: client, clock=lambda: now[0])
    start, end, resolution = feed.plan("wl-001", 3600)
    assert (start, end, resolution) == (T0 - 3600, T0, "auto")
    history = feed.install(feed.fetch("wl-001", start, end, resolution))
    assert len(history) == 3601 and history.covered == (T0 - 3600, T0)
    feed.apply_rows({"wl-001": sensor_row(at="2026-12-01T06:00:10+00:00")})  # a live point after it
    now[0] = T0 + 60
    start, end, resolution = feed.plan("wl-001", 3600)
    assert start == T0 - 120 and end == T0 + 60 and resolution == "raw"  # only the tail, with overlap
    version = history.version
    feed.install(feed.fetch("wl-001", start, end, resolution))
    t, _, _ = history.arrays()
    assert history.version > version and t[0] == T0 - 3600 and t[-1] == T0 + 60
    assert np.all(np.diff(t) > 0) and len(t) == 3661  # the live point was replaced by fetched readings


def test_a_day_comes_as_a_per_minute_envelope():
    client = FakeClient()
    feed = ServerSensorFeed(SENSORS, FakeCache(), lambda: client, clock=lambda: T0)
    start, end, resolution = feed.plan("rf-001", 24 * 3600)
    assert resolution == "minute"
    history = feed.install(feed.fetch("rf-001", start, end, resolution))
    t, v, _ = history.arrays()
    assert len(t) == 2 * 1440 and np.all(np.diff(t) > 0)
    assert v[0::2].tolist() == pytest.approx([0.1] * 1440) and v[1::2].tolist() == pytest.approx([0.3] * 1440)


def test_offline_nothing_is_fetched():
    feed = ServerSensorFeed(SENSORS, FakeCache(), lambda: None)
    assert not feed.online
    with pytest.raises(NeedsServer, match="needs the server"):
        feed.history("wl-001", T0 - 60, T0)


def _answer(**fields) -> ReadingsAnswer:
    return ReadingsAnswer.model_validate({"sensor_id": "wl-001", "min": None, "max": None, **fields})


def test_readings_answers_of_unequal_lengths_are_named():
    # (a wrong resolution or a time that is no number does not get past the model: the client's ServerUnreachable)
    with pytest.raises(BadReadings, match="2 times but 1 values"):
        parse_readings(_answer(resolution="raw", times=[1, 2], values=[1]), "wl-001", 0, 1)


def test_unsorted_or_duplicate_readings_are_put_in_order():
    fetched = parse_readings(_answer(resolution="raw", times=[3, 1, 2, 2], values=[30, 10, 20, 21]),
                             "wl-001", 0, 5)
    assert fetched.times.tolist() == [1, 2, 3] and fetched.values.tolist() == [10, 20, 30]
