"""MQTT ingest that loses nothing and does no work twice, against the machine's Mosquitto: QoS 1 readings
published while the server is stopped are delivered to it when it starts again (its worker slot's
persistent session) and stored and evaluated exactly once; two server processes on one database share
the subscription, so each reading reaches one of them and is evaluated once; a message is acknowledged
to the broker only once its readings are written."""
from __future__ import annotations

import json
import uuid
from datetime import timedelta

import paho.mqtt.client as mqtt
import pytest

from server.sensors.mqtt import readings_topic
from tests.support.sensor_support import raw_count
from tests.support.server import Harness, prepare_database

from .test_sensors_mqtt import BROKER, subscribed, wait_for

SENSORS = ("rf-001", "rf-002", "rf-003")


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


def publish_series(client, prefix, start, count: int, *, offset: int = 0) -> None:
    """`count` readings spread over the sensors, one per message, in time order, at QoS 1."""
    for i in range(offset, offset + count):
        sid = SENSORS[i % len(SENSORS)]
        body = json.dumps({"time": (start + timedelta(seconds=i)).isoformat(), "value": 1.0 + (i % 5) / 10,
                           "unit": "mm/h"})
        client.publish(readings_topic(prefix, sid), body, qos=1).wait_for_publish(5)


@pytest.fixture
def servers(refdata, clock):
    """Start (and at the end stop) servers on one database, like `make_harness`, but stoppable mid-test."""
    running: list[Harness] = []

    def start(url: str, **settings) -> Harness:
        harness = Harness(url, refdata, clock, **settings).__enter__()
        running.append(harness)
        return harness

    def stop(harness: Harness) -> None:
        running.remove(harness)
        harness.__exit__(None, None, None)

    start.stop = stop
    yield start
    for harness in reversed(running):
        harness.__exit__(None, None, None)


def test_readings_published_while_the_server_is_down_arrive_exactly_once(server_db_url, refdata, clock, prefix,
                                                                          publisher, servers):
    prepare_database(server_db_url, refdata)
    settings = dict(mqtt_url=BROKER, mqtt_topic_prefix=prefix, sensor_batch_ms=50, mqtt_session_expiry_s=600)
    start = clock.now - timedelta(minutes=20)
    first = servers(server_db_url, **settings)
    subscribed(first)
    assert first.ctx.sensor_ingest.mqtt.client_id == f"onegrid-server-{prefix}-0"
    assert first.ctx.sensor_ingest.mqtt.subscription == f"$share/onegrid/{prefix}/sensors/+/readings"
    publish_series(publisher, prefix, start, 6)
    assert wait_for(lambda: raw_count(first) == 6), raw_count(first)
    servers.stop(first)

    publish_series(publisher, prefix, start, 150, offset=6)  # nobody subscribed: the broker queues them

    second = servers(server_db_url, **settings)
    subscribed(second)
    ingest = second.ctx.sensor_ingest
    assert ingest.mqtt.client_id == f"onegrid-server-{prefix}-0" and ingest.mqtt.session_present
    assert wait_for(lambda: ingest.stats.accepted == 150, 20), ingest.stats
    assert raw_count(second) == 156
    assert (ingest.stats.duplicates, ingest.stats.evaluated, ingest.stats.lost) == (0, 150, 0)
    assert {sid: raw_count(second, sid) for sid in SENSORS} == {"rf-001": 52, "rf-002": 52, "rf-003": 52}


def test_readings_a_stopped_server_had_not_written_are_delivered_again(pg_url, refdata, clock, prefix, publisher,
                                                                         servers, monkeypatch):
    """A server stopped with readings received but not written (the writer held) never acknowledged them:
    the next server of the slot gets them again and stores them."""
    prepare_database(pg_url, refdata)
    settings = dict(mqtt_url=BROKER, mqtt_topic_prefix=prefix, sensor_batch_ms=20, mqtt_session_expiry_s=600)
    first = servers(pg_url, **settings)
    subscribed(first)
    ingest = first.ctx.sensor_ingest
    monkeypatch.setattr(ingest, "_queue", type(ingest._queue)())  # received here, never seen by the writer
    publish_series(publisher, prefix, clock.now - timedelta(minutes=5), 9)
    assert wait_for(lambda: ingest._queue.qsize() == 9)
    servers.stop(first)
    assert raw_count(first) == 0

    second = servers(pg_url, **settings)
    subscribed(second)
    assert wait_for(lambda: raw_count(second) == 9, 20), raw_count(second)
    assert second.ctx.sensor_ingest.stats.evaluated == 9


def test_two_server_processes_share_the_subscription_and_evaluate_each_reading_once(pg_url, refdata, clock, prefix,
                                                                                      publisher, servers):
    prepare_database(pg_url, refdata)
    settings = dict(mqtt_url=BROKER, mqtt_topic_prefix=prefix, sensor_batch_ms=20, mqtt_session_expiry_s=600,
                    sensor_feed_interval_s=0)
    workers = [servers(pg_url, **settings), servers(pg_url, **settings)]
    for w in workers:
        subscribed(w)
    ids = sorted(w.ctx.sensor_ingest.mqtt.client_id for w in workers)
    assert ids == [f"onegrid-server-{prefix}-0", f"onegrid-server-{prefix}-1"]  # one slot each
    publish_series(publisher, prefix, clock.now - timedelta(minutes=10), 120)
    stats = [w.ctx.sensor_ingest.stats for w in workers]
    assert wait_for(lambda: sum(s.accepted for s in stats) == 120, 20), stats
    assert raw_count(workers[0]) == 120
    assert sum(s.evaluated for s in stats) == 120  # not 240: each reading reached one process
    assert [s.duplicates for s in stats] == [0, 0]
    assert all(w.ctx.sensor_ingest.mqtt.messages > 0 for w in workers)  # both took a share
    assert sum(w.ctx.sensor_ingest.mqtt.messages for w in workers) == 120
