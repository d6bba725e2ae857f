"""The server's watch for arrivals keeps the open trips in memory and reads, after its first full read, only
the cases changed since (the changes feed past its cursor): a case dispatched later is watched, an arrival
or a reassignment moves the trip, and the device's current case follows."""
from __future__ import annotations

import pytest

from server.avl import arrivals
from tests.support.sensor_support import HEADERS, KEY


@pytest.fixture
def srv(make_harness, server_db_url, monkeypatch):
    monkeypatch.setattr(arrivals, "REFRESH_S", 0.0)  # every batch reads the changes (no waiting 5 s)
    return make_harness(server_db_url, ingest_keys=KEY, avl_feed_throttle_s=0)


def north(lat, metres):
    return lat + metres / 111_195


def test_cases_changed_after_the_first_read_are_watched_from_the_feed(srv, clock):
    watch = srv.ctx.position_ingest.arrivals

    def send(device, lat, lon):
        clock.advance(seconds=5)
        r = srv.client.post("/api/positions", headers=HEADERS, json={"positions": [
            {"device_id": device, "time": clock.now.isoformat(), "lat": lat, "lon": lon}]})
        assert r.status_code == 200 and r.json()["accepted"] == 1, r.text

    def arrivals_of(case):
        r = srv.client.get(f"/api/cases/{case['id']}", headers=srv.login("lead1"))
        return [e["payload"].get("device_id") for e in r.json()["events"] if e["action"] == "arrive"]

    def fed_case(device):
        fed = {c["id"]: c["data"] for c in srv.changes("lead1")["changes"] if c["kind"] == "position"}
        return fed[device]["case_id"]

    first = srv.case_at("registered")
    lat, lon = first["location"]["lat"], first["location"]["lon"]
    send("PAT-R1", north(lat, 3000), lon)              # the first batch: the whole read (nobody on the way)
    assert watch.reads == {"full": 1, "changed_cases": 0} and watch.last_refresh["trips"] == 0
    assert srv.do("operator1", "dispatch", first["id"], {"unit_id": "roads"})["status"] == "accepted"
    send("PAT-R1", north(lat, 2000), lon)              # the next: only the case that changed
    assert watch.reads == {"full": 1, "changed_cases": 1} and watch.last_refresh["trips"] == 1
    assert fed_case("PAT-R1") == first["id"]
    send("PAT-R1", north(lat, 40), lon)
    assert arrivals_of(first) == ["PAT-R1"]
    send("PAT-R1", north(lat, 30), lon)                # arrived: no longer on its way there
    assert watch.last_refresh["trips"] == 0 and fed_case("PAT-R1") is None
    # a reassignment to another unit is a new trip for that unit's crew only
    assert srv.do("operator1", "reassign", first["id"], {"unit_id": "sanitation_west"})["status"] == "accepted"
    send("PAT-R1", north(lat, 10), lon)
    assert arrivals_of(first) == ["PAT-R1"] and fed_case("PAT-R1") is None
    send("SAN-W01", north(lat, -50), lon)
    assert arrivals_of(first) == ["PAT-R1", "SAN-W01"]
    assert srv.ctx.position_ingest.counts["arrivals"] == 2
