"""The two questions a shift lead answers before the server opens or closes a shift: which shift and who is
on duty (`OpenShiftDialog`), and the closing notes for the incoming lead (`CloseShiftDialog`)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.platform.enums import Role
from app.shifts import handover as model
from app.wire.shifts import SlotAnswer


class OpenShiftDialog(QDialog):
    """Which shift (by the clock, or a named slot of the schedule) and who is on duty."""

    def __init__(self, slots: list[SlotAnswer], users, me: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("openShiftDialog")
        self.setWindowTitle(self.tr("Open a shift"))
        self.slot = QComboBox(self)
        self.slot.addItem(self.tr("The current shift (by the clock)"), None)
        for slot in slots:
            self.slot.addItem(f"{model.shift_label(slot.name)} {slot.start}–{slot.end}", slot.name)
        self.people = QListWidget(self)
        for user in users:
            if user.username == me or user.role in (Role.ADMIN, Role.SYSTEM, Role.UNIT_HANDLER):
                continue
            item = QListWidgetItem(f"{user.display_name} ({user.username})", self.people)
            item.setData(Qt.ItemDataRole.UserRole, user.username)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        form = QFormLayout()
        form.addRow(self.tr("Shift"), self.slot)
        form.addRow(self.tr("On duty (you lead it)"), self.people)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def on_duty(self) -> list[str]:
        return [self.people.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.people.count())
                if self.people.item(i).checkState() == Qt.CheckState.Checked]

    def slot_name(self) -> str | None:
        return self.slot.currentData()


class CloseShiftDialog(QDialog):
    def __init__(self, shift: dict[str, Any], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("closeShiftDialog")
        self.setWindowTitle(self.tr("Close the shift"))
        prompt = QLabel(self.tr("Close the {shift} opened at {at}? The handover report is drafted from the "
                                "server's records; you can add notes until the incoming lead signs it.")
                        .format(shift=model.shift_label(shift.get("name", "")), at=shift.get("opened_at", "")[:16]),
                        self)
        prompt.setWordWrap(True)
        self.notes = QPlainTextEdit(self)
        self.notes.setPlaceholderText(self.tr("Notes for the incoming lead (optional)"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(prompt)
        layout.addWidget(self.notes)
        layout.addWidget(buttons)
