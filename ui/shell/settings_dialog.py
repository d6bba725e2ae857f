"""The settings dialog, built from the typed model `app.platform.settings.ConsoleSettings`: one row per field, its
label and help text from the model, an editor chosen by the field's type (choice → combo box, bool →
check box, text → line edit). Apply/OK saves and emits `applied(settings)`; the main window then switches
language and theme live.
"""
from __future__ import annotations

import logging
import typing
from typing import Any, Callable

from pydantic import ValidationError
from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.platform.settings import (
    LANGUAGES,
    ConsoleSettings,
    SettingsStore,
    help_of,
    label_of,
    map_rendering_label,
    theme_label,
)

log = logging.getLogger(__name__)


def _choices(name: str) -> tuple[str, ...]:
    return typing.get_args(ConsoleSettings.model_fields[name].annotation)


class _Row:
    """One field's editor: the widget plus how to read and write its value."""

    def __init__(self, widget: QWidget, get: Callable[[], Any], put: Callable[[Any], None]):
        self.widget, self.get, self.put = widget, get, put


class SettingsDialog(QDialog):
    applied = Signal(object)  # ConsoleSettings, after it was saved

    def __init__(self, settings: ConsoleSettings, store: SettingsStore, *, problem: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.settings = settings
        self.store = store
        self.problem = QLabel(problem or "", self, objectName="loginMessage")
        self.problem.setProperty("kind", "error")
        self.problem.setWordWrap(True)
        self.problem.setVisible(bool(problem))
        self.form = QFormLayout()
        self.rows: dict[str, _Row] = {}
        self.help_labels: dict[str, QLabel] = {}
        for name in ConsoleSettings.model_fields:
            row = self._editor(name)
            self.rows[name] = row
            help_label = QLabel(self, objectName="settingsHelp")
            help_label.setWordWrap(True)
            self.help_labels[name] = help_label
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(row.widget)
            box.addWidget(help_label)
            self.form.addRow(QLabel(self), box)
        self.error = QLabel(self, objectName="loginMessage")
        self.error.setProperty("kind", "error")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Apply
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.apply)
        layout = QVBoxLayout(self)
        layout.addWidget(self.problem)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self._load(settings)
        self._retranslate()

    # ------------------------------------------------------------------ editors

    def _editor(self, name: str) -> _Row:
        annotation = ConsoleSettings.model_fields[name].annotation
        if annotation is bool:
            box = QCheckBox(self)
            return _Row(box, box.isChecked, box.setChecked)
        if annotation is int:  # bounds from the model's own ge/le
            spin = QSpinBox(self)
            bounds = {type(m).__name__: m for m in ConsoleSettings.model_fields[name].metadata}
            spin.setRange(getattr(bounds.get("Ge"), "ge", 0), getattr(bounds.get("Le"), "le", 1_000_000))
            return _Row(spin, spin.value, spin.setValue)
        if _choices(name):
            combo = QComboBox(self)
            for value in _choices(name):
                combo.addItem(value, value)
            return _Row(combo, combo.currentData, lambda v, c=combo: c.setCurrentIndex(max(0, c.findData(v))))
        edit = QLineEdit(self)
        return _Row(edit, lambda e=edit: e.text().strip(), lambda v, e=edit: e.setText(str(v)))  # numbers too

    def _load(self, settings: ConsoleSettings) -> None:
        for name, row in self.rows.items():
            row.put(getattr(settings, name))

    def values(self) -> dict[str, Any]:
        return {name: row.get() for name, row in self.rows.items()}

    # ------------------------------------------------------------------ texts

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Settings"))
        for index, name in enumerate(self.rows):
            label = self.form.itemAt(index, QFormLayout.ItemRole.LabelRole).widget()
            label.setText(label_of(name) + ":")
            self.help_labels[name].setText(help_of(name))
        language, theme = self.rows["language"].widget, self.rows["theme"].widget
        for i in range(language.count()):
            language.setItemText(i, LANGUAGES.get(language.itemData(i), language.itemData(i)))
        for i in range(theme.count()):
            theme.setItemText(i, theme_label(theme.itemData(i)))
        rendering = self.rows["map_rendering"].widget
        for i in range(rendering.count()):
            rendering.setItemText(i, map_rendering_label(rendering.itemData(i)))
        self.rows["cache_dir"].widget.setPlaceholderText(self.tr("(default folder)"))
        self.rows["tile_url_template"].widget.setPlaceholderText(self.tr("(no tiles: grid outlines only)"))

    # ------------------------------------------------------------------ saving

    def apply(self) -> bool:
        try:
            new = ConsoleSettings.model_validate(self.values())
        except ValidationError as exc:
            names = ", ".join(label_of(str(e["loc"][0])) for e in exc.errors() if e["loc"])
            self.error.setText(self.tr("Please correct: {fields}").format(fields=names))
            return False
        try:
            self.store.save(new)
        except OSError as exc:
            log.error("cannot save settings: %s", exc)
            self.error.setText(self.tr("The settings could not be saved: {error}").format(error=exc))
            return False
        self.error.clear()
        self.problem.setVisible(False)
        self.settings = new
        self.applied.emit(new)
        return True

    def _ok(self) -> None:
        if self.apply():
            self.accept()
