"""The alarm list as a Qt table model: one row per alarm id, newest first, rows built on demand from the
`AlarmSource`; updates touch only the rows that changed (`dataChanged` / `beginInsertRows`).

Columns: state (raised / acknowledged / cleared), level, sensor, value, raised at, cleared at,
acknowledged by, linked case (its number, given by `set_case_numbers`). The console's source is
`app.sensors.alarm_source.FeedAlarmSource` (the server's alarms from the changes feed); any `AlarmSource` works
(tests use the stand-in `tests.support.simulated_sensors.SimulatedThresholdAlarmSource`). The actions live in the dock.
`AlarmFilter` is the dock's view of it: cleared alarms and warnings shown or not.
"""
from __future__ import annotations

import bisect
import math
import time
from datetime import datetime, timezone
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from app.platform import times
from app.platform.i18n import QT_TRANSLATE_NOOP
from app.platform.labels import localized_name
from app.sensors.alarms import Alarm, AlarmSource, AlarmState
from app.sensors.levels import Reason
from app.sensors.series import SensorInfo
from ui.shell import theme
from ui.shell.i18n import current_language

CTX = "AlarmModel"

COLUMNS = (
    ("state", QT_TRANSLATE_NOOP("AlarmModel", "State")),
    ("level", QT_TRANSLATE_NOOP("AlarmModel", "Level")),
    ("sensor", QT_TRANSLATE_NOOP("AlarmModel", "Sensor")),
    ("value", QT_TRANSLATE_NOOP("AlarmModel", "Value")),
    ("raised_at", QT_TRANSLATE_NOOP("AlarmModel", "Raised")),
    ("cleared_at", QT_TRANSLATE_NOOP("AlarmModel", "Cleared at")),
    ("acknowledged_by", QT_TRANSLATE_NOOP("AlarmModel", "Acknowledged by")),
    ("case", QT_TRANSLATE_NOOP("AlarmModel", "Case")),
)
COLUMN_INDEX = {key: i for i, (key, _) in enumerate(COLUMNS)}

STATE_TEXT = {
    AlarmState.RAISED: QT_TRANSLATE_NOOP("AlarmModel", "Raised"),
    AlarmState.ACKNOWLEDGED: QT_TRANSLATE_NOOP("AlarmModel", "Acknowledged"),
    AlarmState.CLEARED: QT_TRANSLATE_NOOP("AlarmModel", "Cleared"),
}
LEVEL_TEXT = {1: QT_TRANSLATE_NOOP("AlarmModel", "Warning"), 2: QT_TRANSLATE_NOOP("AlarmModel", "Alarm")}
REASON_TEXT = {Reason.HIGH: QT_TRANSLATE_NOOP("AlarmModel", "above threshold"),
               Reason.LOW: QT_TRANSLATE_NOOP("AlarmModel", "below threshold"),
               Reason.RATE: QT_TRANSLATE_NOOP("AlarmModel", "changing too fast"),
               Reason.SILENT: QT_TRANSLATE_NOOP("AlarmModel", "no readings (silent)")}
# Tooltip lines (declared so lupdate extracts them; rendered with _t)
TIP_THRESHOLD = QT_TRANSLATE_NOOP("AlarmModel", "Threshold {threshold:g}, peak {peak}")
TIP_NOTE = QT_TRANSLATE_NOOP("AlarmModel", "Note: {note}")
TIP_AUTO_CLEARED = QT_TRANSLATE_NOOP("AlarmModel", "automatically, back in range")
TIP_REASON = QT_TRANSLATE_NOOP("AlarmModel", "Reason: {reason}")
TIP_CASE = QT_TRANSLATE_NOOP("AlarmModel", "Case {number}")
# Raised alarms: a tinted row per level, with its own text colour (ui.shell.theme pairs, per theme).
LEVEL_TINT = {1: ("warn_text", "warn_bg"), 2: ("danger_text", "danger_bg")}

AlarmIdRole = Qt.ItemDataRole.UserRole + 1
SensorIdRole = Qt.ItemDataRole.UserRole + 2
CaseIdRole = Qt.ItemDataRole.UserRole + 3
ActiveRole = Qt.ItemDataRole.UserRole + 4
LevelRole = Qt.ItemDataRole.UserRole + 5


def _t(text: str) -> str:
    return QCoreApplication.translate(CTX, text)


