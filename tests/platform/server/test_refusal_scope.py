"""A refusal never carries what its caller may not read.

For each entity kind a command can address (cases: `POST /api/commands`; handovers: `POST
/api/entity-commands`) and each role: a refused command's answer carries the entity exactly when that
role could GET it, its retry answers the same, and another user reusing its command id gets nothing of
the entity. Refusals to a caller who may not see the case name neither the case nor its unit.
"""
from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import insert

from db.cases import CommandRow
from db.shifts import EntityCommandRow
from tests.support.server import HANDLER, OTHER_HANDLER, UNIT

# username -> may GET a case dispatched to UNIT (`server.platform.scope.can_see`)
SEES_UNIT_CASE = {"operator1": True, "lead1": True, "inspector1": True, HANDLER: True, OTHER_HANDLER: False,
                  "admin": True}
# username -> may GET a handover (`server.platform.scope.can_read_handover`: not a unit handler)
READS_HANDOVER = {"operator1": True, "lead1": True, "lead2": True, "inspector1": True, HANDLER: False,
                  OTHER_HANDLER: False, "admin": True}


def _post_commands(srv, username: str, command: dict) -> dict:
    r = srv.client.post("/api/commands", json={"commands": [command]}, headers=srv.login(username))
    assert r.status_code == 200, r.text
    (result,) = r.json()["results"]
    return result


def _post_entity(srv, username: str, command: dict) -> dict:
    r = srv.client.post("/api/commands", json={"commands": [command]}, headers=srv.login(username))
    assert r.status_code == 200, r.text
    (result,) = r.json()["results"]
    return result


def _another_user(username: str) -> str:
    return "operator2" if username != "operator2" else "operator3"


def _assert_names_nothing_of(text: str, case: dict, refdata) -> None:
    """`text` (a refusal's message) names neither the case nor the unit it belongs to."""
    assert case["number"] not in text and case["id"] not in text
    unit = refdata.unit(UNIT)
    assert unit.id not in text and unit.name not in text and unit.name_en not in text
    assert f"'{case['status']}'" not in text


# ---- cases ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", sorted(SEES_UNIT_CASE))
def test_a_refused_case_command_carries_the_case_exactly_when_the_caller_may_get_it(srv, username):
    case = srv.case_at("dispatched")  # with UNIT: every role sees it but the other unit's handler
    may_get = srv.client.get(f"/api/cases/{case['id']}", headers=srv.login(username)).status_code == 200
    assert may_get is SEES_UNIT_CASE[username]
    command = srv.command("close", case["id"])  # refused for every role on a dispatched case
    refused = _post_commands(srv, username, command)
    assert refused["status"] == "rejected", refused
    assert refused["case"] == (case if may_get else None)
    if not may_get:
        _assert_names_nothing_of(refused["message"], case, srv.refdata)
    assert _post_commands(srv, username, command) == refused  # the retry: the same answer
    stolen = _post_commands(srv, _another_user(username), command)
    assert (stolen["status"], stolen["reason"], stolen["case"]) == ("rejected", "conflict", None)
    _assert_names_nothing_of(stolen["message"], case, srv.refdata)


def test_refusals_to_a_handler_of_another_unit_name_neither_the_case_nor_its_unit(srv):
    case = srv.case_at("dispatched")
    for action, payload, reason in [
        ("accept", {}, "out_of_scope"), ("note", {"text": "ours?"}, "out_of_scope"),
        ("report_handled", {"note": "done"}, "out_of_scope"),  # also the wrong state: not said either
        ("request_extension", {"minutes": 60, "reason": "parts"}, "out_of_scope"),
        ("close", {}, "forbidden_role"), ("register", {}, "forbidden_role"),
    ]:
        refused = srv.do(OTHER_HANDLER, action, case["id"], payload)
        assert (refused["status"], refused["reason"], refused["case"]) == ("rejected", reason, None), action
        _assert_names_nothing_of(refused["message"], case, srv.refdata)
        assert OTHER_HANDLER in refused["message"] and action in refused["message"]  # still says who and what


def test_a_handler_creating_over_an_existing_case_learns_nothing_of_it(srv):
    case = srv.new_case()  # not dispatched yet: no unit handler sees it
    refused = srv.do(HANDLER, "create", case["id"], srv.create_payload())
    assert (refused["status"], refused["reason"], refused["case"]) == ("rejected", "forbidden_role", None)
    assert case["number"] not in refused["message"] and case["id"] not in refused["message"]


def test_a_handler_still_gets_clear_refusals_about_its_own_units_cases(srv):
    case = srv.case_at("dispatched")
    refused = srv.do(HANDLER, "report_handled", case["id"], {"note": "done"})  # not accepted yet
    assert refused["reason"] == "illegal_state" and refused["case"] == case
    assert case["number"] in refused["message"] and "'dispatched'" in refused["message"]


def test_get_case_out_of_scope_reveals_nothing_of_the_case(srv):
    case = srv.case_at("dispatched")
    r = srv.client.get(f"/api/cases/{case['id']}", headers=srv.login(OTHER_HANDLER))
    assert r.status_code == 403 and r.json()["error"] == "out_of_scope"
    assert r.json()["details"] == []
    message = r.json()["message"]
    assert case["number"] not in message and f"'{case['status']}'" not in message
    unit = srv.refdata.unit(UNIT)
    assert unit.id not in message and unit.name not in message and unit.name_en not in message


