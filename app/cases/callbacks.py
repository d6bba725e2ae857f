"""Callbacks (回访): after a case a citizen reported is closed, the operator calls the reporter back (the phone
stored with the case) and records whether they were reached and how satisfied they are. A dissatisfied
reporter can have the case reopened — back to the dispatch queue, with the reason — when a lead agrees; a
lead who does not agree declines, with the reason (the decision the reporter is told), which ends the task.

Both are case actions (`app.cases.workflow` holds who may, from which status, and calls `apply` here), so
they work offline as queued commands. A case is *due a callback* when it is closed, came from a citizen
source (hotline, citizen app, walk-in) and has a phone to call; the task is open until a callback reached
the reporter (an unreached attempt may be tried again). Reopening clears the callback: the next closure is
due its own.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.cases.case import Callback, Case
from app.cases.commands import CallbackPayload
from app.cases.supervision import Refused
from app.platform.enums import CITIZEN_SOURCES, Action, Satisfaction, Stage, Status
from app.refdata import timelimits

if TYPE_CHECKING:
    from app.refdata.model import RefData

log = logging.getLogger(__name__)

ACTIONS = frozenset({Action.RECORD_CALLBACK, Action.REOPEN, Action.DECLINE_REOPEN})
# The operator's queue holds the cases closed (or last called back) within these days: a callback is made
# soon after closing, and the history from before callbacks were recorded is not a task. A later callback is
# still allowed, and every closure counts in the callback rate.
QUEUE_DAYS = 7


def due_callback(case: Case) -> bool:
    """Whether the case's closure calls for a callback at all (closed, citizen source, a phone to call)."""
    return case.status == Status.CLOSED and case.source in CITIZEN_SOURCES and bool(case.reporter_phone.strip())


def callback_open(case: Case) -> bool:
    """The operator's task: due, and nobody reached the reporter yet."""
    return due_callback(case) and (case.callback is None or not case.callback.reached)


def callback_guard(case: Case) -> str | None:
    if not due_callback(case):
        return "the case is not due a callback (a closed case a citizen reported, with a phone number)"
    if case.callback is not None and case.callback.reached:
        return "the reporter was already called back"
    return None


def reopen_guard(case: Case) -> str | None:
    cb = case.callback
    if cb is None or cb.satisfaction != Satisfaction.DISSATISFIED:
        return "only a case whose reporter said they were dissatisfied at the callback is reopened"
    return None


def decline_guard(case: Case) -> str | None:
    if why := reopen_guard(case):
        return why
    if case.callback is not None and case.callback.declined_at is not None:
        return "a lead already declined to reopen the case"
    return None


def awaiting_lead(case: Case) -> bool:
    """A dissatisfied reporter whose case waits for a lead's decision: reopen, or decline with the reason."""
    return case.status == Status.CLOSED and decline_guard(case) is None


def counts(cases: Iterable[Case]) -> dict[str, int]:
    """Callback tasks waiting, of which unreached before, and dissatisfied reporters waiting for a lead."""
    out = {"waiting": 0, "retry": 0, "dissatisfied": 0}
    for case in cases:
        if callback_open(case):
            out["waiting"] += 1
            out["retry"] += case.callback is not None
        elif awaiting_lead(case):
            out["dissatisfied"] += 1
    return out


def apply(case: Case, action: Action, payload: Any, actor_name: str, refdata: RefData,
          now: datetime) -> tuple[Status | None, dict, dict]:
    """(new status or None, changes to the case, extra event payload); raises Refused."""
    if action == Action.RECORD_CALLBACK:
        assert isinstance(payload, CallbackPayload)
        attempts = (case.callback.attempts + 1) if case.callback is not None else 1
        callback = Callback(at=now, by=actor_name, reached=payload.reached, satisfaction=payload.satisfaction,
                            note=payload.note, attempts=attempts)
        return None, {"callback": callback}, {"attempts": attempts, "phone": case.reporter_phone}
    if action == Action.REOPEN:
        if case.callback is None or case.callback.satisfaction != Satisfaction.DISSATISFIED:
            raise Refused("precondition", reopen_guard(case) or "")
        limit = refdata.policy.stage_limit(str(Stage.DISPATCH))
        due = timelimits.deadline(now, limit, refdata.policy.calendar)
        deadlines = dict(case.deadlines)
        deadlines[Stage.DISPATCH] = due
        changes = {"unit_id": None, "verification": None, "inspector": None, "callback": None, "extension": None,
                   "stage": Stage.DISPATCH, "stage_started_at": now, "due_at": due, "due_working": limit.working,
                   "deadlines": deadlines}
        return Status.REGISTERED, changes, {"unit_id": case.unit_id, "callback_note": case.callback.note}
    if action == Action.DECLINE_REOPEN:
        if why := decline_guard(case):
            raise Refused("precondition", why)
        assert case.callback is not None
        callback = case.callback.model_copy(update={"declined_at": now, "declined_by": actor_name,
                                                    "decline_reason": payload.reason})
        return None, {"callback": callback}, {"callback_note": case.callback.note}
    raise Refused("precondition", f"'{action}' is not a callback action")  # pragma: no cover - the table routes
