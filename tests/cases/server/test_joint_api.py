"""Joint handling and inspector tasks through the server (SQLite and PostgreSQL): a co-unit's handler sees
the joint case over HTTP and in its feed (database read and ring alike), a removed co-unit gets a scope
exit, and each refusal comes back as a rejection that carries only what the caller may read."""
from __future__ import annotations

import json

from app.platform.enums import Role
from server.platform.auth import AuthUser
from tests.support.server import HANDLER, OTHER_HANDLER

CO = "roads"                 # OTHER_HANDLER's unit
OUTSIDER = "handler_greenery"


def _get(srv, username, case_id):
    return srv.client.get(f"/api/cases/{case_id}", headers=srv.login(username))


def _ids(page) -> dict[str, str]:
    return {c["id"]: c["kind"] for c in page["changes"]}


def test_a_co_units_handler_sees_the_case_over_http_and_in_its_feed_until_removed(srv):
    case = srv.case_at("dispatched")
    assert _get(srv, OTHER_HANDLER, case["id"]).status_code == 403  # not theirs yet
    before = srv.changes(OTHER_HANDLER)["cursors"]
    added = srv.do("operator1", "add_co_unit", case["id"], {"unit_id": CO})
    assert added["status"] == "accepted", added
    assert added["case"]["co_tasks"][0]["unit_id"] == CO
    got = _get(srv, OTHER_HANDLER, case["id"])
    assert got.status_code == 200 and got.json()["co_tasks"][0]["status"] == "dispatched"
    page = srv.changes(OTHER_HANDLER, after=before)
    assert [(c["kind"], c["position"]) for c in page["changes"] if c["id"] == case["id"]] == \
        [("case", added["position"])]
    assert case["id"] in _ids(srv.changes(OTHER_HANDLER))           # a full read too
    assert case["id"] in _ids(srv.changes(HANDLER))                 # the lead unit keeps it
    assert case["id"] not in _ids(srv.changes(OUTSIDER))            # nobody else
    assert _get(srv, OUTSIDER, case["id"]).status_code == 403
    # the co-unit works its own task online
    for action, payload in (("co_accept", {}), ("co_handled", {"note": "road part done"})):
        result = srv.do(OTHER_HANDLER, action, case["id"], payload)
        assert result["status"] == "accepted", result
    # removed: the co-unit's handler gets a scope exit at the case's position, the lead's the case
    cursor = srv.changes(OTHER_HANDLER)["cursors"]
    removed = srv.do("operator1", "remove_co_unit", case["id"], {"unit_id": CO, "reason": "work finished"})
    assert removed["status"] == "accepted", removed
    assert srv.changes(OTHER_HANDLER, after=cursor)["changes"] == [
        {"position": removed["position"], "kind": "scope_exit", "id": case["id"],
         "data": {"kind": "case", "version": removed["case"]["version"]}}]
    assert _ids(srv.changes(HANDLER, after=cursor)) == {case["id"]: "case"}
    assert case["id"] not in _ids(srv.changes(OTHER_HANDLER))
    assert _get(srv, OTHER_HANDLER, case["id"]).status_code == 403


def test_the_lead_reports_handled_only_after_every_co_unit_and_refusals_name_the_reason(srv):
    case = srv.case_at("in_progress")
    srv.do("operator1", "add_co_unit", case["id"], {"unit_id": CO})
    early = srv.do(HANDLER, "report_handled", case["id"], {"note": "done"})
    assert (early["status"], early["reason"]) == ("rejected", "precondition") and CO in early["message"]
    wrong = srv.do(OTHER_HANDLER, "report_handled", case["id"], {"note": "done"})  # not the lead's handler
    assert (wrong["status"], wrong["reason"]) == ("rejected", "wrong_unit")
    lead_co = srv.do(HANDLER, "co_accept", case["id"])  # the lead has no co-task
    assert lead_co["reason"] == "wrong_unit"
    outsider = srv.do(OUTSIDER, "co_accept", case["id"])
    assert outsider["reason"] == "out_of_scope" and outsider["case"] is None  # carries nothing it may not read
    role = srv.do("inspector1", "add_co_unit", case["id"], {"unit_id": "greenery"})
    assert role["reason"] == "forbidden_role"
    state = srv.do(OTHER_HANDLER, "co_handled", case["id"], {"note": "x"})  # not accepted yet
    assert state["reason"] == "illegal_state"
    bad = srv.do("operator1", "add_co_unit", case["id"], {"unit": CO})
    assert bad["reason"] == "invalid_payload" and "unit_id" in bad["message"]
    for action, payload in (("co_accept", {}), ("co_handled", {"note": "road part"})):
        assert srv.do(OTHER_HANDLER, action, case["id"], payload)["status"] == "accepted"
    done = srv.do(HANDLER, "report_handled", case["id"], {"note": "all done"})
    assert done["status"] == "accepted" and done["case"]["status"] == "handled"


