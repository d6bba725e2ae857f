"""Shifts and handover reports: a scripted shift driven through the HTTP API with a fake
clock, the report checked against what the script did; signing, immutability, permissions, bad input."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError

from db.shifts import HandoverRow
from server.feed.record import record_change
from server.shifts import handover as handover_module
from tests.support.server import HANDLER, UNIT


def _open(srv, user="lead1", expect=201, **body):
    r = srv.client.post("/api/shifts", json=body, headers=srv.login(user))
    assert r.status_code == expect, r.text
    return r.json()


def _close(srv, shift_id, user="lead1", expect=200, notes=""):
    r = srv.client.post(f"/api/shifts/{shift_id}/close", json={"notes": notes}, headers=srv.login(user))
    assert r.status_code == expect, r.text
    return r.json()


def _ok(result):
    assert result["status"] == "accepted", result
    return result["case"]


def _emergency(srv, on: bool, reason: str):
    r = srv.client.put("/api/settings/emergency_mode", json={"on": on, "reason": reason}, headers=srv.login("lead1"))
    assert r.status_code == 200, r.text


def _alarm(srv, raised_at: datetime, cleared_at: datetime | None, sensor="WL-001"):
    """An alarm as the sensor server publishes it in the feed (SENSOR_CONTRACT.md)."""
    alarm_id = str(uuid.uuid4())
    data = {"id": alarm_id, "sensor_id": sensor, "episode_id": str(uuid.uuid4()), "kind": "high", "level": "alarm",
            "state": "cleared" if cleared_at else "raised", "raised_at": raised_at.isoformat(),
            "updated_at": (cleared_at or raised_at).isoformat(), "value": 3.2, "peak_value": 3.4, "threshold": 3.0,
            "message": "water level high", "acknowledged_by": None, "acknowledged_at": None, "ack_note": None,
            "cleared_at": cleared_at.isoformat() if cleared_at else None, "cleared_by": None, "clear_reason": None,
            "case_id": None}
    with srv.ctx.db.writer() as session, session.begin():
        record_change(session, "alarm", alarm_id, data)
    return alarm_id


@pytest.fixture
def feed_alarms(monkeypatch):
    """Read alarms from the feed entities even once the sensors' `alarms` table exists."""
    monkeypatch.setattr(handover_module, "_alarm_table", lambda: None)


