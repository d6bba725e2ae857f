"""A refused command in words an operator understands, and what can still be done about it.

The server refuses with a reason code (`illegal_state`, `out_of_scope`, `bad_clock`, …) and a message
written for a log. An operator who queued a dispatch offline needs instead: *what happened meanwhile*
("operator2 dispatched 2026-000048 to Songling Enforcement Squad at 20:21 while you were offline"),
*what became of my command* ("your dispatch to … was not applied") and *what can still succeed* —
reassigning, adding a note, opening the case — never a Re-apply that the rules would refuse again.

A refusal whose outcome already holds (the case is with the unit I dispatched it to, in the status my
command would have set) is *settled*: nothing is lost, so it is not a conflict for the operator to
resolve, only a line in the list.

Qt-free: the conflicts dock, the banner, the lead's work queue and tests use it. Every sentence is
marked for translation (context "Refusals").
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from app.cases import workflow
from app.cases.case import Case, CaseEvent
from app.cases.commands import Command
from app.cases.numbers import number_text
from app.platform import labels, times
from app.platform.enums import Action, Status
from app.platform.i18n import QT_TRANSLATE_NOOP, translate
from app.refdata.people import display_name

if TYPE_CHECKING:
    from app.refdata.model import RefData

log = logging.getLogger(__name__)

CTX = "Refusals"

# Every reason a case command can come back with: the workflow's codes (app.cases.workflow), the
# server's own (server.cases.commands, server.platform.batch_items) and the console's (no_refdata).
REASONS: dict[str, str] = {
    "illegal_state": QT_TRANSLATE_NOOP("Refusals", "The case had moved on: this action no longer applies to it."),
    "precondition": QT_TRANSLATE_NOOP("Refusals", "The case was not ready for this action."),
    "forbidden_role": QT_TRANSLATE_NOOP("Refusals", "Your role may not take this action."),
    "forbidden": QT_TRANSLATE_NOOP("Refusals", "You are not allowed to do this."),
    "out_of_scope": QT_TRANSLATE_NOOP("Refusals", "The case is no longer in your unit's scope, so you may "
                                                  "neither see nor change it."),
    "no_such_case": QT_TRANSLATE_NOOP("Refusals", "The server has no such case."),
    "case_exists": QT_TRANSLATE_NOOP("Refusals", "This case had already been reported."),
    "same_unit": QT_TRANSLATE_NOOP("Refusals", "The case was already with that unit."),
    "bad_master": QT_TRANSLATE_NOOP("Refusals", "The case to merge into does not exist or has ended."),
    "unknown_unit": QT_TRANSLATE_NOOP("Refusals", "The server does not know that unit."),
    "unknown_category": QT_TRANSLATE_NOOP("Refusals", "The server does not know that category."),
    "unknown_grid": QT_TRANSLATE_NOOP("Refusals", "The server does not know that grid."),
    "bad_object_code": QT_TRANSLATE_NOOP("Refusals", "The object code does not fit the case's category."),
    "top_of_hierarchy": QT_TRANSLATE_NOOP("Refusals", "The case was already at the top of the unit hierarchy."),
    "invalid_payload": QT_TRANSLATE_NOOP("Refusals", "Some of the information sent was missing or invalid."),
    "photo_required": QT_TRANSLATE_NOOP("Refusals", "This category needs a photo with this step; attach one and "
                                                    "send it again."),
    "photos_missing": QT_TRANSLATE_NOOP("Refusals", "A photo this step names never reached the server (it was "
                                                    "refused: see its reason); attach another and send it again."),
    "invalid_request": QT_TRANSLATE_NOOP("Refusals", "The command was malformed."),
    "invalid_time": QT_TRANSLATE_NOOP("Refusals", "The command's time could not be read."),
    "bad_clock": QT_TRANSLATE_NOOP("Refusals", "This computer's clock is more than a day ahead of the server's; "
                                               "set the clock and issue the action again."),
    "conflict": QT_TRANSLATE_NOOP("Refusals", "The same command had already been sent by another user."),
    "internal_error": QT_TRANSLATE_NOOP("Refusals", "The server failed on this command; it was not applied. "
                                                    "Try again, or tell the administrator."),
    "no_refdata": QT_TRANSLATE_NOOP("Refusals", "There was no reference data yet."),
}
UNKNOWN_REASON = QT_TRANSLATE_NOOP("Refusals", "The server refused the command.")

# What someone else did meanwhile, by the action of the event that got there first.
_DID = {
    Action.DISPATCH: QT_TRANSLATE_NOOP("Refusals", "{who} dispatched {case} to {unit} at {time}"),
    Action.REASSIGN: QT_TRANSLATE_NOOP("Refusals", "{who} reassigned {case} to {unit} at {time}"),
    Action.REGISTER: QT_TRANSLATE_NOOP("Refusals", "{who} registered {case} at {time}"),
    Action.VOID: QT_TRANSLATE_NOOP("Refusals", "{who} voided {case} at {time}"),
    Action.ACCEPT: QT_TRANSLATE_NOOP("Refusals", "{who} accepted {case} at {time}"),
    Action.RETURN: QT_TRANSLATE_NOOP("Refusals", "{who} returned {case} at {time}"),
    Action.REPORT_HANDLED: QT_TRANSLATE_NOOP("Refusals", "{who} reported {case} handled at {time}"),
    Action.SEND_VERIFY: QT_TRANSLATE_NOOP("Refusals", "{who} sent {case} to verification at {time}"),
    Action.VERIFY_PASS: QT_TRANSLATE_NOOP("Refusals", "{who} passed the verification of {case} at {time}"),
    Action.VERIFY_FAIL: QT_TRANSLATE_NOOP("Refusals", "{who} failed the verification of {case} at {time}"),
    Action.CLOSE: QT_TRANSLATE_NOOP("Refusals", "{who} closed {case} at {time}"),
    Action.APPROVE_EXTENSION: QT_TRANSLATE_NOOP("Refusals", "{who} approved the extension of {case} at {time}"),
    Action.DENY_EXTENSION: QT_TRANSLATE_NOOP("Refusals", "{who} denied the extension of {case} at {time}"),
    Action.SUSPEND: QT_TRANSLATE_NOOP("Refusals", "{who} suspended {case} at {time}"),
    Action.RESUME: QT_TRANSLATE_NOOP("Refusals", "{who} resumed {case} at {time}"),
    Action.ESCALATE: QT_TRANSLATE_NOOP("Refusals", "{who} escalated {case} at {time}"),
}
_DID_OTHER = QT_TRANSLATE_NOOP("Refusals", "{who} took “{action}” on {case} at {time}")
_WHILE_OFFLINE = QT_TRANSLATE_NOOP("Refusals", "{happened} while you were offline; {yours}.")
_BEFORE_YOURS = QT_TRANSLATE_NOOP("Refusals", "{happened} before your command arrived; {yours}.")
_YOURS_TO_UNIT = QT_TRANSLATE_NOOP("Refusals", "your {action} to {unit} was not applied")
_YOURS = QT_TRANSLATE_NOOP("Refusals", "your {action} was not applied")
_PLAIN = QT_TRANSLATE_NOOP("Refusals", "Your {action} on {case} was not applied: {why}")
_SETTLED = QT_TRANSLATE_NOOP("Refusals", "Already done: {happened}. Your {action} was not needed; nothing is lost.")
_NOW = QT_TRANSLATE_NOOP("Refusals", "The case is now {status}, with {unit}.")
_NOW_NO_UNIT = QT_TRANSLATE_NOOP("Refusals", "The case is now {status}.")
_NO_UNIT = QT_TRANSLATE_NOOP("Refusals", "no unit")

# Refusals that depend on how the case stands (someone else got there first): the ones that may be
# settled and the ones the narrative of the other person's action explains.
_STATE_REASONS = frozenset({"illegal_state", "precondition", "same_unit", "top_of_hierarchy", "case_exists"})


class Remedy(StrEnum):
    """What the operator can still do about a refusal, in the order offered."""

    REASSIGN = "reassign"    # the case went to another unit: move it to the one I wanted
    REAPPLY = "reapply"      # the rules would now allow the same action
    NOTE = "note"            # say on the case what I wanted (always possible on a readable case)
    OPEN = "open"            # show the case
    DISCARD = "discard"      # drop the refused command


REMEDY_LABELS = {
    Remedy.REASSIGN: QT_TRANSLATE_NOOP("Refusals", "Reassign…"),
    Remedy.REAPPLY: QT_TRANSLATE_NOOP("Refusals", "Apply again"),
    Remedy.NOTE: QT_TRANSLATE_NOOP("Refusals", "Add a note…"),
    Remedy.OPEN: QT_TRANSLATE_NOOP("Refusals", "Open the case"),
    Remedy.DISCARD: QT_TRANSLATE_NOOP("Refusals", "Dismiss"),
}


@dataclass(frozen=True)
class Explanation:
    headline: str                  # one sentence for the banner and the list
    reason: str                    # the reason code as a sentence
    state: str                     # where the case stands now ('' when the server withheld it)
    settled: bool                  # the outcome already holds: not a conflict
    remedies: tuple[Remedy, ...]


def reason_text(code: str | None) -> str:
    """The reason code as a sentence in the console's language."""
    return translate(CTX, REASONS.get(code or "", UNKNOWN_REASON))


