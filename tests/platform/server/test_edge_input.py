"""Input that PostgreSQL, datetime or a BIGINT cannot hold is a 4xx naming the field, never a 500: a NUL
character, a lone surrogate, a time whose UTC form overflows, an integer beyond 64 bits, a boolean for
a number (`app.platform.edge_types`), on every endpoint family. In a command batch such a command is answered
on its own (tests/cases/server/test_batch_isolation.py)."""
from __future__ import annotations

import json
import uuid

import pytest

NUL = "bad\x00text"
SURROGATE = "bad\ud800text"
YEAR_1 = "0001-01-01T00:30:00+14:00"     # its UTC form is before year 1
YEAR_9999 = "9999-12-31T23:30:00-14:00"  # its UTC form is after year 9999
BEYOND_64_BITS = 2**63
WEIRD_TEXTS = [NUL, SURROGATE]


def send(h, method: str, path: str, user: str | None = "lead1", body=None, params=None, console_id=None):
    """A request whose JSON body keeps a lone surrogate as its `\\ud800` escape (what a client may send)."""
    headers = {"Content-Type": "application/json", **(h.login(user, console_id) if user else {})}
    content = json.dumps(body) if body is not None else None
    return h.client.request(method, path, content=content, params=params, headers=headers)


def refused(r, *fields: str, status: int = 422, error: str = "invalid_request") -> dict:
    """The project's error body, naming each of `fields`."""
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"] == error, body
    for field in fields:
        assert field in body["message"], (field, body)
    return body


# ---- login -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", WEIRD_TEXTS)
def test_login(srv, text):
    good = {"username": "operator1", "password": "demo-operator1"}
    refused(send(srv, "POST", "/api/login", None, {**good, "username": text}), "body.username")
    refused(send(srv, "POST", "/api/login", None, {**good, "password": text}), "body.password")
    refused(send(srv, "POST", "/api/login", None, {**good, "console_id": text}), "body.console_id")
    assert send(srv, "POST", "/api/login", None, good).status_code == 200


# ---- the feed and a case -------------------------------------------------------------------------------

def test_changes_and_case(srv):
    refused(send(srv, "GET", "/api/changes", "operator1", params={"after": BEYOND_64_BITS}), "query.after")
    refused(send(srv, "GET", "/api/changes", "operator1", params={"after": "true"}), "query.after")
    refused(send(srv, "GET", "/api/cases/bad%00text", "operator1"), "path.case_id")
    assert send(srv, "GET", "/api/changes", "operator1", params={"after": 2**63 - 1}).status_code == 200


# ---- emergency mode --------------------------------------------------------------------------------------

@pytest.mark.parametrize("user", ["lead1", "operator1"])  # the operator's refusal is audited with the reason
@pytest.mark.parametrize("text", WEIRD_TEXTS)
def test_emergency_mode(srv, user, text):
    refused(send(srv, "PUT", "/api/settings/emergency_mode", user, {"on": True, "reason": text}), "body.reason")
    refused(send(srv, "PUT", "/api/settings/emergency_mode", user, {"on": 1, "reason": "drill"}), "body.on")


# ---- audit ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("user", ["lead1", "admin"])
def test_audit_filters(srv, user):
    for name in ("actor", "action", "entity_kind", "entity_id", "console_id", "result"):
        refused(send(srv, "GET", "/api/audit", user, params={name: NUL}), f"query.{name}")
    for moment in (YEAR_1, YEAR_9999):
        refused(send(srv, "GET", "/api/audit", user, params={"start": moment}), "query.start", "out of range")
        refused(send(srv, "GET", "/api/audit", user, params={"end": moment}), "query.end", "out of range")
    refused(send(srv, "GET", "/api/audit", user, params={"before": BEYOND_64_BITS}), "query.before")
    refused(send(srv, "GET", "/api/audit", user, params={"limit": 2**64}), "query.limit")
    assert send(srv, "GET", "/api/audit", user, params={"before": 2**63 - 1}).status_code == 200


def test_audit_still_refuses_an_operator(srv):
    assert send(srv, "GET", "/api/audit", "operator1", params={"before": 5}).status_code == 403


# ---- metrics -------------------------------------------------------------------------------------------

