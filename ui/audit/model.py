"""The audit viewer's table: entries of the server's audit trail (every chain) by `key`, newest first, one
page appended at a time (beginInsertRows); cell texts come from `app.audit.trail`."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.audit.trail import COLUMN_KEYS, cell_text, column_title
from app.wire.audit import AuditEntry
from ui.shell import theme

_Index = QModelIndex | QPersistentModelIndex


class AuditModel(QAbstractTableModel):
    """Rows = entries in the order received (newest first); holds entry keys and each entry once."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._keys: list[int] = []
        self._entries: dict[int, AuditEntry] = {}

    # ---- content ----
    def clear(self) -> None:
        if self._keys:
            self.beginRemoveRows(QModelIndex(), 0, len(self._keys) - 1)
            self._keys, self._entries = [], {}
            self.endRemoveRows()

    def append_page(self, entries: list[AuditEntry]) -> int:
        """Add the entries not shown yet (a page may overlap the last one if the trail moved); returns
        how many rows were added."""
        new = [e for e in entries if e.key not in self._entries]
        if new:
            first = len(self._keys)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            for entry in new:
                self._keys.append(entry.key)
                self._entries[entry.key] = entry
            self.endInsertRows()
        return len(new)

    def entry(self, row: int) -> AuditEntry | None:
        return self._entries[self._keys[row]] if 0 <= row < len(self._keys) else None

    def retranslate(self) -> None:
        if self._keys:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._keys) - 1, len(COLUMN_KEYS) - 1))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMN_KEYS) - 1)

    # ---- Qt model ----
    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._keys)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMN_KEYS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return column_title(COLUMN_KEYS[section])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self._entries[self._keys[index.row()]]
        key = COLUMN_KEYS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            text = cell_text(entry, key)
            return text[:12] + "…" if key == "hash" and text else text
        if role == Qt.ItemDataRole.ToolTipRole and key in ("detail", "hash", "entity_id", "reason"):
            return (getattr(entry, key) if key in ("entity_id", "hash") else cell_text(entry, key)) or None
        if role == Qt.ItemDataRole.ForegroundRole and entry.result in ("rejected", "failed"):
            return theme.color("danger_text")
        if role == Qt.ItemDataRole.UserRole:
            return entry.key
        return None