def test_a_stored_refusal_is_replayed_without_a_case_the_caller_may_no_longer_get(srv):
    """An answer stored with the case (e.g. before the handler moved to another unit) is judged again
    against the caller when it is replayed."""
    case = srv.case_at("dispatched")
    command_id = uuid.uuid4()
    stored = {"command_id": str(command_id), "case_id": case["id"], "status": "rejected", "reason": "precondition",
              "message": "refused", "version": None, "position": None, "case": case}
    with srv.ctx.db.writer() as session, session.begin():
        session.execute(insert(CommandRow).values(command_id=command_id, username=OTHER_HANDLER,
                                                  case_id=uuid.UUID(case["id"]), action="note",
                                                  received_at=srv.clock(), status="rejected", result=stored))
    replayed = srv.do(OTHER_HANDLER, "note", case["id"], {"text": "x"}, command_id=command_id)
    assert (replayed["status"], replayed["reason"], replayed["case"]) == ("rejected", "precondition", None)


# ---- handovers (the one kind of entity command) ---------------------------------------------------

@pytest.fixture
def handover(srv):
    """A closed shift's draft handover whose report lists a case of UNIT by number (returned by its
    handler during the shift)."""
    r = srv.client.post("/api/shifts", json={}, headers=srv.login("lead1"))
    assert r.status_code == 201, r.text
    shift = r.json()
    srv.clock.advance(minutes=10)
    case = srv.case_at("dispatched")
    returned = srv.do(HANDLER, "return", case["id"], {"reason": "not our asset"})
    assert returned["status"] == "accepted", returned
    srv.clock.advance(hours=1)
    r = srv.client.post(f"/api/shifts/{shift['id']}/close", json={"notes": "check the pump"},
                        headers=srv.login("lead1"))
    assert r.status_code == 200, r.text
    draft = r.json()
    (item,) = draft["report"]["returned"]["items"]
    assert item["number"] == case["number"]
    return draft


def _entity_command(srv, draft: dict, action: str) -> dict:
    payload = {"content_hash": draft["content_hash"]} if action == "sign" else {"notes": "edited"}
    return {"command_id": str(uuid.uuid4()), "kind": "handover", "entity_id": draft["shift_id"], "action": action,
            "payload": payload, "issued_at": srv.clock().isoformat(), "offline": False, "console_id": "c1"}


def _refused_action(username: str) -> str:
    # lead1 is the outgoing lead (may not sign); lead2 is not (may not edit the notes); nobody else may do either
    return "set_notes" if username == "lead2" else "sign"


@pytest.mark.parametrize("username", sorted(READS_HANDOVER))
def test_a_refused_handover_command_carries_the_handover_exactly_when_the_caller_may_get_it(srv, handover,
                                                                                             username):
    r = srv.client.get(f"/api/handovers/{handover['shift_id']}", headers=srv.login(username))
    may_get = r.status_code == 200
    assert may_get is READS_HANDOVER[username]
    command = _entity_command(srv, handover, _refused_action(username))
    refused = _post_entity(srv, username, command)
    assert (refused["status"], refused["reason"]) == ("rejected", "forbidden"), refused
    assert refused["data"] == (r.json() if may_get else None)
    if not may_get:  # nothing of the report anywhere in the answer
        (item,) = handover["report"]["returned"]["items"]
        assert item["number"] not in json.dumps(refused) and item["case_id"] not in json.dumps(refused)
    assert _post_entity(srv, username, command) == refused  # the retry: the same answer
    stolen = _post_entity(srv, _another_user(username), command)
    assert (stolen["status"], stolen["reason"], stolen["data"]) == ("rejected", "conflict", None)


def test_a_unit_handler_cannot_read_a_handover_through_a_refused_command(srv, handover):
    """The leak found by outside testing: `sign` / `set_notes` on a listed shift id, refused as
    `forbidden`, answered the whole report to a unit handler."""
    shift_ids = [s["id"] for s in srv.client.get("/api/shifts", headers=srv.login(OTHER_HANDLER)).json()["shifts"]]
    assert handover["shift_id"] in shift_ids
    for action in ("sign", "set_notes"):
        refused = _post_entity(srv, OTHER_HANDLER, _entity_command(srv, handover, action))
        assert (refused["status"], refused["reason"], refused["data"]) == ("rejected", "forbidden", None)
        assert handover["content_hash"] not in json.dumps(refused)


def test_a_stored_handover_refusal_is_replayed_without_the_report(srv, handover):
    """An answer stored with the report for a unit handler (as before refusals were filtered) is answered
    without it."""
    command = _entity_command(srv, handover, "sign")
    stored = {"command_id": command["command_id"], "status": "rejected", "reason": "forbidden",
              "message": "only a shift lead may do this", "data": handover}
    with srv.ctx.db.writer() as session, session.begin():
        session.execute(insert(EntityCommandRow).values(
            command_id=uuid.UUID(command["command_id"]), username=HANDLER, kind="handover",
            entity_id=handover["shift_id"], action="sign", received_at=srv.clock(), status="rejected", result=stored))
    replayed = _post_entity(srv, HANDLER, command)
    assert (replayed["status"], replayed["reason"], replayed["data"]) == ("rejected", "forbidden", None)
