"""Supervision orders (督办): the open orders with counts and an overdue alert, and the actions on the selected
one — reply (a handler of the addressed unit), accept or reject the reply (a shift lead). A unit handler sees
the orders addressed to its unit; the centre's staff every open one. Double-click opens the case.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QModelIndex, Qt, QTimer
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
from app.cases import supervision
from app.cases.case import Case, SupervisionOrder
from app.platform import labels
from app.platform.enums import Action, Role
from ui.cases.followup_dialogs import followup_dialog_for
from ui.cases.followup_model import FollowUpModel
from ui.cases.issuing import issue, now_utc, refusal_text, ui_language
from ui.cases.timeline import format_time
from ui.shell import theme
from ui.shell.ops import run_op

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)

CTX = "SupervisionDock"
HEADERS = (QT_TRANSLATE_NOOP("SupervisionDock", "Case"), QT_TRANSLATE_NOOP("SupervisionDock", "Order"),
           QT_TRANSLATE_NOOP("SupervisionDock", "Level"), QT_TRANSLATE_NOOP("SupervisionDock", "Unit"),
           QT_TRANSLATE_NOOP("SupervisionDock", "Due"), QT_TRANSLATE_NOOP("SupervisionDock", "Waiting for"),
           QT_TRANSLATE_NOOP("SupervisionDock", "Text"))
CLOCK_MS = 30_000  # overdue marks follow the clock, not only the feed


class SupervisionDock(QDockWidget):
    def __init__(self, ctx: ConsoleContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("supervisionDock")
        self.dialog: QDialog | None = None
        self.index = FollowUpIndex.shared(ctx.cache)
        self.now: datetime = now_utc(ctx)
        self.counts = {"open": 0, "replied": 0, "overdue": 0}
        self.model = FollowUpModel(CTX, HEADERS, self._cell, self._overdue, self)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self.summary = QLabel(body)
        self.summary.setWordWrap(True)
        self.alert = QLabel(body)
        self.alert.setWordWrap(True)
        theme.set_style_property(self.alert, "feedback", "error")
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
        self.buttons: dict[Action, QPushButton] = {}
        for action in (Action.REPLY_ORDER, Action.ACCEPT_ORDER_REPLY, Action.REJECT_ORDER_REPLY):
            button = QPushButton(body)
            button.clicked.connect(lambda _=False, a=action: self.act(a))
            buttons.addWidget(button)
            self.buttons[action] = button
        layout.addLayout(buttons)
        self.setWidget(body)

        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selection_changed())
        self.table.doubleClicked.connect(self._open_case)
        self.model.rowsRemoved.connect(lambda *_: self._selection_changed())
        ctx.signals.cases_changed.connect(lambda changes: self.reload(changes.ids))
        ctx.signals.language_changed.connect(lambda _l: self.retranslate())
        self.clock = QTimer(self)
        self.clock.setInterval(CLOCK_MS)
        self.clock.timeout.connect(self.tick)
        self.clock.start()
        self.retranslate()
        self.reload()

    # ---- texts ----
    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Supervision orders"))
        self.buttons[Action.REPLY_ORDER].setText(self.tr("Reply…"))
        self.buttons[Action.ACCEPT_ORDER_REPLY].setText(self.tr("Accept reply…"))
        self.buttons[Action.REJECT_ORDER_REPLY].setText(self.tr("Reject reply…"))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(HEADERS) - 1)
        self._update_summary()
        self._selection_changed()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _cell(self, item: tuple[Case, SupervisionOrder], column: int) -> str:
        case, order = item
        if column == 0:
            return case.display_number
        if column == 1:
            return f"#{order.number}"
        if column == 2:
            return labels.label(order.level)
        if column == 3:
            return self._unit(order.unit_id)
        if column == 4:
            due = format_time(order.due_at)
            return self.tr("{time} OVERDUE").format(time=due) if self._overdue(item) else due
        if column == 5:
            return self.tr("the unit's reply") if order.state == supervision.OPEN else self.tr("the lead's decision")
        return order.text if not order.reply else self.tr("{text}\nReply: {reply}").format(text=order.text,
                                                                                           reply=order.reply)

    def _overdue(self, item: tuple[Case, SupervisionOrder]) -> bool:
        return supervision.is_overdue(item[1], self.now)

    def _unit(self, unit_id: str) -> str:
        refdata = self.ctx.cache.refdata()
        if refdata is None or not refdata.has_unit(unit_id):
            return unit_id
        return labels.localized_name(refdata.unit(unit_id), ui_language(self.ctx))

    def _update_summary(self) -> None:
        c = self.counts
        self.summary.setText(self.tr("{open} order(s) wait for a unit's reply, {replied} for the lead's "
                                     "decision.").format(open=c["open"], replied=c["replied"]))
        self.alert.setText(self.tr("{n} order(s) overdue: past the deadline without a reply.").format(
            n=c["overdue"]) if c["overdue"] else "")
        self.alert.setVisible(bool(c["overdue"]))

    # ---- data ----
    def reload(self, changed=None) -> None:
        """Search the cache again: in full (`changed` None) or only the cases a change set names."""
        cache, index, now = self.ctx.cache, self.index, now_utc(self.ctx)
        run_op(lambda: index.refresh(cache, now, changed), self._loaded,
               lambda exc: log.error("reading supervision orders failed", exc_info=exc), owner=self)

    def _loaded(self, cases: list[Case]) -> None:
        actor = self.ctx.actor
        self.now = now_utc(self.ctx)
        rows = [((case.id, order.id), (case, order)) for case in cases
                for order in supervision.orders_for(case, actor.role, actor.unit_id)]
        if actor.role == Role.UNIT_HANDLER:  # a reply waiting for the lead is no longer the unit's work
            rows = [r for r in rows if r[1][1].state == supervision.OPEN]
        rows.sort(key=lambda r: (not supervision.is_overdue(r[1][1], self.now), r[1][1].due_at))
        self.model.set_rows(rows)
        self.counts = self._counts([item for _, item in rows])
        if self.model.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
        self._update_summary()
        self._selection_changed()

    def _counts(self, items: list[tuple[Case, SupervisionOrder]]) -> dict[str, int]:
        orders = [order for _, order in items]
        return {"open": sum(o.state == supervision.OPEN for o in orders),
                "replied": sum(o.state == supervision.REPLIED for o in orders),
                "overdue": sum(supervision.is_overdue(o, self.now) for o in orders)}

    def tick(self) -> None:
        self.now = now_utc(self.ctx)
        self.counts = self._counts([self.model.item(row) for row in range(self.model.rowCount())])
        self.model.refresh()
        self._update_summary()

    # ---- actions ----
    def current(self) -> tuple[Case, SupervisionOrder] | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.item(index.row()) if index.isValid() else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _selection_changed(self) -> None:
        item = self.current()
        actor = self.ctx.actor
        state = item[1].state if item else None
        mine = item is not None and actor.role == Role.UNIT_HANDLER and item[1].unit_id == actor.unit_id
        self.buttons[Action.REPLY_ORDER].setVisible(actor.role == Role.UNIT_HANDLER)
        self.buttons[Action.REPLY_ORDER].setEnabled(mine and state == supervision.OPEN)
        for action in (Action.ACCEPT_ORDER_REPLY, Action.REJECT_ORDER_REPLY):
            self.buttons[action].setVisible(actor.role == Role.SHIFT_LEAD)
            self.buttons[action].setEnabled(state == supervision.REPLIED)

    def _open_case(self, index: QModelIndex) -> None:
        item = self.model.item(index.row())
        if item is not None:
            self.ctx.select_case(item[0].id)

    def act(self, action: Action) -> None:
        item = self.current()
        if item is None:
            return
        case, order = item
        if self.dialog is not None:
            self.dialog.close()
        dialog = followup_dialog_for(action, case, self.ctx, self, order_id=order.id)
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
