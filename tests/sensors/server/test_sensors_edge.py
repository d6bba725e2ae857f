"""Sensor endpoints at the edge: every kind of input no database column can hold (NUL, lone surrogates,
times out of range, numbers beyond a float, true/false as a number) is refused naming the field — the
reading alone in a gateway batch, the request on the query and alarm endpoints — never a 500; and a
reading the database itself refuses fails alone, the rest of its batch stored (SQLite and PostgreSQL)."""
from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

import server.sensors.ingest as ingest_module
from db.audit import AuditEntryRow
from tests.support.sensor_support import (
    HEADERS,
    KEY,
    REFUSED,
    alarms,
    feed_step,
    raw_count,
    reading,
    refuse_value,
    rejection_counts,
    send,
    series,
    state,
)

RAW = "__raw_json__:"  # a value written into the body as this JSON text, unquoted (1e400, NaN: not Python's json)


@pytest.fixture
def srv(make_harness, server_db_url):
    return make_harness(server_db_url, ingest_keys=KEY, sensor_feed_interval_s=0, sensor_batch_ms=5)


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.02)
    return predicate()


def post_raw(srv, readings: list[dict], headers: dict | None = None):
    """POST the readings as JSON written here: lone surrogates as \\ud800 escapes, RAW values unquoted."""
    body = json.dumps({"readings": readings})  # ensure_ascii: a lone surrogate is sent as its escape
    for item in readings:
        for value in item.values():
            if isinstance(value, str) and value.startswith(RAW):
                body = body.replace(json.dumps(value), value.removeprefix(RAW))
    return srv.client.post("/api/sensors/readings", content=body,
                           headers={**(HEADERS if headers is None else headers), "Content-Type": "application/json"})


# (what the bad reading changes, the reason, the field its message names, the sensor id it is counted under)
BAD_READINGS = {
    "nul_in_sensor_id": ({"sensor_id": "rf-\x00001"}, "malformed", "sensor_id", "rf-\\x00001"),
    "lone_surrogate_in_sensor_id": ({"sensor_id": "rf-\ud800"}, "malformed", "sensor_id", "rf-\\ud800"),
    "nul_in_unit": ({"unit": "mm/h\x00"}, "malformed", "unit", "rf-001"),
    "nul_in_a_field_name": ({"colour\x00": "red"}, "malformed", "colour\\x00", "rf-001"),
    "year_1_at_plus_14": ({"time": "0001-01-01T00:00:00+14:00"}, "malformed", "time", "rf-001"),
    "year_9999_at_minus_14": ({"time": "9999-12-31T23:59:59-14:00"}, "malformed", "time", "rf-001"),
    "year_1_in_utc": ({"time": "0001-01-01T00:00:00+00:00"}, "malformed", "time", "rf-001"),
    "epoch_seconds_10e400": ({"time": 10**400}, "malformed", "time", "rf-001"),
    "epoch_seconds_1e20": ({"time": 1e20}, "malformed", "time", "rf-001"),
    "value_10e400": ({"value": 10**400}, "not_finite", "value", "rf-001"),
    "value_1e400": ({"value": RAW + "1e400"}, "not_finite", "value", "rf-001"),
    "value_minus_1e400": ({"value": RAW + "-1e400"}, "not_finite", "value", "rf-001"),
    "value_infinity": ({"value": RAW + "Infinity"}, "not_finite", "value", "rf-001"),
    "value_inf_as_text": ({"value": "inf"}, "malformed", "value", "rf-001"),
    "value_true": ({"value": True}, "malformed", "value", "rf-001"),
    "value_false": ({"value": False}, "malformed", "value", "rf-001"),
    "time_true": ({"time": True}, "malformed", "time", "rf-001"),
}


@pytest.mark.parametrize("case", list(BAD_READINGS))
def test_a_bad_reading_is_rejected_alone_naming_its_field(srv, clock, case):
    change, reason, field, counted_as = BAD_READINGS[case]
    good = reading("rf-001", clock.now - timedelta(seconds=20), 1.0)
    bad = {**reading("rf-001", clock.now - timedelta(seconds=10), 2.0), **change}
    after = reading("wl-001", clock.now - timedelta(seconds=10), 0.05, unit="m")
    r = post_raw(srv, [good, bad, after])
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["accepted"] == 2 and answer["duplicates"] == 0, answer
    (rejection,) = answer["rejected"]
    assert (rejection["index"], rejection["reason"], rejection["sensor_id"]) == (1, reason, counted_as)
    assert rejection["message"].startswith(f"{field}: "), rejection["message"]
    assert "\x00" not in r.text and "\\u0000" not in r.text  # nothing the caller could not read back
    assert raw_count(srv) == 2
    assert rejection_counts(srv) == {(counted_as, reason): 1}
    # nothing is left half-written: the next batch goes through as usual
    assert send(srv, [reading("rf-001", clock.now, 3.0)]) == {"accepted": 1, "duplicates": 0, "rejected": []}


