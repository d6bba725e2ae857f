"""MQTT ingest for real, against the machine's Mosquitto (127.0.0.1:1883), with a topic prefix of its own
per test so parallel runs never see each other's readings: payload shapes, bad payloads counted against
the topic's sensor, readings raising an alarm and its case, reconnection after the connection is cut,
a server that starts (and takes HTTP readings) while the broker is unreachable, and bad readings from
gateways and MQTT in the same batch as good ones: only the bad ones are rejected."""
from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import paho.mqtt.client as mqtt
import pytest

from server.sensors.mqtt import readings_topic
from tests.support.faultproxy import FaultProxy
from tests.support.sensor_support import (
    HEADERS,
    KEY,
    REFUSED,
    alarms,
    cases,
    raw_count,
    reading,
    refuse_value,
    rejection_counts,
    send,
)

BROKER = "mqtt://127.0.0.1:1883"


@pytest.fixture
def prefix():
    return f"onegrid-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def publisher():
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"test-pub-{uuid.uuid4().hex[:8]}")
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    yield client
    client.disconnect()
    client.loop_stop()


def publish(client, prefix, sensor_id, payload) -> None:
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    client.publish(readings_topic(prefix, sensor_id), body, qos=1).wait_for_publish(5)


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def subscribed(srv) -> None:
    assert srv.ctx.sensor_ingest.mqtt.wait_connected(10), "the subscriber did not connect to the broker"
    time.sleep(0.2)  # the SUBACK follows the CONNACK


@pytest.fixture
def srv(make_harness, server_db_url, prefix):
    h = make_harness(server_db_url, mqtt_url=BROKER, mqtt_topic_prefix=prefix, sensor_feed_interval_s=0,
                     sensor_batch_ms=50)
    subscribed(h)
    return h


def test_readings_arrive_over_mqtt_in_every_payload_shape(srv, publisher, prefix, clock):
    now = clock.now
    publish(publisher, prefix, "rf-001", {"time": (now - timedelta(seconds=30)).isoformat(), "value": 1.5, "unit": "mm/h"})
    publish(publisher, prefix, "rf-001", [{"time": (now - timedelta(seconds=s)).timestamp(), "value": 2.0, "unit": "mm/h"}
                                          for s in (20, 10)])
    publish(publisher, prefix, "wl-001", {"sensor_id": "wl-001", "time": now.isoformat(), "value": 0.02, "unit": "m"})
    assert wait_for(lambda: raw_count(srv) == 4), raw_count(srv)
    assert raw_count(srv, "rf-001") == 3
    # the same reading again is a duplicate
    publish(publisher, prefix, "wl-001", {"time": now.isoformat(), "value": 0.02, "unit": "m"})
    assert wait_for(lambda: srv.ctx.sensor_ingest.stats.duplicates == 1)
    assert raw_count(srv) == 4


def test_bad_payloads_are_counted_against_the_topics_sensor(srv, publisher, prefix, clock):
    publish(publisher, prefix, "rf-001", b"{not json")
    publish(publisher, prefix, "rf-001", [1, 2])
    publish(publisher, prefix, "rf-001", {"sensor_id": "rf-002", "time": clock.now.isoformat(), "value": 1, "unit": "mm/h"})
    publish(publisher, prefix, "rf-001", {"time": clock.now.isoformat(), "value": 1, "unit": "cm"})
    publish(publisher, prefix, "ghost-9", {"time": clock.now.isoformat(), "value": 1, "unit": "mm/h"})

    def counts():
        r = srv.client.get("/api/sensors/rejections", headers=srv.login("operator1"))
        return {(c["sensor_id"], c["reason"]): c["count"] for c in r.json()["rejections"]}

    expected = {("rf-001", "malformed"): 4, ("rf-001", "wrong_unit"): 1, ("ghost-9", "unknown_sensor"): 1}
    assert wait_for(lambda: counts() == expected), counts()
    assert raw_count(srv) == 0


def test_mqtt_readings_raise_an_alarm_and_open_its_case(srv, publisher, prefix, clock):
    start = clock.now - timedelta(minutes=10)
    publish(publisher, prefix, "rf-001", [{"time": (start + timedelta(minutes=m)).isoformat(), "value": 60.0,
                                           "unit": "mm/h"} for m in range(7)])
    assert wait_for(lambda: bool(alarms(srv, "rf-001")) and alarms(srv, "rf-001")[0]["case_id"] is not None)
    (alarm,) = alarms(srv, "rf-001")
    assert alarm["level"] == "alarm"
    (case,) = cases(srv)
    assert case["id"] == alarm["case_id"] and case["status"] == "dispatched"


