"""Callbacks (回访): the reporters of closed citizen cases still to call back (the phone stored with the case;
a master case with merged repeats has a row per reporter still to reach, named by its report), with counts;
record the call (reached or not, how satisfied, a note), and — a shift lead — reopen a case whose reporter
was dissatisfied (back to dispatch, with the reason) or decline. All are case commands: they work offline.
Double-click opens the case.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, NamedTuple
from uuid import UUID

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QDialog, QWidget

from app.cases import callbacks
from app.cases.case import Callback, Case
from app.platform import labels
from app.platform.enums import Action, Role
from ui.cases.followup_dialogs import followup_dialog_for
from ui.cases.followup_dock import FollowUpDock
from ui.cases.timeline import format_time

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)

CTX = "CallbacksDock"
HEADERS = (QT_TRANSLATE_NOOP("CallbacksDock", "Case"), QT_TRANSLATE_NOOP("CallbacksDock", "Reporter"),
           QT_TRANSLATE_NOOP("CallbacksDock", "Phone"), QT_TRANSLATE_NOOP("CallbacksDock", "Closed"),
           QT_TRANSLATE_NOOP("CallbacksDock", "Attempts"), QT_TRANSLATE_NOOP("CallbacksDock", "Waiting for"),
           QT_TRANSLATE_NOOP("CallbacksDock", "Last call"))


class Row(NamedTuple):
    """One row: a reporter still to call (`reporter` set), or a case waiting for a lead (`reporter` None)."""

    case: Case
    reporter: callbacks.Reporter | None
    name: str = ""
    phone: str = ""


class CallbacksDock(FollowUpDock):
    CONTEXT = CTX
    HEADERS = HEADERS
    ACTIONS = (Action.RECORD_CALLBACK, Action.REOPEN, Action.DECLINE_REOPEN)

    def __init__(self, ctx: ConsoleContext, parent: QWidget | None = None):
        super().__init__(ctx, "callbacksDock", parent)
        self.counts = {"waiting": 0, "retry": 0, "dissatisfied": 0}
        self.call_button = self.buttons[Action.RECORD_CALLBACK]
        self.reopen_button = self.buttons[Action.REOPEN]
        self.decline_button = self.buttons[Action.DECLINE_REOPEN]
        self.start()

    def retranslate_texts(self) -> None:
        self.setWindowTitle(self.tr("Callbacks"))
        self.call_button.setText(self.tr("Record call…"))
        self.reopen_button.setText(self.tr("Reopen…"))
        self.reopen_button.setToolTip(self.tr("The reporter is dissatisfied: put the case back in the dispatch "
                                              "queue"))
        self.decline_button.setText(self.tr("Decline…"))
        self.decline_button.setToolTip(self.tr("Do not reopen: record the reason the reporter is told; the case "
                                               "leaves this list"))

    def cell(self, row: Row, column: int) -> str:
        case, reporter = row.case, row.reporter
        cb: Callback | None = reporter.callback if reporter is not None else case.callback
        if column == 0:
            return case.display_number
        if column == 1:
            if reporter is not None and reporter.report_id is not None:
                return self.tr("{name} (report {number})").format(name=row.name or self.tr("reporter"),
                                                                 number=reporter.number or "")
            return row.name
        if column == 2:
            return row.phone
        if column == 3:
            return format_time(next((e.at for e in reversed(case.events) if e.action == Action.CLOSE),
                                    case.updated_at))
        if column == 4:
            return str(cb.attempts if cb else 0)
        if column == 5:
            return self.tr("a call") if reporter is not None else self.tr("a lead's decision")
        if cb is None:
            return ""
        said = labels.label(cb.satisfaction) if cb.reached else self.tr("not reached")
        return f"{said}: {cb.note}" if cb.note else said

    def alert_row(self, row: Row) -> bool:
        return row.reporter is None

    def update_summary(self) -> None:
        c = self.counts
        self.summary.setText(self.tr("{n} reporter(s) to call back ({retry} not reached before).").format(
            n=c["waiting"], retry=c["retry"]))
        self.alert.setText(self.tr("{n} dissatisfied reporter(s): a shift lead reopens their case or declines.").format(
            n=c["dissatisfied"]) if c["dissatisfied"] else "")
        self.alert.setVisible(bool(c["dissatisfied"]))

    def read(self, cache, cases: list[Case]) -> tuple[list[Case], dict[UUID, Case]]:
        """The cases, and the merged repeats whose reporters their closures list (names and phones)."""
        repeats: dict[UUID, Case] = {}
        for case in cases:
            if callbacks.reports_due(case):
                repeats.update((r.id, r) for r in cache.merged_reports(case.id))
        return cases, repeats

    def rows(self, data: tuple[list[Case], dict[UUID, Case]]) -> list[tuple]:
        cases, repeats = data
        due = [c for c in cases if callbacks.callback_open(c) or callbacks.awaiting_lead(c)]
        out: list[tuple] = []
        for case in due:
            waiting = callbacks.to_call(case)
            for reporter in waiting:
                source = case if reporter.report_id is None else repeats.get(reporter.report_id)
                name, phone = (source.reporter_name, source.reporter_phone) if source is not None else ("", "")
                out.append(((case.id, reporter.report_id), Row(case, reporter, name, phone)))
            if not waiting:
                out.append(((case.id, "lead"), Row(case, None, case.reporter_name, case.reporter_phone)))
        self.counts = callbacks.counts(due)
        return out

    def case_of(self, row: Row) -> Case:
        return row.case

    def update_buttons(self, row: Row | None) -> None:
        role = self.ctx.actor.role
        self.call_button.setEnabled(row is not None and row.reporter is not None)
        deciding = row is not None and callbacks.awaiting_lead(row.case)
        for button in (self.reopen_button, self.decline_button):
            button.setVisible(role == Role.SHIFT_LEAD)
            button.setEnabled(deciding)

    def dialog_for(self, action: Action, row: Row) -> QDialog | None:
        report_id = row.reporter.report_id if row.reporter is not None else None
        return followup_dialog_for(action, row.case, self.ctx, self, report_id=report_id)
