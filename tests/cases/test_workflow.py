"""The lifecycle state machine, exhaustively: every status × every action × every role.

The expected table below is written from DOMAIN.md independently of app.cases.workflow.RULES, so a change to
the rules that the domain does not allow fails here.
"""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from pydantic import ValidationError

from app.cases.routing import rank_units
from app.cases.stage_clock import auto_escalation_due
from app.cases.workflow import (
    Actor,
    WorkflowError,
    allowed_actions,
    apply,
    new_command,
    refusal,
)
from app.platform.enums import Action, Priority, Role, Source, Stage, Status
from app.refdata import timelimits

A, S, R = Action, Status, Role
DESK = {R.OPERATOR, R.SHIFT_LEAD}
ALL_ROLES = set(Role) - {R.SYSTEM}

# action -> (statuses it may start from, roles that may take it)   [DOMAIN.md "The case lifecycle"]
EXPECTED = {
    A.REGISTER: ({S.REPORTED}, DESK),
    A.VOID: ({S.REPORTED, S.REGISTERED}, DESK),
    A.DISPATCH: ({S.REGISTERED, S.RETURNED}, DESK),
    A.ACCEPT: ({S.DISPATCHED}, {R.UNIT_HANDLER}),
    A.RETURN: ({S.DISPATCHED, S.IN_PROGRESS}, {R.UNIT_HANDLER}),
    A.REPORT_HANDLED: ({S.IN_PROGRESS}, {R.UNIT_HANDLER}),
    A.SEND_VERIFY: ({S.HANDLED}, DESK),
    A.VERIFY_PASS: ({S.VERIFYING}, {R.INSPECTOR, R.SHIFT_LEAD}),
    A.VERIFY_FAIL: ({S.VERIFYING}, {R.INSPECTOR, R.SHIFT_LEAD}),
    A.CLOSE: ({S.VERIFYING}, {R.SHIFT_LEAD}),  # only once verification passed
    A.REQUEST_EXTENSION: ({S.DISPATCHED, S.IN_PROGRESS}, {R.UNIT_HANDLER}),
    A.APPROVE_EXTENSION: ({S.DISPATCHED, S.IN_PROGRESS}, {R.SHIFT_LEAD}),  # only with a pending request
    A.DENY_EXTENSION: ({S.DISPATCHED, S.IN_PROGRESS}, {R.SHIFT_LEAD}),
    A.SUSPEND: ({S.REGISTERED, S.RETURNED, S.DISPATCHED, S.IN_PROGRESS}, {R.SHIFT_LEAD}),
    A.RESUME: ({S.SUSPENDED}, {R.SHIFT_LEAD}),
    A.ESCALATE: ({S.REPORTED, S.REGISTERED, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED, S.HANDLED, S.VERIFYING},
                 DESK | {R.SYSTEM}),  # the system escalates automatically (overdue, returned twice)
    A.REASSIGN: ({S.DISPATCHED, S.IN_PROGRESS}, DESK),
    A.NOTE: (set(Status), ALL_ROLES),
    A.DECIDE_OWNER: ({S.RETURNED}, {R.SHIFT_LEAD}),  # only while an ownership dispute is open
    # joint handling: while the case's handling is open; co-task actions only with a co-task of one's unit
    A.ADD_CO_UNIT: ({S.REGISTERED, S.RETURNED, S.DISPATCHED, S.IN_PROGRESS}, DESK),
    A.REMOVE_CO_UNIT: ({S.REGISTERED, S.RETURNED, S.DISPATCHED, S.IN_PROGRESS}, DESK),
    A.CO_ACCEPT: ({S.REGISTERED, S.RETURNED, S.DISPATCHED, S.IN_PROGRESS}, {R.UNIT_HANDLER}),
    A.CO_RETURN: ({S.REGISTERED, S.RETURNED, S.DISPATCHED, S.IN_PROGRESS}, {R.UNIT_HANDLER}),
    A.CO_HANDLED: ({S.REGISTERED, S.RETURNED, S.DISPATCHED, S.IN_PROGRESS}, {R.UNIT_HANDLER}),
    A.CO_OVERDUE: ({S.REGISTERED, S.RETURNED, S.DISPATCHED, S.IN_PROGRESS}, {R.SYSTEM}),
    # on-site check (核实) before registration: the desk sends, the inspector (or a lead) confirms
    A.SEND_CHECK: ({S.REPORTED}, DESK),
    A.CONFIRM_CHECK: ({S.REPORTED}, {R.INSPECTOR, R.SHIFT_LEAD}),
    # supervision orders: issued by the lead on a case with a unit; the rest need an order (none on these paths)
    A.ISSUE_ORDER: ({S.REPORTED, S.REGISTERED, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED, S.HANDLED, S.VERIFYING,
                     S.SUSPENDED}, {R.SHIFT_LEAD}),
    A.REPLY_ORDER: (set(Status), {R.UNIT_HANDLER}),
    A.ACCEPT_ORDER_REPLY: (set(Status), {R.SHIFT_LEAD}),
    A.REJECT_ORDER_REPLY: (set(Status), {R.SHIFT_LEAD}),
    A.ORDER_OVERDUE: (set(Status), {R.SYSTEM}),
    # callbacks: a closed citizen case; reopening needs a dissatisfied callback (none on these paths)
    A.RECORD_CALLBACK: ({S.CLOSED}, DESK),
    A.REOPEN: ({S.CLOSED}, {R.SHIFT_LEAD}),
    A.DECLINE_REOPEN: ({S.CLOSED}, {R.SHIFT_LEAD}),
    # arrival on site: whoever is on the way (the unit's crew, the inspector sent), a lead, the system's device watch
    A.ARRIVE: ({S.REPORTED, S.DISPATCHED, S.IN_PROGRESS, S.VERIFYING},
               {R.UNIT_HANDLER, R.INSPECTOR, R.SHIFT_LEAD, R.SYSTEM}),
    # repeats: any open case but a suspended one is merged by the desk or the server's check; the desk unmerges
    A.MERGE: ({S.REPORTED, S.REGISTERED, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED, S.HANDLED, S.VERIFYING},
              DESK | {R.SYSTEM}),
    A.UNMERGE: ({S.MERGED}, DESK),
}

