"""Inspectors' tasks: the on-site check (核实) of a reported case before it is registered, and who may
pass or fail a verification (核查).

A report from the hotline or a citizen app can be sent (`send_check`, the desk) to a grid inspector,
who confirms on site (`confirm_check`: found or not found). The case stays `reported` throughout: its
register stage keeps running, so the check's time counts in the intake post's figures; the desk then
registers it (or voids it when the problem was not found). `send_verify` (after handling) is a different
action on a different stage and is unchanged, except that it too suggests the grid's inspector.

Both tasks go to one inspector: when none is named, the one responsible for the case's grid
(`RefData.inspectors_for`, from the grids' reference data). Only that inspector — or a shift lead —
may confirm the check or pass / fail the verification.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.cases import actors as wf
from app.cases.case import Case, OnSiteCheck
from app.cases.commands import ConfirmCheckPayload, SendCheckPayload
from app.platform.enums import Action, Role

if TYPE_CHECKING:
    from app.refdata.model import RefData

log = logging.getLogger(__name__)


def _name(case: Case) -> str:
    """The case as a refusal names it (number, id and status, like the workflow's own refusals)."""
    return f"case {case.display_number} ({case.id}, '{case.status}')"

ACTIONS = frozenset({Action.SEND_CHECK, Action.CONFIRM_CHECK})
CONFIRMED, NOT_FOUND = "confirmed", "not_found"


def check_pending(case: Case) -> bool:
    return case.check is not None and case.check.result is None


def no_pending_check(case: Case) -> str | None:
    return "an on-site check is already pending" if check_pending(case) else None


def needs_pending_check(case: Case) -> str | None:
    return None if check_pending(case) else "no on-site check is pending"


def suggested_inspector(case: Case, refdata: RefData) -> str | None:
    """The inspector responsible for the case's grid (None: the grid has none, or the case no grid)."""
    names = refdata.inspectors_for(case.location.grid_code)
    return names[0] if names else None


def _check_inspector(name: str, refdata: RefData) -> str:
    if refdata.users:  # reference data without accounts (a bare test bundle) names nobody to check
        try:
            user = refdata.user(name)
        except Exception:
            raise wf.WorkflowError("unknown_inspector", f"unknown inspector '{name}'") from None
        if user.role is not Role.INSPECTOR:
            raise wf.WorkflowError("unknown_inspector", f"'{name}' is a {user.role}, not an inspector")
    return name


def inspector_for(case: Case, named: str | None, refdata: RefData, *, required: bool) -> str | None:
    """The inspector a task goes to: the one named, else the grid's (refused when `required` and none)."""
    if named:
        return _check_inspector(named, refdata)
    suggested = suggested_inspector(case, refdata)
    if suggested is None and required:
        raise wf.WorkflowError("no_inspector", f"grid '{case.location.grid_code or 'none'}' of {_name(case)} "
                                               "has no inspector: name one")
    return suggested


def actor_refusal(case: Case, action: Action, actor: wf.Actor, refdata: RefData) -> wf.WorkflowError | None:
    """An inspector confirms only the check sent to them, and passes / fails only the verification sent to
    them; a shift lead may do either in their stead."""
    if actor.role != Role.INSPECTOR:
        return None
    if action == Action.CONFIRM_CHECK and case.check is not None:
        sent_to = case.check.inspector
    elif action in (Action.VERIFY_PASS, Action.VERIFY_FAIL):
        sent_to = case.inspector
    else:
        return None
    if sent_to is not None and sent_to != actor.username:
        return wf.WorkflowError("wrong_inspector", f"inspector '{actor.username}' may not '{action}' {_name(case)}: "
                                                   f"it was sent to '{sent_to}'")
    return None


def apply(case: Case, action: Action, payload, actor: wf.Actor, refdata: RefData, now: datetime,
          event_payload: dict[str, Any]) -> dict[str, Any]:
    """The case's changes for one on-site check action (the rules already allowed it)."""
    if action == Action.SEND_CHECK:
        assert isinstance(payload, SendCheckPayload)
        inspector = inspector_for(case, payload.inspector, refdata, required=True)
        assert inspector is not None
        event_payload["inspector"] = inspector
        return {"check": OnSiteCheck(inspector=inspector, sent_by=actor.username, sent_at=now, note=payload.note)}
    assert action == Action.CONFIRM_CHECK and isinstance(payload, ConfirmCheckPayload) and case.check
    result = CONFIRMED if payload.found else NOT_FOUND
    event_payload |= {"result": result, "inspector": case.check.inspector,
                      "sent_at": case.check.sent_at.isoformat()}
    return {"check": case.check.model_copy(update={"confirmed_at": now, "result": result,
                                                   "note": payload.note or case.check.note})}
