"""Alarm lifecycle and permissions per role, the feed's `sensor` and `alarm` entries (throttling, unit
handler scope), and the audit trail of human actions (SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import timedelta

import pytest

import server.audit.chain
from tests.support.sensor_support import (
    KEY,
    alarms,
    feed_entities,
    feed_step,
    reading,
    send,
)


@pytest.fixture
def srv(make_harness, server_db_url):
    return make_harness(server_db_url, ingest_keys=KEY, sensor_feed_interval_s=0, sensor_batch_ms=5)


@pytest.fixture
def lite(make_harness, sqlite_url):
    return make_harness(sqlite_url, ingest_keys=KEY, sensor_feed_interval_s=0, sensor_batch_ms=5)


@pytest.fixture
def audited(monkeypatch):
    """Every audit.record call (the audit trail's own tests check what it stores)."""
    calls = []
    original = server.audit.chain.record

    def spy(session, **kw):
        calls.append(kw)
        return original(session, **kw)

    monkeypatch.setattr(server.audit.chain, "record", spy)
    return calls


def raise_warning(srv, sensor_id="rf-001", start=None):
    """rf-001 (owner unit `drainage`) over its warning line for 5 minutes: one raised alarm."""
    feed_step(srv, sensor_id, start or srv.clock.now, [30] * 6)
    (alarm,) = [a for a in alarms(srv, sensor_id) if a["state"] != "cleared"]
    return alarm


def ack(srv, user, alarm_id, note=None):
    return srv.client.post(f"/api/alarms/{alarm_id}/acknowledge", json={"note": note}, headers=srv.login(user))


def clear(srv, user, alarm_id, reason="false alarm: gauge cleaned"):
    return srv.client.post(f"/api/alarms/{alarm_id}/clear", json={"reason": reason}, headers=srv.login(user))


def test_lifecycle_raised_acknowledged_cleared_by_hand(srv, audited):
    alarm = raise_warning(srv)
    assert alarm["state"] == "raised" and alarm["acknowledged_by"] is None
    r = ack(srv, "operator1", alarm["id"], "crew informed")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "acknowledged" and body["acknowledged_by"] == "operator1"
    assert body["ack_note"] == "crew informed" and body["acknowledged_at"] == srv.clock.now.isoformat()
    again = ack(srv, "lead1", alarm["id"])  # already acknowledged: unchanged
    assert again.status_code == 200 and again.json()["acknowledged_by"] == "operator1"
    r = clear(srv, "lead1", alarm["id"])
    assert r.status_code == 200
    body = r.json()
    assert body["state"] == "cleared" and body["cleared_by"] == "lead1"
    assert body["clear_reason"] == "false alarm: gauge cleaned"
    for action in (ack, clear):
        late = action(srv, "lead1", alarm["id"])
        assert late.status_code == 409 and late.json()["error"] == "wrong_state"
    listed = srv.client.get("/api/alarms", params={"active": "true"}, headers=srv.login("operator1")).json()
    assert listed["alarms"] == []
    listed = srv.client.get("/api/alarms", params={"sensor_id": "rf-001"}, headers=srv.login("operator1")).json()
    assert [a["id"] for a in listed["alarms"]] == [alarm["id"]]
    actions = [(c["action"], c["actor"], c["entity_id"]) for c in audited if c["entity_kind"] == "alarm"]
    assert actions == [("alarm_acknowledge", "operator1", alarm["id"]), ("alarm_acknowledge", "lead1", alarm["id"]),
                       ("alarm_clear", "lead1", alarm["id"])]


@pytest.mark.parametrize("user, may_ack, may_clear", [
    ("operator1", True, False),
    ("lead1", True, True),
    ("handler_drainage", True, True),         # the owner unit of rf-001
    ("handler_drainage_maint", False, False),  # a unit below the owner
    ("handler_roads", False, False),
    ("inspector1", False, False),
    ("admin", False, False),
])
def test_permissions_per_role(lite, user, may_ack, may_clear):
    alarm = raise_warning(lite)
    r = ack(lite, user, alarm["id"])
    assert r.status_code == (200 if may_ack else 403), r.text
    if not may_ack:
        assert r.json()["error"] == "forbidden" and user in r.json()["message"]
        # the owner unit is named only to whom may see the alarm (not to a handler outside its scope)
        assert ("'drainage'" in r.json()["message"]) is (not user.startswith("handler_"))
    r = clear(lite, user, alarm["id"])
    assert r.status_code == (200 if may_clear else 403), r.text


def test_bad_requests(lite):
    alarm = raise_warning(lite)
    r = lite.client.post(f"/api/alarms/{alarm['id']}/clear", json={"reason": ""}, headers=lite.login("lead1"))
    assert r.status_code == 422
    r = lite.client.post(f"/api/alarms/{alarm['id']}/clear", json={}, headers=lite.login("lead1"))
    assert r.status_code == 422
    r = lite.client.post(f"/api/alarms/{alarm['id']}/acknowledge", json={"note": "x", "by": "me"},
                         headers=lite.login("operator1"))
    assert r.status_code == 422
    r = ack(lite, "operator1", "00000000-0000-0000-0000-000000000000")
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    assert lite.client.post("/api/alarms/not-a-uuid/acknowledge", json={}, headers=lite.login("operator1")).status_code == 422
    assert lite.client.get("/api/alarms").status_code == 401


def test_every_alarm_change_and_sensor_state_reaches_the_feed(srv):
    alarm = raise_warning(srv)
    fed = feed_entities(srv, "operator1", "alarm")
    assert fed[alarm["id"]]["state"] == "raised"
    sensors = feed_entities(srv, "operator1", "sensor")
    assert sensors["rf-001"]["state"] == "warning" and sensors["rf-001"]["level"] == "warning"
    assert sensors["rf-001"]["reason"] == "high" and sensors["rf-001"]["last_value"] == 30
    assert set(sensors["rf-001"]) == {"sensor_id", "owner_unit_id", "jurisdiction", "last_time", "last_value", "level", "state",
                                      "reason", "rejected", "updated_at"}
    assert set(fed[alarm["id"]]) == {
        "id", "sensor_id", "owner_unit_id", "jurisdiction", "episode_id", "kind", "level", "state", "raised_at", "updated_at", "value",
        "peak_value", "threshold", "message", "acknowledged_by", "acknowledged_at", "ack_note", "cleared_at",
        "cleared_by", "clear_reason", "case_id"}
    ack(srv, "operator1", alarm["id"])
    assert feed_entities(srv, "operator1", "alarm")[alarm["id"]]["state"] == "acknowledged"
    feed_step(srv, "rf-001", srv.clock.now + timedelta(minutes=1), [1.0])
    assert feed_entities(srv, "operator1", "alarm")[alarm["id"]]["state"] == "cleared"
    assert feed_entities(srv, "operator1", "sensor")["rf-001"]["state"] == "normal"


def test_unit_handlers_feed_carries_only_their_scope(srv):
    raise_warning(srv, "rf-001")  # owner: drainage
    feed_step(srv, "bd-001", srv.clock.now + timedelta(minutes=1), [0.0], unit="mm")  # owner: bridges (under roads)
    assert set(feed_entities(srv, "handler_drainage", "sensor")) == {"rf-001"}
    assert len(feed_entities(srv, "handler_drainage", "alarm")) == 1
    assert set(feed_entities(srv, "handler_roads", "sensor")) == {"bd-001"}
    assert feed_entities(srv, "handler_roads", "alarm") == {}
    assert set(feed_entities(srv, "operator1", "sensor")) == {"rf-001", "bd-001"}
    alarms_seen = srv.client.get("/api/alarms", headers=srv.login("handler_roads")).json()["alarms"]
    assert alarms_seen == []
    r = srv.client.get("/api/alarms", params={"sensor_id": "rf-001"}, headers=srv.login("handler_roads"))
    assert r.status_code == 403


def test_latest_readings_are_throttled_in_the_feed(make_harness, sqlite_url, clock):
    srv = make_harness(sqlite_url, ingest_keys=KEY, sensor_feed_interval_s=3600, sensor_batch_ms=5)

    def positions():
        return [c["position"] for c in srv.changes("operator1")["changes"] if c["kind"] == "sensor"]

    send(srv, [reading("rf-001", clock.now, 1.0)])
    first = positions()
    assert len(first) == 1
    for i in range(1, 5):
        send(srv, [reading("rf-001", clock.now + timedelta(seconds=i), 1.0 + i)])
    assert positions() == first  # same state, inside the interval: not fed again
    feed_step(srv, "rf-001", clock.now + timedelta(seconds=10), [30] * 6)  # a level change is fed at once
    assert positions() != first
    assert feed_entities(srv, "operator1", "sensor")["rf-001"]["state"] == "warning"


def test_gateway_batches_with_rejections_are_audited(lite, audited, clock):
    send(lite, [reading("rf-001", clock.now, 1.0)])
    assert [c for c in audited if c["action"] == "sensor_readings"] == []
    send(lite, [reading("rf-001", clock.now, 1.0, unit="mm"), reading("nope", clock.now, 1.0)])
    (entry,) = [c for c in audited if c["action"] == "sensor_readings"]
    assert entry["result"] == "rejected" and entry["role"] == "gateway"
    assert [r["reason"] for r in entry["detail"]["rejected"]] == ["wrong_unit", "unknown_sensor"]