def test_an_admin_sending_a_bad_reading_gets_its_rejection_and_a_handler_is_refused(srv, clock):
    bad = {**reading("rf-001", clock.now, 1.0), "time": "9999-12-31T23:59:59-14:00"}
    good = reading("rf-001", clock.now - timedelta(seconds=5), 1.0)
    r = post_raw(srv, [bad, good], headers=srv.login("admin"))
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 1 and [x["reason"] for x in r.json()["rejected"]] == ["malformed"]
    r = post_raw(srv, [bad], headers=srv.login("handler_drainage"))
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    assert raw_count(srv) == 1


@pytest.mark.parametrize("params, field", [
    ({"start": "0001-01-01T00:00:00+14:00"}, "start"),
    ({"end": "9999-12-31T23:59:59-14:00"}, "end"),
    ({"end": "0001-01-01T10:00:00+00:00"}, "end"),
    ({"start": "2026-11-22T00:00:00+00:00", "end": "9999-12-31T00:00:00+00:00"}, "end"),
])
def test_a_readings_range_out_of_bounds_is_a_400_naming_the_bound(srv, params, field):
    for user in ("operator1", "handler_drainage"):
        r = srv.client.get("/api/sensors/rf-001/readings", params=params, headers=srv.login(user))
        assert r.status_code == 400, r.text
        assert r.json()["error"] == "invalid_time" and r.json()["message"].startswith(f"{field} "), r.json()


def test_a_nul_in_a_sensor_id_of_a_query_is_a_422_naming_it(srv):
    h = srv.login("operator1")
    r = srv.client.get("/api/sensors/rf-%00001/readings", headers=h)
    assert r.status_code == 422 and r.json()["details"][0]["loc"] == ["path", "sensor_id"], r.text
    r = srv.client.get("/api/alarms", params={"sensor_id": "rf-\x00001"}, headers=h)
    assert r.status_code == 422 and r.json()["details"][0]["loc"] == ["query", "sensor_id"], r.text
    r = srv.client.get("/api/alarms", params={"sensor_id": "rf-001"}, headers=srv.login("handler_drainage"))
    assert r.status_code == 200  # the same query with a clean id