SAME = object()
TARGET = {
    A.REGISTER: S.REGISTERED, A.VOID: S.VOIDED, A.DISPATCH: S.DISPATCHED, A.ACCEPT: S.IN_PROGRESS,
    A.RETURN: S.RETURNED, A.REPORT_HANDLED: S.HANDLED, A.SEND_VERIFY: S.VERIFYING, A.VERIFY_PASS: SAME,
    A.VERIFY_FAIL: S.IN_PROGRESS, A.CLOSE: S.CLOSED, A.REQUEST_EXTENSION: SAME, A.APPROVE_EXTENSION: SAME,
    A.DENY_EXTENSION: SAME, A.SUSPEND: S.SUSPENDED, A.RESUME: "resumed", A.ESCALATE: SAME,
    A.REASSIGN: S.DISPATCHED, A.NOTE: SAME, A.DECIDE_OWNER: S.DISPATCHED, A.ADD_CO_UNIT: SAME,
    A.REMOVE_CO_UNIT: SAME, A.CO_ACCEPT: SAME, A.CO_RETURN: SAME, A.CO_HANDLED: SAME, A.CO_OVERDUE: SAME, A.SEND_CHECK: SAME,
    A.CONFIRM_CHECK: SAME,
    A.ISSUE_ORDER: SAME, A.REPLY_ORDER: SAME,
    A.ACCEPT_ORDER_REPLY: SAME, A.REJECT_ORDER_REPLY: SAME, A.ORDER_OVERDUE: SAME, A.RECORD_CALLBACK: SAME,
    A.REOPEN: S.REGISTERED, A.DECLINE_REOPEN: SAME, A.ARRIVE: SAME,
    A.MERGE: S.MERGED, A.UNMERGE: "unmerged",
}


