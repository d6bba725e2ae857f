"""Supervision orders (督办) and callbacks (回访) in the one state machine: every rule and every refusal
(wrong role, wrong unit, wrong state), on the core alone."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from app.cases import callbacks, supervision
from app.cases.workflow import Actor, WorkflowError, allowed_actions, apply, new_command
from app.platform.enums import (
    Action,
    OrderLevel,
    Role,
    Satisfaction,
    Source,
    Stage,
    Status,
)
from app.refdata import timelimits

A = Action
LEAD = Actor("lead1", Role.SHIFT_LEAD)
OPERATOR = Actor("operator1", Role.OPERATOR)
INSPECTOR = Actor("inspector1", Role.INSPECTOR)
MAINT = Actor("handler_drainage_maint", Role.UNIT_HANDLER, "drainage_maint")
DRAINAGE = Actor("handler_drainage", Role.UNIT_HANDLER, "drainage")   # the unit above drainage_maint
ROADS = Actor("handler_roads", Role.UNIT_HANDLER, "roads")
SYSTEM = Actor("system", Role.SYSTEM)


def act(case, action, actor, refdata, at, **payload):
    return apply(case, new_command(case.id if case else uuid.uuid4(), action, payload, at), actor, refdata, at)


def new_case(refdata, now, *, source=Source.HOTLINE, phone="13800001111"):
    grid = refdata.grids[0]
    category = refdata.categories[0]
    lat, lon = grid.centroid
    return act(None, A.CREATE, OPERATOR, refdata, now, source=source, category_code=category.code,
               description="manhole cover missing", location={"lat": lat, "lon": lon},
               reporter_name="Ms Li", reporter_phone=phone)


def dispatched(refdata, now, unit="drainage_maint"):
    case = act(new_case(refdata, now), A.REGISTER, OPERATOR, refdata, now)
    return act(case, A.DISPATCH, OPERATOR, refdata, now, unit_id=unit)


def closed(refdata, now, **kw):
    case = act(new_case(refdata, now, **kw), A.REGISTER, OPERATOR, refdata, now)
    case = act(case, A.DISPATCH, OPERATOR, refdata, now, unit_id="drainage_maint")
    case = act(case, A.ACCEPT, MAINT, refdata, now)
    case = act(case, A.REPORT_HANDLED, MAINT, refdata, now, note="cover replaced")
    case = act(case, A.SEND_VERIFY, OPERATOR, refdata, now)
    case = act(case, A.VERIFY_PASS, INSPECTOR, refdata, now)
    return act(case, A.CLOSE, LEAD, refdata, now)


def refused(code, case, action, actor, refdata, at, **payload):
    with pytest.raises(WorkflowError) as err:
        act(case, action, actor, refdata, at, **payload)
    assert err.value.code == code, err.value.message
    return err.value.message


# ---- supervision orders ----------------------------------------------------------------------------------

def test_order_issue_reply_accept(refdata, now):
    case = dispatched(refdata, now)
    case = act(case, A.ISSUE_ORDER, LEAD, refdata, now, unit_id="drainage", level="urgent", text="report today")
    [order] = case.orders
    assert (order.number, order.unit_id, order.level, order.state, order.issued_by) == \
        (1, "drainage", OrderLevel.URGENT, "open", "lead1")
    assert order.id == case.events[-1].command_id  # the same id on every console that applies the command
    # urgent: four working hours from Monday 10:00 Shanghai → 14:00 (the demo's working day runs through)
    assert order.due_at == timelimits.deadline(now, timelimits.Limit(240, True), refdata.policy.calendar)
    assert case.status == Status.DISPATCHED and case.events[-1].payload["number"] == 1
    later = now + timedelta(hours=1)
    case = act(case, A.REPLY_ORDER, DRAINAGE, refdata, later, order_id=str(order.id), text="crew on site at 11:00")
    assert case.orders[0].state == "replied" and case.orders[0].reply == "crew on site at 11:00"
    assert case.orders[0].replied_by == "handler_drainage"
    case = act(case, A.ACCEPT_ORDER_REPLY, LEAD, refdata, later, order_id=str(order.id))
    assert case.orders[0].state == "accepted" and case.orders[0].decided_by == "lead1"
    assert supervision.open_orders(case) == []


def test_rejected_reply_goes_back_to_the_unit_with_the_reason(refdata, now):
    case = act(dispatched(refdata, now), A.ISSUE_ORDER, LEAD, refdata, now, unit_id="drainage_maint",
               text="why so slow?")
    oid = str(case.orders[0].id)
    case = act(case, A.REPLY_ORDER, MAINT, refdata, now, order_id=oid, text="busy")
    case = act(case, A.REJECT_ORDER_REPLY, LEAD, refdata, now, order_id=oid, reason="give a date")
    order = case.orders[0]
    assert (order.state, order.rejections, order.rejection_reason) == ("open", 1, "give a date")
    refused("precondition", case, A.REJECT_ORDER_REPLY, LEAD, refdata, now, order_id=oid, reason="r")
    case = act(case, A.REPLY_ORDER, MAINT, refdata, now, order_id=oid, text="done by Friday")
    refused("invalid_payload", case, A.REJECT_ORDER_REPLY, LEAD, refdata, now, order_id=oid)  # no reason


def test_order_default_deadlines_by_level(refdata, now):
    cal = refdata.policy.calendar
    for level, limit in ((OrderLevel.ORDINARY, timelimits.Limit(cal.minutes_per_day(), True)),
                         (OrderLevel.LEADER, timelimits.Limit(120, False))):
        case = act(dispatched(refdata, now), A.ISSUE_ORDER, LEAD, refdata, now, unit_id="drainage_maint",
                   level=str(level), text="x")
        assert case.orders[0].due_at == timelimits.deadline(now, limit, cal)
    due = now + timedelta(hours=30)
    case = act(dispatched(refdata, now), A.ISSUE_ORDER, LEAD, refdata, now, unit_id="drainage_maint", text="x",
               due_at=due.isoformat())
    assert case.orders[0].due_at == due
    refused("invalid_payload", dispatched(refdata, now), A.ISSUE_ORDER, LEAD, refdata, now,
            unit_id="drainage_maint", text="x", due_at=(now - timedelta(minutes=1)).isoformat())


def test_order_refusals_role_unit_state(refdata, now):
    case = dispatched(refdata, now)
    refused("forbidden_role", case, A.ISSUE_ORDER, OPERATOR, refdata, now, unit_id="drainage_maint", text="x")
    refused("forbidden_role", case, A.ISSUE_ORDER, MAINT, refdata, now, unit_id="drainage_maint", text="x")
    # an order goes to a unit that can see the case: its unit or one above, not a stranger
    refused("unit_not_responsible", case, A.ISSUE_ORDER, LEAD, refdata, now, unit_id="roads", text="x")
    refused("unknown_unit", case, A.ISSUE_ORDER, LEAD, refdata, now, unit_id="nope", text="x")
    # no unit yet: nothing to order
    registered = act(new_case(refdata, now), A.REGISTER, OPERATOR, refdata, now)
    refused("precondition", registered, A.ISSUE_ORDER, LEAD, refdata, now, unit_id="drainage", text="x")
    voided = act(new_case(refdata, now), A.VOID, OPERATOR, refdata, now, reason="duplicate")
    refused("illegal_state", voided, A.ISSUE_ORDER, LEAD, refdata, now, unit_id="drainage", text="x")

    case = act(case, A.ISSUE_ORDER, LEAD, refdata, now, unit_id="drainage", text="x")
    oid = str(case.orders[0].id)
    # the sub-unit holding the case sees the order but it is not addressed to it
    message = refused("wrong_unit", case, A.REPLY_ORDER, MAINT, refdata, now, order_id=oid, text="y")
    assert "drainage_maint" in message
    # another unit's handler may not even see the case: nothing of it named
    message = refused("out_of_scope", case, A.REPLY_ORDER, ROADS, refdata, now, order_id=oid, text="y")
    assert case.display_number not in message and "drainage" not in message
    refused("forbidden_role", case, A.REPLY_ORDER, LEAD, refdata, now, order_id=oid, text="y")
    refused("forbidden_role", case, A.ACCEPT_ORDER_REPLY, DRAINAGE, refdata, now, order_id=oid)
    refused("forbidden_role", case, A.ACCEPT_ORDER_REPLY, OPERATOR, refdata, now, order_id=oid)
    # nothing replied yet: no decision to take
    refused("precondition", case, A.ACCEPT_ORDER_REPLY, LEAD, refdata, now, order_id=oid)
    refused("no_such_order", case, A.REPLY_ORDER, DRAINAGE, refdata, now, order_id=str(uuid.uuid4()), text="y")
    replied = act(case, A.REPLY_ORDER, DRAINAGE, refdata, now, order_id=oid, text="y")
    refused("precondition", replied, A.REPLY_ORDER, DRAINAGE, refdata, now, order_id=oid, text="again")
    done = act(replied, A.ACCEPT_ORDER_REPLY, LEAD, refdata, now, order_id=oid)
    refused("precondition", done, A.REJECT_ORDER_REPLY, LEAD, refdata, now, order_id=oid, reason="late")


def test_orders_outlive_the_case_status_and_buttons_follow_them(refdata, now):
    case = act(dispatched(refdata, now), A.ISSUE_ORDER, LEAD, refdata, now, unit_id="drainage_maint", text="x")
    case = act(case, A.SUSPEND, LEAD, refdata, now, reason="rain")
    assert A.REPLY_ORDER in allowed_actions(case, MAINT, refdata)
    case = act(case, A.REPLY_ORDER, MAINT, refdata, now, order_id=str(case.orders[0].id), text="after the rain")
    assert A.REPLY_ORDER not in allowed_actions(case, MAINT, refdata)
    assert {A.ACCEPT_ORDER_REPLY, A.REJECT_ORDER_REPLY} <= set(allowed_actions(case, LEAD, refdata))


def test_overdue_order_is_marked_once_by_the_system(refdata, now):
    case = act(dispatched(refdata, now), A.ISSUE_ORDER, LEAD, refdata, now, unit_id="drainage_maint",
               level="leader", text="x")
    order = case.orders[0]
    assert not supervision.is_overdue(order, now + timedelta(hours=2))
    late = now + timedelta(hours=2, seconds=1)
    assert supervision.overdue_alert_due(order, late)
    assert supervision.counts([case], late) == {"open": 1, "replied": 0, "overdue": 1}
    refused("precondition", case, A.ORDER_OVERDUE, SYSTEM, refdata, now, order_id=str(order.id))  # not yet
    refused("forbidden_role", case, A.ORDER_OVERDUE, LEAD, refdata, late, order_id=str(order.id))
    marked = act(case, A.ORDER_OVERDUE, SYSTEM, refdata, late, order_id=str(order.id))
    assert marked.orders[0].overdue_marked_at == late and not supervision.overdue_alert_due(marked.orders[0], late)
    refused("precondition", marked, A.ORDER_OVERDUE, SYSTEM, refdata, late, order_id=str(order.id))
    # a reply waiting for the lead is not the unit's delay
    replied = act(marked, A.REPLY_ORDER, MAINT, refdata, late, order_id=str(order.id), text="sorry")
    assert not supervision.is_overdue(replied.orders[0], late)


# ---- callbacks ---------------------------------------------------------------------------------------------

def test_callback_due_only_for_closed_citizen_cases_with_a_phone(refdata, now):
    assert callbacks.callback_open(closed(refdata, now))
    assert callbacks.callback_open(closed(refdata, now, source=Source.CITIZEN_APP))
    assert not callbacks.callback_open(closed(refdata, now, source=Source.GRID_INSPECTOR))
    assert not callbacks.callback_open(closed(refdata, now, phone=""))
    assert not callbacks.callback_open(dispatched(refdata, now))
    refused("illegal_state", dispatched(refdata, now), A.RECORD_CALLBACK, OPERATOR, refdata, now, reached=False)
    refused("precondition", closed(refdata, now, phone=""), A.RECORD_CALLBACK, OPERATOR, refdata, now,
            reached=False)


def test_unreached_callback_is_tried_again_and_reached_one_closes_the_task(refdata, now):
    case = closed(refdata, now)
    case = act(case, A.RECORD_CALLBACK, OPERATOR, refdata, now, reached=False, note="no answer")
    assert callbacks.callback_open(case) and case.callback.attempts == 1
    assert callbacks.counts([case]) == {"waiting": 1, "retry": 1, "dissatisfied": 0}
    case = act(case, A.RECORD_CALLBACK, OPERATOR, refdata, now, reached=True, satisfaction="basically_satisfied")
    assert not callbacks.callback_open(case) and case.callback.attempts == 2
    assert case.events[-1].payload["phone"] == "13800001111"
    refused("precondition", case, A.RECORD_CALLBACK, LEAD, refdata, now, reached=True, satisfaction="satisfied")
    # not dissatisfied: nothing to reopen
    refused("precondition", case, A.REOPEN, LEAD, refdata, now, reason="x")


def test_callback_payload_names_the_missing_answer(refdata, now):
    case = closed(refdata, now)
    message = refused("invalid_payload", case, A.RECORD_CALLBACK, OPERATOR, refdata, now, reached=True)
    assert "satisfaction" in message
    refused("invalid_payload", case, A.RECORD_CALLBACK, OPERATOR, refdata, now, reached=False,
            satisfaction="satisfied")
    refused("forbidden_role", case, A.RECORD_CALLBACK, INSPECTOR, refdata, now, reached=False)
    refused("forbidden_role", case, A.RECORD_CALLBACK, MAINT, refdata, now, reached=False)


def test_dissatisfied_reporter_reopens_the_case_when_a_lead_agrees(refdata, now):
    case = closed(refdata, now)
    case = act(case, A.RECORD_CALLBACK, OPERATOR, refdata, now, reached=True, satisfaction="dissatisfied",
               note="the cover rocks again")
    assert case.callback.satisfaction == Satisfaction.DISSATISFIED
    assert callbacks.counts([case]) == {"waiting": 0, "retry": 0, "dissatisfied": 1}
    refused("forbidden_role", case, A.REOPEN, OPERATOR, refdata, now, reason="x")
    refused("invalid_payload", case, A.REOPEN, LEAD, refdata, now)
    later = now + timedelta(hours=1)
    case = act(case, A.REOPEN, LEAD, refdata, later, reason="reporter dissatisfied: cover rocks")
    assert case.status == Status.REGISTERED and case.unit_id is None and case.stage == Stage.DISPATCH
    assert case.verification is None and case.callback is None
    assert case.events[-1].payload["unit_id"] == "drainage_maint"
    assert case.events[-1].payload["reason"] == "reporter dissatisfied: cover rocks"
    assert A.DISPATCH in allowed_actions(case, OPERATOR, refdata)
    # the next closure is due its own callback
    assert not callbacks.callback_open(case)
    refused("illegal_state", case, A.REOPEN, LEAD, refdata, later, reason="again")


def test_a_lead_declines_to_reopen_with_the_reason_and_the_task_ends(refdata, now):
    case = closed(refdata, now)
    refused("precondition", case, A.DECLINE_REOPEN, LEAD, refdata, now, reason="x")  # nobody dissatisfied yet
    case = act(case, A.RECORD_CALLBACK, OPERATOR, refdata, now, reached=True, satisfaction="dissatisfied",
               note="the cover rocks again")
    refused("forbidden_role", case, A.DECLINE_REOPEN, OPERATOR, refdata, now, reason="x")
    refused("invalid_payload", case, A.DECLINE_REOPEN, LEAD, refdata, now)  # the reason is required
    later = now + timedelta(hours=1)
    case = act(case, A.DECLINE_REOPEN, LEAD, refdata, later, reason="replaced to the standard on 12-05")
    assert case.status == Status.CLOSED and case.callback.satisfaction == Satisfaction.DISSATISFIED
    assert (case.callback.declined_at, case.callback.decline_reason) == (later, "replaced to the standard on 12-05")
    assert case.callback.declined_by == LEAD.username
    assert case.events[-1].payload["callback_note"] == "the cover rocks again"
    assert not callbacks.awaiting_lead(case)
    assert callbacks.counts([case]) == {"waiting": 0, "retry": 0, "dissatisfied": 0}  # off the lead's list
    refused("precondition", case, A.DECLINE_REOPEN, LEAD, refdata, later, reason="again")  # decided once