def remedy_label(remedy: Remedy) -> str:
    return translate(CTX, REMEDY_LABELS[remedy])


def _unit_name(refdata: RefData | None, unit_id: str | None, language: str | None) -> str:
    if not unit_id:
        return translate(CTX, _NO_UNIT)
    if refdata is not None and refdata.has_unit(unit_id):
        return labels.localized_name(refdata.unit(unit_id), language) or unit_id
    return unit_id


def case_label(case: Case | None, command: Command) -> str:
    """The case as the operator knows it: its number, or its provisional number marked as such."""
    if case is not None:
        return number_text(case.number, case.provisional_number, case.id)
    provisional = command.payload.get("provisional_number") if isinstance(command.payload, dict) else None
    return number_text(None, provisional, command.case_id)


def _since(case: Case, command: Command) -> list[CaseEvent]:
    """The events the server applied after my command was issued, by anyone but me — what got there first."""
    return [e for e in case.events if e.at >= command.issued_at and e.command_id != command.command_id]


def _decisive(case: Case, command: Command) -> CaseEvent | None:
    """The other person's event that explains the refusal: the latest that changed the case's status or
    unit since my command was issued, else the latest of all."""
    later = _since(case, command) or list(case.events[-1:])
    for event in reversed(later):
        if event.action != Action.NOTE:
            return event
    return later[-1] if later else None