def test_metrics_period(srv):
    period = {"start": "2026-11-01", "end": "2026-11-23"}
    for day in ("0001-01-01", "9999-12-31"):
        refused(send(srv, "GET", "/api/metrics", "lead1", params={**period, "start": day}), "start", "out of range",
                status=400, error="bad_date")
        refused(send(srv, "GET", "/api/metrics", "lead1", params={**period, "end": day}), "end", "out of range",
                status=400, error="bad_date")
    refused(send(srv, "GET", "/api/metrics", "lead1", params={**period, "unit": NUL}), "query.unit")
    refused(send(srv, "GET", "/api/metrics", "lead1", params={**period, "start": NUL}), "query.start")
    assert send(srv, "GET", "/api/metrics", "lead1", params=period).status_code == 200


# ---- shifts, handovers, outages -------------------------------------------------------------------------

@pytest.mark.parametrize("text", WEIRD_TEXTS)
def test_shifts_and_handovers(srv, clock, text):
    refused(send(srv, "POST", "/api/shifts", "lead1", {"on_duty": ["operator1", text]}), "body.on_duty.1")
    refused(send(srv, "POST", "/api/shifts", "lead1", {"name": text}), "body.name")
    shift = send(srv, "POST", "/api/shifts", "lead1", {"on_duty": ["operator1"]})
    assert shift.status_code == 201, shift.text
    shift_id = shift.json()["id"]
    refused(send(srv, "POST", f"/api/shifts/{shift_id}/close", "lead1", {"notes": text}), "body.notes")
    clock.advance(hours=1)
    draft = send(srv, "POST", f"/api/shifts/{shift_id}/close", "lead1", {"notes": "quiet"})
    assert draft.status_code == 200, draft.text
    refused(send(srv, "PUT", f"/api/handovers/{shift_id}/notes", "lead1", {"notes": text}), "body.notes")
    refused(send(srv, "POST", f"/api/handovers/{shift_id}/sign", "lead2", {"content_hash": text}),
            "body.content_hash")
    refused(send(srv, "GET", "/api/handovers/bad%00text", "lead1"), "path.shift_id")


@pytest.mark.parametrize("user", ["operator1", "lead1"])
def test_outages(srv, clock, user):
    outage = {"id": str(uuid.uuid4()), "started_at": clock().isoformat(), "ended_at": clock().isoformat()}
    for bad, field in [({"console_id": NUL}, "body.console_id"), ({"console_id": SURROGATE}, "body.console_id"),
                       ({"outages": [{**outage, "error": NUL}]}, "body.outages.0.error"),
                       ({"outages": [{**outage, "started_at": YEAR_1}]}, "body.outages.0.started_at"),
                       ({"outages": [{**outage, "ended_at": YEAR_9999}]}, "body.outages.0.ended_at")]:
        refused(send(srv, "POST", "/api/console-outages", user, {"console_id": "desk-1", "outages": [outage],
                                                                  **bad}, console_id="desk-1"), field)
    ok = send(srv, "POST", "/api/console-outages", user, {"console_id": "desk-1", "outages": [outage]},
              console_id="desk-1")
    assert ok.status_code == 200 and ok.json()["stored"] == 1


# ---- case commands: each bad command is a rejection naming its field --------------------------------------

def _create(srv, **overrides) -> dict:
    return srv.command("create", uuid.uuid4(), srv.create_payload(**overrides))


