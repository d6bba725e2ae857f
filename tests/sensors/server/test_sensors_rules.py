"""Alarm rules end to end through the HTTP ingest: high and low thresholds with hysteresis and minimum
duration, rate of change, silent sensors, and the case opened once per episode (SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from server.sensors import alarm_sweep
from tests.support.sensor_support import (
    KEY,
    alarms,
    cases,
    feed_step,
    reading,
    send,
    state,
)

# rf-001 (rain gauge, mm/h, owner `drainage`, category E0401): warning ≥ 20, alarm ≥ 50, hysteresis 2,
# minimum duration 300 s, no rate rule. wl-001 (underpass depth, m): rate 0.03 m/min, min duration 60 s.
# bd-001 (bridge displacement, mm): warning ≤ -15, alarm ≤ -25, hysteresis 1, min duration 120 s.


@pytest.fixture
def srv(make_harness, server_db_url):
    return make_harness(server_db_url, ingest_keys=KEY, sensor_feed_interval_s=0, sensor_batch_ms=5)


@pytest.fixture
def lite(make_harness, sqlite_url):
    return make_harness(sqlite_url, ingest_keys=KEY, sensor_feed_interval_s=0, sensor_batch_ms=5)


def levels(srv, sensor_id):
    return [(a["kind"], a["level"], a["state"]) for a in alarms(srv, sensor_id)]


def test_high_threshold_needs_the_minimum_duration_and_clears_past_the_hysteresis(srv, clock):
    start = clock.now
    # over the warning line for 4 minutes only: nothing
    feed_step(srv, "rf-001", start, [10, 25, 25, 25, 25, 10])
    assert alarms(srv, "rf-001") == []
    # over it for 5 minutes: a warning at the reading that completes the 300 s
    t1 = start + timedelta(minutes=6)
    feed_step(srv, "rf-001", t1, [25, 25, 25, 25, 25])
    assert alarms(srv, "rf-001") == []
    feed_step(srv, "rf-001", t1 + timedelta(minutes=5), [25])
    (alarm,) = alarms(srv, "rf-001")
    assert (alarm["kind"], alarm["level"], alarm["state"]) == ("high", "warning", "raised")
    assert alarm["raised_at"] == (t1 + timedelta(minutes=5)).isoformat()
    assert alarm["threshold"] == 20.0 and alarm["value"] == 25.0
    assert state(srv, "rf-001").state == "warning"
    # back under the line but inside the hysteresis band (20 - 2): still raised
    t2 = t1 + timedelta(minutes=6)
    feed_step(srv, "rf-001", t2, [19.0, 18.5])
    assert levels(srv, "rf-001") == [("high", "warning", "raised")]
    # past the band: cleared automatically
    feed_step(srv, "rf-001", t2 + timedelta(minutes=2), [17.9])
    (alarm,) = alarms(srv, "rf-001")
    assert alarm["state"] == "cleared" and alarm["cleared_by"] is None and alarm["clear_reason"] == "back to normal"
    assert alarm["peak_value"] == 25.0
    assert state(srv, "rf-001").state == "normal"
    assert cases(srv) == []  # a warning opens no case


def test_noisy_readings_around_a_threshold_do_not_flap(lite, clock):
    values = [25 if i % 2 else 10 for i in range(30)]  # over, under, over… each run 60 s < 300 s
    feed_step(lite, "rf-001", clock.now, values)
    assert alarms(lite, "rf-001") == []


def test_low_threshold_with_levels_and_hysteresis(srv, clock):
    # bd-001 reports every 10 minutes; changes of ≤ 16 mm per 10 min stay under its 2 mm/min rate rule
    feed_step(srv, "bd-001", clock.now, [0, -16, -16], step_s=600, unit="mm")
    assert levels(srv, "bd-001") == [("low", "warning", "raised")]
    feed_step(srv, "bd-001", clock.now + timedelta(minutes=30), [-26, -26], step_s=600, unit="mm")
    (alarm,) = alarms(srv, "bd-001")
    assert (alarm["kind"], alarm["level"], alarm["state"], alarm["threshold"]) == ("low", "alarm", "raised", -25.0)
    feed_step(srv, "bd-001", clock.now + timedelta(minutes=50), [-24.5, -23.5, -14.5], step_s=600, unit="mm")
    assert levels(srv, "bd-001") == [("low", "alarm", "raised")]  # -14.5 is inside the band of -15 + 1
    feed_step(srv, "bd-001", clock.now + timedelta(minutes=80), [-13.9], step_s=600, unit="mm")
    (alarm,) = alarms(srv, "bd-001")
    assert alarm["state"] == "cleared" and alarm["peak_value"] == -26.0 and alarm["level"] == "alarm"
    assert alarm["case_id"] is not None  # it reached alarm level


def test_rate_of_change_raises_a_rate_warning_after_its_minimum_duration(srv, clock):
    start = clock.now
    flat = [0.0] * 6
    rising = [round(0.01 * (i + 1), 3) for i in range(10)]  # 0.06 m/min, under the 0.15 m warning line
    feed_step(srv, "wl-001", start, flat + rising + [0.10] * 12, step_s=10, unit="m")
    (alarm,) = alarms(srv, "wl-001")
    assert (alarm["kind"], alarm["level"]) == ("rate", "warning")
    raised = alarm["raised_at"]
    assert start + timedelta(seconds=60 + 60) <= _t(raised) <= start + timedelta(seconds=60 + 80)
    assert alarm["threshold"] == 0.03
    assert alarm["state"] == "cleared"  # once the water stopped rising


def _t(text):
    from datetime import datetime

    return datetime.fromisoformat(text)


def test_warning_escalates_to_alarm_and_an_acknowledged_alarm_is_raised_again(lite, clock):
    start = clock.now
    feed_step(lite, "rf-001", start, [30] * 6)
    (alarm,) = alarms(lite, "rf-001")
    r = lite.client.post(f"/api/alarms/{alarm['id']}/acknowledge", json={"note": "watching"},
                         headers=lite.login("operator1"))
    assert r.status_code == 200 and r.json()["state"] == "acknowledged"
    feed_step(lite, "rf-001", start + timedelta(minutes=6), [60] * 6)
    (alarm,) = alarms(lite, "rf-001")
    assert (alarm["level"], alarm["state"], alarm["acknowledged_by"]) == ("alarm", "raised", None)
    assert alarm["threshold"] == 50.0 and alarm["case_id"]


def test_a_silent_sensor_raises_a_silent_alarm_and_clears_it_when_it_reports(srv, clock):
    feed_step(srv, "wl-001", clock.now, [0.01], unit="m")
    clock.advance(seconds=299)
    alarm_sweep.sweep(srv.ctx, srv.ctx.sensor_ingest)
    assert alarms(srv, "wl-001") == []
    clock.advance(seconds=2)
    counts = alarm_sweep.sweep(srv.ctx, srv.ctx.sensor_ingest)
    assert counts["silent"] == 1  # sensors that never reported are `unknown`, not silent
    (alarm,) = alarms(srv, "wl-001")
    assert (alarm["kind"], alarm["level"], alarm["state"]) == ("silent", "warning", "raised")
    assert "no reading" in alarm["message"]
    assert state(srv, "wl-001").state == "silent"
    assert alarm_sweep.sweep(srv.ctx, srv.ctx.sensor_ingest)["silent"] == 0  # once
    feed_step(srv, "wl-001", clock.now, [0.01], unit="m")
    (alarm,) = alarms(srv, "wl-001")
    assert alarm["state"] == "cleared" and alarm["clear_reason"] == "reporting again"
    assert state(srv, "wl-001").state == "normal"
    assert cases(srv) == []


def test_silent_alarm_is_cleared_by_the_sweep_when_another_process_took_the_readings(srv, clock):
    feed_step(srv, "wl-001", clock.now, [0.01], unit="m")
    clock.advance(seconds=400)
    alarm_sweep.sweep(srv.ctx, None)  # this "process" has no ingest memory to tell
    feed_step(srv, "wl-001", clock.now, [0.01], unit="m")
    assert alarms(srv, "wl-001")[0]["state"] == "cleared"


def test_one_case_per_episode_and_a_re_raise_adds_a_note(srv, clock):
    start = clock.now
    feed_step(srv, "rf-001", start, [60] * 6 + [60, 1])
    (first,) = alarms(srv, "rf-001")
    assert first["level"] == "alarm" and first["state"] == "cleared" and first["case_id"]
    (case,) = cases(srv)
    assert case["id"] == first["case_id"]
    assert case["status"] == "dispatched" and case["unit_id"] == "drainage"
    assert case["source"] == "sensor_alarm" and case["priority"] == "urgent" and case["category_code"] == "E0401"
    sensor = srv.refdata.sensor("rf-001")
    assert case["location"]["grid_code"] == sensor.grid_code and case["location"]["lat"] == sensor.lat
    assert first["id"] in case["description"] and "rf-001" in case["description"]
    # raised again 10 minutes later: same episode, same case, a note
    feed_step(srv, "rf-001", start + timedelta(minutes=18), [60] * 6)
    second = alarms(srv, "rf-001")[1]
    assert second["id"] != first["id"]
    assert second["episode_id"] == first["episode_id"] and second["case_id"] == first["case_id"]
    (case,) = cases(srv)
    notes = [e for e in case["events"] if e["action"] == "note"]
    assert len(notes) == 1 and second["id"] in notes[0]["payload"]["text"]
    # more readings in alarm add nothing
    feed_step(srv, "rf-001", start + timedelta(minutes=24), [61, 62, 63])
    assert len(alarms(srv, "rf-001")) == 2 and len(cases(srv)) == 1
    assert len([e for e in cases(srv)[0]["events"] if e["action"] == "note"]) == 1


def test_the_episode_ends_after_the_quiet_period_and_the_next_alarm_opens_a_new_case(srv, clock):
    start = clock.now
    feed_step(srv, "rf-001", start, [60] * 6 + [1])
    (first,) = alarms(srv, "rf-001")
    # normal for 31 minutes (the sweep ends the episode), then out again
    feed_step(srv, "rf-001", start + timedelta(minutes=7), [1] * 31)
    alarm_sweep.sweep(srv.ctx, srv.ctx.sensor_ingest)
    assert state(srv, "rf-001").episode_id is None
    feed_step(srv, "rf-001", start + timedelta(minutes=40), [60] * 6)
    second = alarms(srv, "rf-001")[1]
    assert second["episode_id"] != first["episode_id"]
    assert second["case_id"] and second["case_id"] != first["case_id"]
    assert len(cases(srv)) == 2


def test_the_quiet_period_also_ends_an_episode_without_the_sweep(lite, clock):
    start = clock.now
    feed_step(lite, "rf-001", start, [60] * 6 + [1])
    feed_step(lite, "rf-001", start + timedelta(minutes=40), [60] * 6)
    first, second = alarms(lite, "rf-001")
    assert first["episode_id"] != second["episode_id"] and len(cases(lite)) == 2


def test_a_clear_by_hand_is_not_overruled_by_the_next_reading(lite, clock):
    start = clock.now
    feed_step(lite, "rf-001", start, [30] * 6)
    (alarm,) = alarms(lite, "rf-001")
    r = lite.client.post(f"/api/alarms/{alarm['id']}/clear", json={"reason": "gauge being serviced"},
                         headers=lite.login("lead1"))
    assert r.status_code == 200
    feed_step(lite, "rf-001", start + timedelta(minutes=6), [30] * 5)
    assert len(alarms(lite, "rf-001")) == 1
    # rising to alarm level is news: a new alarm
    feed_step(lite, "rf-001", start + timedelta(minutes=11), [60] * 6)
    assert [a["state"] for a in alarms(lite, "rf-001")] == ["cleared", "raised"]


def test_two_server_processes_raise_one_alarm_and_open_one_case(make_harness, pg_url, clock):
    a = make_harness(pg_url, ingest_keys=KEY, sensor_feed_interval_s=0, sensor_batch_ms=5)
    b = make_harness(pg_url, prepare=False, ingest_keys=KEY, sensor_feed_interval_s=0, sensor_batch_ms=5)
    start = clock.now
    for i in range(8):
        at = start + timedelta(minutes=i)
        clock.now = at
        item = [reading("rf-001", at, 60.0)]
        assert send(a, item)["accepted"] == 1
        assert send(b, item)["duplicates"] == 1  # the same reading, also received by the other process
    (alarm,) = alarms(a, "rf-001")
    assert alarm["level"] == "alarm" and alarm["case_id"]
    assert len(cases(a)) == 1
    assert [e["action"] for e in cases(a)[0]["events"]] == ["create", "register", "dispatch"]
