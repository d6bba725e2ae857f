"""The tasks a user works on inside cases, beside the cases' own status: co-handling tasks of joint cases
(`app.cases.joint`), on-site checks before registration and verifications (`app.cases.onsite`).

`tasks_for` lists the open ones an actor should see: a unit handler its unit's co-tasks (and its
sub-units'); an inspector the checks and verifications sent to them; the desk every open one (it follows
them up). The console's task dock and `onegrid-ctl tasks` both show this list; its counts and overdue
count drive the dock's badge and alert.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from app.cases import joint, onsite
from app.cases.case import Case
from app.platform import scope
from app.platform.enums import Role, Status

if TYPE_CHECKING:
    from app.cases.workflow import Actor
    from app.refdata.model import RefData

log = logging.getLogger(__name__)

CO_TASK, CHECK, VERIFY = "co_task", "check", "verify"
KINDS = (CO_TASK, CHECK, VERIFY)
# The case statuses where any task can be open (a reader may look at these cases only).
TASK_STATUSES = frozenset({Status.REPORTED, Status.REGISTERED, Status.RETURNED, Status.DISPATCHED,
                           Status.IN_PROGRESS, Status.VERIFYING})


@dataclass(frozen=True)
class Task:
    case_id: UUID
    number: str
    kind: str                 # CO_TASK | CHECK | VERIFY
    assignee: str             # the co-unit's id, or the inspector's username
    state: str                # a co-task's state; "pending" for a check or a verification
    since: datetime           # when it was given
    due_at: datetime | None   # a co-task's own deadline; the case's stage deadline for the others

    def overdue(self, now: datetime) -> bool:
        return self.due_at is not None and now > self.due_at


def _case_tasks(case: Case) -> list[Task]:
    out = [Task(case.id, case.display_number, CO_TASK, t.unit_id, t.status, t.dispatched_at, t.due_at)
           for t in joint.open_tasks(case)]
    if case.status == Status.REPORTED and onsite.check_pending(case):
        assert case.check is not None
        out.append(Task(case.id, case.display_number, CHECK, case.check.inspector, "pending", case.check.sent_at,
                        case.due_at))
    if case.status == Status.VERIFYING and case.verification is None and case.inspector:
        sent = next((e.at for e in reversed(case.events) if e.action == "send_verify"), case.updated_at)
        out.append(Task(case.id, case.display_number, VERIFY, case.inspector, "pending", sent, case.due_at))
    return out


def tasks_for(cases: Iterable[Case], actor: Actor, refdata: RefData | None) -> list[Task]:
    """The open tasks `actor` works on or follows up, oldest deadline first."""
    return visible_to((task for case in cases if case.status in TASK_STATUSES for task in _case_tasks(case)),
                      actor, refdata)


def visible_to(found: Iterable[Task], actor: Actor, refdata: RefData | None) -> list[Task]:
    """Of open tasks (`tasks_for`, or the cache's `open_tasks` read without parsing cases), those `actor`
    works on or follows up, oldest deadline first."""
    units: frozenset[str] | None = None
    if actor.role == Role.UNIT_HANDLER:
        units = (scope.visible_units(actor.role, actor.unit_id, refdata) if refdata is not None
                 else frozenset({actor.unit_id} if actor.unit_id else ()))
    out: list[Task] = []
    for task in found:
        if actor.role == Role.UNIT_HANDLER:
            keep = task.kind == CO_TASK and units is not None and task.assignee in units
        elif actor.role == Role.INSPECTOR:
            keep = task.kind != CO_TASK and task.assignee == actor.username
        else:
            keep = actor.role in (Role.OPERATOR, Role.SHIFT_LEAD)
        if keep:
            out.append(task)
    out.sort(key=lambda t: (t.due_at.timestamp() if t.due_at else float("inf"), t.number, t.kind))
    return out


def counts(tasks: Iterable[Task], now: datetime) -> tuple[int, int]:
    """(open, overdue)."""
    items = list(tasks)
    return len(items), sum(t.overdue(now) for t in items)
