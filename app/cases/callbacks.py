"""Callbacks (回访): after a case a citizen reported is closed, the operator calls the reporter back (the phone
stored with the case) and records whether they were reached and how satisfied they are. A dissatisfied
reporter can have the case reopened — back to the dispatch queue, with the reason — when a lead agrees; a
lead who does not agree declines, with the reason (the decision the reporter is told), which ends the task.

Both are case actions (`app.cases.workflow` holds who may, from which status, and calls `apply` here), so
they work offline as queued commands. A case is *due a callback* when it is closed, came from a citizen
source (hotline, citizen app, walk-in) and has a phone to call; the task is open until a callback reached
the reporter (an unreached attempt may be tried again). Reopening clears the callback: the next closure is
due its own.

A master case with merged repeats has several reporters: the server lists on the closing event the repeats
whose reporters are due a callback too (`REPORTS_KEY`), and each is called with its own result
(`CallbackPayload.report_id`, kept in `Case.report_callbacks`). The task stays open until every reporter
was reached; any dissatisfied reporter waits for a lead, whose decline answers every dissatisfied reporter
so far (one who says so later waits again). How the results combine in the figures: `app.metrics.satisfaction`.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple
from uuid import UUID

from app.cases.case import Callback, Case, ReportCallback
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


# The closing event's payload key under which the server lists the merged repeats whose reporters are due a
# callback too (`server.cases.reporters`): stamped on the closure, so the due list is part of the history
# the figures are counted from, and a console or the CLI needs no other read to know whom to call.
REPORTS_KEY = "callback_reports"


class Reporter(NamedTuple):
    """One reporter due a callback at the current closure: the case's own (`report_id` None) or a merged
    repeat's (its case id and number), with the last attempt so far."""

    report_id: UUID | None
    number: str | None
    callback: Callback | None


def own_due(case: Case) -> bool:
    """Whether the case's own reporter is due a callback at a closure (a citizen source, a phone to call)."""
    return case.source in CITIZEN_SOURCES and bool(case.reporter_phone.strip())


def closure_reports(payload: dict) -> list[tuple[UUID, str | None]]:
    """The merged reports a closing event's payload names as due a callback."""
    out = []
    for item in payload.get(REPORTS_KEY) or ():
        try:
            out.append((UUID(str(item["case_id"])), item.get("number")))
        except (KeyError, TypeError, ValueError):
            log.warning("closure payload names a report without a case id: %r", item)
    return out


def reports_due(case: Case) -> list[tuple[UUID, str | None]]:
    """The merged repeats whose reporters the current closure is due to call back, as the server listed them."""
    if case.status != Status.CLOSED:
        return []
    closing = next((e for e in reversed(case.events) if e.action == Action.CLOSE), None)
    return closure_reports(closing.payload) if closing is not None else []


def due_callback(case: Case) -> bool:
    """Whether the case's closure calls for a callback at all: closed, and its own reporter (citizen source,
    phone) or a merged repeat's reporter to call."""
    return case.status == Status.CLOSED and (own_due(case) or bool(reports_due(case)))


def reporters(case: Case) -> list[Reporter]:
    """Every reporter the current closure is due to call back, the case's own first, then the repeats'."""
    if case.status != Status.CLOSED:
        return []
    out = [Reporter(None, case.number, case.callback)] if own_due(case) else []
    done = {cb.report_id: cb for cb in case.report_callbacks}
    out += [Reporter(report_id, number, done.get(report_id)) for report_id, number in reports_due(case)]
    return out


def to_call(case: Case) -> list[Reporter]:
    """The reporters nobody reached yet (an unreached attempt may be tried again)."""
    return [r for r in reporters(case) if r.callback is None or not r.callback.reached]


def callback_open(case: Case) -> bool:
    """The operator's task: due, and a reporter nobody reached yet."""
    return bool(to_call(case))


def callback_guard(case: Case) -> str | None:
    if not due_callback(case):
        return "the case is not due a callback (a closed case a citizen reported, with a phone number)"
    if not to_call(case):
        return "every reporter was already called back"
    return None


def _all_callbacks(case: Case) -> list[Callback]:
    return ([case.callback] if case.callback is not None else []) + list(case.report_callbacks)


def _dissatisfied(case: Case) -> list[Callback]:
    return [cb for cb in _all_callbacks(case) if cb.satisfaction == Satisfaction.DISSATISFIED]


def reopen_guard(case: Case) -> str | None:
    if not _dissatisfied(case):
        return "only a case whose reporter said they were dissatisfied at the callback is reopened"
    return None


