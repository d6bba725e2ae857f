"""Sensor ingest over HTTP: storage, duplicates, out-of-order readings, every rejection reason, gateway
authentication, history at raw and minute resolution, the retention purge (SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from server.maintenance import sensor_maintenance
from tests.support.sensor_support import (
    HEADERS,
    KEY,
    minutes,
    raw_count,
    reading,
    send,
    series,
    state,
)


@pytest.fixture
def srv(make_harness, server_db_url):
    return make_harness(server_db_url, ingest_keys=f"other-key, {KEY}", sensor_feed_interval_s=0, sensor_batch_ms=5)


@pytest.fixture
def lite(make_harness, sqlite_url):
    return make_harness(sqlite_url, ingest_keys=KEY, sensor_feed_interval_s=0, sensor_batch_ms=5)


def test_readings_are_stored_aggregated_and_duplicates_counted(srv, clock):
    t0 = clock.now.replace(second=0) - timedelta(minutes=10)
    values = [1.0, 2.0, 3.0, 4.0]
    answer = send(srv, series("rf-001", t0, values, step_s=20))
    assert answer == {"accepted": 4, "duplicates": 0, "rejected": []}
    # the same readings again, plus one repeated inside the batch: nothing stored twice
    again = series("rf-001", t0, values, step_s=20) + [reading("rf-001", t0 + timedelta(seconds=80), 5.0)] * 2
    assert send(srv, again) == {"accepted": 1, "duplicates": 5, "rejected": []}
    assert raw_count(srv, "rf-001") == 5
    rows = minutes(srv, "rf-001")
    assert [(r[1], r[2], r[3], r[4]) for r in rows] == [(1.0, 3.0, 6.0, 3), (4.0, 5.0, 9.0, 2)]
    st = state(srv, "rf-001")
    assert st.last_value == 5.0 and st.state == "normal" and st.level == 0


def test_out_of_order_readings_are_stored_but_not_evaluated_backwards(srv, clock):
    t0 = clock.now - timedelta(minutes=20)
    send(srv, series("rf-001", t0 + timedelta(minutes=10), [1.0, 1.0]))
    # a late reading, far over the alarm line, older than the last one evaluated
    late = [reading("rf-001", t0 + timedelta(minutes=m), 90.0) for m in range(0, 8)]
    assert send(srv, late)["accepted"] == 8
    assert raw_count(srv, "rf-001") == 10
    assert st_value(srv) == 1.0  # the latest reading is still the newest one
    r = srv.client.get("/api/alarms", headers=srv.login("operator1"))
    assert r.json()["alarms"] == []
    # a batch out of order in itself is evaluated in time order
    t1 = t0 + timedelta(minutes=12)
    batch = [reading("rf-001", t1 + timedelta(minutes=m), 90.0 if m < 7 else 1.0) for m in (7, 3, 0, 5, 1, 6, 2, 4)]
    send(srv, batch)
    alarms = srv.client.get("/api/alarms", headers=srv.login("operator1")).json()["alarms"]
    assert [(a["level"], a["state"]) for a in alarms] == [("alarm", "cleared")]
    assert alarms[0]["raised_at"] == (t1 + timedelta(minutes=5)).isoformat()  # min duration 300 s
    assert alarms[0]["cleared_at"] == (t1 + timedelta(minutes=7)).isoformat()


def st_value(srv):
    return state(srv, "rf-001").last_value


@pytest.mark.parametrize("item, reason", [
    ({"sensor_id": "no-such-sensor", "value": 1.0, "unit": "mm/h"}, "unknown_sensor"),
    ({"sensor_id": "rf-001", "value": 1.0, "unit": "mm"}, "wrong_unit"),
    ({"sensor_id": "rf-001", "value": float("nan"), "unit": "mm/h"}, "not_finite"),
    ({"sensor_id": "rf-001", "value": 301.0, "unit": "mm/h"}, "impossible_value"),
    ({"sensor_id": "rf-001", "value": -0.5, "unit": "mm/h"}, "impossible_value"),
    ({"sensor_id": "rf-001", "value": 1.0, "unit": "mm/h", "time_offset_s": 600}, "future_time"),
    ({"sensor_id": "rf-001", "value": 1.0, "unit": "mm/h", "time_offset_s": -49 * 3600}, "too_old"),
    ({"sensor_id": "rf-001", "value": "1.0", "unit": "mm/h"}, "malformed"),
    ({"sensor_id": "rf-001", "value": True, "unit": "mm/h"}, "malformed"),
    ({"sensor_id": "rf-001", "value": 1.0, "unit": "mm/h", "time": "2026-11-23T01:00:00"}, "malformed"),
    ({"sensor_id": "rf-001", "value": 1.0, "unit": "mm/h", "time": "yesterday"}, "malformed"),
    ({"sensor_id": "rf-001", "value": 1.0, "unit": "mm/h", "colour": "red"}, "malformed"),
    ({"value": 1.0, "unit": "mm/h"}, "malformed"),
])
def test_each_rejection_reason_is_answered_counted_and_not_stored(lite, clock, item, reason):
    item = dict(item)
    offset = item.pop("time_offset_s", -30)
    item.setdefault("time", (clock.now + timedelta(seconds=offset)).isoformat())
    if item["value"] != item["value"]:  # NaN is not JSON: send it the way a careless gateway does
        body = ('{"readings": [{"sensor_id": "rf-001", "time": "%s", "value": NaN, "unit": "mm/h"}]}'
                % item["time"])
        r = lite.client.post("/api/sensors/readings", content=body,
                             headers={**HEADERS, "Content-Type": "application/json"})
        assert r.status_code == 200, r.text
        answer = r.json()
    else:
        answer = send(lite, [reading("rf-001", clock.now - timedelta(seconds=60), 1.0), item])
    rejected = answer["rejected"]
    assert len(rejected) == 1 and rejected[0]["reason"] == reason, answer
    assert rejected[0]["message"]
    assert rejected[0]["index"] == (0 if item["value"] != item["value"] else 1)
    assert raw_count(lite) == (0 if item["value"] != item["value"] else 1)
    counts = lite.client.get("/api/sensors/rejections", headers=lite.login("operator1")).json()["rejections"]
    assert [(c["sensor_id"], c["reason"], c["count"]) for c in counts] == [(item.get("sensor_id", ""), reason, 1)]
    if reason == "impossible_value":
        assert state(lite, "rf-001").state == "fault"


def test_rejections_accumulate_per_sensor_and_reason_and_show_in_the_state(srv, clock):
    at = clock.now - timedelta(seconds=5)
    send(srv, [reading("rf-001", at, 1.0)])
    bad = [reading("rf-001", at, 1.0, unit="cm"), reading("rf-001", at, 999.0), reading("rf-001", at, 1.0, unit="x"),
           reading("wl-001", at, 1.0)]  # wl-001's unit is m
    answer = send(srv, bad)
    assert sorted(r["reason"] for r in answer["rejected"]) == ["impossible_value", "wrong_unit", "wrong_unit",
                                                               "wrong_unit"]
    counts = srv.client.get("/api/sensors/rejections", headers=srv.login("lead1")).json()["rejections"]
    assert {(c["sensor_id"], c["reason"]): c["count"] for c in counts} == {
        ("rf-001", "impossible_value"): 1, ("rf-001", "wrong_unit"): 2, ("wl-001", "wrong_unit"): 1}
    sensors = {s["sensor_id"]: s for s in srv.client.get("/api/sensors", headers=srv.login("operator1")).json()["sensors"]}
    assert sensors["rf-001"]["rejected"] == 3 and sensors["rf-001"]["state"] == "fault"
    assert sensors["wl-001"]["rejected"] == 1
    assert sensors["wl-002"]["state"] == "unknown"
    # a valid reading afterwards ends the fault
    send(srv, [reading("rf-001", at + timedelta(seconds=1), 2.0)])
    assert state(srv, "rf-001").state == "normal"


def test_ingest_needs_a_key_or_an_admin(lite, clock):
    body = [reading("rf-001", clock.now, 1.0)]
    r = lite.client.post("/api/sensors/readings", json={"readings": body})
    assert r.status_code == 401 and r.json()["error"] == "missing_credentials"
    r = lite.client.post("/api/sensors/readings", json={"readings": body}, headers={"X-OneGrid-Ingest-Key": "nope"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_ingest_key"
    r = lite.client.post("/api/sensors/readings", json={"readings": body}, headers=lite.login("operator1"))
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    r = lite.client.post("/api/sensors/readings", json={"readings": body}, headers=lite.login("admin"))
    assert r.status_code == 200 and r.json()["accepted"] == 1


def test_batch_size_and_shape_are_checked(lite, clock):
    too_many = [reading("rf-001", clock.now - timedelta(seconds=i), 1.0) for i in range(5001)]
    r = lite.client.post("/api/sensors/readings", json={"readings": too_many}, headers=HEADERS)
    assert r.status_code == 422
    r = lite.client.post("/api/sensors/readings", json={"readings": [], "extra": 1}, headers=HEADERS)
    assert r.status_code == 422
    assert send(lite, []) == {"accepted": 0, "duplicates": 0, "rejected": []}


def test_history_raw_minute_and_auto(srv, clock):
    t0 = clock.now.replace(second=0) - timedelta(hours=8)
    # one reading every 30 s for 8 hours, in batches
    values = [float(i % 40) for i in range(8 * 120)]
    items = series("rf-001", t0, values, step_s=30)
    for start in range(0, len(items), 1000):
        assert send(srv, items[start:start + 1000])["rejected"] == []
    h = srv.login("operator1")
    url = "/api/sensors/rf-001/readings"
    raw = srv.client.get(url, params={"start": (clock.now - timedelta(hours=1)).isoformat(),
                                      "end": clock.now.isoformat()}, headers=h).json()
    assert raw["resolution"] == "raw" and raw["min"] is None
    assert len(raw["times"]) == 120 and raw["times"] == sorted(raw["times"])
    day = srv.client.get(url, headers=h).json()  # default: the last 24 h → aggregates
    assert day["resolution"] == "minute"
    # the last minute (ending now) is still open: its aggregate is written a few seconds after it ends
    assert len(day["times"]) == 8 * 60 - 1
    clock.advance(seconds=10)
    send(srv, [reading("rf-001", clock.now, 1.0)])
    day = srv.client.get(url, headers=h).json()
    assert len(day["times"]) == 8 * 60
    first = values[0:2]
    assert day["values"][0] == pytest.approx(sum(first) / 2)
    assert day["min"][0] == min(first) and day["max"][0] == max(first)
    assert day["times"][0] == t0.timestamp()
    forced = srv.client.get(url, params={"start": (clock.now - timedelta(hours=1)).isoformat(),
                                         "resolution": "minute"}, headers=h).json()
    assert forced["resolution"] == "minute" and len(forced["times"]) == 60
    bad = srv.client.get(url, params={"start": clock.now.isoformat(), "end": (clock.now - timedelta(hours=1)).isoformat()},
                         headers=h)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_range"
    assert srv.client.get(url, params={"start": "2026-11-23T00:00:00"}, headers=h).json()["error"] == "invalid_time"
    too_long = srv.client.get(url, params={"start": (clock.now - timedelta(days=3)).isoformat(), "resolution": "raw"},
                              headers=h)
    assert too_long.status_code == 400 and too_long.json()["error"] == "range_too_long"
    assert srv.client.get("/api/sensors/nope/readings", headers=h).status_code == 404


def test_unit_handlers_see_only_their_units_sensors(lite, clock):
    send(lite, [reading("rf-001", clock.now, 1.0), reading("wl-001", clock.now, 0.01, unit="m")])
    h = lite.login("handler_drainage_maint")
    ids = {s["sensor_id"] for s in lite.client.get("/api/sensors", headers=h).json()["sensors"]}
    assert "wl-001" in ids and "rf-001" not in ids  # rf-001 belongs to `drainage`
    assert lite.client.get("/api/sensors/rf-001/readings", headers=h).status_code == 403
    assert lite.client.get("/api/sensors/wl-001/readings", headers=h).status_code == 200


def test_retention_purges_raw_readings_and_keeps_aggregates(srv, clock):
    t0 = clock.now - timedelta(hours=47)
    send(srv, series("rf-001", t0, [1.0, 2.0, 3.0], step_s=60))
    send(srv, series("rf-001", clock.now - timedelta(minutes=5), [4.0], step_s=60))
    assert raw_count(srv, "rf-001") == 4
    clock.advance(hours=2)  # the first three are now 49 h old, past the 48 h window
    sensor_maintenance(srv.ctx)
    assert raw_count(srv, "rf-001") == 1
    assert len(minutes(srv, "rf-001")) == 4
    # and a reading that old is refused now
    assert send(srv, [reading("rf-001", t0, 1.0)])["rejected"][0]["reason"] == "too_old"


def test_open_minute_aggregates_are_written_at_stop_and_rebuilt_from_raw_after_a_crash(make_harness, sqlite_url,
                                                                                         clock):
    srv = make_harness(sqlite_url, ingest_keys=KEY, sensor_batch_ms=5)
    minute = clock.now.replace(second=0)
    send(srv, series("rf-001", minute, [1.0, 2.0, 3.0], step_s=10))
    assert minutes(srv, "rf-001") == []  # the minute is still open
    srv.ctx.sensor_ingest.stop()  # a clean stop writes it
    assert [(r[3], r[4]) for r in minutes(srv, "rf-001")] == [(6.0, 3)]
    srv.ctx.sensor_ingest.start()
    # a crash: readings stored, their open minute's bucket lost with the process
    send(srv, series("rf-001", minute + timedelta(seconds=40), [4.0], step_s=10))
    ingest = srv.ctx.sensor_ingest
    ingest._minutes.clear()
    thread, ingest._thread = ingest._thread, None  # as if it died: nothing written at stop
    try:
        other = make_harness(sqlite_url, prepare=False, ingest_keys=KEY, sensor_batch_ms=5)  # the restarted server
        assert [(r[1], r[2], r[3], r[4]) for r in minutes(other, "rf-001")] == [(1.0, 4.0, 10.0, 4)]
    finally:
        ingest._queue.put(None)
        thread.join(5)