@pytest.fixture(scope="module")
def world(refdata):
    category = next(c for c in refdata.categories.values() if c.kind == "component") \
        if isinstance(refdata.categories, dict) else next(c for c in refdata.categories if c.kind == "component")
    grid = next(iter(refdata.grids.values())) if isinstance(refdata.grids, dict) else refdata.grids[0]
    units = [s.unit_id for s in rank_units(refdata, category.code, grid.code)]
    unit, other = units[0], next(u for u in units if u != units[0])
    lat, lon = grid.centroid
    return {"category": category, "grid": grid, "unit": unit, "other": other, "lat": lat, "lon": lon}


def payload_for(action: Action, world) -> dict:
    return {
        A.CREATE: {"source": Source.HOTLINE, "category_code": world["category"].code, "description": "井盖破损",
                   "location": {"lat": world["lat"], "lon": world["lon"], "address": "湖滨路 12 号"},
                     "reporter_phone": "13800000000"},
        A.REGISTER: {}, A.VOID: {"reason": "duplicate"}, A.DISPATCH: {"unit_id": world["unit"]}, A.ACCEPT: {},
        A.RETURN: {"reason": "not our asset"}, A.REPORT_HANDLED: {"note": "replaced the cover"},
        A.SEND_VERIFY: {"inspector": INSPECTOR}, A.VERIFY_PASS: {"note": "ok"},
        A.VERIFY_FAIL: {"reason": "still broken"}, A.CLOSE: {},
        A.REQUEST_EXTENSION: {"minutes": 480, "working": True, "reason": "waiting for parts"},
        A.APPROVE_EXTENSION: {}, A.DENY_EXTENSION: {"reason": "not justified"}, A.SUSPEND: {"reason": "rain"},
        A.RESUME: {}, A.ESCALATE: {"reason": "no progress"}, A.REASSIGN: {"unit_id": world["other"]},
        A.NOTE: {"text": "caller rang again"},
        A.DECIDE_OWNER: {"unit_id": world["other"], "reason": "the asset register names them"},
        A.ADD_CO_UNIT: {"unit_id": world["other"]}, A.REMOVE_CO_UNIT: {"unit_id": world["other"], "reason": "done"},
        A.CO_ACCEPT: {}, A.CO_RETURN: {"reason": "not ours"}, A.CO_HANDLED: {"note": "cleared our part"},
        A.CO_OVERDUE: {"unit_id": world["other"]},
        A.SEND_CHECK: {"inspector": INSPECTOR}, A.CONFIRM_CHECK: {"found": True, "note": "seen on site"},
        A.ISSUE_ORDER: {"unit_id": world["unit"], "text": "report progress today"},
        A.REPLY_ORDER: {"order_id": str(uuid.uuid4()), "text": "done"},
        A.ACCEPT_ORDER_REPLY: {"order_id": str(uuid.uuid4())},
        A.REJECT_ORDER_REPLY: {"order_id": str(uuid.uuid4()), "reason": "no"},
        A.ORDER_OVERDUE: {"order_id": str(uuid.uuid4())},
        A.RECORD_CALLBACK: {"reached": True, "satisfaction": "satisfied"},
        A.REOPEN: {"reason": "still broken"},
        A.DECLINE_REOPEN: {"reason": "fixed to the standard"},
        A.ARRIVE: {},
        A.MERGE: {"master_id": str(uuid.uuid4()), "reason": "the same pothole"},
        A.UNMERGE: {"reason": "a different pothole"},
    }[action]


INSPECTOR = "inspector1"  # the inspector tasks go to (and the one who verifies below)


def actor_for(role: Role, world) -> Actor:
    name = INSPECTOR if role == R.INSPECTOR else f"{role}-user"
    return Actor(name, role, world["unit"] if role == R.UNIT_HANDLER else None)


