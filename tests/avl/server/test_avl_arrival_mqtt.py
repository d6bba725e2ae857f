"""Reports over MQTT for real (the machine's Mosquitto, a topic prefix per test), and arrival on site seen
by the server: the crew's vehicle or the inspector's handset within the radius records the system's
`arrive` on the case (once), a vehicle of another unit or one far away does not, and the arrival shows in
the case's feed entry and in the device's current case."""
from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta

import paho.mqtt.client as mqtt
import pytest

from app.platform.geo import haversine_m
from server.avl import store
from server.avl.mqtt import positions_topic
from tests.support.sensor_support import HEADERS, KEY

BROKER = "mqtt://127.0.0.1:1883"


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


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


def test_reports_arrive_over_mqtt_and_bad_payloads_are_counted(make_harness, sqlite_url, prefix, publisher, clock):
    srv = make_harness(sqlite_url, mqtt_url=BROKER, mqtt_topic_prefix=prefix, avl_feed_throttle_s=0)
    sub = srv.ctx.position_ingest.mqtt
    assert sub.wait_connected(10)
    time.sleep(0.3)
    now = clock.now
    good = [{"time": (now - timedelta(seconds=2)).isoformat(), "lat": 30.26, "lon": 120.15},
            {"time": (now - timedelta(seconds=1)).isoformat(), "lat": 30.261, "lon": 120.15, "heading": 45}]
    for payload in (json.dumps(good), b"{not json", json.dumps({"time": now.isoformat(), "lat": 91, "lon": 0}),
                    json.dumps({"device_id": "PAT-R1", "time": now.isoformat(), "lat": 30.2, "lon": 120.1})):
        publisher.publish(positions_topic(prefix, "SAN-W01"), payload, qos=1).wait_for_publish(5)
    publisher.publish(positions_topic(prefix, "GHOST"), json.dumps(good[0]), qos=1).wait_for_publish(5)

    def counts():
        with srv.ctx.db.reader() as session:
            return {(r["device_id"], r["reason"]): r["count"] for r in store.rejections(session)}

    assert wait_for(lambda: sum(counts().values()) == 4), counts()
    assert counts() == {("SAN-W01", "malformed"): 2, ("SAN-W01", "impossible_coordinates"): 1,
                        ("GHOST", "unknown_device"): 1}
    with srv.ctx.db.reader() as session:
        assert store.stored_count(session) == 2
    page = srv.changes("lead1")
    fed = {c["id"]: c["data"] for c in page["changes"] if c["kind"] == "position"}
    assert fed["SAN-W01"]["lat"] == 30.261 and fed["SAN-W01"]["heading"] == 45


def near(lat, lon, metres_north):
    return lat + metres_north / 111_195, lon


def test_the_crews_vehicle_on_site_records_the_arrival(make_harness, server_db_url, clock):
    srv = make_harness(server_db_url, ingest_keys=KEY, avl_feed_throttle_s=0)
    case = srv.case_at("registered")
    lat, lon = case["location"]["lat"], case["location"]["lon"]
    assert srv.do("operator1", "dispatch", case["id"], {"unit_id": "roads"})["status"] == "accepted"

    def send(device, north):
        plat, plon = near(lat, lon, north)
        clock.advance(seconds=5)
        r = srv.client.post("/api/positions", headers=HEADERS, json={"positions": [
            {"device_id": device, "time": clock.now.isoformat(), "lat": plat, "lon": plon}]})
        assert r.status_code == 200 and r.json()["accepted"] == 1, r.text

    def events():
        r = srv.client.get(f"/api/cases/{case['id']}", headers=srv.login("lead1"))
        return [e for e in r.json()["events"] if e["action"] == "arrive"]

    send("SAN-W01", 20)   # on the spot, but sanitation's truck: not this case's crew
    send("PAT-R1", 800)   # roads' patrol car, 800 m away: on its way
    assert events() == []
    fed = {c["id"]: c["data"] for c in srv.changes("lead1")["changes"] if c["kind"] == "position"}
    assert fed["PAT-R1"]["case_id"] == case["id"] and fed["SAN-W01"]["case_id"] is None
    assert haversine_m(lat, lon, *near(lat, lon, 800)) == pytest.approx(800, rel=0.01)
    send("PAT-R1", 60)    # within 100 m
    (arrived,) = events()
    assert arrived["actor"] == "system" and arrived["payload"]["who"] == "unit"
    assert arrived["payload"]["device_id"] == "PAT-R1" and arrived["payload"]["distance_m"] == pytest.approx(60, abs=2)
    send("PAT-R1", 10)    # still there: recorded once
    assert len(events()) == 1
    assert srv.ctx.position_ingest.counts["arrivals"] == 1


def test_the_inspectors_handset_records_their_arrival(make_harness, sqlite_url, clock):
    srv = make_harness(sqlite_url, ingest_keys=KEY, avl_feed_throttle_s=0)
    case = srv.case_at("verifying")  # sent to inspector1 (handset HS-I1)
    lat, lon = case["location"]["lat"], case["location"]["lon"]
    clock.advance(seconds=5)
    r = srv.client.post("/api/positions", headers=HEADERS, json={"positions": [
        {"device_id": "HS-I2", "time": clock.now.isoformat(), "lat": lat, "lon": lon},
        {"device_id": "HS-I1", "time": clock.now.isoformat(), "lat": lat, "lon": lon}]})
    assert r.json()["accepted"] == 2
    got = srv.client.get(f"/api/cases/{case['id']}", headers=srv.login("lead1")).json()
    arrivals = [e for e in got["events"] if e["action"] == "arrive"]
    assert [(e["payload"]["who"], e["payload"]["device_id"]) for e in arrivals] == [("inspector", "HS-I1")]
