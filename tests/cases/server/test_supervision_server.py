"""Supervision orders and callbacks through the server's one command pipeline (SQLite and PostgreSQL): applied
once, audited, in the feed; refusals by role, unit and state; the overdue sweep marks an order once."""
from __future__ import annotations

import uuid
from datetime import timedelta

from server.cases.supervision import mark_overdue_orders
from server.maintenance import maintenance_round
from tests.support.server import HANDLER, OTHER_HANDLER, UNIT


def _sweep(srv):
    return mark_overdue_orders(srv.ctx.db.reader, srv.ctx.db.writer, srv.refdata, srv.clock)


def _closed(srv, **create) -> dict:
    case = srv.new_case(**create)
    for user, action, payload in [("operator1", "register", {}), ("operator1", "dispatch", {"unit_id": UNIT}),
                                  (HANDLER, "accept", {}), (HANDLER, "report_handled", {"note": "fixed"}),
                                  ("operator1", "send_verify", {}), ("inspector1", "verify_pass", {}),
                                  ("lead1", "close", {})]:
        result = srv.do(user, action, case["id"], payload)
        assert result["status"] == "accepted", result
        case = result["case"]
    return case


def test_order_issued_replied_accepted_once_audited_in_the_feed(srv):
    case = srv.case_at("dispatched")
    issue = srv.command("issue_order", case["id"], {"unit_id": UNIT, "level": "urgent", "text": "report by noon"})
    (first,) = srv.post("lead1", issue)
    (again,) = srv.post("lead1", issue)  # a retry (say, from a console's outbox) is answered, not re-applied
    assert first["status"] == "accepted" and again == first
    order = first["case"]["orders"][0]
    assert (order["unit_id"], order["level"], order["state"], order["id"]) == (UNIT, "urgent", "open",
                                                                                issue["command_id"])
    # the handler of the addressed unit reads it in its feed
    feed = srv.changes(HANDLER)["changes"]
    assert [c["data"]["orders"][0]["text"] for c in feed if c["id"] == case["id"]] == ["report by noon"]
    reply = srv.do(HANDLER, "reply_order", case["id"], {"order_id": order["id"], "text": "crew on site"})
    assert reply["status"] == "accepted" and reply["case"]["orders"][0]["state"] == "replied"
    done = srv.do("lead1", "accept_order_reply", case["id"], {"order_id": order["id"]})
    assert done["status"] == "accepted" and done["case"]["orders"][0]["state"] == "accepted"
    assert len(done["case"]["orders"]) == 1 and done["case"]["status"] == "dispatched"

    r = srv.client.get("/api/audit", params={"entity_id": case["id"]}, headers=srv.login("lead1"))
    actions = [e["action"] for e in r.json()["entries"]]
    assert actions.count("issue_order") == 1 and "reply_order" in actions and "accept_order_reply" in actions


def test_order_refusals_on_the_server(srv):
    case = srv.case_at("dispatched")
    refused = srv.do("operator1", "issue_order", case["id"], {"unit_id": UNIT, "text": "x"})
    assert (refused["status"], refused["reason"]) == ("rejected", "forbidden_role")
    refused = srv.do("lead1", "issue_order", case["id"], {"unit_id": "roads", "text": "x"})
    assert refused["reason"] == "unit_not_responsible"
    refused = srv.do("lead1", "issue_order", case["id"], {"unit_id": UNIT, "text": "x", "level": "top"})
    assert refused["reason"] == "invalid_payload" and "level" in refused["message"]
    order_id = srv.do("lead1", "issue_order", case["id"], {"unit_id": UNIT, "text": "x"})["case"]["orders"][0]["id"]
    stranger = srv.do(OTHER_HANDLER, "reply_order", case["id"], {"order_id": order_id, "text": "not ours"})
    assert (stranger["reason"], stranger["case"]) == ("out_of_scope", None)  # nothing of the case to a stranger
    assert UNIT not in stranger["message"]
    early = srv.do("lead1", "accept_order_reply", case["id"], {"order_id": order_id})
    assert early["reason"] == "precondition" and early["case"]["orders"][0]["state"] == "open"
    missing = srv.do(HANDLER, "reply_order", case["id"], {"order_id": str(uuid.uuid4()), "text": "y"})
    assert missing["reason"] == "no_such_order"