def step(case, action, role, world, refdata, at):
    cmd = new_command(case.id if case else uuid.uuid4(), action, payload_for(action, world), at)
    return apply(case, cmd, actor_for(role, world), refdata, at)


# How to reach each starting point, as (action, role) steps from creation.
PATHS = {
    "reported": [],
    "reported+check": [(A.SEND_CHECK, R.OPERATOR)],
    "registered": [(A.REGISTER, R.OPERATOR)],
    "dispatched": [(A.REGISTER, R.OPERATOR), (A.DISPATCH, R.OPERATOR)],
    "in_progress": [(A.REGISTER, R.OPERATOR), (A.DISPATCH, R.OPERATOR), (A.ACCEPT, R.UNIT_HANDLER)],
    "in_progress+ext": [(A.REGISTER, R.OPERATOR), (A.DISPATCH, R.OPERATOR), (A.ACCEPT, R.UNIT_HANDLER),
                        (A.REQUEST_EXTENSION, R.UNIT_HANDLER)],
    "returned": [(A.REGISTER, R.OPERATOR), (A.DISPATCH, R.OPERATOR), (A.RETURN, R.UNIT_HANDLER)],
    "handled": [(A.REGISTER, R.OPERATOR), (A.DISPATCH, R.OPERATOR), (A.ACCEPT, R.UNIT_HANDLER),
                (A.REPORT_HANDLED, R.UNIT_HANDLER)],
    "verifying": [(A.REGISTER, R.OPERATOR), (A.DISPATCH, R.OPERATOR), (A.ACCEPT, R.UNIT_HANDLER),
                  (A.REPORT_HANDLED, R.UNIT_HANDLER), (A.SEND_VERIFY, R.OPERATOR)],
    "verifying+passed": [(A.REGISTER, R.OPERATOR), (A.DISPATCH, R.OPERATOR), (A.ACCEPT, R.UNIT_HANDLER),
                         (A.REPORT_HANDLED, R.UNIT_HANDLER), (A.SEND_VERIFY, R.OPERATOR),
                         (A.VERIFY_PASS, R.INSPECTOR)],
    "suspended": [(A.REGISTER, R.OPERATOR), (A.DISPATCH, R.OPERATOR), (A.SUSPEND, R.SHIFT_LEAD)],
    "closed": [(A.REGISTER, R.OPERATOR), (A.DISPATCH, R.OPERATOR), (A.ACCEPT, R.UNIT_HANDLER),
               (A.REPORT_HANDLED, R.UNIT_HANDLER), (A.SEND_VERIFY, R.OPERATOR), (A.VERIFY_PASS, R.INSPECTOR),
               (A.CLOSE, R.SHIFT_LEAD)],
    "voided": [(A.VOID, R.OPERATOR)],
    "merged": [(A.REGISTER, R.OPERATOR), (A.MERGE, R.OPERATOR)],
}


def build(point, world, refdata, now):
    case = step(None, A.CREATE, R.OPERATOR, world, refdata, now)
    for i, (action, role) in enumerate(PATHS[point], start=1):
        case = step(case, action, role, world, refdata, now + timedelta(minutes=i))
    return case


