"""Callbacks (回访): the closed cases a citizen reported that wait for a call to the reporter (the phone stored
with the case), with counts; record the call (reached or not, how satisfied, a note), and — a shift lead —
reopen a case whose reporter was dissatisfied (back to dispatch, with the reason). Both are case commands:
they work offline. Double-click opens the case.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.cache.followups import FollowUpIndex
from app.cases import callbacks
from app.cases.case import Case
from app.platform import labels
from app.platform.enums import Action, Role
from ui.cases.followup_dialogs import followup_dialog_for
from ui.cases.followup_model import FollowUpModel
from ui.cases.issuing import issue, now_utc, refusal_text
from ui.cases.timeline import format_time
from ui.shell import theme
from ui.shell.ops import run_op

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)

CTX = "CallbacksDock"
HEADERS = (QT_TRANSLATE_NOOP("CallbacksDock", "Case"), QT_TRANSLATE_NOOP("CallbacksDock", "Reporter"),
           QT_TRANSLATE_NOOP("CallbacksDock", "Phone"), QT_TRANSLATE_NOOP("CallbacksDock", "Closed"),
           QT_TRANSLATE_NOOP("CallbacksDock", "Attempts"), QT_TRANSLATE_NOOP("CallbacksDock", "Waiting for"),
           QT_TRANSLATE_NOOP("CallbacksDock", "Last call"))


class CallbacksDock(QDockWidget):
    def __init__(self, ctx: ConsoleContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("callbacksDock")
        self.dialog: QDialog | None = None
        self.index = FollowUpIndex.shared(ctx.cache)
        self.counts = {"waiting": 0, "retry": 0, "dissatisfied": 0}
        self.model = FollowUpModel(CTX, HEADERS, self._cell, self._dissatisfied, self)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self.summary = QLabel(body)
        self.summary.setWordWrap(True)
        self.alert = QLabel(body)
        self.alert.setWordWrap(True)
        theme.set_style_property(self.alert, "feedback", "warning")
        layout.addWidget(self.summary)
        layout.addWidget(self.alert)
        self.table = QTableView(body)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.message = QLabel(body)
        self.message.setWordWrap(True)
        buttons.addWidget(self.message, 1)
        self.call_button = QPushButton(body)
        self.reopen_button = QPushButton(body)
        self.decline_button = QPushButton(body)
        self.call_button.clicked.connect(lambda: self.act(Action.RECORD_CALLBACK))
        self.reopen_button.clicked.connect(lambda: self.act(Action.REOPEN))
        self.decline_button.clicked.connect(lambda: self.act(Action.DECLINE_REOPEN))
        buttons.addWidget(self.call_button)
        buttons.addWidget(self.reopen_button)
        buttons.addWidget(self.decline_button)
        layout.addLayout(buttons)
        self.setWidget(body)

        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selection_changed())
        self.table.doubleClicked.connect(self._open_case)
        self.model.rowsRemoved.connect(lambda *_: self._selection_changed())
        ctx.signals.cases_changed.connect(lambda changes: self.reload(changes.ids))
        ctx.signals.language_changed.connect(lambda _l: self.retranslate())
        self.retranslate()
        self.reload()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Callbacks"))
        self.call_button.setText(self.tr("Record call…"))
        self.reopen_button.setText(self.tr("Reopen…"))
        self.reopen_button.setToolTip(self.tr("The reporter is dissatisfied: put the case back in the dispatch "
                                              "queue"))
        self.decline_button.setText(self.tr("Decline…"))
        self.decline_button.setToolTip(self.tr("Do not reopen: record the reason the reporter is told; the case "
                                               "leaves this list"))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(HEADERS) - 1)
        self._update_summary()
        self._selection_changed()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _cell(self, case: Case, column: int) -> str:
        cb = case.callback
        if column == 0:
            return case.display_number
        if column == 1:
            return case.reporter_name
        if column == 2:
            return case.reporter_phone
        if column == 3:
            return format_time(next((e.at for e in reversed(case.events) if e.action == Action.CLOSE),
                                    case.updated_at))
        if column == 4:
            return str(cb.attempts if cb else 0)
        if column == 5:
            return self.tr("a call") if callbacks.callback_open(case) else self.tr("a lead's decision")
        if cb is None:
            return ""
        said = labels.label(cb.satisfaction) if cb.reached else self.tr("not reached")
        return f"{said}: {cb.note}" if cb.note else said

    @staticmethod
    def _dissatisfied(case: Case) -> bool:
        return not callbacks.callback_open(case)

    def _update_summary(self) -> None:
        c = self.counts
        self.summary.setText(self.tr("{n} reporter(s) to call back ({retry} not reached before).").format(
            n=c["waiting"], retry=c["retry"]))
        self.alert.setText(self.tr("{n} dissatisfied reporter(s): a shift lead reopens their case or declines.").format(
            n=c["dissatisfied"]) if c["dissatisfied"] else "")
        self.alert.setVisible(bool(c["dissatisfied"]))

    def reload(self, changed=None) -> None:
        """Search the cache again: in full (`changed` None) or only the cases a change set names."""
        cache, index, now = self.ctx.cache, self.index, now_utc(self.ctx)
        run_op(lambda: index.refresh(cache, now, changed), self._loaded,
               lambda exc: log.error("reading callbacks failed", exc_info=exc), owner=self)

    def _loaded(self, cases: list[Case]) -> None:
        due = [c for c in cases if callbacks.callback_open(c) or
               (callbacks.due_callback(c) and callbacks.awaiting_lead(c))]
        self.model.set_rows([(c.id, c) for c in due])
        self.counts = callbacks.counts(due)
        if self.model.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
        self._update_summary()
        self._selection_changed()

    def current(self) -> Case | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.item(index.row()) if index.isValid() else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _selection_changed(self) -> None:
        case = self.current()
        role = self.ctx.actor.role
        self.call_button.setEnabled(case is not None and callbacks.callback_open(case))
        deciding = case is not None and callbacks.awaiting_lead(case)
        for button in (self.reopen_button, self.decline_button):
            button.setVisible(role == Role.SHIFT_LEAD)
            button.setEnabled(deciding)

    def _open_case(self, index: QModelIndex) -> None:
        case = self.model.item(index.row())
        if case is not None:
            self.ctx.select_case(case.id)

    def act(self, action: Action) -> None:
        case = self.current()
        if case is None:
            return
        if self.dialog is not None:
            self.dialog.close()
        dialog = followup_dialog_for(action, case, self.ctx, self)
        self.dialog = dialog
        dialog.accepted.connect(lambda: issue(self.ctx, action, case.id, dialog.payload(), self._done, self._failed,
                                              owner=self))
        dialog.finished.connect(lambda _r: self._forget(dialog))
        dialog.open()

    def _forget(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _done(self, command) -> None:
        theme.set_style_property(self.message, "feedback", "ok")
        self.message.setText(self.tr("Queued."))
        self.reload({command.case_id})

    def _failed(self, exc: BaseException) -> None:
        theme.set_style_property(self.message, "feedback", "error")
        self.message.setText(refusal_text(exc))
