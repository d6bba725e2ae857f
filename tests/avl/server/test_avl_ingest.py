"""Position ingest over HTTP on SQLite and PostgreSQL: good reports stored (raw track and latest), every bad
one refused with its reason and counted, the feed throttled per device and scoped per unit, a track
replayed for a window, who may send and read, and the track's retention."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.refdata.devices import Device
from server.avl import store
from server.maintenance import maintenance_round
from tests.support.sensor_support import HEADERS, KEY

TRUCK = "SAN-W01"      # sanitation_west (below sanitation)
PATROL = "PAT-R1"      # roads, person handler_roads
HANDSET = "HS-I1"      # inspector1


@pytest.fixture
def srv(make_harness, server_db_url):
    return make_harness(server_db_url, ingest_keys=KEY, avl_feed_throttle_s=10)


def report(device_id, at, lat=30.2600, lon=120.1500, **extra) -> dict:
    return {"device_id": device_id, "time": at.isoformat(), "lat": lat, "lon": lon, **extra}


def send(srv, positions, *, headers=None, expect=200) -> dict:
    r = srv.client.post("/api/positions", json={"positions": positions}, headers=HEADERS if headers is None else headers)
    assert r.status_code == expect, r.text
    return r.json()


def positions_in_feed(srv, username="lead1", after: str | int = 0) -> dict[str, dict]:
    page = srv.changes(username, after)
    return {c["id"]: c["data"] for c in page["changes"] if c["kind"] == "position"}


def test_good_reports_are_stored_as_track_and_latest(srv, clock):
    t0 = clock.now - timedelta(seconds=30)
    answer = send(srv, [report(TRUCK, t0, speed_kmh=22.5, heading=90),
                        report(TRUCK, t0 + timedelta(seconds=10), lat=30.2601),
                        report(PATROL, t0)])
    assert answer == {"accepted": 3, "duplicates": 0, "rejected": []}
    with srv.ctx.db.reader() as session:
        assert store.stored_count(session) == 3
        latest = {r.device_id: r for r in store.latest_rows(session)}
    assert latest[TRUCK].lat == pytest.approx(30.2601) and latest[TRUCK].time == t0 + timedelta(seconds=10)
    r = srv.client.get("/api/positions", headers=srv.login("lead1"))
    by_id = {p["device_id"]: p for p in r.json()["positions"]}
    assert by_id[TRUCK]["kind"] == "sanitation_truck" and by_id[TRUCK]["owner_unit_id"] == "sanitation_west"
    assert by_id[PATROL]["person"] == "handler_roads"


def test_each_bad_report_is_refused_with_its_reason_and_counted(srv, clock):
    now = clock.now
    send(srv, [report(TRUCK, now - timedelta(seconds=5))])
    bad = [
        report("NO-SUCH", now),                                        # unknown_device
        report(TRUCK, now, lat=95.0),                                  # impossible_coordinates
        report(TRUCK, now, lat=0, lon=0),                              # no GPS fix
        report(TRUCK, now + timedelta(minutes=5)),                     # future_time
        report(TRUCK, now - timedelta(seconds=60)),                    # out_of_order
        report(TRUCK, now, speed_kmh=900),                             # impossible_speed
        {"device_id": TRUCK, "time": now.isoformat(), "lat": "30.26", "lon": 120.15},  # malformed
        {"device_id": TRUCK, "lat": 30.26, "lon": 120.15},             # malformed: no time
        {**report(TRUCK, now), "altitude": 5},                         # malformed: unknown field
        "not an object",                                               # malformed
        {"device_id": TRUCK, "time": "2026-11-23T02:00:00", "lat": 30.26, "lon": 120.15},  # no zone
        report(TRUCK, now - timedelta(seconds=5)),                     # duplicate: answered, not refused
    ]
    answer = send(srv, bad)
    reasons = {r["index"]: r["reason"] for r in answer["rejected"]}
    assert reasons == {0: "unknown_device", 1: "impossible_coordinates", 2: "impossible_coordinates",
                       3: "future_time", 4: "out_of_order", 5: "impossible_speed", 6: "malformed",
                       7: "malformed", 8: "malformed", 9: "malformed", 10: "malformed"}
    messages = {r["index"]: r["message"] for r in answer["rejected"]}
    assert "lat" in messages[6] and "time" in messages[7] and "altitude" in messages[8] and "zone" in messages[10]
    assert answer["accepted"] == 0 and answer["duplicates"] == 1
    counts = srv.client.get("/api/positions/rejections", headers=srv.login("lead1")).json()["rejections"]
    got = {(c["device_id"], c["reason"]): c["count"] for c in counts}
    assert got[(TRUCK, "impossible_coordinates")] == 2
    assert got[("NO-SUCH", "unknown_device")] == 1 and got[(TRUCK, "malformed")] == 4
    with srv.ctx.db.reader() as session:
        assert store.stored_count(session) == 1  # nothing of the bad ones was written


def test_gateways_and_admins_send_no_one_else_does(srv, clock):
    one = [report(TRUCK, clock.now)]
    assert send(srv, one, headers={}, expect=401)["error"] == "missing_credentials"
    assert send(srv, one, headers={"X-OneGrid-Ingest-Key": "wrong"}, expect=401)["error"] == "invalid_ingest_key"
    assert send(srv, one, headers=srv.login("operator1"), expect=403)["error"] == "forbidden"
    assert send(srv, one, headers=srv.login("admin"))["accepted"] == 1
    r = srv.client.post("/api/positions", json={"positions": "x"}, headers=HEADERS)
    assert r.status_code == 422
    r = srv.client.post("/api/positions", json={"positions": [{}] * 5001}, headers=HEADERS)
    assert r.status_code in (413, 422)


def test_the_feed_carries_a_device_at_most_once_per_throttle_period(srv, clock):
    start = clock.now
    send(srv, [report(TRUCK, start - timedelta(seconds=1))])
    first = positions_in_feed(srv)
    assert first[TRUCK]["time"] == (start - timedelta(seconds=1)).isoformat()
    cursor = srv.changes("lead1")["cursors"]
    for i in range(1, 9):  # 8 more reports within the 10 s period: stored, not fed
        clock.now = start + timedelta(seconds=i)
        send(srv, [report(TRUCK, clock.now, lat=30.26 + i / 10000)])
    assert positions_in_feed(srv, after=cursor) == {}
    with srv.ctx.db.reader() as session:
        assert store.stored_count(session) == 9
    clock.now = start + timedelta(seconds=10)
    send(srv, [report(TRUCK, clock.now, lat=30.2612)])
    fed = positions_in_feed(srv, after=cursor)
    assert fed[TRUCK]["lat"] == pytest.approx(30.2612)  # the newest, once the period has passed
    assert srv.ctx.position_ingest.counts["fed"] == 2


def test_a_unit_handler_sees_its_own_units_devices_only(srv, clock):
    send(srv, [report(TRUCK, clock.now), report(PATROL, clock.now), report(HANDSET, clock.now)])
    assert set(positions_in_feed(srv, "lead1")) == {TRUCK, PATROL, HANDSET}
    assert set(positions_in_feed(srv, "handler_sanitation")) == {TRUCK}  # sanitation_west is below sanitation
    assert set(positions_in_feed(srv, "handler_roads")) == {PATROL}
    r = srv.client.get("/api/positions", headers=srv.login("handler_roads"))
    assert [p["device_id"] for p in r.json()["positions"]] == [PATROL]
    r = srv.client.get(f"/api/devices/{TRUCK}/track", headers=srv.login("handler_roads"))
    assert r.status_code == 403 and r.json()["error"] == "out_of_scope"
    assert TRUCK not in r.text.split("device ")[0]


def test_a_track_is_replayed_for_a_window(srv, clock):
    start = clock.now - timedelta(minutes=10)
    send(srv, [report(TRUCK, start + timedelta(minutes=i), lat=30.26 + i / 1000) for i in range(10)])
    r = srv.client.get(f"/api/devices/{TRUCK}/track", headers=srv.login("operator1"),
                       params={"start": (start + timedelta(minutes=2)).isoformat(),
                               "end": (start + timedelta(minutes=5)).isoformat()})
    assert r.status_code == 200, r.text
    points = r.json()["points"]
    assert [p["lat"] for p in points] == pytest.approx([30.262, 30.263, 30.264])
    bad = {"start": "yesterday"}, {"start": clock.now.isoformat(), "end": start.isoformat()}, \
        {"start": (clock.now - timedelta(days=2)).isoformat()}
    errors = [srv.client.get(f"/api/devices/{TRUCK}/track", headers=srv.login("operator1"), params=p).json()["error"]
              for p in bad]
    assert errors == ["invalid_time", "invalid_range", "range_too_long"]
    r = srv.client.get("/api/devices/NOPE/track", headers=srv.login("operator1"))
    assert r.status_code == 404


def test_tracks_older_than_the_retention_are_purged_latest_kept(srv, clock):
    old = clock.now - timedelta(days=40)
    with srv.ctx.db.writer() as session, session.begin():
        from app.avl.positions import Position
        store.store_positions(session, [Position(TRUCK, old, 30.26, 120.15)], old)
    send(srv, [report(TRUCK, clock.now)])
    maintenance_round(srv.ctx)
    with srv.ctx.db.reader() as session:
        assert store.stored_count(session) == 1
        assert {r.device_id for r in store.latest_rows(session)} == {TRUCK}


def test_devices_are_checked_against_the_reference_data(refdata):
    from app.refdata.devices import devices_from_items
    from app.refdata.errors import RefDataError, Src

    def parse(items):
        return devices_from_items(items, Src.items("devices.json", len(items)), refdata)

    assert parse([{"id": "X1", "kind": "patrol_car", "unit_id": "roads"}]) == [Device("X1", "patrol_car", "roads")]
    for items, words in [([{"id": "X1", "kind": "tank", "unit_id": "roads"}], "unknown kind"),
                         ([{"id": "X1", "kind": "patrol_car", "unit_id": "nowhere"}], "unknown unit"),
                         ([{"id": "X1", "kind": "patrol_car", "unit_id": "roads", "person": "nobody"}], "unknown person"),
                         ([{"id": "a/b", "kind": "patrol_car", "unit_id": "roads"}], "MQTT topic"),
                         ([{"id": "H", "kind": "inspector_handset", "unit_id": "roads"}], "needs its person"),
                         ([{"id": "X1", "kind": "patrol_car", "unit_id": "roads"}] * 2, "duplicate")]:
        with pytest.raises(RefDataError, match=words):
            parse(items)