def expected_allowed(point: str, case, action: Action, role: Role) -> bool:
    """What DOMAIN.md allows, written without looking at app.cases.workflow."""
    statuses, roles = EXPECTED[action]
    if case.status not in statuses or role not in roles:
        return False
    if role == R.UNIT_HANDLER and case.unit_id is None:  # a handler acts on its own unit's cases only
        return False
    if action in (A.CO_ACCEPT, A.CO_RETURN, A.CO_HANDLED, A.CO_OVERDUE, A.REMOVE_CO_UNIT):  # no co-unit here
        return False
    if action == A.SEND_CHECK:
        return point != "reported+check"
    if action == A.CONFIRM_CHECK:
        return point == "reported+check"
    if action == A.CLOSE:
        return point == "verifying+passed"
    if action in (A.VERIFY_PASS, A.VERIFY_FAIL):
        return point != "verifying+passed"
    if action in (A.APPROVE_EXTENSION, A.DENY_EXTENSION):
        return point == "in_progress+ext"
    if action == A.REQUEST_EXTENSION:
        return point != "in_progress+ext"
    if action == A.DECIDE_OWNER:
        return False  # no path here returns a case twice
    if action == A.ISSUE_ORDER:
        return case.unit_id is not None
    if action in (A.REPLY_ORDER, A.ACCEPT_ORDER_REPLY, A.REJECT_ORDER_REPLY, A.ORDER_OVERDUE, A.REOPEN,
                  A.DECLINE_REOPEN):
        return False
    if action == A.ARRIVE:  # someone must be on the way: the crew (dispatched) or the inspector (check, verify)
        crew = point in ("dispatched", "in_progress", "in_progress+ext")
        inspector = point in ("reported+check", "verifying")
        return (crew and role != R.INSPECTOR) or (inspector and role != R.UNIT_HANDLER)
    return True


CASES = [(p, a, r) for p in PATHS for a in Action if a != A.CREATE for r in Role]


@pytest.mark.parametrize("point,action,role", CASES, ids=[f"{p}-{a}-{r}" for p, a, r in CASES])
def test_every_status_action_role(point, action, role, world, refdata, now):
    case = build(point, world, refdata, now)
    at = now + timedelta(hours=1)
    allowed = expected_allowed(point, case, action, role)
    assert (refusal(case, action, actor_for(role, world), refdata) is None) is allowed
    if allowed:
        new = step(case, action, role, world, refdata, at)
        target = TARGET[action]
        want = case.status if target is SAME else case.suspended_from if target == "resumed" \
            else case.merged_from if target == "unmerged" else target
        assert new.status == want
        assert new.version == case.version + 1
        assert new.events[-1].action == action or new.events[-2].action == action
        assert new.events[-1].actor in (actor_for(role, world).username, "system")
    else:
        with pytest.raises(WorkflowError) as err:
            step(case, action, role, world, refdata, at)
        message = str(err.value)
        assert str(action) in message and str(role) in message
        if role == R.UNIT_HANDLER and case.unit_id is None:  # a case this handler may not see: never named
            assert case.display_number not in message and str(case.id) not in message
            assert f"'{case.status}'" not in message
        elif role in EXPECTED[action][1]:  # refused for the state, not the role: the state is named too
            assert case.display_number in message and str(case.status) in message


def test_allowed_actions_matches_refusal(world, refdata, now):
    case = build("in_progress", world, refdata, now)
    handler = actor_for(R.UNIT_HANDLER, world)
    assert allowed_actions(case, handler, refdata) == [A.RETURN, A.REPORT_HANDLED, A.REQUEST_EXTENSION, A.NOTE,
                                                       A.ARRIVE]
    lead = actor_for(R.SHIFT_LEAD, world)
    assert set(allowed_actions(case, lead, refdata)) == {A.SUSPEND, A.ESCALATE, A.REASSIGN, A.NOTE, A.ADD_CO_UNIT,
                                                         A.ISSUE_ORDER, A.ARRIVE, A.MERGE}


def test_unit_handler_of_another_unit_is_out_of_scope(world, refdata, now):
    case = build("dispatched", world, refdata, now)
    stranger = Actor("h2", R.UNIT_HANDLER, world["other"])
    cmd = new_command(case.id, A.ACCEPT, {}, now)
    with pytest.raises(WorkflowError) as err:
        apply(case, cmd, stranger, refdata, now)
    message = str(err.value)
    assert err.value.code == "out_of_scope" and world["other"] in message  # the handler's own unit
    assert world["unit"] not in message and case.display_number not in message and str(case.id) not in message
    assert f"'{case.status}'" not in message


