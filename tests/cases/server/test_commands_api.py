"""POST /api/commands: the lifecycle through the API, rejections, validation and authorisation."""
from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from db.cases import CaseEventRow, CaseRow, CommandRow
from tests.support.server import CATEGORY, HANDLER, OTHER_HANDLER, UNIT


def _events(srv, case_id) -> list[tuple[int, str, str]]:
    with srv.ctx.db.reader() as session:
        rows = session.execute(select(CaseEventRow.seq, CaseEventRow.action, CaseEventRow.actor)
                               .where(CaseEventRow.case_id == uuid.UUID(str(case_id)))
                               .order_by(CaseEventRow.seq)).all()
    return [tuple(r) for r in rows]


def test_full_lifecycle(srv):
    steps = [
        ("operator1", "register", {}, "registered"),
        ("operator1", "dispatch", {"unit_id": UNIT, "note": "urgent"}, "dispatched"),
        (HANDLER, "accept", {}, "in_progress"),
        (HANDLER, "report_handled", {"note": "cover replaced"}, "handled"),
        ("operator1", "send_verify", {"inspector": "inspector1"}, "verifying"),
        ("inspector1", "verify_pass", {"note": "looks fine"}, "verifying"),
        ("lead1", "close", {}, "closed"),
    ]
    created = srv.do("operator1", "create", uuid.uuid4(), srv.create_payload())
    assert created["status"] == "accepted" and created["version"] == 1 and created["position"] >= 1
    case = created["case"]
    assert case["number"] == "2026-000001"
    assert case["status"] == "reported" and case["category_code"] == CATEGORY
    assert case["location"]["grid_code"] == srv.refdata.grids[0].code  # located by the server
    position = created["position"]
    for user, action, payload, status in steps:
        srv.clock.advance(minutes=5)
        result = srv.do(user, action, case["id"], payload)
        assert result["status"] == "accepted", result
        assert result["case"]["status"] == status
        assert result["version"] == result["case"]["version"] == case["version"] + 1
        assert result["position"] > position
        case, position = result["case"], result["position"]
    assert case["verification"] == "passed" and case["due_at"] is None
    assert [e[1] for e in _events(srv, case["id"])] == ["create"] + [s[1] for s in steps]
    assert [e[0] for e in _events(srv, case["id"])] == list(range(1, len(steps) + 2))
    with srv.ctx.db.reader() as session:
        row = session.get(CaseRow, uuid.UUID(case["id"]))
        assert (row.status, row.version, row.unit_id, row.number) == ("closed", 8, UNIT, "2026-000001")
        assert row.data == case
    r = srv.client.get(f"/api/cases/{case['id']}", headers=srv.login("inspector2"))
    assert r.status_code == 200 and r.json() == case


def test_the_actor_is_the_authenticated_user_not_the_payload(lite):
    case = lite.new_case("inspector2")
    event = case["events"][0]
    assert (event["actor"], event["actor_role"]) == ("inspector2", "inspector")


def test_case_numbers_count_per_city_year(lite, clock):
    first = lite.new_case()
    # 2026-12-31 16:30 UTC is already 2027-01-01 00:30 in Shanghai: the new year's first number.
    clock.now = clock.now.replace(month=12, day=31, hour=16, minute=30)
    lite.forget_logins()
    second = lite.new_case()
    third = lite.new_case()
    assert [first["number"], second["number"], third["number"]] == ["2026-000001", "2027-000001", "2027-000002"]


def test_rejection_carries_reason_message_and_the_servers_case(srv):
    case = srv.new_case()
    result = srv.do("operator1", "close", case["id"])
    assert result["status"] == "rejected"
    assert result["reason"] == "forbidden_role"
    assert "operator 'operator1'" in result["message"]
    assert result["case"] == case
    assert result["version"] is None and result["position"] is None
    result = srv.do("lead1", "accept", case["id"])
    assert result["reason"] in {"forbidden_role", "illegal_state"}
    assert _events(srv, case["id"]) == [(1, "create", "operator1")]


def test_action_on_a_missing_case(lite):
    result = lite.do("operator1", "register", uuid.uuid4())
    assert result["status"] == "rejected" and result["reason"] == "no_such_case" and result["case"] is None


def test_create_twice_with_the_same_case_id(lite):
    case = lite.new_case()
    result = lite.do("operator1", "create", case["id"], lite.create_payload())
    assert result["reason"] == "case_exists" and result["case"] == case


