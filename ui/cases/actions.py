"""The action bar of the case detail: exactly the actions the workflow allows this user on this case, each
with a keyboard shortcut, and the controller that asks for the payload (ui/cases/action_dialogs.py), confirms
consequential actions and issues the command to the cache on the writer thread.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from uuid import UUID

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QHBoxLayout, QSizePolicy, QToolButton, QWidget

from app.cases.case import Case
from app.cases.workflow import WorkflowError, allowed_actions
from app.platform import labels
from app.platform.enums import Action
from app.refdata.criteria import registration_text
from ui.cases import field_limits
from ui.cases.dialogs import dialog_for
from ui.cases.issuing import issue, refusal_text, ui_language

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)

# One key per action, documented in every button's tooltip. Single keys are safe: a focused text field
# takes its typed letters before any shortcut (ShortcutOverride).
SHORTCUTS: dict[Action, str] = {
    Action.REGISTER: "R",
    Action.VOID: "V",
    Action.DISPATCH: "D",
    Action.ACCEPT: "A",
    Action.RETURN: "T",
    Action.REPORT_HANDLED: "H",
    Action.SEND_VERIFY: "I",
    Action.VERIFY_PASS: "P",
    Action.VERIFY_FAIL: "F",
    Action.CLOSE: "X",
    Action.REQUEST_EXTENSION: "L",
    Action.APPROVE_EXTENSION: "Y",
    Action.DENY_EXTENSION: "Shift+Y",
    Action.SUSPEND: "S",
    Action.RESUME: "U",
    Action.ESCALATE: "E",
    Action.REASSIGN: "G",
    Action.NOTE: "N",
    Action.DECIDE_OWNER: "Shift+O",
    Action.ADD_CO_UNIT: "Shift+D",
    Action.REMOVE_CO_UNIT: "Shift+G",
    Action.CO_ACCEPT: "Shift+A",
    Action.CO_RETURN: "Shift+T",
    Action.CO_HANDLED: "Shift+H",
    Action.SEND_CHECK: "K",
    Action.CONFIRM_CHECK: "Shift+K",
    Action.ISSUE_ORDER: "O",
    Action.REPLY_ORDER: "B",
    Action.ACCEPT_ORDER_REPLY: "J",
    Action.REJECT_ORDER_REPLY: "Shift+J",
    Action.RECORD_CALLBACK: "C",
    Action.REOPEN: "Shift+R",
    Action.DECLINE_REOPEN: "Shift+C",
    Action.ARRIVE: "Shift+V",
    Action.MERGE: "M",
    Action.UNMERGE: "Shift+M",
}

_HELP = {
    Action.REGISTER: QT_TRANSLATE_NOOP("CaseActions", "Accept the report as a case (立案)"),
    Action.VOID: QT_TRANSLATE_NOOP("CaseActions", "Refuse the report: duplicate, not in scope or not "
                                                           "verifiable (作废)"),
    Action.DISPATCH: QT_TRANSLATE_NOOP("CaseActions", "Send the case to a member unit (派遣)"),
    Action.ACCEPT: QT_TRANSLATE_NOOP("CaseActions", "Take the case on for your unit (接单)"),
    Action.RETURN: QT_TRANSLATE_NOOP("CaseActions", "Send the case back: not your unit's (退单)"),
    Action.REPORT_HANDLED: QT_TRANSLATE_NOOP("CaseActions", "Report the work done (处置反馈)"),
    Action.SEND_VERIFY: QT_TRANSLATE_NOOP("CaseActions", "Send an inspector to verify (核查)"),
    Action.VERIFY_PASS: QT_TRANSLATE_NOOP("CaseActions", "The problem is fixed"),
    Action.VERIFY_FAIL: QT_TRANSLATE_NOOP("CaseActions", "Not fixed: back to the unit for rework (返工)"),
    Action.CLOSE: QT_TRANSLATE_NOOP("CaseActions", "Close the verified case (结案)"),
    Action.REQUEST_EXTENSION: QT_TRANSLATE_NOOP("CaseActions", "Ask the shift lead for more time (延期)"),
    Action.APPROVE_EXTENSION: QT_TRANSLATE_NOOP("CaseActions", "Grant the requested extension"),
    Action.DENY_EXTENSION: QT_TRANSLATE_NOOP("CaseActions", "Refuse the requested extension"),
    Action.SUSPEND: QT_TRANSLATE_NOOP("CaseActions", "Stop the clock, with a reason (缓办)"),
    Action.RESUME: QT_TRANSLATE_NOOP("CaseActions", "Restart the clock"),
    Action.ESCALATE: QT_TRANSLATE_NOOP("CaseActions", "Escalate to the next level (督办)"),
    Action.REASSIGN: QT_TRANSLATE_NOOP("CaseActions", "Move the case to another unit (改派)"),
    Action.NOTE: QT_TRANSLATE_NOOP("CaseActions", "Add a note to the history"),
    Action.DECIDE_OWNER: QT_TRANSLATE_NOOP("CaseActions", "Settle an ownership dispute: the unit that owns "
                                                          "the case, with the reason (权属争议)"),
    Action.ADD_CO_UNIT: QT_TRANSLATE_NOOP("CaseActions", "Give another unit its own task on this case (协办)"),
    Action.REMOVE_CO_UNIT: QT_TRANSLATE_NOOP("CaseActions", "End a co-handling unit's task, with a reason"),
    Action.CO_ACCEPT: QT_TRANSLATE_NOOP("CaseActions", "Take on your unit's co-handling task"),
    Action.CO_RETURN: QT_TRANSLATE_NOOP("CaseActions", "Give back your unit's co-handling task: not yours"),
    Action.CO_HANDLED: QT_TRANSLATE_NOOP("CaseActions", "Report your unit's part of the work done"),
    Action.SEND_CHECK: QT_TRANSLATE_NOOP("CaseActions", "Ask the grid's inspector to confirm the report on site "
                                                        "before registering it (核实)"),
    Action.CONFIRM_CHECK: QT_TRANSLATE_NOOP("CaseActions", "Say whether the reported problem is there (核实)"),
    Action.ISSUE_ORDER: QT_TRANSLATE_NOOP("CaseActions", "Send a written supervision order to a unit (督办)"),
    Action.REPLY_ORDER: QT_TRANSLATE_NOOP("CaseActions", "Answer the supervision order addressed to your unit"),
    Action.ACCEPT_ORDER_REPLY: QT_TRANSLATE_NOOP("CaseActions", "Accept the unit's reply: the order is done"),
    Action.REJECT_ORDER_REPLY: QT_TRANSLATE_NOOP("CaseActions", "Reject the unit's reply: back to the unit"),
    Action.RECORD_CALLBACK: QT_TRANSLATE_NOOP("CaseActions", "Record the call to the reporter (回访)"),
    Action.REOPEN: QT_TRANSLATE_NOOP("CaseActions", "Reopen for a dissatisfied reporter: back to dispatch"),
    Action.DECLINE_REOPEN: QT_TRANSLATE_NOOP("CaseActions", "Do not reopen for a dissatisfied reporter: the reason "
                                                            "they are told"),
    Action.ARRIVE: QT_TRANSLATE_NOOP("CaseActions", "Record that the crew or the inspector is on site (到场)"),
    Action.MERGE: QT_TRANSLATE_NOOP("CaseActions", "A repeat of an open case: merge it into that case (合并)"),
    Action.UNMERGE: QT_TRANSLATE_NOOP("CaseActions", "Not a repeat after all: back to where it was"),
}

class CaseActionBar(QWidget):
    """One button per allowed action. Every action also lives as a QAction with its shortcut on this
    widget's window (WindowShortcut), enabled only while the workflow allows it, so the keys work from
    the queue as well. `action_requested(Action)` fires on click or key."""

    action_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self._actions: dict[Action, QAction] = {}
        self._buttons: dict[Action, QToolButton] = {}
        for action in Action:
            if action not in SHORTCUTS:  # creation, and the system's own actions (an order marked overdue)
                continue
            qaction = QAction(self)
            qaction.setShortcut(QKeySequence(SHORTCUTS[action]))
            qaction.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            qaction.triggered.connect(lambda _=False, a=action: self.action_requested.emit(a))
            qaction.setEnabled(False)
            self.addAction(qaction)
            button = QToolButton(self)
            button.setDefaultAction(qaction)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setVisible(False)
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            layout.addWidget(button)
            self._actions[action], self._buttons[action] = qaction, button
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        for action, qaction in self._actions.items():
            key = QKeySequence(SHORTCUTS[action]).toString(QKeySequence.SequenceFormat.NativeText)
            qaction.setText(f"{labels.action_label(action)} ({key})")
            qaction.setToolTip(self.tr("{action}: {help}\nShortcut: {key}").format(
                action=labels.action_label(action), help=QCoreApplication.translate("CaseActions", _HELP[action]),
                key=key))

    def set_allowed(self, actions: list[Action]) -> None:
        allowed = set(actions)
        for action, qaction in self._actions.items():
            qaction.setEnabled(action in allowed)
            self._buttons[action].setVisible(action in allowed)

    def set_case(self, case: Case | None, actor, refdata) -> list[Action]:
        actions = allowed_actions(case, actor, refdata) if case is not None and refdata is not None else []
        self.set_allowed(actions)
        if Action.REGISTER in actions:  # the category's registration criteria and limits, before registering
            self.retranslate()
            register = self._actions[Action.REGISTER]
            register.setToolTip(register.toolTip() + "\n\n" + registration_text(case.category_code, refdata,
                                                                                ui_language()))
        return actions

    def visible_actions(self) -> list[Action]:
        return [a for a, b in self._buttons.items() if not b.isHidden()]

    def qaction(self, action: Action) -> QAction:
        return self._actions[action]

    def button(self, action: Action) -> QToolButton:
        return self._buttons[action]


class CaseActionController(QObject):
    """Turns an action request into a command: payload dialog (with confirmation where consequential),
    then `cache.issue` on the writer thread. The open dialog is `self.dialog` (tests accept it)."""

    issued = Signal(object)   # the Command
    failed = Signal(str)      # a message for the operator
    busy_changed = Signal(bool)

    def __init__(self, ctx: ConsoleContext, parent: QWidget):
        super().__init__(parent)
        self.ctx = ctx
        self.dialog: QDialog | None = None
        self.busy = False
        self.case_id: UUID | None = None   # the case of the latest request: what `issued`/`failed` are about
        self.number = ""                   # and its number, for the confirmation

    def request(self, action: Action, case: Case) -> None:
        if self.busy:
            return
        if self.dialog is not None:
            self.dialog.close()
        self.case_id, self.number = case.id, case.display_number
        dialog = dialog_for(action, case, self.ctx, self.parent())
        if dialog is None:  # nothing to ask and nothing to confirm
            self._issue(action, case.id, {})
            return
        self.dialog = dialog
        guards = field_limits.guard_payload_dialog(dialog, action)
        dialog.submitter = lambda d: self._submit(action, case.id, d, guards)
        field_limits.submit_with_ctrl_enter(dialog)
        dialog.finished.connect(lambda _r: self._forget(dialog))
        dialog.open()

    def _submit(self, action: Action, case_id: UUID, dialog, guards: list) -> None:
        """OK in a dialog: refused in the dialog (which stays open with the text) or queued, then closed."""
        if self.busy:
            return
        problems = field_limits.problems(guards)
        if problems:
            dialog.refuse("\n".join(problems))
            return
        self._set_busy(True)
        issue(self.ctx, action, case_id, dialog.payload(), lambda command: self._submitted(dialog, command),
              lambda exc: self._refused_in(dialog, exc), owner=self)

    def _submitted(self, dialog, command) -> None:
        self._set_busy(False)
        QDialog.done(dialog, QDialog.DialogCode.Accepted)
        self.issued.emit(command)

    def _refused_in(self, dialog, exc: BaseException) -> None:
        self._set_busy(False)
        if not isinstance(exc, WorkflowError):
            log.error("issuing a command failed", exc_info=exc)
        if self.dialog is dialog and dialog.isVisible():
            dialog.refuse(refusal_text(exc))
        else:
            self.failed.emit(refusal_text(exc))

    def _forget(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _issue(self, action: Action, case_id: UUID, payload: dict) -> None:
        self._set_busy(True)
        issue(self.ctx, action, case_id, payload, self._done, self._failed, owner=self)

    def _done(self, command) -> None:
        self._set_busy(False)
        self.issued.emit(command)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if not isinstance(exc, WorkflowError):
            log.error("issuing a command failed", exc_info=exc)
        self.failed.emit(refusal_text(exc))

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_changed.emit(busy)