def test_bad_payload_is_rejected_with_field_names(world, refdata, now):
    case = build("registered", world, refdata, now)
    cmd = new_command(case.id, A.DISPATCH, {"unit": "x"}, now)
    with pytest.raises(WorkflowError) as err:
        apply(case, cmd, actor_for(R.OPERATOR, world), refdata, now)
    assert err.value.code == "invalid_payload" and "unit_id" in str(err.value) and "unit" in str(err.value)


def test_unknown_unit_and_category(world, refdata, now):
    case = build("registered", world, refdata, now)
    with pytest.raises(WorkflowError, match="unknown member unit 'nope'"):
        apply(case, new_command(case.id, A.DISPATCH, {"unit_id": "nope"}, now), actor_for(R.OPERATOR, world),
              refdata, now)
    bad = payload_for(A.CREATE, world) | {"category_code": "Z9999"}
    with pytest.raises(WorkflowError, match="unknown category 'Z9999'"):
        apply(None, new_command(uuid.uuid4(), A.CREATE, bad, now), actor_for(R.OPERATOR, world), refdata, now)


def test_create_locates_grid_and_sets_register_deadline(world, refdata, now):
    case = step(None, A.CREATE, R.OPERATOR, world, refdata, now)
    assert case.location.grid_code == world["grid"].code
    assert case.stage == Stage.REGISTER
    assert case.due_at == timelimits.deadline(now, refdata.policy.stage_limit("register"), refdata.policy.calendar)
    assert case.priority == world["category"].default_priority


def test_dispatch_sets_handling_deadline_from_category_and_priority(world, refdata, now):
    case = build("dispatched", world, refdata, now)
    limit = refdata.handle_limit(case.category_code, case.priority)
    dispatched_at = case.events[-1].at
    assert case.stage == Stage.HANDLE
    assert case.due_at == timelimits.deadline(dispatched_at, limit, refdata.policy.calendar)
    assert Stage.DISPATCH in case.finished


def test_suspension_moves_the_deadline(world, refdata, now):
    case = build("dispatched", world, refdata, now)
    due = case.due_at
    suspended = step(case, A.SUSPEND, R.SHIFT_LEAD, world, refdata, now + timedelta(minutes=10))
    assert suspended.due_at == due  # clock stopped, not reset
    resumed = step(suspended, A.RESUME, R.SHIFT_LEAD, world, refdata, now + timedelta(days=3))
    assert resumed.status == S.DISPATCHED and resumed.due_at > due
    assert resumed.due_at == timelimits.shift_for_suspension(due, suspended.suspended_at, now + timedelta(days=3),
                                                             case.due_working, refdata.policy.calendar)


def test_approved_extension_moves_the_deadline_and_denied_does_not(world, refdata, now):
    case = build("in_progress+ext", world, refdata, now)
    approved = step(case, A.APPROVE_EXTENSION, R.SHIFT_LEAD, world, refdata, now + timedelta(hours=1))
    assert approved.extension is None
    assert approved.due_at == timelimits.extend(case.due_at, timelimits.Limit(480, True), refdata.policy.calendar)
    denied = step(case, A.DENY_EXTENSION, R.SHIFT_LEAD, world, refdata, now + timedelta(hours=1))
    assert denied.extension is None and denied.due_at == case.due_at


