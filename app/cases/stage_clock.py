"""A case's clock: the deadline a stage starts with (its time limit from the reference data, counted in
working or calendar time), rework against the original handling deadline, the stages finished, the time
left on the current stage (stopped while suspended), and when the system escalates an overdue stage. The
workflow (`app.cases.workflow`) starts and stops it; the queue, the detail and the server's sweep read it.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from app.cases.case import Case
from app.platform.enums import TERMINAL_STATUSES, Action, Stage, Status
from app.refdata import timelimits

if TYPE_CHECKING:
    from app.refdata.model import RefData


def limit_for(case: Case, stage: Stage, refdata: RefData) -> timelimits.Limit:
    if stage == Stage.HANDLE:
        return refdata.handle_limit(case.category_code, case.priority, case.location.grid_code)
    return refdata.policy.stage_limit(str(stage))


def start_stage(case: Case, stage: Stage, now: datetime, refdata: RefData) -> dict:
    limit = limit_for(case, stage, refdata)
    due = timelimits.deadline(now, limit, refdata.policy.calendar)
    deadlines = dict(case.deadlines)
    deadlines[stage] = due
    return {"stage": stage, "stage_started_at": now, "due_at": due, "due_working": limit.working,
            "deadlines": deadlines}


def resume_handling(case: Case, now: datetime, refdata: RefData) -> dict:
    """Rework runs against the handling deadline the case already had (the original, moved only by an
    approved extension or a suspension), not a fresh limit: the first report was not a resolution."""
    due = case.deadlines.get(Stage.HANDLE)
    if due is None:  # dispatched before deadlines were kept: a fresh limit is all we can give
        return start_stage(case, Stage.HANDLE, now, refdata)
    working = limit_for(case, Stage.HANDLE, refdata).working
    return {"stage": Stage.HANDLE, "stage_started_at": now, "due_at": due, "due_working": working}


def finish_stage(case: Case, now: datetime) -> dict:
    finished = dict(case.finished)
    if case.stage is not None:
        finished[case.stage] = now
    return {"finished": finished}


def auto_escalation_due(case: Case, now: datetime) -> bool:
    """True when the current stage is overdue and the system has not escalated it for this stage yet."""
    if case.status in TERMINAL_STATUSES or case.status == Status.SUSPENDED or case.due_at is None:
        return False
    if now <= case.due_at:
        return False
    started = case.stage_started_at or case.created_at
    return not any(e.action == Action.ESCALATE and e.payload.get("automatic") and e.at >= started
                   for e in case.events)


def remaining(case: Case, now: datetime, refdata: RefData) -> timedelta | None:
    """Time left on the current stage (negative when overdue), in the stage's own counting mode."""
    if case.due_at is None:
        return None
    at = case.suspended_at or now  # a suspended case's clock is stopped
    return timelimits.remaining(at, case.due_at, case.due_working, refdata.policy.calendar)
