"""The dialogs of the follow-up actions: issue a supervision order (督办), reply to one, accept or reject a
reply, record a callback (回访), reopen a case. Each has `payload() -> dict` (app/cases/commands.py schemas);
`followup_dialog_for` picks one and `ui.cases.dialogs.dialog_for` asks it first.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from app.cases import supervision
from app.cases.case import Case, SupervisionOrder
from app.platform import labels
from app.platform.enums import Action, OrderLevel, Role, Satisfaction
from ui.cases.action_dialogs import PayloadDialog, TextDialog, unit_name

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

FOLLOW_UP_ACTIONS = frozenset({Action.ISSUE_ORDER, Action.REPLY_ORDER, Action.ACCEPT_ORDER_REPLY,
                               Action.REJECT_ORDER_REPLY, Action.RECORD_CALLBACK, Action.REOPEN,
                               Action.DECLINE_REOPEN})


def _text_field(dialog: PayloadDialog) -> QPlainTextEdit:
    text = QPlainTextEdit(dialog)
    text.setTabChangesFocus(True)
    text.setMinimumHeight(80)
    return text


class IssueOrderDialog(PayloadDialog):
    """To the case's unit or a unit above it (the unit must see the case), a level, an optional deadline."""

    def __init__(self, case: Case, refdata, parent: QWidget | None = None):
        super().__init__(Action.ISSUE_ORDER, case, parent)
        self.unit = QComboBox(self)
        chain = [case.unit_id, *refdata.ancestors(case.unit_id)] if case.unit_id and refdata is not None else []
        for unit_id in chain:
            self.unit.addItem(unit_name(refdata, unit_id), unit_id)
        self.level = QComboBox(self)
        for level in OrderLevel:
            self.level.addItem(labels.label(level), str(level))
        self.hours = QSpinBox(self)
        self.hours.setRange(0, 24 * 30)
        self.hours.setSpecialValueText(self.tr("the level's limit"))
        self.hours.setSuffix(self.tr(" h"))
        self.text = _text_field(self)
        self.form.addRow(self.tr("To unit:"), self.unit)
        self.form.addRow(self.tr("Level:"), self.level)
        self.form.addRow(self.tr("Reply within:"), self.hours)
        self.form.addRow(self.tr("Order") + " *", self.text)
        self.text.setFocus()

    def validate(self) -> str | None:
        if self.unit.currentData() is None:
            return self.tr("The case is with no unit to send an order to.")
        if not self.text.toPlainText().strip():
            return self.tr("Please write the order.")
        return None

    def payload(self) -> dict[str, Any]:
        out = {"unit_id": self.unit.currentData(), "level": self.level.currentData(),
               "text": self.text.toPlainText().strip()}
        if self.hours.value():
            out["due_at"] = (datetime.now(timezone.utc) + timedelta(hours=self.hours.value())).isoformat()
        return out


class OrderDecisionDialog(PayloadDialog):
    """Reply (the addressed unit), accept or reject (the lead): pick the order, write the text."""

    def __init__(self, action: Action, case: Case, orders: list[SupervisionOrder], parent: QWidget | None = None,
                 *, selected=None):
        super().__init__(action, case, parent)
        self.order = QComboBox(self)
        for order in orders:
            self.order.addItem(f"#{order.number} {labels.label(order.level)}: {order.text[:60]}", str(order.id))
            if selected is not None and order.id == selected:
                self.order.setCurrentIndex(self.order.count() - 1)
        self.shown = QPlainTextEdit(self)
        self.shown.setReadOnly(True)
        self.shown.setMaximumHeight(90)
        self.text = _text_field(self)
        self._orders = {str(o.id): o for o in orders}
        self.order.currentIndexChanged.connect(lambda _i: self._show())
        self.form.addRow(self.tr("Order:"), self.order)
        self.form.addRow("", self.shown)
        label = {Action.REPLY_ORDER: self.tr("Reply") + " *", Action.REJECT_ORDER_REPLY: self.tr("Reason") + " *",
                 Action.ACCEPT_ORDER_REPLY: self.tr("Note")}[action]
        self.form.addRow(label, self.text)
        self._show()
        self.text.setFocus()

    def _show(self) -> None:
        order = self._orders.get(self.order.currentData())
        if order is None:
            self.shown.clear()
            return
        lines = [order.text]
        if order.reply:
            lines += ["", self.tr("Reply by {who}: {text}").format(who=order.replied_by, text=order.reply)]
        if order.rejection_reason:
            lines += ["", self.tr("Last rejected: {reason}").format(reason=order.rejection_reason)]
        self.shown.setPlainText("\n".join(lines))

    def validate(self) -> str | None:
        if self.order.currentData() is None:
            return self.tr("No order waits for this action.")
        if self.action != Action.ACCEPT_ORDER_REPLY and not self.text.toPlainText().strip():
            return self.tr("Please write the reply.") if self.action == Action.REPLY_ORDER \
                else self.tr("Please write the reason.")
        return None

    def payload(self) -> dict[str, Any]:
        text = self.text.toPlainText().strip()
        key = "text" if self.action == Action.REPLY_ORDER else "reason"
        return {"order_id": self.order.currentData(), key: text}


class CallbackDialog(PayloadDialog):
    """The call: reached or not; if reached, how satisfied; a note."""

    def __init__(self, case: Case, parent: QWidget | None = None):
        super().__init__(Action.RECORD_CALLBACK, case, parent)
        self.phone = QLabel(f"{case.reporter_name} {case.reporter_phone}".strip(), self)
        self.phone.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reached = QCheckBox(self.tr("Reached the reporter"), self)
        self.reached.setChecked(True)
        self.satisfaction = QComboBox(self)
        for value in Satisfaction:
            self.satisfaction.addItem(labels.label(value), str(value))
        self.reached.toggled.connect(self.satisfaction.setEnabled)
        self.note = _text_field(self)
        self.form.addRow(self.tr("Call:"), self.phone)
        self.form.addRow("", self.reached)
        self.form.addRow(self.tr("Satisfaction:"), self.satisfaction)
        self.form.addRow(self.tr("Note"), self.note)

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"reached": self.reached.isChecked(), "note": self.note.toPlainText().strip()}
        if self.reached.isChecked():
            out["satisfaction"] = self.satisfaction.currentData()
        return out


def followup_dialog_for(action: Action, case: Case, ctx: ConsoleContext, parent: QWidget | None, *,
                        order_id=None) -> PayloadDialog | None:
    """The dialog of a follow-up action, or None for any other action."""
    if action not in FOLLOW_UP_ACTIONS:
        return None
    refdata = ctx.cache.refdata()
    actor = ctx.actor
    if action == Action.ISSUE_ORDER:
        return IssueOrderDialog(case, refdata, parent)
    if action == Action.REPLY_ORDER:
        orders = supervision.orders_for(case, Role.UNIT_HANDLER, actor.unit_id)
        return OrderDecisionDialog(action, case, orders, parent, selected=order_id)
    if action in (Action.ACCEPT_ORDER_REPLY, Action.REJECT_ORDER_REPLY):
        orders = [o for o in case.orders if o.state == supervision.REPLIED]
        return OrderDecisionDialog(action, case, orders, parent, selected=order_id)
    if action == Action.RECORD_CALLBACK:
        return CallbackDialog(case, parent)
    return TextDialog(action, case, parent, key="reason")
