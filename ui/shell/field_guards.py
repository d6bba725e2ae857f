"""Guards for text fields, checked as the operator types, so no typed text is lost to a refusal later.

A `LengthGuard` watches one text field with the limit the server enforces and shows a counter under it
once the text is near its limit ("1,950 / 2,000"), in the error colour beyond it ("2,105 / 2,000 — 105
characters too many"); a dialog asks its guards before it submits and stays open, with the text, when one
of them says no. Nothing is ever cut: a paste beyond the limit stays whole for the operator to shorten.
`PhoneGuard` checks the phone rule (app/platform/edge_types.py `phone_ok`). Ctrl+Enter submits a dialog
whose multi-line field takes the plain Enter key. The limits themselves are read from the payload models
by each feature (e.g. ui/cases/field_limits.py), never copied.
"""
from __future__ import annotations

import logging
from typing import Any

from annotated_types import MaxLen
from pydantic import BaseModel
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from app.platform.edge_types import PHONE_DIGITS, phone_ok

log = logging.getLogger(__name__)

NEAR = 0.8  # the counter appears at 80 % of the limit


def max_length(model: type[BaseModel], name: str) -> int | None:
    """The `max_length` a pydantic model gives its field `name` (None: no limit)."""
    info = model.model_fields.get(name)
    if info is None:
        return None
    for item in info.metadata:
        if isinstance(item, MaxLen):
            return int(item.max_length)
    return None


def _text_of(widget: QWidget) -> str:
    return widget.toPlainText() if isinstance(widget, QPlainTextEdit) else widget.text()


class LengthGuard(QObject):
    """A counter for one text field with a limit; `problem()` says why the text cannot be sent."""

    def __init__(self, field: QPlainTextEdit | QLineEdit, limit: int, name: str, counter: QLabel | None = None):
        super().__init__(field)
        self.field, self.limit, self.name = field, limit, name
        self.counter = counter or QLabel(field.parentWidget())
        self.counter.setObjectName("fieldCounter")
        self.counter.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.counter.hide()
        field.textChanged.connect(self.update)
        self.update()

    def length(self) -> int:
        return len(_text_of(self.field).strip())  # what is sent: the payloads strip the text

    def over(self) -> int:
        return max(0, self.length() - self.limit)

    def update(self, *_args: Any) -> None:
        n = self.length()
        if n < self.limit * NEAR:
            self.counter.hide()
            return
        text = f"{n:,} / {self.limit:,}"
        if n > self.limit:
            text += " — " + self.tr("{n} characters too many").format(n=f"{n - self.limit:,}")
        self.counter.setText(text)
        self.counter.setProperty("feedback", "error" if n > self.limit else "")
        self.counter.style().unpolish(self.counter)
        self.counter.style().polish(self.counter)
        self.counter.show()

    def problem(self) -> str | None:
        if not self.over():
            return None
        return self.tr("{field} is {n} characters long; at most {limit} are accepted. Please shorten it.").format(
            field=self.name, n=f"{self.length():,}", limit=f"{self.limit:,}")


class PhoneGuard(QObject):
    """The phone rule, checked as the operator types (an empty field is fine: no number given)."""

    def __init__(self, field: QLineEdit, name: str, counter: QLabel | None = None):
        super().__init__(field)
        self.field, self.name = field, name
        self.counter = counter or QLabel(field.parentWidget())
        self.counter.setObjectName("fieldCounter")
        self.counter.setProperty("feedback", "error")
        self.counter.hide()
        field.textChanged.connect(self.update)

    def update(self, *_args: Any) -> None:
        problem = self.problem()
        self.counter.setText(problem or "")
        self.counter.setVisible(bool(problem))

    def problem(self) -> str | None:
        value = self.field.text().strip()
        if not value or phone_ok(value):
            return None
        return self.tr("{field}: “{value}” is not a phone number ({low} to {high} digits; spaces, hyphens, "
                       "dots, brackets and a leading + are allowed).").format(
            field=self.name, value=value[:40], low=PHONE_DIGITS[0], high=PHONE_DIGITS[1])


def guard_below(form: QFormLayout, field: QWidget, guard_type=LengthGuard, *args: Any):
    """A guard for `field` with its message on the form row right under it."""
    counter = QLabel(field.parentWidget())
    found, role = form.getWidgetPosition(field)
    if found < 0:  # the field sits in a nested layout: put the counter at the end of the form
        form.addRow("", counter)
    else:
        form.insertRow(found + 1, "", counter)
    return guard_type(field, *args, counter=counter)


def problems(guards: list) -> list[str]:
    return [p for p in (g.problem() for g in guards) if p]


class _CtrlEnter(QObject):
    """Ctrl+Enter in a multi-line field submits (the field itself would take it as a line break)."""

    def __init__(self, dialog: QDialog, submit):
        super().__init__(dialog)
        self.submit = submit

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            if event.type() == QEvent.Type.KeyPress:
                self.submit()
            event.accept()
            return True
        return False


def submit_with_ctrl_enter(dialog: QDialog, submit=None) -> None:
    """Ctrl+Enter submits a dialog whose multi-line fields take the plain Enter key."""
    submit = submit or dialog.accept
    keys = _CtrlEnter(dialog, submit)
    for field in dialog.findChildren(QPlainTextEdit):
        field.installEventFilter(keys)
    for key in ("Ctrl+Return", "Ctrl+Enter"):
        QShortcut(QKeySequence(key), dialog, submit, context=Qt.ShortcutContext.WindowShortcut)