def test_bad_payloads_become_rejections(lite):
    lite_case = lite.case_at("registered")
    cases = [
        ("create", uuid.uuid4(), lite.create_payload(location={"lat": 91, "lon": 120.1}), "invalid_payload"),
        ("create", uuid.uuid4(), lite.create_payload(location={"lat": 30.2, "lon": -181}), "invalid_payload"),
        ("create", uuid.uuid4(), lite.create_payload(colour="red"), "invalid_payload"),
        ("create", uuid.uuid4(), lite.create_payload(category_code="Z9999"), "unknown_category"),
        ("dispatch", lite_case["id"], {"unit_id": "no_such_unit"}, "unknown_unit"),
        ("dispatch", lite_case["id"], {}, "invalid_payload"),
    ]
    for action, case_id, payload, reason in cases:
        result = lite.do("operator1", action, case_id, payload)
        assert (result["status"], result["reason"]) == ("rejected", reason), (action, payload, result)
    assert "lat" in lite.do("operator1", "create", uuid.uuid4(),
                            lite.create_payload(location={"lat": 91, "lon": 120.1}))["message"]


def test_a_phone_number_that_is_not_one_is_refused_naming_the_field(lite):
    bad = lite.do("operator1", "create", uuid.uuid4(), lite.create_payload(reporter_phone="not-a-phone!!"))
    assert (bad["status"], bad["reason"]) == ("rejected", "invalid_payload")
    assert "reporter_phone" in bad["message"] and "phone number" in bad["message"]
    for phone in ("0571-8702 3456", "+86 138 0013 8000", "(0571) 87023456", "110", ""):
        ok = lite.do("operator1", "create", uuid.uuid4(), lite.create_payload(reporter_phone=phone))
        assert ok["status"] == "accepted", (phone, ok)
        assert ok["case"]["reporter_phone"] == phone


def test_batch_envelope_is_validated(lite):
    headers = lite.login("operator1")
    good = lite.command("create", uuid.uuid4(), lite.create_payload())
    bad_requests = [
        ({"commands": []}, ["body", "commands"]),
        ({"commands": [good] * 501}, ["body", "commands"]),
        ({"commands": [good], "extra": 1}, ["body", "extra"]),
        ({"commands": good}, ["body", "commands"]),
    ]
    for body, loc in bad_requests:
        r = lite.client.post("/api/commands", json=body, headers=headers)
        assert r.status_code == 422, body
        assert r.json()["error"] == "invalid_request"
        assert loc in [d["loc"] for d in r.json()["details"]], r.json()
    with lite.ctx.db.reader() as session:
        assert session.execute(select(CommandRow)).first() is None


def test_a_command_that_does_not_fit_the_schema_is_rejected_on_its_own(lite):
    good = lite.command("create", uuid.uuid4(), lite.create_payload())
    bad = [({**lite.command("note", uuid.uuid4(), {"text": "x"}), "author": "lead1"}, "author"),
           ({**lite.command("note", uuid.uuid4(), {"text": "x"}), "action": "explode"}, "action")]
    results = lite.post("operator1", *[command for command, _ in bad], good)
    for (command, field), result in zip(bad, results):
        assert (result["status"], result["reason"]) == ("rejected", "invalid_request"), result
        assert result["command_id"] == command["command_id"] and field in result["message"]
    assert results[-1]["status"] == "accepted"
    (no_id,) = lite.post("operator1", {**good, "command_id": "not-a-uuid"})
    assert (no_id["command_id"], no_id["status"], no_id["reason"]) == (None, "rejected", "invalid_request")
    assert "command_id" in no_id["message"]


def test_console_clock_far_ahead_is_bad_clock(lite, clock):
    case_id = uuid.uuid4()
    result = lite.do("operator1", "create", case_id, lite.create_payload(), issued_at=clock() + timedelta(days=2))
    assert (result["status"], result["reason"]) == ("rejected", "bad_clock")
    ok = lite.do("operator1", "create", case_id, lite.create_payload(), issued_at=clock() + timedelta(hours=20))
    assert ok["status"] == "accepted"  # a console a few hours off (or replaying offline work) is fine
    past = lite.do("operator1", "note", case_id, {"text": "from yesterday"}, issued_at=clock() - timedelta(days=3),
                   offline=True, console_id="desk-1")
    assert past["status"] == "accepted"
    event = past["case"]["events"][-1]
    assert event["offline"] is True and event["console_id"] == "desk-1"
    assert event["client_time"] == (clock() - timedelta(days=3)).isoformat().replace("+00:00", "Z")


def test_issued_at_without_zone_is_refused(lite, clock):
    cmd = lite.command("create", uuid.uuid4(), lite.create_payload())
    cmd["issued_at"] = clock().replace(tzinfo=None).isoformat()
    (result,) = lite.post("operator1", cmd)
    assert (result["status"], result["reason"]) == ("rejected", "invalid_time")