def test_the_report_tells_what_happened_in_the_shift(srv, clock, feed_alarms):
    before = srv.new_case()                         # reported before the shift: overdue by its end
    old_alarm = _alarm(srv, clock.now - timedelta(hours=1), None)       # still active: listed as active
    _alarm(srv, clock.now - timedelta(hours=2), clock.now - timedelta(hours=1, minutes=30))  # over before
    _emergency(srv, True, "typhoon warning")        # on before the shift opens
    clock.advance(minutes=5)
    shift = _open(srv, on_duty=["operator1", "inspector1"])
    assert shift["status"] == "open" and shift["name"] == "day" and shift["lead"] == "lead1"
    assert shift["on_duty"] == ["lead1", "operator1", "inspector1"]
    start = clock.now

    clock.advance(minutes=10)
    closed = srv.case_at("verifying")              # create, register, dispatch, accept, handle, send_verify
    _ok(srv.do("inspector1", "verify_pass", closed["id"]))
    _ok(srv.do("lead1", "close", closed["id"]))
    returned = srv.case_at("dispatched")
    _ok(srv.do(HANDLER, "return", returned["id"], {"reason": "not our asset"}))
    extension = srv.case_at("in_progress")
    _ok(srv.do(HANDLER, "request_extension", extension["id"], {"minutes": 120, "reason": "parts on order"}))
    failed = srv.case_at("verifying")
    _ok(srv.do("inspector1", "verify_fail", failed["id"], {"reason": "cover still loose"}))
    escalated = srv.case_at("dispatched")
    _ok(srv.do("lead1", "escalate", escalated["id"], {"reason": "citizen called three times"}))
    clock.advance(hours=1)
    _emergency(srv, False, "warning lifted")
    new_alarm = _alarm(srv, clock.now, None, sensor="WL-002")
    clock.advance(hours=1)
    _emergency(srv, True, "second band of rain")
    r = srv.client.post("/api/console-outages", headers=srv.login("operator1", "console-a"), json={
        "console_id": "console-a", "outages": [{"id": str(uuid.uuid4()), "started_at": (clock.now - timedelta(minutes=20)).isoformat(),
                                                 "ended_at": (clock.now - timedelta(minutes=5)).isoformat(),
                                                 "error": "connection refused"}]})
    assert r.status_code == 200 and r.json() == {"stored": 1, "duplicates": 0}, r.text
    clock.advance(hours=6)

    draft = _close(srv, shift["id"], notes="Pump at Hubin Rd needs a check at 09:00.")
    end = clock.now
    assert draft["status"] == "draft" and draft["outgoing_lead"] == "lead1"
    assert draft["shift"]["status"] == "closed" and draft["notes"].startswith("Pump at Hubin")
    report = draft["report"]
    assert report["window"] == {"start": start.isoformat(), "end": end.isoformat()}
    assert report["counts"] == {"opened": 5, "registered": 5, "dispatched": 5, "handled": 2, "closed": 1,
                                "voided": 0, "returned": 1, "escalated": 1, "verification_failures": 1,
                                "still_open": 5, "open_escalations": 1, "open_orders": 0, "overdue_orders": 0,
                                "open_tasks": 0}
    assert report["open_by_status"] == {"dispatched": 1, "in_progress": 2, "reported": 1, "returned": 1}
    overdue_ids = {c["case_id"] for c in report["overdue"]["items"]}
    assert before["id"] in overdue_ids and closed["id"] not in overdue_ids
    (esc,) = report["escalated"]["items"]
    assert (esc["case_id"], esc["actor"], esc["automatic"], esc["reason"]) == \
        (escalated["id"], "lead1", False, "citizen called three times")
    assert esc["unit_id"] == UNIT and esc["escalated_to"]
    (ret,) = report["returned"]["items"]
    assert (ret["case_id"], ret["returned_by_unit"], ret["reason"], ret["unit_id"]) == \
        (returned["id"], UNIT, "not our asset", None)
    (ext,) = report["awaiting_decision"]["extension_requests"]["items"]
    assert (ext["case_id"], ext["minutes"], ext["requested_by"], ext["unit_id"]) == (extension["id"], 120, HANDLER, UNIT)
    (fail,) = report["awaiting_decision"]["verification_failures"]["items"]
    assert (fail["case_id"], fail["reason"], fail["status"]) == (failed["id"], "cover still loose", "in_progress")
    assert report["alarms"]["source"] == "feed"
    assert [a["id"] for a in report["alarms"]["raised"]["items"]] == [new_alarm]
    assert [a["id"] for a in report["alarms"]["active"]["items"]] == [old_alarm, new_alarm]
    periods = report["emergency"]
    assert [(p["started_before"], p["reason"], p["end"] is None) for p in periods] == \
        [(True, "typhoon warning", False), (False, "second band of rain", True)]
    (outage,) = report["outages"]
    assert (outage["console_id"], outage["username"], outage["minutes"]) == ("console-a", "operator1", 15.0)
    assert draft["content_hash"] == handover_module.content_hash(shift["id"], report, draft["notes"])

    # every lead sees the shift and the handover through the feed; a unit handler not the handover
    kinds = {(c["kind"], c["id"]) for c in srv.changes("lead2")["changes"]}
    assert {("shift", shift["id"]), ("handover", shift["id"])} <= kinds
    assert ("handover", shift["id"]) not in {(c["kind"], c["id"]) for c in srv.changes(HANDLER)["changes"]}


