"""The console's alarm source over the cache's "alarm" entities: parsing the contract's JSON, updates
that never go backwards, who may acknowledge or clear, and the two actions through a fake client (and
refused offline)."""
from __future__ import annotations

import math

import pytest

from app.cases.workflow import Actor
from app.platform.enums import Role
from app.sensors.alarm_source import (
    BadAlarmData,
    FeedAlarmSource,
    NeedsServer,
    alarm_from_data,
    may_acknowledge,
    may_clear,
)
from app.sensors.alarms import AlarmState
from app.sensors.levels import Reason
from tests.support.sensor_fakes import FakeAlarmAnswer

RAISED_AT = "2026-12-01T06:00:00+00:00"


def alarm_data(alarm_id="a1", **over):
    data = {"id": alarm_id, "sensor_id": "wl-001", "episode_id": "e1", "kind": "high", "level": "alarm",
            "state": "raised", "raised_at": RAISED_AT, "updated_at": RAISED_AT, "value": 0.31,
            "peak_value": 0.33, "threshold": 0.27, "message": "water level 0.31 m over 0.27 m",
            "acknowledged_by": None, "acknowledged_at": None, "ack_note": None, "cleared_at": None,
            "cleared_by": None, "clear_reason": None, "case_id": None}
    data.update(over)
    return data


class FakeCache:
    def __init__(self, rows=None):
        self.rows = dict(rows or {})

    def entities(self, kind, ids=None):
        assert kind == "alarm"
        if ids is None:
            return dict(self.rows)
        return {i: self.rows[i] for i in ids if i in self.rows}


class FakeClient:
    def __init__(self):
        self.calls = []

    def acknowledge_alarm(self, alarm_id, note=None):
        self.calls.append(("ack", alarm_id, note))
        return FakeAlarmAnswer.model_validate(alarm_data(alarm_id, state="acknowledged", acknowledged_by="operator1",
                          acknowledged_at="2026-12-01T06:01:00+00:00", ack_note=note,
                          updated_at="2026-12-01T06:01:00+00:00"))

    def clear_alarm(self, alarm_id, reason):
        self.calls.append(("clear", alarm_id, reason))
        return FakeAlarmAnswer.model_validate(alarm_data(alarm_id, state="cleared", cleared_by="lead1", clear_reason=reason,
                          cleared_at="2026-12-01T06:02:00+00:00", updated_at="2026-12-01T06:02:00+00:00"))


def test_parses_the_contract_json():
    alarm = alarm_from_data(alarm_data(case_id="5f0c3f3e-4b9e-4c38-9a55-0d2f7bbbb001"))
    assert alarm.state is AlarmState.RAISED and alarm.level == 2 and alarm.reason == Reason.HIGH
    assert alarm.raised_at == pytest.approx(1_796_104_800.0)
    assert alarm.value == 0.31 and alarm.threshold == 0.27 and alarm.peak_value == 0.33
    assert alarm.case_id.endswith("b001") and "0.27" in alarm.message
    silent = alarm_from_data(alarm_data(kind="silent", level="warning", value=None))
    assert silent.reason == Reason.SILENT and silent.level == 1 and math.isnan(silent.value)
    cleared = alarm_from_data(alarm_data(state="cleared", cleared_at="2026-12-01T07:00:00+00:00"))
    assert cleared.state is AlarmState.CLEARED and cleared.cleared_by is None  # cleared automatically


@pytest.mark.parametrize("bad, words", [
    ({"level": "critical"}, "unknown level"), ({"state": "open"}, "unknown state"),
    ({"raised_at": "yesterday"}, "not an ISO-8601"), ({"raised_at": "2026-12-01T06:00:00"}, "without a zone"),
    ({"sensor_id": None}, "no sensor_id"), ({"value": "high"}, "not a number")])
def test_bad_alarm_json_is_named(bad, words):
    with pytest.raises(BadAlarmData, match=words):
        alarm_from_data(alarm_data(**bad))


def test_load_and_updates_never_go_backwards():
    cache = FakeCache({"a1": alarm_data("a1"), "a2": alarm_data("a2", sensor_id="rf-001"),
                       "bad": {"id": "bad"}})
    source = FeedAlarmSource(cache)
    seen = []
    source.events.alarms_changed.connect(seen.append)
    assert sorted(source.load()) == ["a1", "a2"]  # the malformed one is skipped, the rest still load
    assert len(seen) == 1 and sorted(seen[0]) == ["a1", "a2"]
    assert source.load() == [] and len(seen) == 1  # nothing new: no event
    newer = alarm_data("a1", state="acknowledged", acknowledged_by="lead1",
                       acknowledged_at="2026-12-01T06:05:00+00:00", updated_at="2026-12-01T06:05:00+00:00")
    assert source.apply_rows({"a1": newer}) == ["a1"]
    assert source.alarm("a1").state is AlarmState.ACKNOWLEDGED
    assert source.apply_rows({"a1": alarm_data("a1")}) == []  # an older version does not win
    assert source.alarm("a1").acknowledged_by == "lead1"
    assert [a.id for a in source.for_sensor("rf-001")] == ["a2"]


def test_who_may_acknowledge_and_clear():
    raised = alarm_from_data(alarm_data())
    acked = alarm_from_data(alarm_data(state="acknowledged", acknowledged_by="x",
                                       acknowledged_at="2026-12-01T06:01:00+00:00"))
    cleared = alarm_from_data(alarm_data(state="cleared", cleared_at="2026-12-01T06:01:00+00:00"))
    operator, lead = Actor("op", Role.OPERATOR), Actor("lead", Role.SHIFT_LEAD)
    owner, other = Actor("h1", Role.UNIT_HANDLER, "drainage"), Actor("h2", Role.UNIT_HANDLER, "roads")
    inspector = Actor("i", Role.INSPECTOR)
    assert [may_acknowledge(a, raised, "drainage") for a in (operator, lead, owner, other, inspector)] == \
        [True, True, True, False, False]
    assert not may_acknowledge(lead, acked, "drainage") and not may_acknowledge(lead, cleared, "drainage")
    assert [may_clear(a, raised, "drainage") for a in (operator, lead, owner, other, inspector)] == \
        [False, True, True, False, False]
    assert may_clear(lead, acked, "drainage") and not may_clear(lead, cleared, "drainage")


def test_actions_go_to_the_server_and_need_it():
    client = FakeClient()
    online = [True]
    source = FeedAlarmSource(FakeCache({"a1": alarm_data()}), lambda: client if online[0] else None)
    source.load()
    changed = []
    source.events.alarms_changed.connect(changed.append)
    alarm = source.acknowledge("a1", note="  crew on the way ")
    assert client.calls == [("ack", "a1", "crew on the way")]
    assert alarm.state is AlarmState.ACKNOWLEDGED and alarm.ack_note == "crew on the way"
    assert source.alarm("a1").acknowledged_by == "operator1" and changed == [["a1"]]
    with pytest.raises(ValueError, match="needs a reason"):
        source.clear("a1", "   ")
    assert source.clear("a1", "sensor washed out").clear_reason == "sensor washed out"
    online[0] = False
    with pytest.raises(NeedsServer, match="needs the server"):
        source.acknowledge("a1")
    assert len(client.calls) == 2
