"""The base of every action dialog: title, an explanation (a warning for the consequential actions), a
form, an error line and OK/Cancel (`PayloadDialog`, `payload() -> dict`); the plain confirmation and the
one-text-field dialog (reason, note) with preset reasons; and the unit names they show.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.cases.case import Case
from app.platform import labels
from app.platform.enums import Action
from ui.shell.i18n import current_language

UnitRole = Qt.ItemDataRole.UserRole + 1

# Actions that change the case in a way that is hard to undo: always confirmed before they are issued.
CONFIRMED = frozenset({Action.VOID, Action.CLOSE, Action.RETURN, Action.ESCALATE, Action.SUSPEND,
                       Action.VERIFY_FAIL, Action.REOPEN})


def unit_name(refdata, unit_id: str | None, language: str | None = None) -> str:
    if not unit_id:
        return ""
    try:
        return labels.localized_name(refdata.unit(unit_id), language or current_language())
    except Exception:
        return unit_id


class PayloadDialog(QDialog):
    """Title, an explanation (with a warning for consequential actions), a form, an error line and
    OK/Cancel; OK is labelled with the action. Subclasses fill `self.form` and implement payload()."""

    def __init__(self, action: Action, case: Case, parent: QWidget | None = None):
        super().__init__(parent)
        self.action = action
        self.case = case
        self.setWindowTitle(self.tr("{action} — case {number}").format(action=labels.action_label(action),
                                                                      number=case.display_number))
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.warning = QLabel(self)
        self.warning.setWordWrap(True)
        self.warning.setProperty("feedback", "warning")  # look: resources/styles/*.qss
        self.warning.setVisible(action in CONFIRMED)
        layout.addWidget(self.warning)
        self.body = QWidget(self)
        self.form = QFormLayout(self.body)
        self.form.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.body, 1)
        self.error = QLabel(self)
        self.error.setProperty("feedback", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(labels.action_label(action))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.intro.setText(self.tr("Case {number}: {description}").format(
            number=case.display_number, description=case.description[:200]))
        self.warning.setText(self.consequence())

    def consequence(self) -> str:
        return {
            Action.VOID: self.tr("Voiding ends the case: it will not be handled."),
            Action.CLOSE: self.tr("Closing ends the case; it counts in the closure figures."),
            Action.RETURN: self.tr("Returning sends the case back to the command centre for dispatch; a case "
                                   "returned twice becomes an ownership dispute for the shift lead to decide."),
            Action.ESCALATE: self.tr("Escalation is recorded against the responsible unit."),
            Action.SUSPEND: self.tr("Suspending stops the case's clock until it is resumed."),
            Action.VERIFY_FAIL: self.tr("The case goes back to the unit for rework, against its original handling "
                                        "deadline; it counts against the unit's on-time handling."),
            Action.REOPEN: self.tr("Reopening puts the closed case back in the dispatch queue; the reporter's "
                                   "dissatisfaction is recorded with it."),
        }.get(self.action, "")

    def validate(self) -> str | None:
        """Why the input cannot be accepted, or None."""
        return None

    # Set by the controller (ui/cases/actions.py): OK then hands the dialog to it instead of closing, and
    # the dialog closes only once the command is queued; a refusal stays on screen with the typed text.
    submitter = None

    def accept(self) -> None:
        problem = self.validate()
        if problem:
            self.refuse(problem)
            return
        if self.submitter is not None:
            self.submitter(self)
            return
        super().accept()

    def refuse(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def payload(self) -> dict[str, Any]:
        return {}


class ConfirmDialog(PayloadDialog):
    def __init__(self, action: Action, case: Case, parent: QWidget | None = None, *, question: str = ""):
        super().__init__(action, case, parent)
        self.question = QLabel(question or self.tr("{action} case {number}?").format(
            action=labels.action_label(action), number=case.display_number), self)
        self.question.setWordWrap(True)
        self.form.addRow(self.question)


REASON_PRESETS = {
    Action.VOID: (QT_TRANSLATE_NOOP("ActionDialogs", "Duplicate of an existing case"),
                  QT_TRANSLATE_NOOP("ActionDialogs", "Not in the centre's scope"),
                  QT_TRANSLATE_NOOP("ActionDialogs", "Cannot be verified on site")),
    Action.RETURN: (QT_TRANSLATE_NOOP("ActionDialogs", "Not our unit's asset"),
                    QT_TRANSLATE_NOOP("ActionDialogs", "Outside our area"),
                    QT_TRANSLATE_NOOP("ActionDialogs", "Needs another department")),
    Action.VERIFY_FAIL: (QT_TRANSLATE_NOOP("ActionDialogs", "Problem still present"),
                         QT_TRANSLATE_NOOP("ActionDialogs", "Work incomplete")),
    Action.SUSPEND: (QT_TRANSLATE_NOOP("ActionDialogs", "Waiting for weather"),
                     QT_TRANSLATE_NOOP("ActionDialogs", "Waiting for another department"),
                     QT_TRANSLATE_NOOP("ActionDialogs", "Legal procedure pending")),
    Action.DENY_EXTENSION: (QT_TRANSLATE_NOOP("ActionDialogs", "Not justified"),),
}


class TextDialog(PayloadDialog):
    """One text field: `reason` (required), `note` or `text`; optional preset reasons fill the field."""

    def __init__(self, action: Action, case: Case, parent: QWidget | None = None, *, key: str = "reason",
                 required: bool = True):
        super().__init__(action, case, parent)
        self.key, self.required = key, required
        self.presets = QComboBox(self)
        presets = REASON_PRESETS.get(action, ())
        if presets:
            self.presets.addItem(self.tr("Common reasons…"), "")
            for text in presets:
                translated = QCoreApplication.translate("ActionDialogs", text)
                self.presets.addItem(translated, translated)
            self.presets.currentIndexChanged.connect(self._preset)
            self.form.addRow(self.presets)
        else:
            self.presets.hide()
        self.text = QPlainTextEdit(self)
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(90)
        label = {"reason": self.tr("Reason"), "note": self.tr("Note"), "text": self.tr("Note")}[key]
        if action == Action.REPORT_HANDLED:
            label = self.tr("What was done")
        self.form.addRow(label + (" *" if required else ""), self.text)
        self.text.setFocus()

    def _preset(self, index: int) -> None:
        value = self.presets.itemData(index)
        if value:
            self.text.setPlainText(value)

    def validate(self) -> str | None:
        if self.required and not self.text.toPlainText().strip():
            return self.tr("Please write the reason.") if self.key == "reason" else self.tr("Please write a note.")
        return None

    def payload(self) -> dict[str, Any]:
        value = self.text.toPlainText().strip()
        return {self.key: value} if value or self.required else {}