def test_sign_then_immutable(srv, clock):
    shift = _open(srv)
    clock.advance(hours=11)
    draft = _close(srv, shift["id"])
    sid = shift["id"]
    r = srv.client.put(f"/api/handovers/{sid}/notes", json={"notes": "all quiet"}, headers=srv.login("lead1"))
    assert r.status_code == 200 and r.json()["version"] == 2, r.text
    edited = r.json()
    assert edited["content_hash"] != draft["content_hash"]
    # the incoming lead signs what they saw: an old version is refused, the current one accepted
    r = srv.client.post(f"/api/handovers/{sid}/sign", json={"content_hash": draft["content_hash"]},
                        headers=srv.login("lead2"))
    assert r.status_code == 409 and r.json()["error"] == "report_changed", r.text
    r = srv.client.post(f"/api/handovers/{sid}/sign", json={"content_hash": edited["content_hash"]},
                        headers=srv.login("lead1"))
    assert r.status_code == 403 and "outgoing lead" in r.json()["message"]
    r = srv.client.post(f"/api/handovers/{sid}/sign", json={"content_hash": edited["content_hash"]},
                        headers=srv.login("lead2"))
    assert r.status_code == 200, r.text
    signed = r.json()
    assert (signed["status"], signed["signed_by"], signed["notes"]) == ("signed", "lead2", "all quiet")
    for method, path, body, user in (("put", "notes", {"notes": "changed"}, "lead1"),
                                     ("post", "sign", {"content_hash": edited["content_hash"]}, "lead2")):
        r = getattr(srv.client, method)(f"/api/handovers/{sid}/{path}", json=body, headers=srv.login(user))
        assert r.status_code == 409 and r.json()["error"] == "handover_signed", r.text
    r = srv.client.get(f"/api/handovers/{sid}", headers=srv.login("lead2"))
    assert r.json() == signed
    # and the database refuses it too (trigger), whoever tries
    with pytest.raises(DBAPIError):
        with srv.ctx.db.writer() as session, session.begin():
            session.execute(update(HandoverRow).where(HandoverRow.shift_id == uuid.UUID(sid)).values(notes="forged"))
    with pytest.raises(DBAPIError):
        with srv.ctx.db.writer() as session, session.begin():
            session.execute(text("DELETE FROM handovers"))
    assert srv.client.get(f"/api/handovers/{sid}", headers=srv.login("lead2")).json()["notes"] == "all quiet"
    with srv.ctx.db.reader() as session:
        trail = session.execute(text("SELECT action, actor, result, entity_id FROM audit_log "
                                     "WHERE entity_kind IN ('shift', 'handover') ORDER BY seq")).all()
    assert [tuple(r) for r in trail] == [("shift_open", "lead1", "ok", sid), ("shift_close", "lead1", "ok", sid),
                                         ("handover_notes", "lead1", "ok", sid), ("handover_sign", "lead2", "ok", sid)]


def test_entity_commands_are_applied_once(lite, clock):
    srv = lite
    shift = _open(srv)
    clock.advance(hours=1)
    draft = _close(srv, shift["id"])
    command = {"command_id": str(uuid.uuid4()), "kind": "handover", "entity_id": shift["id"], "action": "sign",
               "payload": {"content_hash": draft["content_hash"]}, "issued_at": clock.now.isoformat(),
               "offline": True, "console_id": "c2"}
    first = srv.client.post("/api/commands", json={"commands": [command]}, headers=srv.login("lead2")).json()
    again = srv.client.post("/api/commands", json={"commands": [command]}, headers=srv.login("lead2")).json()
    assert first["results"] == again["results"]
    (result,) = first["results"]
    assert result["status"] == "accepted" and result["data"]["signed_offline"] is True
    stolen = srv.client.post("/api/commands", json={"commands": [command]}, headers=srv.login("lead1")).json()
    assert stolen["results"][0]["reason"] == "conflict"
    bad = {**command, "command_id": str(uuid.uuid4()), "action": "set_notes", "payload": {"notez": "x"}}
    (refused,) = srv.client.post("/api/commands", json={"commands": [bad]},
                                 headers=srv.login("lead1")).json()["results"]
    assert refused["status"] == "rejected" and refused["reason"] == "invalid_payload"
    late = {**command, "command_id": str(uuid.uuid4()), "action": "set_notes", "payload": {"notes": "late"}}
    (refused,) = srv.client.post("/api/commands", json={"commands": [late]},
                                 headers=srv.login("lead1")).json()["results"]
    assert refused["reason"] == "handover_signed" and refused["data"]["status"] == "signed"
    with srv.ctx.db.reader() as session:
        trail = session.execute(text("SELECT action, actor, result, reason, console_id, offline FROM audit_log "
                                     "WHERE entity_kind = 'handover' ORDER BY seq")).all()
    assert [(*r[:5], bool(r[5])) for r in trail] == [
        ("handover_sign", "lead2", "ok", None, "c2", True),            # once, though it was sent twice
        ("handover_sign", "lead1", "rejected", "conflict", "c2", True),  # another user's command id
        ("handover_set_notes", "lead1", "rejected", "invalid_payload", "c2", True),
        ("handover_set_notes", "lead1", "rejected", "handover_signed", "c2", True)]


