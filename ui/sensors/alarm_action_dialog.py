"""The question before an alarm action: the note of an acknowledgement (optional) or the reason of a clear
(required), with the length counter; OK stays off until the text will do."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.sensors.alarms import ALARM_TEXT_MAX
from ui.shell.field_guards import LengthGuard, submit_with_ctrl_enter


class AlarmActionDialog(QDialog):
    """Asks for the note of an acknowledgement (optional) or the reason of a clear (required)."""

    def __init__(self, title: str, prompt: str, *, required: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.required = required
        self.prompt = QLabel(prompt, self)
        self.prompt.setWordWrap(True)
        self.text = QPlainTextEdit(self)
        self.text.setTabChangesFocus(True)
        self.text.setMaximumHeight(90)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.text)
        self.counter = QLabel(self)
        layout.addWidget(self.counter)
        layout.addWidget(self.buttons)
        self.guard = LengthGuard(self.text, ALARM_TEXT_MAX, title, counter=self.counter)
        submit_with_ctrl_enter(self)
        self.text.textChanged.connect(self._check)
        self._check()
        self.resize(420, 200)

    def value(self) -> str:
        return self.text.toPlainText().strip()

    def _check(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled((not self.required or bool(self.value())) and not self.guard.over())

    def accept(self) -> None:
        if (self.required and not self.value()) or self.guard.over():
            return  # empty, or too long (the counter says by how much): the text stays to be fixed
        super().accept()
