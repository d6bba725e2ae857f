"""A shift's timeline as a Qt table model: one row per ledger event of the shift's window
(`app.shifts.handover.timeline`), oldest first; `TimelineFilter` narrows it by operator, unit and event type.

Rows are the events themselves (immutable ledger entries), so an update of an open shift only appends
(`beginInsertRows`); switching to another shift replaces the rows.
"""
from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from app.platform import times
from app.platform.i18n import QT_TRANSLATE_NOOP
from app.platform.labels import action_label, localized_name, status_label
from app.shifts.handover import TimelineEvent, actor_label

CTX = "ShiftTimelineModel"
COLUMNS = (QT_TRANSLATE_NOOP(CTX, "Time"), QT_TRANSLATE_NOOP(CTX, "Case"), QT_TRANSLATE_NOOP(CTX, "Event"),
           QT_TRANSLATE_NOOP(CTX, "By"), QT_TRANSLATE_NOOP(CTX, "Unit"), QT_TRANSLATE_NOOP(CTX, "New status"),
           QT_TRANSLATE_NOOP(CTX, "Detail"))
ActorRole = Qt.ItemDataRole.UserRole + 1
UnitRole = Qt.ItemDataRole.UserRole + 2
ActionRole = Qt.ItemDataRole.UserRole + 3
CaseIdRole = Qt.ItemDataRole.UserRole + 4


class ShiftTimelineModel(QAbstractTableModel):
    def __init__(self, refdata=None, tz=None, language: str | None = None, parent=None):
        super().__init__(parent)
        self.refdata, self.tz, self.language = refdata, tz, language
        self._events: list[TimelineEvent] = []

    def set_events(self, events: list[TimelineEvent]) -> None:
        old = self._events
        if len(events) >= len(old) and events[:len(old)] == old:
            if len(events) > len(old):
                self.beginInsertRows(QModelIndex(), len(old), len(events) - 1)
                self._events = list(events)
                self.endInsertRows()
            return
        self.beginResetModel()  # another shift (or a reordered history): new rows altogether
        self._events = list(events)
        self.endResetModel()

    def event_at(self, row: int) -> TimelineEvent:
        return self._events[row]

    def events(self) -> list[TimelineEvent]:
        return list(self._events)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._events)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt override
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate(CTX, COLUMNS[section])
        return None

    def unit_name(self, unit_id: str | None) -> str:
        if not unit_id:
            return ""
        try:
            return localized_name(self.refdata.unit(unit_id), self.language) if self.refdata else unit_id
        except Exception:
            return unit_id

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        event = self._events[index.row()]
        if role == ActorRole:
            return event.actor
        if role == UnitRole:
            return event.unit_id or ""
        if role == ActionRole:
            return str(event.action)
        if role == CaseIdRole:
            return event.case_id
        if role == Qt.ItemDataRole.DisplayRole:
            column = index.column()
            if column == 0:
                return times.fmt(event.at, "seconds", zone=self.tz)
            return (None, event.number, action_label(event.action), actor_label(event, self.refdata),
                    self.unit_name(event.unit_id), status_label(event.to_status), event.detail)[column]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 6:
            return event.detail or None
        return None


class TimelineFilter(QSortFilterProxyModel):
    """Rows of one operator, one unit and one event type (each None = any)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.actor: str | None = None
        self.unit: str | None = None
        self.action: str | None = None

    def set_filter(self, *, actor: str | None = None, unit: str | None = None, action: str | None = None) -> None:
        self.beginFilterChange()
        self.actor, self.unit, self.action = actor or None, unit or None, action or None
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:  # noqa: N802 - Qt override
        index = self.sourceModel().index(row, 0, parent)
        return ((self.actor is None or index.data(ActorRole) == self.actor)
                and (self.unit is None or index.data(UnitRole) == self.unit)
                and (self.action is None or index.data(ActionRole) == self.action))