def test_case_commands(srv):
    case = srv.case_at("registered")
    lat, lon = srv.create_payload()["location"]["lat"], srv.create_payload()["location"]["lon"]
    bad = [
        (_create(srv, description=NUL), "invalid_payload", "description"),
        (_create(srv, description=SURROGATE), "invalid_payload", "description"),
        (_create(srv, reporter_name=NUL), "invalid_payload", "reporter_name"),
        (_create(srv, attachments=["a.jpg", NUL]), "invalid_payload", "attachments.1"),
        (_create(srv, location={"lat": True, "lon": lon}), "invalid_payload", "location.lat"),
        (_create(srv, location={"lat": lat, "lon": False}), "invalid_payload", "location.lon"),
        (_create(srv, location={"lat": lat, "lon": lon, "address": NUL}), "invalid_payload", "location.address"),
        (_create(srv, **{NUL: 1}), "invalid_payload", "\\x00"),  # an unknown field's name, printable
        (srv.command("note", case["id"], {"text": NUL}), "invalid_payload", "text"),
        (srv.command("suspend", case["id"], {"reason": SURROGATE}), "invalid_payload", "reason"),
        (srv.command("request_extension", case["id"], {"minutes": BEYOND_64_BITS, "reason": "rain"}),
         "invalid_payload", "minutes"),
        (srv.command("request_extension", case["id"], {"minutes": True, "reason": "rain"}),
         "invalid_payload", "minutes"),
        (srv.command("note", case["id"], {"text": "hi"}, console_id=NUL), "invalid_request", "console_id"),
        (srv.command("note", case["id"], {"text": "hi"}, console_id=SURROGATE), "invalid_request", "console_id"),
        ({**srv.command("note", case["id"], {"text": "hi"}), "issued_at": YEAR_1}, "invalid_time", "issued_at"),
        ({**srv.command("note", case["id"], {"text": "hi"}), "issued_at": YEAR_9999}, "invalid_time", "issued_at"),
        ({**srv.command("note", case["id"], {"text": "hi"}), "case_id": NUL}, "invalid_request", "case_id"),
        ({**srv.command("note", case["id"], {"text": "hi"}), "offline": 1.5}, "invalid_request", "offline"),
    ]
    for command, reason, field in bad:
        r = send(srv, "POST", "/api/commands", "operator1", {"commands": [command]})
        assert r.status_code == 200, (command, r.text)
        (result,) = r.json()["results"]
        assert result["command_id"] == command["command_id"], result
        assert (result["status"], result["reason"]) == ("rejected", reason), (command, result)
        assert field in result["message"], (field, result)
        assert "\x00" not in result["message"]
    # nothing of them reached the case
    assert srv.client.get(f"/api/cases/{case['id']}", headers=srv.login("operator1")).json()["version"] \
        == case["version"]


# ---- entity commands ------------------------------------------------------------------------------------

def _handover(srv, clock) -> dict:
    shift = send(srv, "POST", "/api/shifts", "lead1", {"on_duty": ["operator1"]}).json()
    clock.advance(hours=1)
    return send(srv, "POST", f"/api/shifts/{shift['id']}/close", "lead1", {"notes": ""}).json()


def _entity(shift_id: str, clock, action: str = "set_notes", payload: dict | None = None, **extra) -> dict:
    return {"command_id": str(uuid.uuid4()), "kind": "handover", "entity_id": shift_id, "action": action,
            "payload": {"notes": "all quiet"} if payload is None else payload, "issued_at": clock().isoformat(),
            "offline": False, "console_id": "desk-1", **extra}


def test_entity_commands(srv, clock):
    shift_id = _handover(srv, clock)["shift_id"]
    bad = [
        (_entity(shift_id, clock, payload={"notes": NUL}), "invalid_payload", "notes"),
        (_entity(shift_id, clock, payload={"notes": SURROGATE}), "invalid_payload", "notes"),
        (_entity(shift_id, clock, payload={"notes": 1}), "invalid_payload", "notes"),
        (_entity(shift_id, clock, "sign", {"content_hash": NUL}), "invalid_payload", "content_hash"),
        (_entity(NUL, clock), "invalid_request", "entity_id"),
        (_entity(shift_id, clock, console_id=SURROGATE), "invalid_request", "console_id"),
        (_entity(shift_id, clock, issued_at=YEAR_1), "invalid_time", "issued_at"),
        (_entity(shift_id, clock, issued_at=YEAR_9999), "invalid_time", "issued_at"),
        (_entity(shift_id, clock, kind=NUL), "invalid_request", "kind"),
    ]
    for command, reason, field in bad:
        r = send(srv, "POST", "/api/commands", "lead1", {"commands": [command]})
        assert r.status_code == 200, (command, r.text)
        (result,) = r.json()["results"]
        assert result["command_id"] == command["command_id"], result
        assert (result["status"], result["reason"]) == ("rejected", reason), (command, result)
        assert field in result["message"], (field, result)
    handover = send(srv, "GET", f"/api/handovers/{shift_id}", "lead1").json()
    assert handover["notes"] == "" and handover["version"] == 1, handover
