"""The alarm list: sensor alarms newest first, with an Acknowledge action. Selecting an alarm shows its
sensor (`sensor_selected`: the sensor panel plots it, the map pans to it) and selects its linked case.

The alarms come from the console's `SensorHub` (`ui/sensor_dock.py`), whose default source is the
stand-in `SimulatedThresholdAlarmSource`; a server-backed `AlarmSource` plugs in unchanged.
"""
from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from PySide6.QtCore import QEvent, QItemSelection, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDockWidget, QHBoxLayout, QHeaderView,
                               QLabel, QPushButton, QTableView, QVBoxLayout, QWidget)

from ui import theme
from ui.alarm_model import ActiveRole, AlarmModel, CaseIdRole, SensorIdRole
from ui.sensor_dock import SensorHub

log = logging.getLogger(__name__)


class _ActiveFilter(QSortFilterProxyModel):
    """Hides cleared alarms unless `show_cleared`."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.show_cleared = True

    def set_show_cleared(self, on: bool) -> None:
        self.beginFilterChange()
        self.show_cleared = on
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:  # noqa: N802 - Qt override
        if self.show_cleared:
            return True
        return bool(self.sourceModel().index(row, 0, parent).data(ActiveRole))


class AlarmDock(QDockWidget):
    def __init__(self, ctx: Any, hub: SensorHub | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("AlarmDock")
        self.ctx = ctx
        self.hub = hub or SensorHub.for_context(ctx)
        self.model = AlarmModel(self.hub.alarms, self.hub.sensors, self)
        self.proxy = _ActiveFilter(self)
        self.proxy.setSourceModel(self.model)

        body = QWidget(self)
        self.view = QTableView(body)
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setAlternatingRowColors(False)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.ack_button = QPushButton(body)
        self.ack_action = QAction(self)
        self.ack_action.setShortcut(QKeySequence(Qt.Key.Key_F8))
        self.ack_action.triggered.connect(self.acknowledge_selected)
        self.addAction(self.ack_action)
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.show_cleared = QCheckBox(body)
        self.show_cleared.setChecked(True)
        self.show_cleared.toggled.connect(self.proxy.set_show_cleared)
        self.source_note = QLabel(body)
        self.source_note.setObjectName("dockNote")  # muted, per theme (resources/styles/*.qss)

        bar = QHBoxLayout()
        bar.addWidget(self.ack_button)
        bar.addWidget(self.show_cleared)
        bar.addStretch(1)
        bar.addWidget(self.source_note)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.setWidget(body)

        self.hub.alarms_changed.connect(self.model.refresh)
        self.hub.ready.connect(self.model.reload)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.dataChanged.connect(lambda *_: self._update_actions())
        ctx.signals.language_changed.connect(lambda _lang: self.model.retranslate())
        self.retranslate()
        self._update_actions()
        theme.follow_theme(self)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Alarms"))
        self.ack_button.setText(self.tr("Acknowledge"))
        self.ack_action.setText(self.tr("Acknowledge alarm"))
        self.ack_button.setToolTip(self.tr("Acknowledge the selected alarm (F8)"))
        self.show_cleared.setText(self.tr("Show cleared"))
        simulated = type(self.hub.alarms).__name__.startswith("Simulated")
        self.source_note.setText(self.tr("Evaluated on this console (simulated sensors)") if simulated else "")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif theme.theme_switched(self, event):
            self.model.restyle()
        super().changeEvent(event)

    # -- selection

    def selected_row(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.proxy.mapToSource(rows[0]).row()

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_actions()
        row = self.selected_row()
        if row is None:
            return
        index = self.model.index(row, 0)
        sensor_id = index.data(SensorIdRole)
        if sensor_id:
            self.ctx.signals.sensor_selected.emit(sensor_id)
        case_id = index.data(CaseIdRole)
        if case_id:
            try:
                self.ctx.select_case(UUID(str(case_id)))
            except ValueError:
                log.warning("alarm links a case id that is not a UUID: %r", case_id)

    def _update_actions(self) -> None:
        row = self.selected_row()
        alarm = self.model.alarm_at(row) if row is not None else None
        enabled = alarm is not None and alarm.acknowledged_at is None
        self.ack_button.setEnabled(enabled)
        self.ack_action.setEnabled(enabled)

    def _actor_name(self) -> str:
        session = getattr(self.ctx, "session", None)
        actor = getattr(session, "actor", None)
        return getattr(actor, "username", None) or getattr(session, "username", None) or "?"

    def acknowledge_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        self.model.acknowledge(row, self._actor_name())
        self._update_actions()