def decline_guard(case: Case) -> str | None:
    if why := reopen_guard(case):
        return why
    if all(cb.declined_at is not None for cb in _dissatisfied(case)):
        return "a lead already declined to reopen the case"
    return None


def awaiting_lead(case: Case) -> bool:
    """A dissatisfied reporter whose case waits for a lead's decision: reopen, or decline with the reason."""
    return case.status == Status.CLOSED and decline_guard(case) is None


def counts(cases: Iterable[Case]) -> dict[str, int]:
    """Reporters waiting for a call, of which unreached before, and cases whose dissatisfied reporter waits
    for a lead (with one reporter, never both)."""
    out = {"waiting": 0, "retry": 0, "dissatisfied": 0}
    for case in cases:
        waiting = to_call(case)
        out["waiting"] += len(waiting)
        out["retry"] += sum(r.callback is not None for r in waiting)
        out["dissatisfied"] += awaiting_lead(case)  # a lead may decide before every reporter was reached
    return out


def _record(case: Case, payload: CallbackPayload, actor_name: str, now: datetime) -> tuple[dict, dict]:
    """(changes, extra event payload) of one call to one reporter; raises Refused."""
    if payload.report_id is None:
        if not own_due(case):
            raise Refused("precondition", "the case's own reporter has no phone to call (or is not a citizen): "
                                          "name the merged report whose reporter was called")
        if case.callback is not None and case.callback.reached:
            raise Refused("precondition", "the reporter was already called back")
        attempts = (case.callback.attempts + 1) if case.callback is not None else 1
        callback = Callback(at=now, by=actor_name, reached=payload.reached, satisfaction=payload.satisfaction,
                            note=payload.note, attempts=attempts)
        return {"callback": callback}, {"attempts": attempts, "phone": case.reporter_phone}
    numbers = dict(reports_due(case))
    if payload.report_id not in numbers:
        raise Refused("unknown_report", f"report {payload.report_id} is not a report merged into this case "
                                        "whose reporter the closure is due to call back")
    before = next((cb for cb in case.report_callbacks if cb.report_id == payload.report_id), None)
    number = numbers[payload.report_id]
    if before is not None and before.reached:
        raise Refused("precondition", f"the reporter of {number or payload.report_id} was already called back")
    attempts = before.attempts + 1 if before is not None else 1
    callback = ReportCallback(at=now, by=actor_name, reached=payload.reached, satisfaction=payload.satisfaction,
                              note=payload.note, attempts=attempts, report_id=payload.report_id, number=number)
    kept = tuple(cb for cb in case.report_callbacks if cb.report_id != payload.report_id)
    return ({"report_callbacks": kept + (callback,)},
            {"attempts": attempts, "report_id": str(payload.report_id), "report_number": number})


def apply(case: Case, action: Action, payload: Any, actor_name: str, refdata: RefData,
          now: datetime) -> tuple[Status | None, dict, dict]:
    """(new status or None, changes to the case, extra event payload); raises Refused."""
    if action == Action.RECORD_CALLBACK:
        assert isinstance(payload, CallbackPayload)
        changes, extra = _record(case, payload, actor_name, now)
        return None, changes, extra
    if action == Action.REOPEN:
        if why := reopen_guard(case):
            raise Refused("precondition", why)
        notes = "; ".join(cb.note for cb in _dissatisfied(case) if cb.note)
        limit = refdata.policy.stage_limit(str(Stage.DISPATCH))
        due = timelimits.deadline(now, limit, refdata.policy.calendar)
        deadlines = dict(case.deadlines)
        deadlines[Stage.DISPATCH] = due
        changes = {"unit_id": None, "verification": None, "inspector": None, "callback": None,
                   "report_callbacks": (), "extension": None,
                   "stage": Stage.DISPATCH, "stage_started_at": now, "due_at": due, "due_working": limit.working,
                   "deadlines": deadlines}
        return Status.REGISTERED, changes, {"unit_id": case.unit_id, "callback_note": notes}
    if action == Action.DECLINE_REOPEN:
        if why := decline_guard(case):
            raise Refused("precondition", why)
        declined = {"declined_at": now, "declined_by": actor_name, "decline_reason": payload.reason}

        def decided(cb):
            open_ = cb is not None and cb.satisfaction == Satisfaction.DISSATISFIED and cb.declined_at is None
            return cb.model_copy(update=declined) if open_ else cb
        notes = "; ".join(cb.note for cb in _dissatisfied(case) if cb.declined_at is None and cb.note)
        return None, {"callback": decided(case.callback),
                      "report_callbacks": tuple(decided(cb) for cb in case.report_callbacks)}, {"callback_note": notes}
    raise Refused("precondition", f"'{action}' is not a callback action")  # pragma: no cover - the table routes
