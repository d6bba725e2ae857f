"""The main window's dock layout: the default places and sizes of the docks, their tabs' titles, and the
layout kept in QSettings between starts (a mixin of `ui.shell.main_window.MainWindow`, which builds the
docks into `self.docks` and sets `self.window_state`)."""
from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QTabBar

log = logging.getLogger(__name__)

STATE_VERSION = 5  # bump when the set of docks changes: an older saved layout is then ignored


class DockLayout:
    """Where the docks go. Needs `self.docks` (name → QDockWidget) and `self.window_state` (QSettings or
    None) on a QMainWindow."""


    def place_docks(self) -> None:
        """Put every dock in its default place (also View → Reset layout)."""
        d = self.docks
        for dock in d.values():
            if dock.isFloating():
                dock.setFloating(False)
            self.removeDockWidget(dock)
        left, right, bottom = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea,
                               Qt.DockWidgetArea.BottomDockWidgetArea)
        for name, area in (("caseQueueDock", left), ("mapDock", left), ("caseDetailDock", right),
                           ("conflictsDock", right), ("caseTasksDock", right), ("sensorDock", bottom),
                           ("alarmDock", bottom)):
            self.addDockWidget(area, d[name])
            d[name].show()  # shown before splitting/tabifying: Qt skips hidden docks there
        self.splitDockWidget(d["caseQueueDock"], d["mapDock"], Qt.Orientation.Horizontal)
        self.tabifyDockWidget(d["caseDetailDock"], d["conflictsDock"])
        self.tabifyDockWidget(d["conflictsDock"], d["caseTasksDock"])
        self.splitDockWidget(d["sensorDock"], d["alarmDock"], Qt.Orientation.Horizontal)
        if "auditDock" in d:  # leads and admins only
            self.addDockWidget(right, d["auditDock"])
            d["auditDock"].show()
            self.tabifyDockWidget(d["conflictsDock"], d["auditDock"])
        if "performanceDock" in d:  # leads and admins only: a tab behind the map (it needs the room)
            self.addDockWidget(left, d["performanceDock"])
            d["performanceDock"].show()
            self.tabifyDockWidget(d["mapDock"], d["performanceDock"])
            d["mapDock"].raise_()
        if "handoverDock" in d:  # shift leads only: a tab next to the conflicts
            self.addDockWidget(right, d["handoverDock"])
            d["handoverDock"].show()
            self.tabifyDockWidget(d["conflictsDock"], d["handoverDock"])
        if "leadQueueDock" in d:  # shift leads only: a tab next to the case detail
            self.addDockWidget(right, d["leadQueueDock"])
            d["leadQueueDock"].show()
            self.tabifyDockWidget(d["caseDetailDock"], d["leadQueueDock"])
        if "disputeDock" in d:  # shift leads only (they decide): a tab next to the conflicts
            self.addDockWidget(right, d["disputeDock"])
            d["disputeDock"].show()
            self.tabifyDockWidget(d["conflictsDock"], d["disputeDock"])
        for name in ("supervisionDock", "callbacksDock", "detectionReviewDock"):  # queues: tabs by the conflicts
            if name in d:
                self.addDockWidget(right, d[name])
                d[name].show()
                self.tabifyDockWidget(d["conflictsDock"], d[name])
        d["caseDetailDock"].raise_()
        self.apply_default_sizes()

    # Shares of the window's width (queue, map, detail) and height (top row, sensors and alarms) in the
    # default layout. Applied to the real size once the window is shown: sizes given to a window not yet
    # maximized left the queue at ~430 px with the detail taking the rest of a large screen.
    WIDTHS = (0.42, 0.33, 0.25)
    HEIGHTS = (0.68, 0.32)

    def apply_default_sizes(self) -> None:
        d = self.docks
        width, height = max(self.width(), 1200), max(self.height(), 800)
        self.resizeDocks([d["caseQueueDock"], d["mapDock"], d["caseDetailDock"]],
                         [int(width * share) for share in self.WIDTHS], Qt.Orientation.Horizontal)
        self.resizeDocks([d["mapDock"], d["sensorDock"]], [int(height * share) for share in self.HEIGHTS],
                         Qt.Orientation.Vertical)
        self.resizeDocks([d["sensorDock"], d["alarmDock"]], [int(width * 0.55), int(width * 0.45)],
                         Qt.Orientation.Horizontal)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not getattr(self, "_sized", False):
            self._sized = True
            if not self._layout_restored:  # the first start here: the default layout, at the size shown
                QTimer.singleShot(0, self.apply_default_sizes)
        QTimer.singleShot(0, self.readable_dock_tabs)

    def readable_dock_tabs(self) -> None:
        """The tabs of tabbed docks keep their whole titles and scroll when they do not fit: a lead has ten
        docks in one column, and "C…", "T…" tell nobody which is which. (Qt makes these tab bars itself, as
        docks are tabbed, so they are found each time the window is shown.)"""
        for bar in self.findChildren(QTabBar):
            if bar.parent() is self:
                bar.setElideMode(Qt.TextElideMode.ElideNone)
                bar.setUsesScrollButtons(True)

    def restore_layout(self) -> None:
        self._layout_restored = False
        if self.window_state is None:
            return
        geometry, state = self.window_state.value("geometry"), self.window_state.value("dock_state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None and not self.restoreState(state, STATE_VERSION):
            log.info("saved dock layout not usable; default layout")
        else:
            self._layout_restored = state is not None

    def save_layout(self) -> None:
        if self.window_state is None:
            return
        self.window_state.setValue("geometry", self.saveGeometry())
        self.window_state.setValue("dock_state", self.saveState(STATE_VERSION))
        self.window_state.sync()

    def reset_layout(self) -> None:
        self.place_docks()
        QTimer.singleShot(0, self.apply_default_sizes)
        log.info("dock layout reset")
