"""A table of follow-up rows (supervision orders, callback tasks) keyed by id: `set_rows` removes, updates
and inserts only the rows that changed, so a sync batch never resets the view (the selection stays)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush

from ui.shell import theme


class FollowUpModel(QAbstractTableModel):
    """Rows are `(key, item)`; `cell(item, column)` gives the text, `alert(item)` paints a row red."""

    def __init__(self, context: str, headers: Sequence[str], cell: Callable[[Any, int], str],
                 alert: Callable[[Any], bool] = lambda _item: False, parent=None):
        super().__init__(parent)
        self.context, self.headers, self.cell, self.alert = context, tuple(headers), cell, alert
        self._keys: list[Any] = []
        self._items: dict[Any, Any] = {}

    def set_rows(self, rows: Sequence[tuple[Any, Any]]) -> None:
        wanted = dict(rows)
        for row in range(len(self._keys) - 1, -1, -1):
            if self._keys[row] not in wanted:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._items[self._keys.pop(row)]
                self.endRemoveRows()
        for row, key in enumerate(self._keys):
            if self._items[key] != wanted[key]:
                self._items[key] = wanted[key]
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.headers) - 1))
        new = [(k, v) for k, v in rows if k not in self._items]
        if new:
            first = len(self._keys)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            for key, item in new:
                self._keys.append(key)
                self._items[key] = item
            self.endInsertRows()

    def refresh(self) -> None:
        """Every cell may read differently now (the clock moved: overdue marks)."""
        if self._keys:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._keys) - 1, len(self.headers) - 1))

    def item(self, row: int) -> Any:
        return self._items[self._keys[row]] if 0 <= row < len(self._keys) else None

    def row_of(self, key: Any) -> int:
        return self._keys.index(key) if key in self._items else -1

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._keys)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate(self.context, self.headers[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.item(index.row())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.cell(item, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and self.alert(item):
            return QBrush(theme.color("danger_text"))  # readable on the base colour of either theme
        return None