def test_second_return_is_an_ownership_dispute_not_an_escalation(world, refdata, now):
    case = build("returned", world, refdata, now)
    assert case.escalation_level == 0 and case.return_count == 1 and case.dispute_since is None
    again = step(case, A.DISPATCH, R.OPERATOR, world, refdata, now + timedelta(hours=1))
    again = step(again, A.RETURN, R.UNIT_HANDLER, world, refdata, now + timedelta(hours=2))
    # into the dispute queue; the returning unit's parent is not involved
    assert again.return_count == 2 and again.escalation_level == 0 and again.escalated_to is None
    assert again.dispute_since == now + timedelta(hours=2)
    assert again.events[-1].action == A.ESCALATE and again.events[-1].payload["dispute"] is True
    with pytest.raises(WorkflowError, match="in dispute"):  # the dispatch post cannot settle it
        step(again, A.DISPATCH, R.OPERATOR, world, refdata, now + timedelta(hours=3))
    with pytest.raises(WorkflowError, match="forbidden_role|may not"):
        step(again, A.DECIDE_OWNER, R.OPERATOR, world, refdata, now + timedelta(hours=3))
    decided = step(again, A.DECIDE_OWNER, R.SHIFT_LEAD, world, refdata, now + timedelta(hours=3))
    assert decided.status == S.DISPATCHED and decided.unit_id == world["other"] and decided.dispute_since is None
    assert decided.owner_decision.reason == "the asset register names them"
    assert decided.owner_decision.decided_by == f"{R.SHIFT_LEAD}-user"
    assert decided.stage == Stage.HANDLE
    # the decided unit cannot return it again; the lead may still reassign it
    handler = Actor("h", R.UNIT_HANDLER, world["other"])
    with pytest.raises(WorkflowError, match="owner was decided"):
        apply(decided, new_command(case.id, A.RETURN, {"reason": "still not ours"}, now + timedelta(hours=4)),
              handler, refdata, now + timedelta(hours=4))
    moved = apply(decided, new_command(case.id, A.REASSIGN, {"unit_id": world["unit"]}, now + timedelta(hours=4)),
                  actor_for(R.SHIFT_LEAD, world), refdata, now + timedelta(hours=4))
    assert moved.unit_id == world["unit"] and moved.status == S.DISPATCHED


def test_verify_fail_is_rework_against_the_original_deadline(world, refdata, now):
    case = build("verifying", world, refdata, now)
    later = now + timedelta(days=2)
    rework = step(case, A.VERIFY_FAIL, R.INSPECTOR, world, refdata, later)
    assert rework.status == S.IN_PROGRESS and rework.rework_count == 1 and rework.stage == Stage.HANDLE
    assert rework.due_at == case.deadlines[Stage.HANDLE]  # not a fresh limit from `later`
    assert rework.stage_started_at == later


def test_an_extension_approved_during_rework_moves_the_original_deadline(world, refdata, now):
    case = build("verifying", world, refdata, now)
    rework = step(case, A.VERIFY_FAIL, R.INSPECTOR, world, refdata, now + timedelta(minutes=30))
    asked = step(rework, A.REQUEST_EXTENSION, R.UNIT_HANDLER, world, refdata, now + timedelta(minutes=31))
    granted = step(asked, A.APPROVE_EXTENSION, R.SHIFT_LEAD, world, refdata, now + timedelta(minutes=32))
    assert granted.due_at == timelimits.extend(case.deadlines[Stage.HANDLE], timelimits.Limit(480, True),
                                               refdata.policy.calendar)


def test_an_overdue_center_stage_alerts_the_shift_lead_not_a_unit(world, refdata, now):
    from app.cases.workflow import SYSTEM_ACTOR
    case = build("registered", world, refdata, now)
    late = case.due_at + timedelta(minutes=1)
    alerted = apply(case, new_command(case.id, A.ESCALATE, {"reason": "overdue", "automatic": True}, late),
                    SYSTEM_ACTOR, refdata, late)
    assert alerted.escalated_to is None and alerted.escalation_level == 0
    assert alerted.events[-1].payload["alerted"] == "shift_lead"
    verifying = build("verifying", world, refdata, now)
    late = verifying.due_at + timedelta(minutes=1)
    alerted = apply(verifying, new_command(case.id, A.ESCALATE, {"reason": "overdue", "automatic": True}, late),
                    SYSTEM_ACTOR, refdata, late)
    assert alerted.events[-1].payload["alerted"] == "inspector_lead" and alerted.escalated_to is None
    handling = build("in_progress", world, refdata, now)
    late = handling.due_at + timedelta(minutes=1)
    up = apply(handling, new_command(case.id, A.ESCALATE, {"reason": "overdue", "automatic": True}, late),
               SYSTEM_ACTOR, refdata, late)
    assert up.escalation_level == 1 and "alerted" not in up.events[-1].payload