def test_the_subscriber_reconnects_after_its_connection_is_cut(make_harness, sqlite_url, publisher, prefix, clock):
    proxy = FaultProxy(1883).start()
    try:
        srv = make_harness(sqlite_url, mqtt_url=f"mqtt://127.0.0.1:{proxy.port}", mqtt_topic_prefix=prefix,
                           sensor_batch_ms=20)
        subscribed(srv)
        publish(publisher, prefix, "rf-001", {"time": clock.now.isoformat(), "value": 1.0, "unit": "mm/h"})
        assert wait_for(lambda: raw_count(srv) == 1)
        proxy.set_mode("drop")
        assert wait_for(lambda: not srv.ctx.sensor_ingest.mqtt.connected.is_set(), 10)
        proxy.set_mode("pass")
        subscribed(srv)  # paho reconnects with backoff and the subscriber subscribes again
        publish(publisher, prefix, "rf-001", {"time": (clock.now + timedelta(seconds=1)).isoformat(), "value": 2.0,
                                              "unit": "mm/h"})
        assert wait_for(lambda: raw_count(srv) == 2)
        assert proxy.stats.connections >= 2
    finally:
        proxy.stop()


def test_an_unreachable_broker_does_not_stop_the_server(make_harness, sqlite_url, clock):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = make_harness(sqlite_url, mqtt_url=f"mqtt://127.0.0.1:{port}", ingest_keys=KEY, sensor_batch_ms=5)
    assert srv.client.get("/healthz").status_code == 200
    assert send(srv, [reading("rf-001", clock.now, 1.0)])["accepted"] == 1
    assert not srv.ctx.sensor_ingest.mqtt.connected.is_set()


def test_a_bad_mqtt_url_is_refused_clearly(make_harness, sqlite_url):
    from server.sensors.mqtt import MqttUrlError

    with pytest.raises(MqttUrlError, match="mqtt://host"):
        make_harness(sqlite_url, mqtt_url="http://127.0.0.1:1883")


OTHER_KEY = "second-gateway-key"


def test_bad_readings_from_gateways_and_mqtt_in_one_batch_are_rejected_alone(server_db_url, make_harness, publisher,
                                                                               prefix, clock, monkeypatch, caplog):
    """Two gateways over HTTP and MQTT messages, all written by the ingest writer in one batch (it is held
    on a first batch until everything is queued), with bad readings of every kind among good ones: a
    NUL in a sensor id, a year-9999 time with a -14:00 offset, 10^400, true as a value, and readings the
    database refuses. Every good reading is stored; each bad one is answered or counted with its reason;
    nothing is dropped without a trace."""
    srv = make_harness(server_db_url, mqtt_url=BROKER, mqtt_topic_prefix=prefix, sensor_feed_interval_s=0,
                       sensor_batch_ms=50, ingest_keys=f"{KEY}, {OTHER_KEY}")
    subscribed(srv)
    refuse_value(srv)
    ingest = srv.ctx.sensor_ingest
    batches: list[int] = []  # readings per batch the writer writes
    entered, release = threading.Event(), threading.Event()
    process = ingest.process

    def held(jobs):
        batches.append(sum(len(job.items) for job in jobs))
        if not entered.is_set():
            entered.set()
            release.wait(30)
        return process(jobs)

    monkeypatch.setattr(ingest, "process", held)
    try:
        send_all_at_once(srv, publisher, prefix, ingest, clock, entered, release, batches, caplog)
    finally:
        release.set()


