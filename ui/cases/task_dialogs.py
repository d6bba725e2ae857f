"""The payload dialogs of the tasks inside a case: adding or removing a co-handling unit (协办), a co-unit's
return and handled report, sending a reported case for an on-site check (核实) and its confirmation.
`dialog_for` answers for these actions only (None for the others, and for those that ask nothing)."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QRadioButton,
    QTreeWidgetItem,
    QWidget,
)

from app.cases import onsite
from app.cases.case import Case
from app.cases.routing import suggest_co_units
from app.platform.enums import Action, Role
from ui.cases.dispatch_dialog import UnitPicker
from ui.cases.payload_dialog import TextDialog, unit_name

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)


class CoUnitDialog(TextDialog):
    """Add a co-handling unit: the matrix's other units for the case first, then the whole tree."""

    def __init__(self, case: Case, refdata, parent: QWidget | None = None):
        super().__init__(Action.ADD_CO_UNIT, case, parent, key="note", required=False)
        self.setMinimumSize(640, 520)
        taken = {case.unit_id, *(t.unit_id for t in case.co_tasks)} - {None}
        try:
            self.suggestions = suggest_co_units(refdata, case)
        except Exception:  # noqa: BLE001 - an unknown category or grid in old data: the tree still works
            self.suggestions = []
        self.suggested = QComboBox(self)
        self.suggested.addItem(self.tr("(choose in the tree below)"), None)
        for s in self.suggestions:
            self.suggested.addItem(unit_name(refdata, s.unit_id), s.unit_id)
        self.picker = UnitPicker(refdata, self, exclude=taken)
        self.form.insertRow(0, self.tr("Suggested co-unit:"), self.suggested)
        self.form.insertRow(1, self.tr("Any unit:"), self.picker)
        self.suggested.currentIndexChanged.connect(self._suggested)
        if self.suggestions:
            self.suggested.setCurrentIndex(1)

    def _suggested(self, index: int) -> None:
        unit = self.suggested.itemData(index)
        if unit:
            self.picker.select(unit)

    def unit_id(self) -> str | None:
        item: QTreeWidgetItem | None = self.picker.tree.currentItem()
        if item is not None and not item.isDisabled():
            return item.text(1)
        return self.suggested.currentData()

    def validate(self) -> str | None:
        return None if self.unit_id() else self.tr("Please choose the co-handling unit.")

    def payload(self) -> dict[str, Any]:
        return {"unit_id": self.unit_id(), **super().payload()}


class RemoveCoUnitDialog(TextDialog):
    def __init__(self, case: Case, refdata, parent: QWidget | None = None):
        super().__init__(Action.REMOVE_CO_UNIT, case, parent, key="reason")
        self.unit = QComboBox(self)
        for task in case.co_tasks:
            self.unit.addItem(f"{unit_name(refdata, task.unit_id)} — {task_state_label(task.status)}", task.unit_id)
        self.form.insertRow(0, self.tr("Co-handling unit:"), self.unit)

    def payload(self) -> dict[str, Any]:
        return {"unit_id": self.unit.currentData(), **super().payload()}


class SendCheckDialog(TextDialog):
    """The grid's inspector preselected; any other inspector may be chosen."""

    def __init__(self, case: Case, refdata, parent: QWidget | None = None):
        super().__init__(Action.SEND_CHECK, case, parent, key="note", required=False)
        suggested = onsite.suggested_inspector(case, refdata) if refdata is not None else None
        self.inspector = QComboBox(self)
        for user in (refdata.users if refdata is not None else ()):
            if user.role == Role.INSPECTOR:
                text = f"{user.display_name} ({user.username})"
                if user.username == suggested:
                    text = self.tr("{inspector} — the grid's inspector").format(inspector=text)
                self.inspector.addItem(text, user.username)
        if suggested is not None:
            self.inspector.setCurrentIndex(max(self.inspector.findData(suggested), 0))
        self.form.insertRow(0, self.tr("Inspector:"), self.inspector)

    def validate(self) -> str | None:
        return None if self.inspector.currentData() else self.tr("Please choose the inspector.")

    def payload(self) -> dict[str, Any]:
        return {"inspector": self.inspector.currentData(), **super().payload()}


class ConfirmCheckDialog(TextDialog):
    def __init__(self, case: Case, parent: QWidget | None = None):
        super().__init__(Action.CONFIRM_CHECK, case, parent, key="note", required=False)
        self.found = QRadioButton(self.tr("The problem is there, as reported"), self)
        self.not_found = QRadioButton(self.tr("Not found on site"), self)
        self.found.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.found)
        group.addButton(self.not_found)
        self.form.insertRow(0, self.found)
        self.form.insertRow(1, self.not_found)

    def payload(self) -> dict[str, Any]:
        return {"found": self.found.isChecked(), **super().payload()}


_STATES = {"dispatched": QT_TRANSLATE_NOOP("CaseTasks", "Waiting for acceptance"),
           "in_progress": QT_TRANSLATE_NOOP("CaseTasks", "In progress"),
           "handled": QT_TRANSLATE_NOOP("CaseTasks", "Handled"), "pending": QT_TRANSLATE_NOOP("CaseTasks", "Pending")}


def task_state_label(state: str) -> str:
    text = _STATES.get(state)
    return QCoreApplication.translate("CaseTasks", text) if text else state


def dialog_for(action: Action, case: Case, ctx: ConsoleContext, parent: QWidget | None) -> TextDialog | None:
    refdata = ctx.cache.refdata()
    if action == Action.ADD_CO_UNIT:
        return CoUnitDialog(case, refdata, parent)
    if action == Action.REMOVE_CO_UNIT:
        return RemoveCoUnitDialog(case, refdata, parent)
    if action == Action.CO_RETURN:
        return TextDialog(action, case, parent, key="reason")
    if action == Action.CO_HANDLED:
        return TextDialog(action, case, parent, key="note")
    if action == Action.SEND_CHECK:
        return SendCheckDialog(case, refdata, parent)
    if action == Action.CONFIRM_CHECK:
        return ConfirmCheckDialog(case, parent)
    return None

