"""The case lifecycle's rules (part of `app.cases.workflow`): for every action, the statuses it may start
from, the roles that may take it and any further precondition, and `refusal`, which says in words why an
actor may not take an action on a case now. `app.cases.workflow.apply` then says what the action does.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from app.cases import arrival, callbacks, disputes, joint, onsite, supervision
from app.cases.actors import Actor, WorkflowError
from app.cases.case import Case
from app.platform import scope
from app.platform.enums import TERMINAL_STATUSES, Action, Role, Status

if TYPE_CHECKING:
    from app.refdata.model import RefData

S = Status
R = Role
ACTIVE = frozenset(set(Status) - TERMINAL_STATUSES)
DESK = frozenset({R.OPERATOR, R.SHIFT_LEAD})  # the command centre's own staff
JOINT_OPEN = frozenset({S.REGISTERED, S.RETURNED, S.DISPATCHED, S.IN_PROGRESS})  # co-tasks may move


@dataclass(frozen=True)
class Rule:
    sources: frozenset[Status]           # statuses the action may start from (empty: creation)
    roles: frozenset[Role]
    target: Status | None = None         # None: the status does not change (or is computed)
    guard: Callable[[Case], str | None] | None = None  # extra precondition; returns why it fails


def _needs_pending_extension(case: Case) -> str | None:
    return None if case.extension else "no extension request is pending"


def _no_pending_extension(case: Case) -> str | None:
    return "an extension request is already pending" if case.extension else None


def _needs_verification_passed(case: Case) -> str | None:
    return None if case.verification == "passed" else "verification has not passed"


def _needs_unverified(case: Case) -> str | None:
    return "verification already passed; close the case" if case.verification == "passed" else None


RULES: dict[Action, Rule] = {
    Action.CREATE: Rule(frozenset(), frozenset({R.OPERATOR, R.SHIFT_LEAD, R.INSPECTOR, R.SYSTEM}), S.REPORTED),
    Action.REGISTER: Rule(frozenset({S.REPORTED}), DESK, S.REGISTERED),
    Action.VOID: Rule(frozenset({S.REPORTED, S.REGISTERED}), DESK, S.VOIDED),
    Action.DISPATCH: Rule(frozenset({S.REGISTERED, S.RETURNED}), DESK, S.DISPATCHED, guard=disputes.not_in_dispute),
    Action.ACCEPT: Rule(frozenset({S.DISPATCHED}), frozenset({R.UNIT_HANDLER}), S.IN_PROGRESS),
    Action.RETURN: Rule(frozenset({S.DISPATCHED, S.IN_PROGRESS}), frozenset({R.UNIT_HANDLER}), S.RETURNED,
                        guard=disputes.return_refusal),
    Action.REPORT_HANDLED: Rule(frozenset({S.IN_PROGRESS}), frozenset({R.UNIT_HANDLER}), S.HANDLED,
                                guard=lambda case: joint.co_tasks_pending(case)),
    Action.SEND_VERIFY: Rule(frozenset({S.HANDLED}), DESK, S.VERIFYING),
    Action.VERIFY_PASS: Rule(frozenset({S.VERIFYING}), frozenset({R.INSPECTOR, R.SHIFT_LEAD}), None,
                             guard=_needs_unverified),
    Action.VERIFY_FAIL: Rule(frozenset({S.VERIFYING}), frozenset({R.INSPECTOR, R.SHIFT_LEAD}), S.IN_PROGRESS,
                             guard=_needs_unverified),
    Action.CLOSE: Rule(frozenset({S.VERIFYING}), frozenset({R.SHIFT_LEAD}), S.CLOSED, guard=_needs_verification_passed),
    Action.REQUEST_EXTENSION: Rule(frozenset({S.DISPATCHED, S.IN_PROGRESS}), frozenset({R.UNIT_HANDLER}), None,
                                   guard=_no_pending_extension),
    Action.APPROVE_EXTENSION: Rule(frozenset({S.DISPATCHED, S.IN_PROGRESS}), frozenset({R.SHIFT_LEAD}), None,
                                   guard=_needs_pending_extension),
    Action.DENY_EXTENSION: Rule(frozenset({S.DISPATCHED, S.IN_PROGRESS}), frozenset({R.SHIFT_LEAD}), None,
                                guard=_needs_pending_extension),
    Action.SUSPEND: Rule(frozenset({S.REGISTERED, S.RETURNED, S.DISPATCHED, S.IN_PROGRESS}),
                         frozenset({R.SHIFT_LEAD}), S.SUSPENDED),
    Action.RESUME: Rule(frozenset({S.SUSPENDED}), frozenset({R.SHIFT_LEAD}), None),
    Action.ESCALATE: Rule(ACTIVE - {S.SUSPENDED}, frozenset({R.OPERATOR, R.SHIFT_LEAD, R.SYSTEM}), None),
    Action.REASSIGN: Rule(frozenset({S.DISPATCHED, S.IN_PROGRESS}), DESK, S.DISPATCHED),
    Action.NOTE: Rule(frozenset(Status), frozenset(Role) - {R.SYSTEM}, None),
    Action.DECIDE_OWNER: Rule(frozenset({S.RETURNED}), frozenset({R.SHIFT_LEAD}), S.DISPATCHED,
                              guard=disputes.needs_open_dispute),
    # joint handling: the desk names co-units; each co-unit runs its own task (`app.cases.joint`)
    Action.ADD_CO_UNIT: Rule(JOINT_OPEN, DESK, None),
    Action.REMOVE_CO_UNIT: Rule(JOINT_OPEN, DESK, None,
                                guard=lambda case: None if case.co_tasks else "the case has no co-handling unit"),
    Action.CO_ACCEPT: Rule(JOINT_OPEN, frozenset({R.UNIT_HANDLER}), None),
    Action.CO_RETURN: Rule(JOINT_OPEN, frozenset({R.UNIT_HANDLER}), None),
    Action.CO_HANDLED: Rule(JOINT_OPEN, frozenset({R.UNIT_HANDLER}), None),
    Action.CO_OVERDUE: Rule(JOINT_OPEN, frozenset({R.SYSTEM}), None,
                            guard=lambda case: None if joint.open_tasks(case) else "no co-handling task is open"),
    # on-site check before registration (`app.cases.onsite`)
    Action.SEND_CHECK: Rule(frozenset({S.REPORTED}), DESK, None, guard=lambda case: onsite.no_pending_check(case)),
    Action.CONFIRM_CHECK: Rule(frozenset({S.REPORTED}), frozenset({R.INSPECTOR, R.SHIFT_LEAD}), None,
                               guard=lambda case: onsite.needs_pending_check(case)),
    # supervision orders (督办): app/cases/supervision.py; they outlive the case's status
    Action.ISSUE_ORDER: Rule(ACTIVE, frozenset({R.SHIFT_LEAD}), None, guard=supervision.has_unit_guard),
    Action.REPLY_ORDER: Rule(frozenset(Status), frozenset({R.UNIT_HANDLER}), None,
                             guard=supervision.awaiting_reply_guard),
    Action.ACCEPT_ORDER_REPLY: Rule(frozenset(Status), frozenset({R.SHIFT_LEAD}), None,
                                    guard=supervision.awaiting_decision_guard),
    Action.REJECT_ORDER_REPLY: Rule(frozenset(Status), frozenset({R.SHIFT_LEAD}), None,
                                    guard=supervision.awaiting_decision_guard),
    Action.ORDER_OVERDUE: Rule(frozenset(Status), frozenset({R.SYSTEM}), None, guard=supervision.awaiting_reply_guard),
    # callbacks (回访) and reopening on dissatisfaction: app/cases/callbacks.py
    Action.RECORD_CALLBACK: Rule(frozenset({S.CLOSED}), DESK, None, guard=callbacks.callback_guard),
    Action.REOPEN: Rule(frozenset({S.CLOSED}), frozenset({R.SHIFT_LEAD}), S.REGISTERED, guard=callbacks.reopen_guard),
    Action.DECLINE_REOPEN: Rule(frozenset({S.CLOSED}), frozenset({R.SHIFT_LEAD}), None,
                                guard=callbacks.decline_guard),
    # arrival on site (到场): app/cases/arrival.py; the device's own detection is the system's
    Action.ARRIVE: Rule(arrival.SOURCES, frozenset({R.UNIT_HANDLER, R.INSPECTOR, R.SHIFT_LEAD, R.SYSTEM}), None,
                        guard=arrival.guard),
    # repeats (重复件): merged into a master by the server's check or by the desk; unmerged by the desk
    Action.MERGE: Rule(ACTIVE - {S.SUSPENDED}, DESK | {R.SYSTEM}, S.MERGED),
    Action.UNMERGE: Rule(frozenset({S.MERGED}), DESK, None),
}

# A case returned this many times is an ownership dispute, not a job for the returning unit's parent.
AUTO_ESCALATE_RETURNS = disputes.DISPUTE_AFTER_RETURNS


def _who(actor: Actor) -> str:
    return f"{actor.role} '{actor.username}'"


def _case_name(case: Case) -> str:
    return f"case {case.display_number} ({case.id})"


def in_scope(case: Case, actor: Actor, refdata: RefData) -> bool:
    """A unit handler sees and acts on its own unit's cases (and its sub-units'); everyone else on all
    (the one scope rule: `app.platform.scope`)."""
    return scope.sees_case(case, actor.role, actor.unit_id, refdata, actor.jurisdictions)


def refusal(case: Case | None, action: Action, actor: Actor, refdata: RefData) -> WorkflowError | None:
    """Why `actor` may not take `action` on `case` now, or None when the rules allow it.

    A case outside the actor's scope is one it may neither see nor act on: refused without naming the
    case, its number, status or unit (the refusal reaches a user who may not read them)."""
    rule = RULES[action]
    if case is not None and not in_scope(case, actor, refdata):
        if actor.role not in rule.roles:
            return WorkflowError("forbidden_role", f"{_who(actor)} may not '{action}' a case")
        return WorkflowError("out_of_scope", f"{_who(actor)} may not '{action}' this case: it is not in the "
                                             f"scope of unit '{actor.unit_id or 'none'}'")
    if case is None:
        if action != Action.CREATE:
            return WorkflowError("no_such_case", f"action '{action}' needs an existing case")
    elif action == Action.CREATE:
        return WorkflowError("case_exists", f"{_case_name(case)} already exists")
    if actor.role not in rule.roles:
        where = f"{_case_name(case)} ('{case.status}')" if case else "a new case"
        return WorkflowError("forbidden_role", f"{_who(actor)} may not '{action}' {where}")
    if case is None:
        return None
    if why := (joint.actor_refusal(case, action, actor, refdata) or onsite.actor_refusal(case, action, actor, refdata)
               or arrival.actor_refusal(case, action, actor, refdata)):
        return why  # not this unit's task, or not this inspector's
    if case.status not in rule.sources:
        return WorkflowError(
            "illegal_state",
            f"{_case_name(case)} is '{case.status}': action '{action}' is not allowed there ({_who(actor)})",
        )
    if rule.guard is not None and (why := rule.guard(case)):
        return WorkflowError(
            "precondition", f"{_case_name(case)} is '{case.status}': cannot '{action}' ({_who(actor)}): {why}"
        )
    return None


def allowed_actions(case: Case, actor: Actor, refdata: RefData) -> list[Action]:
    """The actions the rules let this actor take on this case now, in lifecycle order."""
    return [a for a in Action if a != Action.CREATE and refusal(case, a, actor, refdata) is None]