def test_permissions_and_bad_input(lite, clock):
    srv = lite
    r = srv.client.post("/api/shifts", json={}, headers=srv.login("operator1"))
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    r = srv.client.post("/api/shifts", json={"name": "evening"}, headers=srv.login("lead1"))
    assert r.status_code == 422 and "no shift named 'evening'" in r.json()["message"]
    r = srv.client.post("/api/shifts", json={"on_duty": ["nobody"]}, headers=srv.login("lead1"))
    assert r.status_code == 422 and r.json()["error"] == "unknown_users" and "nobody" in r.json()["message"]
    r = srv.client.post("/api/shifts", json={"lead": "lead2"}, headers=srv.login("lead1"))
    assert r.status_code == 422 and r.json()["error"] == "invalid_request"
    shift = _open(srv, name="night")
    assert shift["scheduled_start"].endswith("+08:00") and "T20:00:00" in shift["scheduled_start"]
    r = srv.client.post("/api/shifts", json={}, headers=srv.login("lead2"))
    assert r.status_code == 409 and r.json()["error"] == "shift_already_open"
    assert r.json()["details"] == [{"shift_id": shift["id"]}]
    listed = srv.client.get("/api/shifts", headers=srv.login("operator1")).json()
    assert listed["current"]["id"] == shift["id"]
    r = srv.client.post(f"/api/shifts/{shift['id']}/close", json={}, headers=srv.login(HANDLER))
    assert r.status_code == 403
    _close(srv, shift["id"], user="lead2")
    r = srv.client.post(f"/api/shifts/{shift['id']}/close", json={}, headers=srv.login("lead1"))
    assert r.status_code == 409 and r.json()["error"] == "shift_closed" and "lead2" in r.json()["message"]
    r = srv.client.post(f"/api/shifts/{uuid.uuid4()}/close", json={}, headers=srv.login("lead1"))
    assert r.status_code == 404
    r = srv.client.post(f"/api/handovers/{shift['id']}/sign", json={"content_hash": "abc"}, headers=srv.login("lead1"))
    assert r.status_code == 422
    r = srv.client.get(f"/api/handovers/{shift['id']}", headers=srv.login(HANDLER))
    assert r.status_code == 403 and "unit handler" in r.json()["message"]
    assert srv.client.get(f"/api/handovers/{shift['id']}", headers=srv.login("operator1")).status_code == 200
    r = srv.client.put(f"/api/handovers/{shift['id']}/notes", json={"notes": "mine"}, headers=srv.login("lead1"))
    assert r.status_code == 403 and "outgoing lead lead2" in r.json()["message"]
    r = srv.client.post("/api/console-outages", headers=srv.login("operator1", "c"), json={
        "console_id": "c", "outages": [{"id": str(uuid.uuid4()), "started_at": clock.now.isoformat(),
                                        "ended_at": (clock.now - timedelta(minutes=1)).isoformat()}]})
    assert r.status_code == 422 and r.json()["error"] == "invalid_outage"
    r = srv.client.post("/api/console-outages", headers=srv.login("operator1", "c"), json={
        "console_id": "c", "outages": [{"id": str(uuid.uuid4()), "started_at": "2026-11-23T10:00:00",
                                        "ended_at": "2026-11-23T10:05:00"}]})
    assert r.status_code == 422  # naive times are refused
    schedule = srv.client.get("/api/shifts/schedule", headers=srv.login("operator1")).json()
    assert schedule == {"time_zone": "Asia/Shanghai", "shifts": [
        {"name": "day", "start": "08:00", "end": "20:00", "minutes": 720},
        {"name": "night", "start": "20:00", "end": "08:00", "minutes": 720}]}


def test_outages_are_stored_once(lite, clock):
    srv = lite
    outage = {"id": str(uuid.uuid4()), "started_at": (clock.now - timedelta(minutes=3)).isoformat(),
              "ended_at": clock.now.isoformat()}
    body = {"console_id": "c1", "outages": [outage]}
    assert srv.client.post("/api/console-outages", json=body, headers=srv.login("operator1", "c1")).json() == \
        {"stored": 1, "duplicates": 0}
    assert srv.client.post("/api/console-outages", json=body, headers=srv.login("operator1", "c1")).json() == \
        {"stored": 0, "duplicates": 1}


@pytest.mark.parametrize("schedule, message", [
    ("day=08:00-20:00", "not the whole day"),
    ("day=08:00-20:00,night=20:30-08:00", "without gap or overlap"),
    ("day=8h-20h", "not of the form"),
    ("day=08:00-24:00,night=00:00-08:00", "not a time of day"),
    ("day=08:00-20:00,day=20:00-08:00", "twice"),
])
def test_a_bad_schedule_is_refused_with_a_clear_error(schedule, message):
    from pydantic import ValidationError

    from server.platform.settings import ServerSettings

    with pytest.raises(ValidationError, match=message):
        ServerSettings(shift_schedule=schedule)
    with pytest.raises(ValidationError, match=message):
        ServerSettings.from_env({"ONEGRID_SHIFT_SCHEDULE": schedule})


