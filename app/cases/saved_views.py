"""The queue's saved views (all active, to register, overdue, my cases, …): their names, the rule each
applies in words, and the rule itself one summary at a time (`in_view`). `QueueColumns.view_mask` is the
vectorised form the 100,000-row queue uses; the tests check that the two agree.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from app.cases.case import Case
from app.cases.summary import CaseSummary
from app.platform.enums import TERMINAL_STATUSES, Priority, Status
from app.platform.i18n import QT_TRANSLATE_NOOP, translate


class View(StrEnum):
    ALL_ACTIVE = "all_active"
    TO_REGISTER = "to_register"
    TO_DISPATCH = "to_dispatch"
    OVERDUE = "overdue"
    ESCALATED = "escalated"
    RETURNED = "returned"
    AWAITING_VERIFICATION = "awaiting_verification"
    MINE = "mine"
    EMERGENCY = "emergency"
    ALL = "all"


_VIEW_TEXT = {  # (name, the rule in words: shown as a tooltip so a lead can check the count)
    View.ALL_ACTIVE: (QT_TRANSLATE_NOOP("CaseViews", "All active"),
                      QT_TRANSLATE_NOOP("CaseViews", "Every case that is neither closed nor voided")),
    View.TO_REGISTER: (QT_TRANSLATE_NOOP("CaseViews", "To register"),
                       QT_TRANSLATE_NOOP("CaseViews", "Status reported: awaiting registration or voiding")),
    View.TO_DISPATCH: (QT_TRANSLATE_NOOP("CaseViews", "To dispatch"),
                       QT_TRANSLATE_NOOP("CaseViews", "Status registered or returned")),
    View.OVERDUE: (QT_TRANSLATE_NOOP("CaseViews", "Overdue"),
                   QT_TRANSLATE_NOOP("CaseViews", "Active, not suspended, and the current stage's deadline "
                                                  "has passed")),
    View.ESCALATED: (QT_TRANSLATE_NOOP("CaseViews", "Escalated"),
                     QT_TRANSLATE_NOOP("CaseViews", "Active with escalation level 1 or higher")),
    View.RETURNED: (QT_TRANSLATE_NOOP("CaseViews", "Returned"),
                    QT_TRANSLATE_NOOP("CaseViews", "Status returned: a unit sent it back")),
    View.AWAITING_VERIFICATION: (QT_TRANSLATE_NOOP("CaseViews", "Awaiting verification"),
                                 QT_TRANSLATE_NOOP("CaseViews", "Status handled or verifying")),
    View.MINE: (QT_TRANSLATE_NOOP("CaseViews", "My cases"),
                QT_TRANSLATE_NOOP("CaseViews", "Active cases whose history names me (unit handlers: cases "
                                               "of my unit and its sub-units)")),
    View.EMERGENCY: (QT_TRANSLATE_NOOP("CaseViews", "Emergency"),
                     QT_TRANSLATE_NOOP("CaseViews", "Active urgent cases and cases in an emergency category "
                                                    "(shown in emergency mode)")),
    View.ALL: (QT_TRANSLATE_NOOP("CaseViews", "All cases"),
               QT_TRANSLATE_NOOP("CaseViews", "Every case in the cache, closed and voided included")),
}


def view_name(view: View) -> str:
    return translate("CaseViews", _VIEW_TEXT[view][0])


def view_rule(view: View) -> str:
    return translate("CaseViews", _VIEW_TEXT[view][1])


def views_for(emergency_mode: bool) -> list[View]:
    """The saved views in display order; the emergency view only while emergency mode is on."""
    return [v for v in View if v != View.EMERGENCY or emergency_mode]


@dataclass(frozen=True)
class ViewContext:
    """What the time- and user-dependent views need."""

    now: datetime
    unit_ids: frozenset[str] = frozenset()   # a unit handler's unit and its sub-units; empty for others
    involved: frozenset[UUID] = frozenset()  # cases whose history names the user (see `involves`);
    # QueueColumns also keeps this as its `involved` column, so the queue passes none here
    emergency_codes: frozenset[str] = frozenset()


def in_view(view: View, s: CaseSummary, ctx: ViewContext) -> bool:
    """The rule of each saved view, one summary at a time (the reference for `view_mask`)."""
    if view == View.ALL:
        return True
    active = s.status not in TERMINAL_STATUSES
    if view == View.ALL_ACTIVE:
        return active
    if view == View.TO_REGISTER:
        return s.status == Status.REPORTED
    if view == View.TO_DISPATCH:
        return s.status in (Status.REGISTERED, Status.RETURNED)
    if view == View.OVERDUE:
        return active and s.status != Status.SUSPENDED and s.due_at is not None and s.due_at < ctx.now
    if view == View.ESCALATED:
        return active and s.escalation_level > 0
    if view == View.RETURNED:
        return s.status == Status.RETURNED
    if view == View.AWAITING_VERIFICATION:
        return s.status in (Status.HANDLED, Status.VERIFYING)
    if view == View.MINE:
        if ctx.unit_ids:
            return active and s.unit_id in ctx.unit_ids
        return active and s.id in ctx.involved
    if view == View.EMERGENCY:  # 平急转换: emergency categories and every urgent case
        return active and (s.category_code in ctx.emergency_codes or s.priority == Priority.URGENT)
    raise ValueError(f"unknown view {view!r}")


def involves(case: Case, username: str) -> bool:
    """Whether `username` acted on the case or was sent to verify it ("my cases")."""
    return case.inspector == username or any(e.actor == username for e in case.events)