def _happened(event: CaseEvent, case: Case, refdata: RefData | None, language: str | None) -> str:
    who = display_name(refdata, event.actor)
    when = times.fmt(event.at, "time")
    number = number_text(case.number, case.provisional_number, case.id)
    template = _DID.get(event.action)
    unit = event.payload.get("unit_id") if isinstance(event.payload, dict) else None
    if event.action in (Action.DISPATCH, Action.REASSIGN):
        unit = unit or case.unit_id
    if template is None:
        return translate(CTX, _DID_OTHER).format(who=who, action=labels.action_label(event.action), case=number,
                                                 time=when)
    return translate(CTX, template).format(who=who, case=number, unit=_unit_name(refdata, unit, language), time=when)


def is_settled(command: Command, reason: str | None, case: Case | None) -> bool:
    """True when what the refused command would have done already holds on the server: the same unit
    and the same status (dispatch, reassign), the status it would have set (register, void, close,
    suspend, …), or the same decision taken by someone else since (extension, escalation, verification)."""
    if case is None or reason not in _STATE_REASONS:
        return False
    action = command.action
    if action in (Action.NOTE, Action.CREATE):
        return False
    unit = command.payload.get("unit_id") if isinstance(command.payload, dict) else None
    if action in (Action.DISPATCH, Action.REASSIGN):
        return bool(unit) and case.unit_id == unit and case.status in (Status.DISPATCHED, Status.IN_PROGRESS)
    taken_since = any(e.action == action for e in _since(case, command))
    if action in (Action.APPROVE_EXTENSION, Action.DENY_EXTENSION):
        return taken_since and case.extension is None
    if action in (Action.ESCALATE, Action.VERIFY_PASS, Action.VERIFY_FAIL, Action.SEND_VERIFY):
        return taken_since
    if action == Action.RESUME:
        return taken_since and case.status != Status.SUSPENDED
    target = workflow.RULES[action].target
    return target is not None and case.status == target