def test_issued_at_that_overflows_utc_is_refused_not_a_500(lite):
    cmd = lite.command("create", uuid.uuid4(), lite.create_payload())
    cmd["issued_at"] = "0001-01-01T00:30:00+05:00"  # a valid ISO time whose UTC form is before year 1
    (result,) = lite.post("operator1", cmd)
    assert (result["status"], result["reason"]) == ("rejected", "invalid_time")
    assert "issued_at" in result["message"] and "out of range" in result["message"]


def test_operator_cannot_close_but_lead_can(srv):
    case = srv.case_at("verifying")
    assert srv.do("inspector1", "verify_pass", case["id"])["status"] == "accepted"
    assert srv.do("operator1", "close", case["id"])["reason"] == "forbidden_role"
    assert srv.do("lead1", "close", case["id"])["case"]["status"] == "closed"


def test_inspector_verifies_fail_sends_back_for_rework(lite):
    case = lite.case_at("verifying")
    assert lite.do("operator2", "verify_fail", case["id"], {"reason": "still open"})["reason"] == "forbidden_role"
    result = lite.do("inspector1", "verify_fail", case["id"], {"reason": "still open"})
    assert result["case"]["status"] == "in_progress" and result["case"]["rework_count"] == 1


def test_unit_handler_acts_only_on_its_units_cases(srv):
    case = srv.case_at("dispatched")
    other = srv.do(OTHER_HANDLER, "accept", case["id"])
    assert (other["status"], other["reason"]) == ("rejected", "out_of_scope")
    assert other["case"] is None  # another unit's case is not shown to this handler
    note = srv.do(OTHER_HANDLER, "note", case["id"], {"text": "not ours"})
    assert note["reason"] == "out_of_scope"
    r = srv.client.get(f"/api/cases/{case['id']}", headers=srv.login(OTHER_HANDLER))
    assert r.status_code == 403 and r.json()["error"] == "out_of_scope"
    ours = srv.do(HANDLER, "accept", case["id"])
    assert ours["status"] == "accepted"
    assert srv.client.get(f"/api/cases/{case['id']}", headers=srv.login(HANDLER)).status_code == 200


def test_unit_handler_cannot_see_undispatched_cases(lite):
    case = lite.new_case()
    r = lite.client.get(f"/api/cases/{case['id']}", headers=lite.login(HANDLER))
    assert r.status_code == 403


def test_get_case_not_found_and_bad_id(lite):
    headers = lite.login("operator1")
    r = lite.client.get(f"/api/cases/{uuid.uuid4()}", headers=headers)
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = lite.client.get("/api/cases/12345", headers=headers)
    assert r.status_code == 422 and r.json()["details"][0]["loc"] == ["path", "case_id"]


def test_batch_is_applied_in_order_each_on_its_own(lite):
    case_id = uuid.uuid4()
    commands = [lite.command("create", case_id, lite.create_payload()),
                lite.command("close", case_id),                       # refused: wrong role and state
                lite.command("register", case_id),
                lite.command("dispatch", case_id, {"unit_id": UNIT})]
    results = lite.post("operator1", *commands)
    assert [r["status"] for r in results] == ["accepted", "rejected", "accepted", "accepted"]
    assert [r["command_id"] for r in results] == [c["command_id"] for c in commands]
    assert results[-1]["case"]["status"] == "dispatched"


def test_emergency_mode_only_by_the_shift_lead(srv):
    for user in ["operator1", "inspector1", HANDLER, "admin"]:
        r = srv.client.put("/api/settings/emergency_mode", json={"on": True, "reason": "typhoon"},
                           headers=srv.login(user))
        assert r.status_code == 403 and r.json()["error"] == "forbidden", user
    r = srv.client.put("/api/settings/emergency_mode", json={"on": True, "reason": "typhoon Haikui"},
                       headers=srv.login("lead1"))
    assert r.status_code == 200
    body = r.json()
    assert body["key"] == "emergency_mode"
    assert body["value"] == {"on": True, "reason": "typhoon Haikui", "by": "lead1", "at": srv.clock().isoformat()}
    feed = srv.changes("operator1")["changes"]
    assert [(c["kind"], c["id"], c["data"]) for c in feed] == [("setting", "emergency_mode",
                                                                {"key": "emergency_mode", "value": body["value"]})]
    assert feed[0]["position"] == body["position"]


def test_emergency_mode_body_is_validated(lite):
    headers = lite.login("lead1")
    for body in [{"on": "yes", "reason": "x"}, {"on": True}, {"on": True, "reason": ""},
                 {"on": True, "reason": "x", "level": 3}]:
        r = lite.client.put("/api/settings/emergency_mode", json=body, headers=headers)
        assert r.status_code == 422, body
