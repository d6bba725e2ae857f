"""No typed text lost in the case dialogs: the limits of app/cases/commands.py's payload models (and the
case location's), read from the models themselves, on the fields of the action dialogs and the hotline
form. The guards are ui/shell/field_guards.py's.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QLineEdit, QPlainTextEdit

from app.cases.case import Location
from app.cases.commands import PAYLOAD_SCHEMAS, CreatePayload
from app.platform.enums import Action
from ui.shell.field_guards import (  # noqa: F401 - the case dialogs take every guard from here
    LengthGuard,
    PhoneGuard,
    guard_below,
    max_length,
    problems,
    submit_with_ctrl_enter,
)


def payload_limit(action: Action, name: str) -> int | None:
    return max_length(PAYLOAD_SCHEMAS[action], name)


def create_limit(name: str) -> int | None:
    """A limit of the new case form's fields (the address lives in the location)."""
    return max_length(Location, name) if name == "address" else max_length(CreatePayload, name)


def guard_payload_dialog(dialog: QDialog, action: Action) -> list[LengthGuard]:
    """Guards for the text fields of an action's dialog (ui/cases/action_dialogs.py): its `text` field
    (named by `key`) and a dispatch's `note`."""
    guards: list[LengthGuard] = []
    form = getattr(dialog, "form", None)
    if form is None:
        return guards
    text, key = getattr(dialog, "text", None), getattr(dialog, "key", None)
    if isinstance(text, QPlainTextEdit) and key:
        limit = payload_limit(action, key)
        if limit:
            name = form.labelForField(text).text().rstrip(" *:") if form.labelForField(text) else key
            guards.append(guard_below(form, text, LengthGuard, limit, name))
    note = getattr(dialog, "note", None)
    if isinstance(note, QLineEdit):
        limit = payload_limit(action, "note")
        if limit:
            name = QCoreApplication.translate("FieldLimits", "Note")
            guards.append(guard_below(form, note, LengthGuard, limit, name))
    return guards

