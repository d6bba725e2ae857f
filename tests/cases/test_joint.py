"""Joint handling (主办/协办) and inspector tasks (核实 before registration, 核查 by the inspector it was sent
to), in the one state machine: each rule, and each refusal (wrong role, wrong unit, wrong state, wrong
inspector)."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from app.cases import joint, onsite
from app.cases.routing import rank_units, suggest_co_units
from app.cases.workflow import Actor, WorkflowError, allowed_actions, apply, new_command
from app.platform import scope
from app.platform.enums import Action as A
from app.platform.enums import Role as R
from app.platform.enums import Source, Status
from app.refdata import timelimits

LEAD, CO, CO2 = "water_supply", "roads", "sanitation"
DESK = Actor("operator1", R.OPERATOR)
LEAD_HANDLER = Actor("handler_water_supply", R.UNIT_HANDLER, LEAD)
CO_HANDLER = Actor("handler_roads", R.UNIT_HANDLER, CO)
CO2_HANDLER = Actor("handler_sanitation", R.UNIT_HANDLER, CO2)
OUTSIDER = Actor("handler_greenery", R.UNIT_HANDLER, "greenery")


class World:
    def __init__(self, refdata, now):
        self.refdata, self.at = refdata, now
        self.grid = next(g for g in refdata.grids if g.inspectors)
        self.category = next(c for c in refdata.categories if c.kind == "component")

    def do(self, case, actor, action, payload=None):
        self.at += timedelta(minutes=5)
        cmd = new_command(case.id if case else uuid.uuid4(), action, payload or {}, self.at)
        return apply(case, cmd, actor, self.refdata, self.at)

    def refused(self, case, actor, action, payload=None) -> WorkflowError:
        with pytest.raises(WorkflowError) as err:
            self.do(case, actor, action, payload)
        return err.value

    def reported(self, source=Source.HOTLINE):
        lat, lon = self.grid.centroid
        return self.do(None, DESK, A.CREATE, {"source": source, "category_code": self.category.code,
                                              "description": "井盖破损", "location": {"lat": lat, "lon": lon}})

    def dispatched(self, *co_units):
        case = self.do(self.do(self.reported(), DESK, A.REGISTER), DESK, A.DISPATCH, {"unit_id": LEAD})
        for unit in co_units:
            case = self.do(case, DESK, A.ADD_CO_UNIT, {"unit_id": unit})
        return case


@pytest.fixture
def w(refdata, now):
    return World(refdata, now)


# ---- joint handling --------------------------------------------------------------------------------

def test_each_co_unit_gets_its_own_task_with_the_categorys_handling_deadline(w):
    case = w.dispatched()
    case = w.do(case, DESK, A.ADD_CO_UNIT, {"unit_id": CO, "note": "road surface part"})
    (task,) = case.co_tasks
    limit = w.refdata.handle_limit(case.category_code, case.priority)
    assert (task.unit_id, task.status, task.dispatched_at) == (CO, "dispatched", w.at)
    assert task.due_at == timelimits.deadline(w.at, limit, w.refdata.policy.calendar)
    assert case.status == Status.DISPATCHED and case.unit_id == LEAD  # the lead's task is the case itself
    assert case.events[-1].payload["due_at"] == task.due_at.isoformat()


def test_the_case_is_handled_only_after_every_co_unit_reported(w):
    case = w.do(w.dispatched(CO, CO2), LEAD_HANDLER, A.ACCEPT)
    err = w.refused(case, LEAD_HANDLER, A.REPORT_HANDLED, {"note": "done"})
    assert err.code == "precondition" and CO in err.message and CO2 in err.message
    for handler in (CO_HANDLER, CO2_HANDLER):
        case = w.do(case, handler, A.CO_ACCEPT)
        case = w.do(case, handler, A.CO_HANDLED, {"note": "our part done", "attachments": ["p.jpg"]})
    assert [t.status for t in case.co_tasks] == ["handled", "handled"]
    assert case.events[-1].payload["unit_id"] == CO2 and "p.jpg" in case.attachments
    case = w.do(case, LEAD_HANDLER, A.REPORT_HANDLED, {"note": "all done"})
    assert case.status == Status.HANDLED


def test_a_co_unit_runs_only_its_own_task_not_the_leads(w):
    case = w.dispatched(CO)
    assert allowed_actions(case, CO_HANDLER, w.refdata) == [A.NOTE, A.CO_ACCEPT, A.CO_RETURN]
    for action, payload in ((A.ACCEPT, {}), (A.RETURN, {"reason": "x"}),
                            (A.REQUEST_EXTENSION, {"minutes": 60, "reason": "x"})):
        assert w.refused(case, CO_HANDLER, action, payload).code == "wrong_unit"
    # the lead's handler has no co-task; an outsider does not even see the case
    assert w.refused(case, LEAD_HANDLER, A.CO_ACCEPT).code == "wrong_unit"
    err = w.refused(case, OUTSIDER, A.CO_ACCEPT)
    assert err.code == "out_of_scope" and case.display_number not in err.message


def test_co_task_state_and_role_refusals(w):
    case = w.dispatched(CO)
    assert w.refused(case, CO_HANDLER, A.CO_HANDLED, {"note": "x"}).code == "illegal_state"  # not accepted
    case = w.do(case, CO_HANDLER, A.CO_ACCEPT)
    assert w.refused(case, CO_HANDLER, A.CO_ACCEPT).code == "illegal_state"
    assert w.refused(case, DESK, A.CO_ACCEPT).code == "forbidden_role"
    assert w.refused(case, CO_HANDLER, A.ADD_CO_UNIT, {"unit_id": CO2}).code == "forbidden_role"
    assert w.refused(case, DESK, A.ADD_CO_UNIT, {"unit_id": CO}).code == "same_unit"
    assert w.refused(case, DESK, A.ADD_CO_UNIT, {"unit_id": LEAD}).code == "same_unit"
    assert w.refused(case, DESK, A.ADD_CO_UNIT, {"unit_id": "no_such"}).code == "unknown_unit"
    assert w.refused(case, DESK, A.REMOVE_CO_UNIT, {"unit_id": CO2, "reason": "x"}).code == "not_co_unit"
    assert w.refused(case, DESK, A.ADD_CO_UNIT, {}).code == "invalid_payload"
    closed = w.reported()
    assert w.refused(closed, DESK, A.ADD_CO_UNIT, {"unit_id": CO}).code == "illegal_state"  # not registered


def test_a_co_unit_cannot_also_become_the_lead(w):
    case = w.dispatched(CO)
    assert w.refused(case, DESK, A.REASSIGN, {"unit_id": CO}).code == "same_unit"
    returned = w.do(case, LEAD_HANDLER, A.RETURN, {"reason": "not ours"})
    assert w.refused(returned, DESK, A.DISPATCH, {"unit_id": CO}).code == "same_unit"
    case = w.do(case, DESK, A.REMOVE_CO_UNIT, {"unit_id": CO, "reason": "it leads now"})
    assert w.do(case, DESK, A.REASSIGN, {"unit_id": CO}).unit_id == CO


def test_a_co_unit_returns_its_task_and_the_desk_removes_one(w):
    case = w.dispatched(CO, CO2)
    case = w.do(case, CO_HANDLER, A.CO_RETURN, {"reason": "not our road"})
    assert [t.unit_id for t in case.co_tasks] == [CO2]
    assert case.events[-1].payload == {"reason": "not our road", "unit_id": CO,
                                       "due_at": case.events[-1].payload["due_at"]}
    case = w.do(case, DESK, A.REMOVE_CO_UNIT, {"unit_id": CO2, "reason": "not needed"})
    assert case.co_tasks == () and case.events[-1].payload["task_status"] == "dispatched"


def test_the_scope_of_a_joint_case_names_every_unit(w):
    case = w.dispatched(CO)
    assert scope.case_scope(case) == f"{LEAD},{CO}"
    assert scope.entity_scope("case", case.model_dump(mode="json")) == scope.case_scope(case)
    for actor, sees in ((LEAD_HANDLER, True), (CO_HANDLER, True), (OUTSIDER, False), (DESK, True)):
        assert scope.sees_case(case, actor.role, actor.unit_id, w.refdata) is sees
    # a returned lead leaves the co-unit with the case; removing it leaves no unit handler
    case = w.do(case, LEAD_HANDLER, A.RETURN, {"reason": "not ours"})
    assert scope.case_scope(case) == CO
    case = w.do(case, DESK, A.REMOVE_CO_UNIT, {"unit_id": CO, "reason": "x"})
    assert scope.case_scope(case) == scope.NO_UNIT


def test_an_exit_keyed_by_a_joint_scope_reaches_each_unit_that_left():
    exits = {"water_supply,roads": 7}
    assert scope.feed_entry(frozenset({"roads"}), "water_supply", exits, after=3) == "exit"
    assert scope.feed_entry(frozenset({"water_supply"}), "water_supply", exits, after=3) == "entity"
    assert scope.feed_entry(frozenset({"greenery"}), "water_supply", exits, after=3) is None
    assert scope.feed_entry(frozenset({"roads"}), "water_supply", exits, after=7) is None  # read after it left
    assert scope.feed_candidate(frozenset({"greenery"}), "a,b", None, after=0)  # SQL: any joint scope


def test_routing_suggests_co_units_from_the_matrix_without_the_lead(w):
    case = w.dispatched()
    suggested = [s.unit_id for s in suggest_co_units(w.refdata, case)]
    assert suggested == [CO]  # C0101 in the demo matrix: water supply primary, roads secondary
    ranked = [s.unit_id for s in rank_units(w.refdata, case.category_code, case.location.grid_code)
              if s.reason_key == "routing.rule"]
    assert suggested == [u for u in ranked if u != LEAD]
    case = w.do(case, DESK, A.ADD_CO_UNIT, {"unit_id": CO})
    assert suggest_co_units(w.refdata, case) == []


def test_a_suspension_moves_every_open_co_tasks_deadline(w):
    case = w.dispatched(CO)
    due = case.co_tasks[0].due_at
    suspended = w.do(case, Actor("lead1", R.SHIFT_LEAD), A.SUSPEND, {"reason": "rain"})
    resumed = w.do(suspended, Actor("lead1", R.SHIFT_LEAD), A.RESUME)
    expected = timelimits.shift_for_suspension(due, suspended.suspended_at, w.at, case.co_tasks[0].due_working,
                                               w.refdata.policy.calendar)
    assert resumed.co_tasks[0].due_at == expected and expected > due


def test_overdue_co_tasks(w):
    case = w.dispatched(CO)
    (task,) = joint.open_tasks(case)
    assert joint.overdue_tasks(case, task.due_at) == []
    assert joint.overdue_tasks(case, task.due_at + timedelta(seconds=1)) == [task]


# ---- on-site check before registration, and whose verification it is --------------------------------

def test_a_reported_case_goes_to_its_grids_inspector_and_is_confirmed_before_registering(w):
    case = w.reported()
    sent = w.at + timedelta(minutes=5)
    case = w.do(case, DESK, A.SEND_CHECK)
    inspector = w.grid.inspectors[0]
    assert (case.check.inspector, case.check.sent_at, case.check.result) == (inspector, sent, None)
    assert case.status == Status.REPORTED and case.stage == "register"  # the intake clock keeps running
    assert w.refused(case, DESK, A.SEND_CHECK).code == "precondition"  # one check at a time
    assert w.refused(case, DESK, A.CONFIRM_CHECK, {"found": True}).code == "forbidden_role"
    case = w.do(case, Actor(inspector, R.INSPECTOR), A.CONFIRM_CHECK, {"found": True, "note": "seen"})
    assert (case.check.result, case.check.confirmed_at) == ("confirmed", w.at)
    assert case.events[-1].payload["sent_at"] == sent.isoformat()
    assert w.refused(case, Actor(inspector, R.INSPECTOR), A.CONFIRM_CHECK, {"found": True}).code == "precondition"
    assert w.do(case, DESK, A.REGISTER).status == Status.REGISTERED
    assert w.refused(w.do(case, DESK, A.REGISTER), DESK, A.SEND_CHECK).code == "illegal_state"


def test_only_the_inspector_a_check_was_sent_to_or_a_lead_confirms_it(w):
    case = w.do(w.reported(), DESK, A.SEND_CHECK, {"inspector": "inspector2"})
    err = w.refused(case, Actor("inspector1", R.INSPECTOR), A.CONFIRM_CHECK, {"found": True})
    assert err.code == "wrong_inspector" and "inspector2" in err.message
    lead = w.do(case, Actor("lead1", R.SHIFT_LEAD), A.CONFIRM_CHECK, {"found": False})
    assert lead.check.result == "not_found"
    assert w.do(lead, DESK, A.VOID, {"reason": "not found on site"}).status == Status.VOIDED


def test_a_check_names_a_real_inspector(w):
    case = w.reported()
    assert w.refused(case, DESK, A.SEND_CHECK, {"inspector": "operator2"}).code == "unknown_inspector"
    assert w.refused(case, DESK, A.SEND_CHECK, {"inspector": "nobody"}).code == "unknown_inspector"
    no_grid = case.model_copy(update={"location": case.location.model_copy(update={"grid_code": None})})
    assert w.refused(no_grid, DESK, A.SEND_CHECK).code == "no_inspector"
    assert onsite.suggested_inspector(case, w.refdata) == w.grid.inspectors[0]


def test_only_the_inspector_a_verification_was_sent_to_or_a_lead_passes_or_fails_it(w):
    case = w.do(w.do(w.dispatched(), LEAD_HANDLER, A.ACCEPT), LEAD_HANDLER, A.REPORT_HANDLED, {"note": "done"})
    sent = w.do(case, DESK, A.SEND_VERIFY)  # no inspector named: the grid's
    assert sent.inspector == w.grid.inspectors[0] and sent.events[-1].payload["inspector"] == sent.inspector
    other = next(u.username for u in w.refdata.users if u.role == R.INSPECTOR and u.username != sent.inspector)
    for action, payload in ((A.VERIFY_PASS, {}), (A.VERIFY_FAIL, {"reason": "x"})):
        assert w.refused(sent, Actor(other, R.INSPECTOR), action, payload).code == "wrong_inspector"
    assert A.VERIFY_PASS not in allowed_actions(sent, Actor(other, R.INSPECTOR), w.refdata)
    assert w.do(sent, Actor(sent.inspector, R.INSPECTOR), A.VERIFY_PASS).verification == "passed"
    assert w.do(sent, Actor("lead1", R.SHIFT_LEAD), A.VERIFY_FAIL, {"reason": "still broken"}).status == \
        Status.IN_PROGRESS
