"""Supervision orders (督办): the open orders with counts and an overdue alert, and the actions on the selected
one — reply (a handler of the addressed unit), accept or reject the reply (a shift lead). A unit handler sees
the orders addressed to its unit; the centre's staff every open one. Double-click opens the case.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QTimer
from PySide6.QtWidgets import QDialog, QWidget

from app.cases import supervision
from app.cases.case import Case, SupervisionOrder
from app.platform import labels
from app.platform.enums import Action, Role
from ui.cases.followup_dialogs import followup_dialog_for
from ui.cases.followup_dock import FollowUpDock
from ui.cases.issuing import now_utc, ui_language
from ui.cases.timeline import format_time

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)

CTX = "SupervisionDock"
HEADERS = (QT_TRANSLATE_NOOP("SupervisionDock", "Case"), QT_TRANSLATE_NOOP("SupervisionDock", "Order"),
           QT_TRANSLATE_NOOP("SupervisionDock", "Level"), QT_TRANSLATE_NOOP("SupervisionDock", "Unit"),
           QT_TRANSLATE_NOOP("SupervisionDock", "Due"), QT_TRANSLATE_NOOP("SupervisionDock", "Waiting for"),
           QT_TRANSLATE_NOOP("SupervisionDock", "Text"))
CLOCK_MS = 30_000  # overdue marks follow the clock, not only the feed


class SupervisionDock(FollowUpDock):
    CONTEXT = CTX
    HEADERS = HEADERS
    ACTIONS = (Action.REPLY_ORDER, Action.ACCEPT_ORDER_REPLY, Action.REJECT_ORDER_REPLY)
    ALERT_FEEDBACK = "error"

    def __init__(self, ctx: ConsoleContext, parent: QWidget | None = None):
        super().__init__(ctx, "supervisionDock", parent)
        self.now: datetime = now_utc(ctx)
        self.counts = {"open": 0, "replied": 0, "overdue": 0}
        self.clock = QTimer(self)
        self.clock.setInterval(CLOCK_MS)
        self.clock.timeout.connect(self.tick)
        self.clock.start()
        self.start()

    # ---- texts ----
    def retranslate_texts(self) -> None:
        self.setWindowTitle(self.tr("Supervision orders"))
        self.buttons[Action.REPLY_ORDER].setText(self.tr("Reply…"))
        self.buttons[Action.ACCEPT_ORDER_REPLY].setText(self.tr("Accept reply…"))
        self.buttons[Action.REJECT_ORDER_REPLY].setText(self.tr("Reject reply…"))

    def cell(self, item: tuple[Case, SupervisionOrder], column: int) -> str:
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
            return self.tr("{time} OVERDUE").format(time=due) if self.alert_row(item) else due
        if column == 5:
            return self.tr("the unit's reply") if order.state == supervision.OPEN else self.tr("the lead's decision")
        return order.text if not order.reply else self.tr("{text}\nReply: {reply}").format(text=order.text,
                                                                                           reply=order.reply)

    def alert_row(self, item: tuple[Case, SupervisionOrder]) -> bool:
        return supervision.is_overdue(item[1], self.now)

    def _unit(self, unit_id: str) -> str:
        refdata = self.ctx.cache.refdata()
        if refdata is None or not refdata.has_unit(unit_id):
            return unit_id
        return labels.localized_name(refdata.unit(unit_id), ui_language(self.ctx))

    def update_summary(self) -> None:
        c = self.counts
        self.summary.setText(self.tr("{open} order(s) wait for a unit's reply, {replied} for the lead's "
                                     "decision.").format(open=c["open"], replied=c["replied"]))
        self.alert.setText(self.tr("{n} order(s) overdue: past the deadline without a reply.").format(
            n=c["overdue"]) if c["overdue"] else "")
        self.alert.setVisible(bool(c["overdue"]))

    # ---- data ----
    def rows(self, cases: list[Case]) -> list[tuple]:
        actor = self.ctx.actor
        self.now = now_utc(self.ctx)
        rows = [((case.id, order.id), (case, order)) for case in cases
                for order in supervision.orders_for(case, actor.role, actor.unit_id)]
        if actor.role == Role.UNIT_HANDLER:  # a reply waiting for the lead is no longer the unit's work
            rows = [r for r in rows if r[1][1].state == supervision.OPEN]
        rows.sort(key=lambda r: (not supervision.is_overdue(r[1][1], self.now), r[1][1].due_at))
        self.counts = self._counts([item for _, item in rows])
        return rows

    def _counts(self, items: list[tuple[Case, SupervisionOrder]]) -> dict[str, int]:
        orders = [order for _, order in items]
        return {"open": sum(o.state == supervision.OPEN for o in orders),
                "replied": sum(o.state == supervision.REPLIED for o in orders),
                "overdue": sum(supervision.is_overdue(o, self.now) for o in orders)}

    def tick(self) -> None:
        self.now = now_utc(self.ctx)
        self.counts = self._counts([self.model.item(row) for row in range(self.model.rowCount())])
        self.model.refresh()
        self.update_summary()

    # ---- actions ----
    def update_buttons(self, item: tuple[Case, SupervisionOrder] | None) -> None:
        actor = self.ctx.actor
        state = item[1].state if item else None
        mine = item is not None and actor.role == Role.UNIT_HANDLER and item[1].unit_id == actor.unit_id
        self.buttons[Action.REPLY_ORDER].setVisible(actor.role == Role.UNIT_HANDLER)
        self.buttons[Action.REPLY_ORDER].setEnabled(mine and state == supervision.OPEN)
        for action in (Action.ACCEPT_ORDER_REPLY, Action.REJECT_ORDER_REPLY):
            self.buttons[action].setVisible(actor.role == Role.SHIFT_LEAD)
            self.buttons[action].setEnabled(state == supervision.REPLIED)

    def dialog_for(self, action: Action, item: tuple[Case, SupervisionOrder]) -> QDialog | None:
        case, order = item
        return followup_dialog_for(action, case, self.ctx, self, order_id=order.id)