def test_only_the_system_escalates_automatically(world, refdata, now):
    case = build("registered", world, refdata, now)
    cmd = new_command(case.id, A.ESCALATE, {"reason": "late", "automatic": True}, now)
    with pytest.raises(WorkflowError) as err:
        apply(case, cmd, actor_for(R.OPERATOR, world), refdata, now)
    assert err.value.code == "forbidden_role"


def test_auto_escalation_due_once_per_stage(world, refdata, now):
    case = build("registered", world, refdata, now)
    assert not auto_escalation_due(case, now)
    late = case.due_at + timedelta(minutes=1)
    assert auto_escalation_due(case, late)
    from app.cases.workflow import SYSTEM_ACTOR
    escalated = apply(case, new_command(case.id, A.ESCALATE, {"reason": "overdue", "automatic": True}, late),
                      SYSTEM_ACTOR, refdata, late)
    assert not auto_escalation_due(escalated, late + timedelta(hours=1))


def test_escalation_climbs_to_the_top_then_stops(world, refdata, now):
    case = build("dispatched", world, refdata, now)
    levels = 0
    while True:
        try:
            case = step(case, A.ESCALATE, R.SHIFT_LEAD, world, refdata, now + timedelta(minutes=levels))
        except WorkflowError as err:
            assert err.code == "top_of_hierarchy"
            break
        levels += 1
        assert levels < 10
    assert case.escalated_to == refdata.root_unit_id and case.escalation_level == levels >= 1


def test_naive_time_is_refused(world, refdata, now):
    with pytest.raises(WorkflowError, match="naive"):  # the clock applying it
        apply(None, new_command(uuid.uuid4(), A.CREATE, payload_for(A.CREATE, world), now),
              actor_for(R.OPERATOR, world), refdata, now.replace(tzinfo=None))
    with pytest.raises(ValidationError, match="time-zone offset"):  # a command's own time: an edge type
        new_command(uuid.uuid4(), A.CREATE, payload_for(A.CREATE, world), now.replace(tzinfo=None))


def test_priority_override(world, refdata, now):
    p = payload_for(A.CREATE, world) | {"priority": Priority.URGENT}
    case = apply(None, new_command(uuid.uuid4(), A.CREATE, p, now), actor_for(R.OPERATOR, world), refdata, now)
    assert case.priority == Priority.URGENT


def test_a_component_case_may_carry_its_objects_code(world, refdata, now):
    grid = world["grid"]
    cat = world["category"]  # a component
    good = f"{grid.code[:6]}{cat.major}{cat.minor}0042"
    payload = payload_for(A.CREATE, world) | {"object_code": good}
    case = apply(None, new_command(uuid.uuid4(), A.CREATE, payload, now), actor_for(R.OPERATOR, world), refdata, now)
    assert case.object_code == good
    for bad, words in ((f"{grid.code[:6]}99990042", "is not the category's"),
                       (f"999999{cat.major}{cat.minor}0042", "county 999999"),):
        with pytest.raises(WorkflowError, match=words) as err:
            apply(None, new_command(uuid.uuid4(), A.CREATE, payload | {"object_code": bad}, now),
                  actor_for(R.OPERATOR, world), refdata, now)
        assert err.value.code == "bad_object_code"
    with pytest.raises(WorkflowError) as err:  # not the standard's form at all: the payload is refused
        apply(None, new_command(uuid.uuid4(), A.CREATE, payload | {"object_code": "12-34"}, now),
              actor_for(R.OPERATOR, world), refdata, now)
    assert err.value.code == "invalid_payload" and "object_code" in err.value.message
