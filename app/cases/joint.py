"""Joint handling (主办 / 协办): a case handled by a lead unit and one or more co-handling units.

The lead unit's task is the case itself (`Case.unit_id`, its status and handling deadline). Each
co-handling unit gets its own task (`Case.co_tasks`): its own deadline (the category's handling limit
from when it was added), acceptance, return and handled report. The case is handled when the lead unit
reports it handled after every co-unit has (`co_tasks_pending`, the guard of `report_handled`).

Who acts: the desk adds and removes co-units; a unit handler takes the co-task actions for the co-task of
its own unit (or of a unit below it), and the lead's actions only for the lead unit: a co-unit sees the
case (the scope rule, `app.platform.scope.case_scope`) but does not run the lead's task. Every co-task
event's payload names the task's unit (`unit_id`), so each unit's figures count its own task.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.cases import actors as wf
from app.cases.case import Case, CoTask
from app.cases.commands import (
    CoRemovePayload,
    CoTaskRefPayload,
    CoUnitPayload,
    HandledPayload,
)
from app.platform import scope
from app.platform.enums import Action
from app.refdata import timelimits

if TYPE_CHECKING:
    from app.refdata.model import RefData

log = logging.getLogger(__name__)


def _name(case: Case) -> str:
    """The case as a refusal names it (number, id and status, like the workflow's own refusals)."""
    return f"case {case.display_number} ({case.id}, '{case.status}')"

DISPATCHED, IN_PROGRESS, HANDLED = "dispatched", "in_progress", "handled"  # a co-task's states
TASK_STATES = (DISPATCHED, IN_PROGRESS, HANDLED)

ACTIONS = frozenset({Action.ADD_CO_UNIT, Action.REMOVE_CO_UNIT, Action.CO_ACCEPT, Action.CO_RETURN,
                     Action.CO_HANDLED, Action.CO_OVERDUE})
# The co-task actions, each with the task states it may start from.
_TASK_SOURCES = {Action.CO_ACCEPT: (DISPATCHED,), Action.CO_RETURN: (DISPATCHED, IN_PROGRESS),
                 Action.CO_HANDLED: (IN_PROGRESS,)}
# The lead unit's own task: a unit handler takes these only for the lead unit.
LEAD_ACTIONS = frozenset({Action.ACCEPT, Action.RETURN, Action.REPORT_HANDLED, Action.REQUEST_EXTENSION})


def co_tasks_pending(case: Case) -> str | None:
    """The guard of the lead's handled report: every co-unit reports first."""
    waiting = [t.unit_id for t in case.co_tasks if t.status != HANDLED]
    if waiting:
        return f"co-handling unit(s) {', '.join(waiting)} have not reported their task handled"
    return None


def task_of(case: Case, unit_id: str) -> CoTask | None:
    return next((t for t in case.co_tasks if t.unit_id == unit_id), None)


def actor_task(case: Case, actor: wf.Actor, refdata: RefData) -> CoTask | None:
    """The co-task a unit handler acts on: its own unit's, else one of a unit below it."""
    if actor.unit_id is None:
        return None
    own = task_of(case, actor.unit_id)
    if own is not None:
        return own
    units = scope.visible_units(actor.role, actor.unit_id, refdata) or frozenset()
    return next((t for t in case.co_tasks if t.unit_id in units), None)


def _who(actor: wf.Actor) -> str:
    return f"{actor.role} '{actor.username}'"


def actor_refusal(case: Case, action: Action, actor: wf.Actor, refdata: RefData) -> wf.WorkflowError | None:
    """Why this actor may not take a co-task action (or a lead action) on this case, for its unit."""
    if action in LEAD_ACTIONS and case.co_tasks and actor.role == "unit_handler":
        units = scope.visible_units(actor.role, actor.unit_id, refdata)
        if units is not None and case.unit_id not in units:
            return wf.WorkflowError("wrong_unit", f"{_who(actor)} co-handles {_name(case)}: "
                                                  f"'{action}' is the lead unit's ('{case.unit_id}')")
    if action in _TASK_SOURCES:
        task = actor_task(case, actor, refdata)
        if task is None:
            return wf.WorkflowError("wrong_unit", f"{_who(actor)} may not '{action}' {_name(case)}: "
                                                  f"unit '{actor.unit_id or 'none'}' has no co-handling task on it")
        if task.status not in _TASK_SOURCES[action]:
            return wf.WorkflowError("illegal_state", f"the co-handling task of unit '{task.unit_id}' on {_name(case)} "
                                                     f"is '{task.status}': '{action}' is not allowed there "
                                                     f"({_who(actor)})")
    return None


def check_lead_unit(case: Case, unit_id: str) -> None:
    """A unit co-handling the case cannot become its lead as well: one task per unit."""
    if task_of(case, unit_id) is not None:
        raise wf.WorkflowError("same_unit", f"unit '{unit_id}' co-handles {_name(case)}: remove its co-handling "
                                            "task before making it the lead unit")


def resumed(case: Case, now: datetime, refdata: RefData) -> dict[str, Any]:
    """A suspension stops every open co-task's clock too: on resume each deadline moves like the case's."""
    if not case.co_tasks or case.suspended_at is None:
        return {}
    cal = refdata.policy.calendar
    return {"co_tasks": tuple(
        t if t.status == HANDLED else t.model_copy(update={"due_at": timelimits.shift_for_suspension(
            t.due_at, case.suspended_at, now, t.due_working, cal)}) for t in case.co_tasks)}


def _replace(case: Case, task: CoTask, **update: Any) -> tuple[CoTask, ...]:
    return tuple(t.model_copy(update=update) if t.unit_id == task.unit_id else t for t in case.co_tasks)


def apply(case: Case, action: Action, payload, actor: wf.Actor, refdata: RefData, now: datetime,
          event_payload: dict[str, Any]) -> dict[str, Any]:
    """The case's changes for one joint-handling action (the rules already allowed it); fills in the
    event's payload (the task's unit, its deadline)."""
    if action == Action.ADD_CO_UNIT:
        assert isinstance(payload, CoUnitPayload)
        if not refdata.has_unit(payload.unit_id):
            raise wf.WorkflowError("unknown_unit", f"unknown member unit '{payload.unit_id}'")
        if payload.unit_id == case.unit_id:
            raise wf.WorkflowError("same_unit", f"unit '{payload.unit_id}' is the lead unit of {_name(case)}")
        if task_of(case, payload.unit_id) is not None:
            raise wf.WorkflowError("same_unit", f"unit '{payload.unit_id}' already co-handles {_name(case)}")
        limit = refdata.handle_limit(case.category_code, case.priority, case.location.grid_code)
        due = timelimits.deadline(now, limit, refdata.policy.calendar)
        task = CoTask(unit_id=payload.unit_id, dispatched_at=now, due_at=due, due_working=limit.working)
        event_payload["due_at"] = due.isoformat()
        return {"co_tasks": case.co_tasks + (task,)}
    if action == Action.REMOVE_CO_UNIT:
        assert isinstance(payload, CoRemovePayload)
        task = task_of(case, payload.unit_id)
        if task is None:
            raise wf.WorkflowError("not_co_unit", f"unit '{payload.unit_id}' does not co-handle {_name(case)}")
        event_payload["task_status"] = task.status
        return {"co_tasks": tuple(t for t in case.co_tasks if t.unit_id != task.unit_id)}
    if action == Action.CO_OVERDUE:
        assert isinstance(payload, CoTaskRefPayload)
        return _escalate(case, payload.unit_id, refdata, now, event_payload)
    task = actor_task(case, actor, refdata)
    assert task is not None  # actor_refusal
    event_payload |= {"unit_id": task.unit_id, "due_at": task.due_at.isoformat()}
    if action == Action.CO_ACCEPT:
        return {"co_tasks": _replace(case, task, status=IN_PROGRESS, accepted_at=now)}
    if action == Action.CO_RETURN:  # not this unit's: its task ends, the desk may name another co-unit
        return {"co_tasks": tuple(t for t in case.co_tasks if t.unit_id != task.unit_id)}
    assert action == Action.CO_HANDLED and isinstance(payload, HandledPayload)
    return {"co_tasks": _replace(case, task, status=HANDLED, handled_at=now, note=payload.note),
            "attachments": tuple(case.attachments) + tuple(payload.attachments)}


def escalation_due(task: CoTask, now: datetime) -> bool:
    """An open co-task past its deadline that the system has not escalated yet (once per task)."""
    return task.status != HANDLED and now > task.due_at and task.escalated_at is None


def _escalate(case: Case, unit_id: str, refdata: RefData, now: datetime,
              event_payload: dict[str, Any]) -> dict[str, Any]:
    """An overdue co-task goes up its own unit's hierarchy, as an overdue handling stage does for the lead
    unit; the case's escalation level is the lead's and does not move. The parent sees the case already
    (the scope rule shows a unit the cases of the units below it)."""
    task = task_of(case, unit_id)
    if task is None:
        raise wf.WorkflowError("not_co_unit", f"unit '{unit_id}' does not co-handle {_name(case)}")
    if task.status == HANDLED:
        raise wf.WorkflowError("illegal_state", f"the co-handling task of unit '{unit_id}' on {_name(case)} "
                                                "is handled: nothing to escalate")
    if now <= task.due_at:
        raise wf.WorkflowError("precondition", f"the co-handling task of unit '{unit_id}' on {_name(case)} is "
                                               f"not overdue until {task.due_at.isoformat()}")
    if task.escalated_at is not None:
        raise wf.WorkflowError("precondition", f"the co-handling task of unit '{unit_id}' on {_name(case)} was "
                                               f"escalated at {task.escalated_at.isoformat()}")
    parent = refdata.unit(unit_id).parent_id if refdata.has_unit(unit_id) else None
    event_payload |= {"unit_id": unit_id, "due_at": task.due_at.isoformat(), "escalated_to": parent}
    return {"co_tasks": _replace(case, task, escalated_at=now, escalated_to=parent)}


def open_tasks(case: Case) -> list[CoTask]:
    """The co-tasks not yet handled (the console's joint-task queue and alerts)."""
    return [t for t in case.co_tasks if t.status != HANDLED]


def overdue_tasks(case: Case, now: datetime) -> list[CoTask]:
    return [t for t in open_tasks(case) if now > t.due_at]
