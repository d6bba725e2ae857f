"""The dialogs of the follow-up actions: issue a supervision order (督办), reply to one, accept or reject a
reply, record a callback (回访), reopen a case. Each has `payload() -> dict` (app/cases/commands.py schemas);
`followup_dialog_for` picks one and `ui.cases.dialogs.dialog_for` asks it first.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from uuid import UUID

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from app.cases import callbacks, supervision
from app.cases.case import Case, SupervisionOrder
from app.platform import labels
from app.platform.enums import Action, OrderLevel, Role, Satisfaction
from ui.cases.payload_dialog import PayloadDialog, TextDialog, unit_name

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
    """The call to one reporter (the case's own or a merged report's, picked when several wait): reached or
    not; if reached, how satisfied; a note."""

    def __init__(self, case: Case, parent: QWidget | None = None, *,
                 choices: list[tuple[UUID | None, str]] | None = None, selected: UUID | None = None):
        super().__init__(Action.RECORD_CALLBACK, case, parent)
        choices = choices or [(None, f"{case.reporter_name} {case.reporter_phone}".strip())]
        self.reporter = QComboBox(self)
        for report_id, text in choices:
            self.reporter.addItem(text, str(report_id) if report_id is not None else "")
        if selected is not None:
            self.reporter.setCurrentIndex(max(0, self.reporter.findData(str(selected))))
        self.phone = QLabel(self)
        self.phone.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reporter.currentIndexChanged.connect(lambda _i: self.phone.setText(self.reporter.currentText()))
        self.phone.setText(self.reporter.currentText())
        self.reached = QCheckBox(self.tr("Reached the reporter"), self)
        self.reached.setChecked(True)
        self.satisfaction = QComboBox(self)
        for value in Satisfaction:
            self.satisfaction.addItem(labels.label(value), str(value))
        self.reached.toggled.connect(self.satisfaction.setEnabled)
        self.note = _text_field(self)
        if self.reporter.count() > 1:
            self.form.addRow(self.tr("Reporter:"), self.reporter)
        else:
            self.reporter.hide()
        self.form.addRow(self.tr("Call:"), self.phone)
        self.form.addRow("", self.reached)
        self.form.addRow(self.tr("Satisfaction:"), self.satisfaction)
        self.form.addRow(self.tr("Note"), self.note)

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"reached": self.reached.isChecked(), "note": self.note.toPlainText().strip()}
        if self.reached.isChecked():
            out["satisfaction"] = self.satisfaction.currentData()
        if self.reporter.currentData():
            out["report_id"] = self.reporter.currentData()
        return out


def callback_choices(case: Case, repeats: dict[UUID, Case]) -> list[tuple[UUID | None, str]]:
    """The reporters still to call, each as (report id or None for the case's own, "name phone (report N)")."""
    out: list[tuple[UUID | None, str]] = []
    for reporter in callbacks.to_call(case):
        if reporter.report_id is None:
            out.append((None, f"{case.reporter_name} {case.reporter_phone}".strip()))
            continue
        repeat = repeats.get(reporter.report_id)
        who = f"{repeat.reporter_name} {repeat.reporter_phone}".strip() if repeat is not None else ""
        out.append((reporter.report_id, QCoreApplication.translate("CallbackDialog", "{who} (report {number})")
                    .format(who=who, number=reporter.number or reporter.report_id).strip()))
    return out


def followup_dialog_for(action: Action, case: Case, ctx: ConsoleContext, parent: QWidget | None, *,
                        order_id=None, report_id: UUID | None = None) -> PayloadDialog | None:
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
        # the merged reports' names and phones: a few rows of the cache, read when the dialog opens
        repeats = {r.id: r for r in ctx.cache.merged_reports(case.id)} if callbacks.reports_due(case) else {}
        return CallbackDialog(case, parent, choices=callback_choices(case, repeats) or None, selected=report_id)
    return TextDialog(action, case, parent, key="reason")