def remedies(command: Command, reason: str | None, case: Case | None, actor: workflow.Actor | None,
             refdata: RefData | None, *, settled: bool = False) -> tuple[Remedy, ...]:
    """What can still succeed, judged by the workflow on the server's case as it is now."""
    if case is None or refdata is None or actor is None:
        return (Remedy.DISCARD,)
    found: list[Remedy] = []
    if not settled:
        unit = command.payload.get("unit_id") if isinstance(command.payload, dict) else None
        if (command.action in (Action.DISPATCH, Action.REASSIGN) and unit and case.unit_id != unit
                and workflow.refusal(case, Action.REASSIGN, actor, refdata) is None):
            found.append(Remedy.REASSIGN)
        elif reason not in ("bad_clock", "invalid_time", "invalid_request", "invalid_payload", "conflict") \
                and workflow.refusal(case, command.action, actor, refdata) is None:
            found.append(Remedy.REAPPLY)
        elif reason in ("bad_clock", "internal_error"):
            found.append(Remedy.REAPPLY)  # nothing about the case refused it: issuing it again may succeed
    if workflow.refusal(case, Action.NOTE, actor, refdata) is None:
        found.append(Remedy.NOTE)
    found += [Remedy.OPEN, Remedy.DISCARD]
    return tuple(found)


def explain(command: Command, reason: str | None, message: str, case: Case | None, *, actor: workflow.Actor | None,
            refdata: RefData | None, language: str | None = None) -> Explanation:
    """The refusal of `command` (with the server's `case` when it sent one) in plain words."""
    action_name = labels.action_label(command.action).lower() if not _chinese(language) \
        else labels.action_label(command.action)
    why = reason_text(reason)
    settled = is_settled(command, reason, case)
    unit = command.payload.get("unit_id") if isinstance(command.payload, dict) else None
    number = case_label(case, command)
    state = ""
    if case is not None:
        state = (translate(CTX, _NOW).format(status=labels.status_label(case.status),
                                             unit=_unit_name(refdata, case.unit_id, language))
                 if case.unit_id else translate(CTX, _NOW_NO_UNIT).format(status=labels.status_label(case.status)))
    event = _decisive(case, command) if case is not None and reason in _STATE_REASONS else None
    if event is not None and settled:
        headline = translate(CTX, _SETTLED).format(happened=_happened(event, case, refdata, language),
                                                   action=action_name)
    elif event is not None:
        yours = (translate(CTX, _YOURS_TO_UNIT).format(action=action_name, unit=_unit_name(refdata, unit, language))
                 if unit else translate(CTX, _YOURS).format(action=action_name))
        template = _WHILE_OFFLINE if command.offline else _BEFORE_YOURS
        headline = translate(CTX, template).format(happened=_happened(event, case, refdata, language), yours=yours)
    else:
        headline = translate(CTX, _PLAIN).format(action=action_name, case=number, why=why)
    return Explanation(headline=headline, reason=why, state=state, settled=settled,
                       remedies=remedies(command, reason, case, actor, refdata, settled=settled))


def _chinese(language: str | None) -> bool:
    return labels.is_chinese(language)


