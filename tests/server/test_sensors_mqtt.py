"""MQTT ingest for real, against the machine's Mosquitto (127.0.0.1:1883), with a topic prefix of its own
per test so parallel runs never see each other's readings: payload shapes, bad payloads counted against
the topic's sensor, readings raising an alarm and its case, reconnection after the connection is cut,
and a server that starts (and takes HTTP readings) while the broker is unreachable."""
from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta

import paho.mqtt.client as mqtt
import pytest

from server.sensors.mqtt import readings_topic
from tests.server.sensor_support import KEY, alarms, cases, raw_count, reading, send
from tests.sync.faultproxy import FaultProxy

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