def _key(alarm: Alarm) -> tuple[int, float, str]:
    """The list's order: active alarms above cleared ones (an operator works from the top), newest first."""
    return (0 if alarm.active else 1, -alarm.raised_at, alarm.id)


def format_time(epoch: float | None, now: float | None = None) -> str:
    """City time (`app.platform.times`): the time of day today, else the date and time."""
    if epoch is None:
        return ""
    now = time.time() if now is None else now
    return times.fmt_relative_day(datetime.fromtimestamp(epoch, timezone.utc), datetime.fromtimestamp(now, timezone.utc))


class AlarmModel(QAbstractTableModel):
    """Alarms of `source`, newest first. Call `refresh(ids)` (or connect the hub's `alarms_changed`)
    when alarms change; `set_case_numbers` names the linked cases."""

    def __init__(self, source: AlarmSource, sensors: dict[str, SensorInfo] | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.source = source
        self.sensors = sensors or {}
        self._ids: list[str] = []
        self._keys: list[tuple[int, float, str]] = []  # _key(alarm), sorted: active first, then newest first
        self._cache: dict[str, Alarm] = {}
        self.case_numbers: dict[str, str] = {}  # case id → its number, as the queue shows it
        self.reload()

    # -- structure

    def reload(self) -> None:
        self.beginResetModel()
        alarms = self.source.alarms()
        self._cache = {a.id: a for a in alarms}
        self._keys = sorted(_key(a) for a in alarms)
        self._ids = [k[2] for k in self._keys]
        self.endResetModel()

    def refresh(self, ids: list[str]) -> None:
        """Insert new alarms and redraw changed ones; forget those the source no longer keeps."""
        for alarm_id in ids:
            alarm = self.source.alarm(alarm_id)
            if alarm is None:
                self._remove(alarm_id)
                continue
            old = self._cache.get(alarm_id)
            if old is not None and _key(old) == _key(alarm):
                self._cache[alarm_id] = alarm
                row = self.row_of(alarm_id)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
            else:
                if old is not None:  # cleared: it moves below the active alarms
                    self._remove(alarm_id)
                self._cache[alarm_id] = alarm
                key = _key(alarm)
                row = bisect.bisect_left(self._keys, key)
                self.beginInsertRows(QModelIndex(), row, row)
                self._keys.insert(row, key)
                self._ids.insert(row, alarm_id)
                self.endInsertRows()

    def _remove(self, alarm_id: str) -> None:
        if alarm_id not in self._cache:
            return
        row = self.row_of(alarm_id)
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._ids[row]
        del self._keys[row]
        del self._cache[alarm_id]
        self.endRemoveRows()

    def set_case_numbers(self, numbers: dict[str, str]) -> None:
        """Case id → number for the Case column; redraws only the rows whose number changed."""
        changed = {cid for cid, number in numbers.items() if self.case_numbers.get(cid) != number}
        if not changed:
            return
        self.case_numbers.update(numbers)
        column = COLUMN_INDEX["case"]
        for row, alarm_id in enumerate(self._ids):
            if self._cache[alarm_id].case_id in changed:
                index = self.index(row, column)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole])

    def case_ids(self) -> set[str]:
        return {a.case_id for a in self._cache.values() if a.case_id}

    def row_of(self, alarm_id: str) -> int:
        return bisect.bisect_left(self._keys, _key(self._cache[alarm_id]))

    def alarm_at(self, row: int) -> Alarm | None:
        if 0 <= row < len(self._ids):
            return self._cache.get(self._ids[row])
        return None

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _t(COLUMNS[section][1])
        return None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(COLUMNS) - 1))

    # -- cells

    def _sensor_name(self, sensor_id: str) -> str:
        info = self.sensors.get(sensor_id)
        return f"{localized_name(info, current_language())} ({sensor_id})" if info else sensor_id

    def _value_text(self, alarm: Alarm) -> str:
        info = self.sensors.get(alarm.sensor_id)
        unit = info.unit_of_measure if info else ""
        if alarm.value is None or not math.isfinite(alarm.value):
            return "—"
        return f"{alarm.value:.4g} {unit}".strip()

    def _case_text(self, alarm: Alarm) -> str:
        if not alarm.case_id:
            return ""
        return self.case_numbers.get(alarm.case_id) or alarm.case_id[:8]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        alarm = self.alarm_at(index.row())
        if alarm is None:
            return None
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "state":
                return _t(STATE_TEXT[alarm.state])
            if key == "level":
                return _t(LEVEL_TEXT.get(alarm.level, "")) or str(alarm.level)
            if key == "sensor":
                return self._sensor_name(alarm.sensor_id)
            if key == "value":
                return self._value_text(alarm)
            if key == "raised_at":
                return format_time(alarm.raised_at)
            if key == "cleared_at":
                return format_time(alarm.cleared_at)
            if key == "acknowledged_by":
                return alarm.acknowledged_by or ""
            if key == "case":
                return self._case_text(alarm)
        elif role == Qt.ItemDataRole.ToolTipRole:
            reason = REASON_TEXT.get(Reason(alarm.reason)) if alarm.reason in tuple(Reason) else None
            parts = [self._sensor_name(alarm.sensor_id),
                     f"{_t(LEVEL_TEXT.get(alarm.level, ''))}: {_t(reason) if reason else ''}"]
            if alarm.message:
                parts.append(alarm.message)
            if alarm.threshold is not None:
                parts.append(_t(TIP_THRESHOLD).format(
                    threshold=alarm.threshold,
                    peak="—" if alarm.peak_value is None else f"{alarm.peak_value:.4g}"))
            parts.append(f"{_t('Raised')}: {format_time(alarm.raised_at)}")
            if alarm.acknowledged_at is not None:
                parts.append(f"{_t('Acknowledged')}: {format_time(alarm.acknowledged_at)} "
                             f"({alarm.acknowledged_by or '?'})")
                if alarm.ack_note:
                    parts.append(_t(TIP_NOTE).format(note=alarm.ack_note))
            if alarm.cleared_at is not None:
                who = alarm.cleared_by or _t(TIP_AUTO_CLEARED)
                parts.append(f"{_t('Cleared')}: {format_time(alarm.cleared_at)} ({who})")
                if alarm.clear_reason:
                    parts.append(_t(TIP_REASON).format(reason=alarm.clear_reason))
            if alarm.case_id:
                parts.append(_t(TIP_CASE).format(number=self._case_text(alarm)))
            return "\n".join(parts)
        elif role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole):
            return self._brush(alarm, key, role)
        elif role == Qt.ItemDataRole.FontRole:
            if alarm.state is AlarmState.RAISED:
                font = QFont()
                font.setBold(True)
                return font
        elif role == AlarmIdRole:
            return alarm.id
        elif role == SensorIdRole:
            return alarm.sensor_id
        elif role == CaseIdRole:
            return alarm.case_id
        elif role == ActiveRole:
            return alarm.active
        elif role == LevelRole:
            return alarm.level
        return None

    @staticmethod
    def _brush(alarm: Alarm, key: str, role: int) -> QBrush | None:
        """Colours from the current theme. A raised alarm's row is tinted by level and gets a foreground in
        every cell (the theme's text colour is not made for the tint); an acknowledged one keeps the plain
        background with its state and level in the level's colour; a cleared one is muted."""
        c = theme.colors()
        text_key, bg_key = LEVEL_TINT.get(alarm.level, LEVEL_TINT[2])
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(c[bg_key])) if alarm.state is AlarmState.RAISED else None
        if not alarm.active:
            return QBrush(QColor(c["muted"]))
        if key in ("state", "level"):
            return QBrush(QColor(c[text_key]))
        return QBrush(QColor(c["text"])) if alarm.state is AlarmState.RAISED else None

    def restyle(self) -> None:
        """The theme changed: redraw the colours."""
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(COLUMNS) - 1),
                                  [Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole])


class AlarmFilter(QSortFilterProxyModel):
    """Hides cleared alarms unless `show_cleared`, and warnings unless `show_warnings`."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.show_cleared = True
        self.show_warnings = False

    def set_show_cleared(self, on: bool) -> None:
        self.beginFilterChange()
        self.show_cleared = on
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_show_warnings(self, on: bool) -> None:
        self.beginFilterChange()
        self.show_warnings = on
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:  # noqa: N802 - Qt override
        index = self.sourceModel().index(row, 0, parent)
        if not self.show_cleared and not index.data(ActiveRole):
            return False
        return self.show_warnings or (index.data(LevelRole) or 0) >= 2