def test_the_ring_and_the_database_agree_on_joint_scopes_for_every_cursor(single_srv):
    srv = single_srv  # every position of one position space against the reference reader
    kept, dropped = srv.case_at("dispatched"), srv.case_at("dispatched")
    for case in (kept, dropped):
        srv.do("operator1", "add_co_unit", case["id"], {"unit_id": CO})
    srv.do("operator1", "remove_co_unit", dropped["id"], {"unit_id": CO, "reason": "not needed"})
    srv.do("operator1", "note", kept["id"], {"text": "joint"})
    users = {name: AuthUser(name, name, Role.UNIT_HANDLER, srv.refdata.user(name).unit_id)
             for name in (HANDLER, OTHER_HANDLER, OUTSIDER)}
    for name in users:
        srv.changes_after(name)
    top = srv.changes_after("operator1", limit=1000)["cursor"]
    exits = joint = 0
    for name, user in users.items():
        units = srv.ctx.feed_scope(user)
        for after in range(0, top + 1):
            for limit in (1, 2, 1000):
                expected = srv.ctx.read_changes(after, limit, user).to_dict()
                from_ring = srv.changes_after(name, after=after, limit=limit)
                from_db = json.loads(srv.ctx.read_changes_raw(after, limit, units).body("t"))
                assert {k: v for k, v in from_ring.items() if k != "server_time"} == expected, (name, after, limit)
                assert {k: v for k, v in from_db.items() if k != "server_time"} == expected, (name, after, limit)
                exits += sum(c["kind"] == "scope_exit" for c in expected["changes"])
                joint += sum(c["id"] == kept["id"] and c["kind"] == "case" for c in expected["changes"])
    assert exits and joint  # the comparison covered a joint case and an exit from one


def test_a_pre_registration_check_goes_to_the_grids_inspector_and_only_they_confirm_it(srv):
    case = srv.new_case()
    inspector = srv.refdata.inspectors_for(case["location"]["grid_code"])[0]
    sent = srv.do("operator1", "send_check", case["id"])
    assert sent["status"] == "accepted" and sent["case"]["check"]["inspector"] == inspector
    other = next(u.username for u in srv.refdata.users if u.role == "inspector" and u.username != inspector)
    wrong = srv.do(other, "confirm_check", case["id"], {"found": True})
    assert (wrong["status"], wrong["reason"]) == ("rejected", "wrong_inspector")
    role = srv.do(HANDLER, "confirm_check", case["id"], {"found": True})
    assert role["reason"] == "forbidden_role" and role["case"] is None  # a handler may not read a reported case
    ok = srv.do(inspector, "confirm_check", case["id"], {"found": True, "note": "seen on site"})
    assert ok["status"] == "accepted" and ok["case"]["check"]["result"] == "confirmed"
    assert srv.do("operator1", "register", case["id"])["status"] == "accepted"
    assert srv.do("operator1", "send_check", case["id"])["reason"] == "illegal_state"


def test_only_the_inspector_a_verification_was_sent_to_passes_it(srv):
    case = srv.case_at("verifying")  # sent to inspector1
    wrong = srv.do("inspector2", "verify_pass", case["id"], {"note": "ok"})
    assert (wrong["status"], wrong["reason"]) == ("rejected", "wrong_inspector")
    assert srv.do("inspector1", "verify_pass", case["id"], {"note": "ok"})["status"] == "accepted"


def test_an_overdue_co_task_is_escalated_once_to_its_units_parent_by_the_sweep(srv, clock):
    from datetime import datetime, timedelta

    from server.cases.joint_overdue import escalate_overdue_co_tasks
    from server.maintenance import maintenance_round

    def sweep():
        return escalate_overdue_co_tasks(srv.ctx.db.reader, srv.ctx.db.writer, srv.refdata, srv.clock)

    case = srv.case_at("dispatched")
    added = srv.do("operator1", "add_co_unit", case["id"], {"unit_id": CO})
    due = added["case"]["co_tasks"][0]["due_at"]
    assert sweep() == []  # not late yet
    forged = srv.do(OTHER_HANDLER, "co_overdue", case["id"], {"unit_id": CO})
    assert forged["status"] == "rejected" and forged["reason"] == "forbidden_role"  # the system's own
    clock.now += timedelta(days=30)
    maintenance_round(srv.ctx)  # the housekeeping round runs the sweep
    srv.forget_logins()
    data = next(c["data"] for c in srv.changes(OTHER_HANDLER)["changes"] if c["id"] == case["id"])
    task = data["co_tasks"][0]
    parent = srv.refdata.unit(CO).parent_id
    assert task["escalated_at"] is not None and task["escalated_to"] == parent and task["status"] == "dispatched"
    event = data["events"][-1]
    assert (event["action"], event["actor"], event["payload"]["unit_id"]) == ("co_overdue", "system", CO)
    assert datetime.fromisoformat(event["payload"]["due_at"]) == datetime.fromisoformat(due)
    assert [e["action"] for e in data["events"]].count("co_overdue") == 1
    assert sweep() == []  # once
    # a handled co-task is never escalated; a task added afresh is its own
    assert srv.do(OTHER_HANDLER, "co_accept", case["id"], {})["status"] == "accepted"
    assert srv.do(OTHER_HANDLER, "co_handled", case["id"], {"note": "done"})["status"] == "accepted"
    clock.now += timedelta(days=30)
    assert sweep() == []
