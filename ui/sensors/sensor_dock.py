"""The sensor panel: pick sensors from a list grouped by type (with search), coloured by the server's
state of each sensor, and watch up to four of them live.

The data comes from the console's `SensorHub` (`ui/sensors/hub.py`, re-exported here for the docks that
import it from this module): states and alarms from the changes feed, history fetched from the server
per plotted sensor. A plot shades the periods of the sensor's alarms and says when its history is
incomplete (offline, loading, refused).
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.map.layers import SENSOR_STATE_COLOURS
from app.platform.i18n import QT_TRANSLATE_NOOP
from app.platform.labels import localized_name
from ui.sensors.hub import SensorHub
from ui.shell import theme
from ui.shell.i18n import current_language

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.sensors.plot import SensorPlot
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)

MAX_PLOTS = 4

SENSOR_TYPE_LABELS = {
    "water_level": QT_TRANSLATE_NOOP("SensorDock", "Water level"),             # 水位
    "rainfall": QT_TRANSLATE_NOOP("SensorDock", "Rainfall"),                   # 雨量
    "bridge_displacement": QT_TRANSLATE_NOOP("SensorDock", "Bridge displacement"),  # 桥梁位移
    "settlement": QT_TRANSLATE_NOOP("SensorDock", "Settlement"),               # 沉降
    "strain": QT_TRANSLATE_NOOP("SensorDock", "Strain"),                       # 应变
    "tilt": QT_TRANSLATE_NOOP("SensorDock", "Tilt"),                           # 倾斜
    "gas_concentration": QT_TRANSLATE_NOOP("SensorDock", "Combustible gas"),   # 可燃气体
    "manhole_cover": QT_TRANSLATE_NOOP("SensorDock", "Manhole cover"),         # 井盖
}

# Sensors at warning or alarm level are named in the theme's warning/danger text colour (the swatch beside
# the name keeps the map's state colour); other names keep the view's own text colour.
STATE_FOREGROUND = {"warning": "warn_text", "alarm": "danger_text"}

WINDOWS = ((3600, QT_TRANSLATE_NOOP("SensorDock", "Last hour")),
           (6 * 3600, QT_TRANSLATE_NOOP("SensorDock", "Last 6 hours")),
           (24 * 3600, QT_TRANSLATE_NOOP("SensorDock", "Last 24 hours")))


def type_label(kind: str) -> str:
    text = SENSOR_TYPE_LABELS.get(kind)
    return QCoreApplication.translate("SensorDock", text) if text else kind


class SensorDock(QDockWidget):
    """Sensor list (grouped by type, searchable, coloured by state) and up to four live plots."""

    def __init__(self, ctx: ConsoleContext, hub: Any = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("SensorDock")
        self.ctx = ctx
        self.hub = hub or SensorHub.for_context(ctx)
        self.plots: dict[str, SensorPlot] = {}
        self._order: list[str] = []  # shown sensors, oldest first (the oldest gives way to a fifth)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._groups: dict[str, QTreeWidgetItem] = {}

        body = QWidget(self)
        self.search = QLineEdit(body)
        self.search.setClearButtonEnabled(True)
        self.tree = QTreeWidget(body)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(True)
        self.window_box = QComboBox(body)
        self.window_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.window_box.setMinimumContentsLength(6)  # the plots keep their width in a narrow dock
        self.follow_box = QCheckBox(body)
        self.follow_box.setChecked(True)
        self.hint = QLabel(body)
        self.hint.setWordWrap(True)
        self.hint.setObjectName("dockNote")  # muted, per theme (resources/styles/*.qss)

        left = QWidget(body)
        left.setMinimumWidth(130)  # names stay readable when the dock is narrow
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.tree, 1)

        self.plot_area = QWidget(body)
        self.plot_layout = QVBoxLayout(self.plot_area)
        self.plot_layout.setContentsMargins(0, 0, 0, 0)
        right = QWidget(body)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(self.window_box)
        bar.addWidget(self.follow_box)
        bar.addStretch(1)
        right_layout.addLayout(bar)
        right_layout.addWidget(self.hint)
        right_layout.addWidget(self.plot_area, 1)

        split = QSplitter(Qt.Orientation.Horizontal, body)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        split.setSizes([190, 810])  # the plots get the room; the list keeps its minimum
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(split)
        self.setWidget(body)

        self._fill_tree()
        self.retranslate()
        self.window_box.setCurrentIndex(1)
        self.search.textChanged.connect(self._filter)
        self.tree.itemChanged.connect(self._item_changed)
        self.window_box.currentIndexChanged.connect(self._window_changed)
        self.follow_box.toggled.connect(self._follow_changed)
        self.hub.updated.connect(self._updated)
        self.hub.ready.connect(self._refresh_all)
        self.hub.states_changed.connect(self._states_changed)
        self.hub.history_changed.connect(self._history_changed)
        self.hub.alarms_changed.connect(self._alarms_changed)
        ctx.signals.sensor_selected.connect(self.show_sensor)
        self._states: dict = {}
        if self.hub.is_ready:
            self._states_changed(self.hub.states())
        theme.follow_theme(self)

    # -- texts

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Sensors"))
        self.search.setPlaceholderText(self.tr("Search sensors by name, id or grid"))
        current = self.window_box.currentIndex()
        self.window_box.blockSignals(True)
        self.window_box.clear()
        for seconds, text in WINDOWS:
            self.window_box.addItem(QCoreApplication.translate("SensorDock", text), seconds)
        self.window_box.setCurrentIndex(max(current, 0))
        self.window_box.blockSignals(False)
        self.follow_box.setText(self.tr("Follow live"))
        self.follow_box.setToolTip(self.tr("Keep the newest reading in view; panning a plot turns this off"))
        self._update_hint()
        self.tree.blockSignals(True)
        for kind, group in self._groups.items():
            group.setText(0, f"{type_label(kind)} ({group.childCount()})")
        language = current_language()
        for sid, item in self._items.items():
            info = self.hub.sensors[sid]
            item.setText(0, f"{localized_name(info, language)}  ·  {sid}")
        self.tree.blockSignals(False)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif theme.theme_switched(self, event):
            self._states_changed(self._states)  # the warning/alarm text colours come from the theme
        super().changeEvent(event)

    def _update_hint(self) -> None:
        if not self.plots:
            self.hint.setText(self.tr("Tick up to %n sensor(s) in the list to plot them.", "", MAX_PLOTS))
            self.hint.show()
        elif not self.hub.is_ready:
            self.hint.setText(self.tr("Loading sensor states…"))
            self.hint.show()
        else:
            self.hint.hide()

    # -- the list

    def _fill_tree(self) -> None:
        self.tree.blockSignals(True)
        for info in sorted(self.hub.sensors.values(), key=lambda s: (s.type, s.id)):
            group = self._groups.get(info.type)
            if group is None:
                group = QTreeWidgetItem(self.tree)
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                group.setExpanded(True)
                self._groups[info.type] = group
            item = QTreeWidgetItem(group)
            item.setData(0, Qt.ItemDataRole.UserRole, info.id)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                          | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Unchecked)
            item.setToolTip(0, f"{info.name}\n{info.name_en}\n{info.grid_code}")
            self._items[info.id] = item
        for group in self._groups.values():
            group.setExpanded(True)
        self.tree.blockSignals(False)

    def _filter(self, text: str) -> None:
        needle = text.strip().lower()
        for kind, group in self._groups.items():
            visible = 0
            for i in range(group.childCount()):
                item = group.child(i)
                info = self.hub.sensors[item.data(0, Qt.ItemDataRole.UserRole)]
                hay = " ".join((info.id, info.name, info.name_en, info.grid_code, type_label(kind),
                                kind)).lower()
                hide = bool(needle) and needle not in hay
                item.setHidden(hide)
                visible += not hide
            group.setHidden(visible == 0)

    def _item_changed(self, item: QTreeWidgetItem, _column: int) -> None:
        sid = item.data(0, Qt.ItemDataRole.UserRole)
        if sid is None:
            return
        if item.checkState(0) == Qt.CheckState.Checked:
            self._add_plot(sid)
        else:
            self._remove_plot(sid)

    def _states_changed(self, states: dict) -> None:
        self._states = states
        foreground = STATE_FOREGROUND  # theme colour names; the rest keep the view's text colour
        for sid, item in self._items.items():
            state = states.get(sid, {}).get("state", "unknown")
            colour = QColor(SENSOR_STATE_COLOURS.get(state, SENSOR_STATE_COLOURS["unknown"]))
            text = foreground.get(state)
            item.setData(0, Qt.ItemDataRole.ForegroundRole, QBrush(theme.color(text)) if text else None)
            item.setData(0, Qt.ItemDataRole.DecorationRole, colour)

    # -- plots

    def shown(self) -> list[str]:
        return list(self._order)

    def show_sensor(self, sensor_id: str) -> None:
        """Plot this sensor (making room if four are shown) and select it in the list."""
        item = self._items.get(sensor_id)
        if item is None:
            return
        item.setCheckState(0, Qt.CheckState.Checked)  # → _item_changed → _add_plot
        self.tree.setCurrentItem(item)
        self.tree.scrollToItem(item)

    def _add_plot(self, sid: str) -> None:
        if sid in self.plots:
            return
        while len(self._order) >= MAX_PLOTS:
            oldest = self._order[0]
            self._items[oldest].setCheckState(0, Qt.CheckState.Unchecked)  # → _remove_plot
        from ui.sensors.plot import SensorPlot  # pyqtgraph: with the first plot

        plot = SensorPlot(self.hub.sensors[sid], self.plot_area,
                          window_s=self.window_box.currentData() or 6 * 3600)
        plot.follow = self.follow_box.isChecked()
        self.plot_layout.addWidget(plot, 1)
        self.plots[sid] = plot
        self._order.append(sid)
        self.hub.watch(sid, plot.window_s)
        self._refresh(sid, force=True)
        self._update_hint()

    def _remove_plot(self, sid: str) -> None:
        plot = self.plots.pop(sid, None)
        self.hub.watch(sid, None)
        if sid in self._order:
            self._order.remove(sid)
        if plot is not None:
            self.plot_layout.removeWidget(plot)
            plot.deleteLater()
        self._update_hint()

    def _refresh(self, sid: str, force: bool = False) -> None:
        plot = self.plots.get(sid)
        series = self.hub.series(sid) if plot is not None else None
        if plot is not None:
            plot.set_note(self.hub.history_note(sid))
        if series is None:
            return
        now = self.hub.now()
        plot.update_from(series, now, force=force, periods=self.hub.alarm_periods(sid, now))

    def _history_changed(self, sid: str) -> None:
        if sid in self.plots:
            self._refresh(sid, force=True)

    def _alarms_changed(self, ids: list) -> None:
        """An alarm of a plotted sensor changed: its shading changes (the readings may not)."""
        touched = set()
        for alarm_id in ids:
            alarm = self.hub.alarms.alarm(alarm_id)
            if alarm is not None and alarm.sensor_id in self.plots:
                touched.add(alarm.sensor_id)
        for sid in touched:
            self._refresh(sid, force=True)

    def _refresh_all(self) -> None:
        for sid in list(self.plots):
            self._refresh(sid, force=True)
        self._update_hint()

    def _updated(self, ids: list) -> None:
        if not self.isVisible() and not self.plots:
            return
        for sid in ids:
            if sid in self.plots:
                self._refresh(sid)

    def _window_changed(self, _index: int) -> None:
        seconds = self.window_box.currentData()
        self.follow_box.setChecked(True)
        for sid, plot in self.plots.items():
            plot.set_window(seconds)
            self.hub.watch(sid, seconds)
            self._refresh(sid, force=True)

    def _follow_changed(self, on: bool) -> None:
        for sid, plot in self.plots.items():
            plot.follow = on
            if on:
                self._refresh(sid, force=True)