def test_a_nul_in_an_acknowledge_note_or_a_clear_reason_is_a_422_and_changes_nothing(srv, clock):
    feed_step(srv, "rf-001", clock.now, [30] * 6)  # over the warning line for 5 minutes: one alarm
    (alarm,) = alarms(srv, "rf-001")
    url = f"/api/alarms/{alarm['id']}"
    r = srv.client.post(f"{url}/acknowledge", json={"note": "seen\x00"}, headers=srv.login("operator1"))
    assert r.status_code == 422 and r.json()["details"][0]["loc"] == ["body", "note"], r.text
    r = srv.client.post(f"{url}/clear", json={"reason": "fixed\x00"}, headers=srv.login("lead1"))
    assert r.status_code == 422 and r.json()["details"][0]["loc"] == ["body", "reason"], r.text
    r = srv.client.post(f"{url}/clear", content=json.dumps({"reason": "fixed\ud800"}),
                        headers={**srv.login("handler_drainage"), "Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["details"][0]["loc"] == ["body", "reason"], r.text
    assert alarms(srv, "rf-001")[0]["state"] == "raised"
    r = srv.client.post(f"/api/alarms/{uuid.uuid4()}/acknowledge", json={"note": "seen"},
                        headers=srv.login("operator1"))
    assert r.status_code == 404  # a clean note on an unknown alarm: as before


def test_a_reading_the_database_refuses_fails_alone_and_the_rest_of_the_batch_is_stored(srv, clock):
    """The database refuses one reading inside a batch: the batch is written again in parts, the refused
    reading answered `store_refused`, every other reading stored and evaluated as if it had never come —
    the evaluation of the failed attempts is forgotten, so the alarm rises when it should."""
    refuse_value(srv)
    t0 = clock.now - timedelta(minutes=8)
    batch = series("rf-001", t0, [60.0] * 8)  # over the alarm line for 7 minutes: alarm after 5
    batch.insert(4, reading("rf-001", t0 + timedelta(minutes=3, seconds=30), REFUSED))
    batch.append(reading("wl-001", t0, 0.05, unit="m"))
    batch.append({**reading("wl-002", t0, 0.05, unit="m"), "value": True})  # and one refused at the edge
    answer = send(srv, batch)
    assert answer["accepted"] == 9 and answer["duplicates"] == 0, answer
    assert [(r["index"], r["sensor_id"], r["reason"]) for r in answer["rejected"]] == [
        (4, "rf-001", "store_refused"), (10, "wl-002", "malformed")]
    assert "database refused" in answer["rejected"][0]["message"]
    assert raw_count(srv) == 9 and raw_count(srv, "rf-001") == 8
    # had the refused reading been evaluated, the alarm line would have been left at 3.5 min and no alarm raised
    (alarm,) = alarms(srv, "rf-001")
    assert alarm["level"] == "alarm" and alarm["raised_at"] == (t0 + timedelta(minutes=5)).isoformat()
    assert rejection_counts(srv) == {("rf-001", "store_refused"): 1, ("wl-002", "malformed"): 1}
    stats = srv.ctx.sensor_ingest.stats
    assert stats.rejected_by[("http", "store_refused")] == 1 and stats.accepted == 9
    with srv.ctx.db.reader() as s:  # the sender's batch audited once, with its final outcome
        (detail,) = s.execute(select(AuditEntryRow.detail).where(AuditEntryRow.action == "sensor_readings")).scalars()
    assert detail["accepted"] == 9 and [r["index"] for r in detail["rejected"]] == [4, 10]
    # the refusal shows in the sensor's state with its next reading; the next batch is written at once
    assert send(srv, [reading("rf-001", clock.now, 61.0)])["accepted"] == 1
    assert state(srv, "rf-001").rejected == 1
    # a reading the database refuses again, alone in its batch
    answer = send(srv, [reading("rf-001", clock.now + timedelta(seconds=1), REFUSED)])
    assert answer["accepted"] == 0 and [r["reason"] for r in answer["rejected"]] == ["store_refused"]
    assert rejection_counts(srv)[("rf-001", "store_refused")] == 2


def test_a_database_that_cannot_be_reached_fails_the_batch_at_once_and_counts_what_is_lost(srv, clock, monkeypatch):
    """Not one reading's fault: the batch is not split into parts that would all fail the same way; the
    gateway gets a 503 (and may send again), readings nobody waits for (MQTT) are counted as lost."""
    ingest = srv.ctx.sensor_ingest
    calls = []

    def unreachable(session, readings):
        calls.append(len(readings))
        raise OperationalError("INSERT", {}, Exception("connection refused"))

    monkeypatch.setattr(ingest_module, "insert_raw", unreachable)
    batch = series("rf-001", clock.now - timedelta(minutes=10), [1.0] * 8)
    r = srv.client.post("/api/sensors/readings", json={"readings": batch}, headers=HEADERS)
    assert r.status_code == 503 and r.json()["error"] == "database_unavailable", r.text
    assert calls == [8]
    ingest.submit(series("rf-002", clock.now - timedelta(minutes=10), [1.0] * 3), source="mqtt")
    assert wait_for(lambda: ingest.stats.lost == 3)
    assert calls == [8, 3]
    # a message the broker delivers again unless acknowledged is kept, written again once the database is
    # back, and acknowledged (on_done) only then
    acked = []
    ingest.submit(series("rf-003", clock.now - timedelta(minutes=10), [1.0] * 2), source="mqtt",
                  on_done=lambda: acked.append(1))
    assert wait_for(lambda: calls[-1:] == [2] and len(calls) >= 4)  # written again after a failure
    assert acked == [] and ingest.stats.lost == 3
    monkeypatch.undo()
    assert wait_for(lambda: acked == [1], 15)
    assert raw_count(srv, "rf-003") == 2 and ingest.stats.lost == 3
    assert send(srv, batch)["accepted"] == 8
    with srv.ctx.db.reader() as s:
        assert s.execute(select(func.count()).select_from(AuditEntryRow)
                         .where(AuditEntryRow.action == "sensor_readings")).scalar() == 0
