"""The dialogs that collect the payload of the case loop's own actions (app/cases/commands.py schemas):
escalate, extension, send to verify, and `dialog_for`, which picks among them, the dispatch dialog
(`ui.cases.dispatch_dialog`) and the reason, note and confirmation dialogs (`ui.cases.payload_dialog`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QComboBox, QSpinBox, QWidget

from app.cases.case import Case
from app.platform import labels
from app.platform.enums import Action, Role
from app.refdata.criteria import closing_text
from ui.cases import nearest_panel
from ui.cases.dispatch_dialog import DispatchDialog
from ui.cases.payload_dialog import ConfirmDialog, PayloadDialog, TextDialog, unit_name
from ui.shell.i18n import current_language

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext


class EscalateDialog(TextDialog):
    """Reason plus the target: the next level up (default) or any unit."""

    def __init__(self, case: Case, refdata, parent: QWidget | None = None):
        super().__init__(Action.ESCALATE, case, parent, key="reason")
        self.target = QComboBox(self)
        base = case.escalated_to or case.unit_id
        up = refdata.ancestors(base)[0] if base and refdata.has_unit(base) and refdata.ancestors(base) else None
        up_id = getattr(up, "id", up)
        default = unit_name(refdata, up_id) if up_id else unit_name(refdata, refdata.root_unit_id)
        self.target.addItem(self.tr("Next level up ({unit})").format(unit=default), None)
        for unit in refdata.units:
            self.target.addItem(f"{labels.localized_name(unit, current_language())} ({unit.id})", unit.id)
        self.form.addRow(self.tr("Escalate to:"), self.target)
        if case.escalation_level:
            self.intro.setText(self.intro.text() + "\n" + self.tr("Already escalated {n} time(s), now with {unit}.")
                               .format(n=case.escalation_level, unit=unit_name(refdata, case.escalated_to)))

    def payload(self) -> dict[str, Any]:
        out = super().payload()
        if self.target.currentData():
            out["target_unit_id"] = self.target.currentData()
        return out


class ExtensionDialog(TextDialog):
    UNITS = ((QT_TRANSLATE_NOOP("ActionDialogs", "working hours"), 60, True),
             (QT_TRANSLATE_NOOP("ActionDialogs", "working days"), 0, True),
             (QT_TRANSLATE_NOOP("ActionDialogs", "calendar hours"), 60, False),
             (QT_TRANSLATE_NOOP("ActionDialogs", "calendar days"), 24 * 60, False))

    def __init__(self, case: Case, parent: QWidget | None = None, *, minutes_per_working_day: int = 7 * 60):
        super().__init__(Action.REQUEST_EXTENSION, case, parent, key="reason")
        self.amount = QSpinBox(self)
        self.amount.setRange(1, 999)
        self.amount.setValue(8)
        self.unit = QComboBox(self)
        for text, minutes, working in self.UNITS:
            factor = minutes or minutes_per_working_day  # 0: one working day of the calendar
            self.unit.addItem(QCoreApplication.translate("ActionDialogs", text), (factor, working))
        self.form.insertRow(0, self.tr("Extra time:"), self.amount)
        self.form.insertRow(1, "", self.unit)

    def validate(self) -> str | None:
        factor, _working = self.unit.currentData()
        if self.amount.value() * factor > 60 * 24 * 90:
            return self.tr("An extension can be at most 90 days.")
        return super().validate()

    def payload(self) -> dict[str, Any]:
        factor, working = self.unit.currentData()
        return {"minutes": self.amount.value() * factor, "working": working, **super().payload()}


class SendVerifyDialog(TextDialog):
    def __init__(self, case: Case, refdata, parent: QWidget | None = None, *, nearest=None):
        super().__init__(Action.SEND_VERIFY, case, parent, key="note", required=False)
        self.inspector = QComboBox(self)
        self.inspector.setEditable(True)
        self.inspector.addItem(self.tr("(any inspector on duty)"), None)
        for user in refdata.users:
            if user.role == Role.INSPECTOR:
                self.inspector.addItem(f"{user.display_name} ({user.username})", user.username)
        self.form.insertRow(0, self.tr("Inspector:"), self.inspector)
        self.nearest = nearest(self) if nearest is not None else None  # nearest available inspectors
        if self.nearest is not None:
            self.form.insertRow(1, self.tr("Nearest now:"), self.nearest)
            self.nearest.chosen.connect(self._nearest_chosen)

    def _nearest_chosen(self, suggestion) -> None:
        index = self.inspector.findData(suggestion.person)
        if index >= 0:
            self.inspector.setCurrentIndex(index)

    def payload(self) -> dict[str, Any]:
        out = super().payload()
        username = self.inspector.currentData()
        if username is None and self.inspector.currentIndex() != 0:
            username = self.inspector.currentText().strip() or None
        if username:
            out["inspector"] = username
        return out


def dialog_for(action: Action, case: Case, ctx: ConsoleContext, parent: QWidget | None) -> PayloadDialog | None:
    """The dialog of this module that collects `action`'s payload, or None when the action needs neither
    input nor confirmation (register, accept, verify pass, resume). `ui.cases.dialogs.dialog_for` asks the
    other dialog modules first."""
    refdata = ctx.cache.refdata()
    if action in (Action.DISPATCH, Action.REASSIGN):
        return DispatchDialog(action, case, refdata, parent,
                              nearest=lambda owner: nearest_panel.crew_panel(ctx, case, refdata, owner))
    if action == Action.ESCALATE:
        return EscalateDialog(case, refdata, parent)
    if action == Action.REQUEST_EXTENSION:
        minutes = refdata.policy.calendar.minutes_per_day() if refdata is not None else 7 * 60
        return ExtensionDialog(case, parent, minutes_per_working_day=int(minutes))
    if action == Action.SEND_VERIFY:
        return SendVerifyDialog(case, refdata, parent,
                                nearest=lambda owner: nearest_panel.inspector_panel(ctx, case, refdata, owner))
    if action in (Action.VOID, Action.RETURN, Action.VERIFY_FAIL, Action.SUSPEND, Action.DENY_EXTENSION):
        return TextDialog(action, case, parent, key="reason")
    if action == Action.REPORT_HANDLED:
        return TextDialog(action, case, parent, key="note")
    if action == Action.NOTE:
        return TextDialog(action, case, parent, key="text")
    if action == Action.CLOSE:
        dialog = ConfirmDialog(action, case, parent)
        criteria = closing_text(case.category_code, refdata, current_language())
        if criteria:  # the lead checks the category's closing criteria (结案标准) before closing
            dialog.question.setText(dialog.question.text() + "\n" + criteria)
        return dialog
    return None