def test_alarms_come_from_the_sensor_servers_table_when_it_exists(lite, clock):
    """Issue 4 stores alarms in its own table (with the contract's JSON in `data`): the report reads it."""
    table = handover_module._alarm_table()
    assert table is not None, "the sensors' alarm table is not in this build"
    srv = lite
    shift = _open(srv)
    start = clock.now

    def alarm(raised_at, cleared_at):
        alarm_id, episode = uuid.uuid4(), uuid.uuid4()
        data = {"id": str(alarm_id), "sensor_id": "WL-007", "episode_id": str(episode), "kind": "high",
                "level": "alarm", "state": "cleared" if cleared_at else "raised", "raised_at": raised_at.isoformat(),
                "updated_at": raised_at.isoformat(), "value": 3.1, "peak_value": 3.3, "threshold": 3.0,
                "message": "high water", "acknowledged_by": None, "acknowledged_at": None, "ack_note": None,
                "cleared_at": cleared_at.isoformat() if cleared_at else None, "cleared_by": None,
                "clear_reason": None, "case_id": None}
        with srv.ctx.db.writer() as session, session.begin():
            session.execute(table.insert().values(id=alarm_id, sensor_id="WL-007", episode_id=episode, kind="high",
                                                  level=2, state=data["state"], raised_at=raised_at,
                                                  updated_at=raised_at, cleared_at=cleared_at, case_id=None, data=data))
        return str(alarm_id)

    before_and_over = alarm(start - timedelta(hours=3), start - timedelta(hours=2))
    carried_over = alarm(start - timedelta(hours=1), None)
    clock.advance(hours=1)
    raised_and_cleared = alarm(clock.now, clock.now + timedelta(minutes=30))
    clock.advance(hours=2)
    report = _close(srv, shift["id"])["report"]["alarms"]
    assert report["source"] == table.name
    assert [a["id"] for a in report["raised"]["items"]] == [raised_and_cleared]
    assert [a["id"] for a in report["active"]["items"]] == [carried_over]
    assert before_and_over not in str(report)


def test_an_entity_command_with_an_unrepresentable_clock_is_refused_not_a_500(lite, clock):
    shift = _open(lite)
    clock.advance(hours=1)
    draft = _close(lite, shift["id"])
    command = {"command_id": str(uuid.uuid4()), "kind": "handover", "entity_id": shift["id"], "action": "sign",
               "payload": {"content_hash": draft["content_hash"]},
               "issued_at": "0001-01-01T00:30:00+05:00",  # valid ISO, but its UTC form is before year 1
               "offline": True, "console_id": "c2"}
    r = lite.client.post("/api/commands", json={"commands": [command]}, headers=lite.login("lead2"))
    assert r.status_code == 200, r.text
    (result,) = r.json()["results"]
    assert (result["status"], result["reason"]) == ("rejected", "invalid_time") and "issued_at" in result["message"]


def test_the_report_carries_the_shifts_evaluation_and_open_disputes(lite, clock):
    shift = _open(lite)
    start = clock.now
    early = lite.new_case()
    clock.advance(minutes=10)
    _ok(lite.do("operator1", "register", early["id"]))           # registered on time; never dispatched
    late = lite.new_case()                                        # never registered
    disputed = lite.case_at("dispatched")                         # registered and dispatched at once
    _ok(lite.do(HANDLER, "return", disputed["id"], {"reason": "not our asset"}))
    _ok(lite.do("operator1", "dispatch", disputed["id"], {"unit_id": UNIT}))
    second = _ok(lite.do(HANDLER, "return", disputed["id"], {"reason": "still not ours"}))
    assert second["dispute_since"] and second["escalated_to"] is None
    clock.advance(hours=2)
    report = _close(lite, shift["id"])["report"]
    posts = {p["post"]: {f["key"]: f for f in p["figures"]} for p in report["evaluation"]["posts"]}
    # registration deadlines in the shift: early (met), late (missed), disputed (met)
    intake = posts["intake"]["intake_on_time"]
    assert (intake["numerator"], intake["denominator"]) == (2, 3)
    # dispatch rounds: disputed first (met) and after its return (met); early's (missed: never dispatched);
    # the round that ended in the dispute queue is the lead's decision, charged to no post
    dispatch = posts["dispatch"]["dispatch_on_time"]
    assert (dispatch["numerator"], dispatch["denominator"]) == (2, 3)
    assert "÷" in dispatch["formula"]
    assert {f["key"] for f in report["evaluation"]["figures"]} >= {"on_time_handling_rate", "composite"}
    (item,) = report["disputes"]["items"]
    assert (item["case_id"], item["return_count"]) == (disputed["id"], 2)
    assert start.isoformat() == report["window"]["start"]