def send_all_at_once(srv, publisher, prefix, ingest, clock, entered, release, batches, caplog):
    caplog.set_level(logging.INFO, logger="server.sensors.ingest")
    at = clock.now - timedelta(seconds=30)
    ingest.submit([reading("rf-001", at, 1.0)], source="test")  # the first batch, held
    assert entered.wait(10)

    def wl(sid, value=0.05, **change):
        return {**reading(sid, at, value, unit="m"), **change}

    gateway_a = [wl("wl-001"), wl("wl-002", sensor_id="wl-\x00002"), wl("wl-003"),
                 wl("wl-004", time="9999-12-31T23:59:59-14:00"), wl("wl-005", REFUSED), wl("wl-006")]
    gateway_b = [wl(f"wl-{i:03d}") for i in range(7, 12)]
    later = (at + timedelta(seconds=1)).isoformat()
    publish(publisher, prefix, "wl-012", {"time": at.isoformat(), "value": 0.05, "unit": "m"})
    publish(publisher, prefix, "wl-013", [{"time": at.isoformat(), "value": 10**400, "unit": "m"},
                                          {"time": later, "value": 0.05, "unit": "m"}])
    publish(publisher, prefix, "wl-014", {"time": "9999-12-31T23:59:59-14:00", "value": 0.05, "unit": "m"})
    publish(publisher, prefix, "wl-015", [{"time": at.isoformat(), "value": True, "unit": "m"},
                                          {"time": later, "value": REFUSED, "unit": "m"},
                                          {"time": (at + timedelta(seconds=2)).isoformat(), "value": 0.05, "unit": "m"}])
    with ThreadPoolExecutor(2) as pool:
        sent_a = pool.submit(srv.client.post, "/api/sensors/readings", json={"readings": gateway_a}, headers=HEADERS)
        sent_b = pool.submit(srv.client.post, "/api/sensors/readings", json={"readings": gateway_b},
                             headers={"X-OneGrid-Ingest-Key": OTHER_KEY})
        assert wait_for(lambda: ingest._queue.qsize() == 6), ingest._queue.qsize()  # 2 HTTP batches, 4 messages
        release.set()
        answer_a, answer_b = sent_a.result(30), sent_b.result(30)

    assert batches == [1, 6 + 5 + 1 + 2 + 1 + 3]  # everything after the held batch was written together
    assert answer_b.status_code == 200, answer_b.text
    assert answer_b.json() == {"accepted": 5, "duplicates": 0, "rejected": []}
    assert answer_a.status_code == 200, answer_a.text
    assert answer_a.json()["accepted"] == 3
    rejected = answer_a.json()["rejected"]
    assert [(r["index"], r["sensor_id"], r["reason"]) for r in rejected] == [
        (1, "wl-\\x00002", "malformed"), (3, "wl-004", "malformed"), (4, "wl-005", "store_refused")]
    assert rejected[0]["message"].startswith("sensor_id: ") and rejected[1]["message"].startswith("time: ")
    assert rejected[2]["message"].startswith("the database refused to store this reading")
    # the good readings, from both paths, all stored
    assert wait_for(lambda: raw_count(srv) == 1 + 3 + 5 + 1 + 1 + 1), raw_count(srv)
    assert [raw_count(srv, sid) for sid in ("wl-012", "wl-013", "wl-014", "wl-015")] == [1, 1, 0, 1]
    # the refused MQTT readings counted against their sensors with their reasons, and logged
    counts = rejection_counts(srv)
    assert counts == {("wl-\\x00002", "malformed"): 1, ("wl-004", "malformed"): 1, ("wl-005", "store_refused"): 1,
                      ("wl-013", "not_finite"): 1, ("wl-014", "malformed"): 1, ("wl-015", "malformed"): 1,
                      ("wl-015", "store_refused"): 1}, counts
    assert {k: n for k, n in ingest.stats.rejected_by.items() if k[0] == "mqtt"} == {
        ("mqtt", "not_finite"): 1, ("mqtt", "malformed"): 2, ("mqtt", "store_refused"): 1}
    assert ingest.stats.lost == 0
    assert "mqtt malformed: 2" in caplog.text and "mqtt not_finite: 1" in caplog.text
    assert "rejected (store_refused): mqtt reading #1 of sensor wl-015" in caplog.text
    # and the writer goes on: the next readings are stored at once
    publish(publisher, prefix, "wl-012", {"time": clock.now.isoformat(), "value": 0.06, "unit": "m"})
    assert send(srv, [reading("rf-001", clock.now, 1.5)])["accepted"] == 1
    assert wait_for(lambda: raw_count(srv, "wl-012") == 2)


def test_payloads_the_json_parser_gives_up_on_are_counted_not_lost(srv, publisher, prefix, clock):
    """Nesting deeper than Python's recursion limit and an integer of more than 4,300 digits are not
    JSON errors to Python's parser (RecursionError, ValueError): each is still one malformed message."""
    publish(publisher, prefix, "rf-001", b"[" * 100_000 + b"]" * 100_000)
    publish(publisher, prefix, "rf-001", b'{"time": 1, "value": 1' + b"0" * 5000 + b', "unit": "mm/h"}')
    publish(publisher, prefix, "rf-001", {"time": clock.now.isoformat(), "value": 1.0, "unit": "mm/h"})
    assert wait_for(lambda: rejection_counts(srv) == {("rf-001", "malformed"): 2}), rejection_counts(srv)
    assert wait_for(lambda: raw_count(srv) == 1)