def test_overdue_orders_are_marked_once_by_the_sweep(srv, clock):
    case = srv.case_at("dispatched")
    order = srv.do("lead1", "issue_order", case["id"], {"unit_id": UNIT, "level": "leader", "text": "x"})
    order_id = order["case"]["orders"][0]["id"]
    assert _sweep(srv) == []
    clock.now += timedelta(hours=3)  # a leader-level order runs two calendar hours
    maintenance_round(srv.ctx)  # the housekeeping round runs the sweep
    srv.forget_logins()
    data = next(c["data"] for c in srv.changes("operator1")["changes"] if c["id"] == case["id"])
    marked = data["orders"][0]
    assert marked["overdue_marked_at"] is not None
    event = data["events"][-1]
    assert (event["action"], event["actor"], event["payload"]["order_id"]) == ("order_overdue", "system", order_id)
    assert _sweep(srv) == []  # once
    # a rejected late reply sends it back; still late, it is marked again
    assert srv.do(HANDLER, "reply_order", case["id"], {"order_id": order_id, "text": "late"})["status"] == "accepted"
    assert srv.do("lead1", "reject_order_reply", case["id"], {"order_id": order_id, "reason": "no date"})[
        "status"] == "accepted"
    (again,) = _sweep(srv)
    assert again.status == "accepted" and again.case.orders[0].overdue_marked_at is not None


def test_callback_and_reopen_through_the_server(srv):
    case = _closed(srv, reporter_phone="13800138000")
    refused = srv.do(HANDLER, "record_callback", case["id"], {"reached": False})
    assert refused["reason"] in ("forbidden_role", "out_of_scope")
    called = srv.do("operator1", "record_callback", case["id"],
                    {"reached": True, "satisfaction": "dissatisfied", "note": "still leaking"})
    assert called["status"] == "accepted" and called["case"]["callback"]["satisfaction"] == "dissatisfied"
    assert srv.do("operator1", "reopen", case["id"], {"reason": "x"})["reason"] == "forbidden_role"
    reopened = srv.do("lead1", "reopen", case["id"], {"reason": "reporter dissatisfied"})
    assert reopened["status"] == "accepted"
    assert (reopened["case"]["status"], reopened["case"]["unit_id"]) == ("registered", None)
    again = srv.do("operator1", "dispatch", case["id"], {"unit_id": UNIT})
    assert again["status"] == "accepted"
    # no callback for a case from a grid inspector
    inspector_case = _closed(srv, source="grid_inspector", reporter_phone="13800138000")
    refused = srv.do("operator1", "record_callback", inspector_case["id"], {"reached": False})
    assert refused["reason"] == "precondition"


def test_a_lead_declines_to_reopen_through_the_server_once(srv):
    case = _closed(srv, reporter_phone="13800138000")
    srv.do("operator1", "record_callback", case["id"], {"reached": True, "satisfaction": "dissatisfied", "note": "x"})
    refused = srv.do("operator1", "decline_reopen", case["id"], {"reason": "done to the standard"})
    assert refused["reason"] == "forbidden_role"
    refused = srv.do(HANDLER, "decline_reopen", case["id"], {"reason": "done to the standard"})
    assert refused["reason"] in ("forbidden_role", "out_of_scope")
    decline = srv.command("decline_reopen", case["id"], {"reason": "done to the standard"})
    (first,) = srv.post("lead1", decline)
    (again,) = srv.post("lead1", decline)
    assert first["status"] == "accepted" and again == first
    assert first["case"]["status"] == "closed" and first["case"]["callback"]["decline_reason"] == "done to the standard"
    late = srv.do("lead1", "reopen", case["id"], {"reason": "changed my mind"})
    assert late["status"] == "accepted"  # a lead may still reopen later; the decision is in the history
    r = srv.client.get("/api/audit", params={"entity_id": case["id"]}, headers=srv.login("lead1"))
    declines = [e["result"] for e in r.json()["entries"] if e["action"] == "decline_reopen"]
    assert sorted(declines) == ["accepted", "rejected", "rejected"]  # the refusals are audited too; the retry is not
