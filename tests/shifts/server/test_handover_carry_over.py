"""Every open escalation and every open supervision order carries into each shift's handover report, not
only those of the shift's own window: a report once said "no escalations" while two escalated cases were
open (they had been escalated in an earlier shift)."""
from __future__ import annotations

from app.wire.shifts import HandoverAnswer
from tests.support.server import HANDLER, UNIT


def _ok(result):
    assert result["status"] == "accepted", result
    return result["case"]


def _shift(srv, clock, lead="lead1"):
    r = srv.client.post("/api/shifts", json={}, headers=srv.login(lead))
    assert r.status_code == 201, r.text
    return r.json()


def _close(srv, shift_id, lead="lead1"):
    r = srv.client.post(f"/api/shifts/{shift_id}/close", json={"notes": ""}, headers=srv.login(lead))
    assert r.status_code == 200, r.text
    HandoverAnswer.model_validate(r.json())  # the documented answer, carried-over lists included
    return r.json()["report"]


def test_open_escalations_and_orders_carry_into_every_report(srv, clock):
    first = _shift(srv, clock)
    one, two, done = srv.case_at("dispatched"), srv.case_at("in_progress"), srv.case_at("verifying")
    for case in (one, two, done):
        _ok(srv.do("lead1", "escalate", case["id"], {"reason": "citizen called again"}))
    _ok(srv.do("inspector1", "verify_pass", done["id"]))
    _ok(srv.do("lead1", "close", done["id"]))            # closed: its escalation is over
    order = _ok(srv.do("lead1", "issue_order", one["id"], {"unit_id": UNIT, "level": "leader", "text": "why?"}))
    answered = _ok(srv.do("lead1", "issue_order", two["id"], {"unit_id": UNIT, "text": "report"}))
    order_id, answered_id = order["orders"][0]["id"], answered["orders"][0]["id"]
    _ok(srv.do(HANDLER, "reply_order", two["id"], {"order_id": answered_id, "text": "done"}))
    _ok(srv.do("lead1", "accept_order_reply", two["id"], {"order_id": answered_id}))
    clock.advance(hours=1)
    report = _close(srv, first["id"])
    assert report["counts"]["escalated"] == 3
    assert report["counts"]["open_escalations"] == 2 and report["counts"]["open_orders"] == 1

    # The next shift escalates nothing, and still hands over both escalations and the open order.
    clock.advance(minutes=1)
    second = _shift(srv, clock, "lead2")
    clock.advance(hours=3)   # the leader-level order (two calendar hours) is overdue by the end
    srv.forget_logins()
    report = _close(srv, second["id"], "lead2")
    counts = report["counts"]
    assert (counts["escalated"], counts["open_escalations"], counts["open_orders"], counts["overdue_orders"]) == \
        (0, 2, 1, 1)
    assert {c["case_id"] for c in report["open_escalations"]["items"]} == {one["id"], two["id"]}
    assert all(c["escalation_level"] == 1 and c["escalated_to"] for c in report["open_escalations"]["items"])
    (carried,) = report["open_orders"]["items"]
    assert (carried["case_id"], carried["order_id"], carried["unit_id"], carried["level"], carried["state"],
            carried["overdue"]) == (one["id"], order_id, UNIT, "leader", "open", True)

    # A reply waiting for the lead still carries (the lead's turn), no longer overdue.
    clock.advance(minutes=1)
    third = _shift(srv, clock)
    srv.forget_logins()
    _ok(srv.do(HANDLER, "reply_order", one["id"], {"order_id": order_id, "text": "crew sent"}))
    clock.advance(hours=1)
    report = _close(srv, third["id"])
    (carried,) = report["open_orders"]["items"]
    assert (carried["state"], carried["overdue"], carried["reply"]) == ("replied", False, "crew sent")
    assert report["counts"]["overdue_orders"] == report["open_orders"]["overdue"] == 0


def test_open_co_handling_tasks_and_on_site_checks_carry_into_every_report(srv, clock, refdata):
    """A joint case's co-unit task not handled yet and a report waiting for its on-site check are the
    incoming lead's too: listed in the report (and its printed form) until they are done."""
    from app.shifts.handover import HandoverState
    from app.shifts.handover_report import report_html

    first = _shift(srv, clock)
    joint = srv.case_at("dispatched")
    co_unit = "roads"
    _ok(srv.do("operator1", "add_co_unit", joint["id"], {"unit_id": co_unit}))
    reported = srv.new_case("operator1")
    _ok(srv.do("operator1", "send_check", reported["id"], {"inspector": "inspector1"}))
    clock.advance(hours=1)
    report = _close(srv, first["id"])
    assert report["counts"]["open_tasks"] == 2
    kinds = {(c["case_id"], c["kind"], c["task_unit_id"], c["inspector"]) for c in report["open_tasks"]["items"]}
    assert kinds == {(joint["id"], "co_task", co_unit, None), (reported["id"], "check", None, "inspector1")}
    html = report_html(HandoverState(first["id"], {"report": report, "status": "draft"}, "", False, None), refdata,
                       "en")
    assert "on-site check" in html and "co-handling" in html

    # Once the check is confirmed it no longer carries; the co-task still does.
    clock.advance(minutes=1)
    second = _shift(srv, clock, "lead2")
    _ok(srv.do("inspector1", "confirm_check", reported["id"], {"found": True}))
    clock.advance(hours=1)
    srv.forget_logins()
    report = _close(srv, second["id"], "lead2")
    assert [(c["case_id"], c["kind"]) for c in report["open_tasks"]["items"]] == [(joint["id"], "co_task")]
