"""The case queue dock: saved views with counts, free-text search, the sortable queue table, and the
urgent-case banner. The highlighted row is always the window's current case (ui/shell/current_case.py):
a click or the arrow keys make a row the current case, and the highlight follows a case chosen elsewhere
(map, alarm list); when the current case leaves the view (dispatched out of "to dispatch"), nothing is
highlighted rather than a neighbour the detail dock does not show.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from uuid import UUID

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.cases.saved_views import View, view_name, view_rule, views_for
from app.platform.enums import Role
from ui.cases.queue_model import CaseIdRole, CaseQueueModel, Column
from ui.cases.view_menu import tab_row
from ui.shell import theme
from ui.shell.banners import EMERGENCY_KEY, emergency_on
from ui.shell.notifier import NotificationBanner, UrgentCaseNotifier
from ui.shell.ops import run_op

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)

COLUMN_WIDTHS = {Column.NUMBER: 120, Column.PRIORITY: 70, Column.CATEGORY: 210, Column.LOCATION: 190,
                 Column.STATUS: 110, Column.UNIT: 190, Column.TIME_LEFT: 120, Column.SOURCE: 110, Column.AGE: 80,
                 Column.PENDING: 60}
CREATORS = {Role.OPERATOR, Role.SHIFT_LEAD, Role.INSPECTOR}


class QueueTable(QTableView):
    """The queue's table. `user_moved(QModelIndex)` fires when the operator (mouse or keys) moves the current
    row; the rows Qt moves on its own (a row removed, a reset) never change the current case."""

    user_moved = Signal(object)

    def _report(self, before: QModelIndex) -> None:
        current = self.currentIndex()
        if current.isValid() and (not before.isValid() or current.row() != before.row()):
            self.user_moved.emit(current)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        before = QModelIndex(self.currentIndex())
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up) and before.isValid() \
                and not self.selectionModel().hasSelection():
            # Qt puts an unselected cursor on a row (focus, a removed row): the first arrow takes that row
            # rather than skipping it for its neighbour.
            self.selectionModel().setCurrentIndex(
                before, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.user_moved.emit(before)
            return
        super().keyPressEvent(event)
        self._report(before)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        before = QModelIndex(self.currentIndex())
        super().mousePressEvent(event)
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and index.row() == self.currentIndex().row():
            self.user_moved.emit(index)  # a click on the highlighted row also (re)opens it
        else:
            self._report(before)


class CaseQueueDock(QDockWidget):
    new_case_dialog_opened = Signal(object)  # the NewCaseDialog, so the map can serve "Pick on map"

    def __init__(self, ctx: ConsoleContext, parent: QWidget | None = None, *, sound: bool = True, tick_ms: int = 1000):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("caseQueueDock")
        self.model = CaseQueueModel(ctx, self, tick_ms=tick_ms)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)

        self.banner = NotificationBanner(body)
        self.notifier = UrgentCaseNotifier(self.banner, self, sound=sound, category_name=self.model._category_name)
        layout.addWidget(self.banner)

        self.tabs = QTabBar(body)
        self.tabs.setExpanding(False)
        self.tabs.setUsesScrollButtons(True)
        self.tabs.setDocumentMode(True)
        self.tabs.setElideMode(Qt.TextElideMode.ElideNone)
        layout.addLayout(tab_row(self.tabs, body))  # the tabs scroll; "Views ▾" lists them all

        row = QHBoxLayout()
        self.search = QLineEdit(body)
        self.search.setClearButtonEnabled(True)
        row.addWidget(self.search, 1)
        self.new_case_button = QPushButton(body)
        self.new_case_button.setVisible(ctx.actor.role in CREATORS)
        row.addWidget(self.new_case_button)
        layout.addLayout(row)

        self.table = QueueTable(body)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        vheader = self.table.verticalHeader()
        vheader.setVisible(False)
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        for column, width in COLUMN_WIDTHS.items():
            self.table.setColumnWidth(column, width)
        header.setSortIndicator(self.model.sort_column, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        layout.addWidget(self.table, 1)

        self.footer = QLabel(body)
        layout.addWidget(self.footer)
        self.setWidget(body)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self._search_timer.timeout.connect(lambda: self.model.set_query(self.search.text()))
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(250)
        self._counts_timer.timeout.connect(self.update_counts)
        self.new_case_dialog = None
        self._top_row_before: int | None = None

        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._search_now)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.table.user_moved.connect(self._activate)
        self.table.activated.connect(self._activate)
        self.table.doubleClicked.connect(self._activate)
        self.banner.open_requested.connect(self._open_from_banner)
        self.new_case_button.clicked.connect(self.open_new_case)
        self.model.urgent_added.connect(self.notifier.notify)
        self.model.counts_changed.connect(self._counts_timer.start)
        self.model.loaded.connect(self._on_loaded)
        self.model.modelReset.connect(self._after_reset)
        self.model.rowsInserted.connect(self._rows_inserted)
        self.model.rowsRemoved.connect(self._rows_removed)
        self.model.layoutChanged.connect(lambda *_a: self._follow_current())
        self.model.batch_started.connect(self._batch_started)
        self.model.batch_finished.connect(self._batch_finished)
        self._anchor: UUID | None = None
        ctx.signals.case_selected.connect(self.show_case)
        ctx.signals.settings_changed.connect(self._setting_changed)
        ctx.signals.language_changed.connect(self._language_changed)
        QShortcut(QKeySequence.StandardKey.Find, self, self._focus_search,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        # No Ctrl+N here: the main window's File → New case owns it (and calls open_new_case); a second
        # shortcut for the same key makes Qt call the key ambiguous and fire neither.

        self._build_tabs()
        self.retranslate()
        theme.follow_theme(self)
        cache = ctx.cache
        run_op(lambda: cache.setting(EMERGENCY_KEY), lambda v: self.set_emergency_mode(emergency_on(v)),
               lambda exc: log.warning("cannot read the emergency mode setting: %s", exc), owner=self)

    # ------------------------------------------------------------------ texts

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Case queue"))
        self.search.setPlaceholderText(self.tr("Search number, description, address, grid, category… (Ctrl+F)"))
        self.new_case_button.setText(self.tr("New case…"))
        self.new_case_button.setToolTip(self.tr("Register a hotline call or a walk-in report (Ctrl+N)"))
        self.banner.retranslate()
        self.update_counts()

    def _language_changed(self, _language: str) -> None:
        self.model.refresh_names()
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif theme.theme_switched(self, event):
            self.update_counts()  # the tab colours come from the theme
        super().changeEvent(event)

    # ------------------------------------------------------------------ views and counts

    def _build_tabs(self) -> None:
        current = self.model.view
        self.tabs.blockSignals(True)
        while self.tabs.count():
            self.tabs.removeTab(0)
        for view in views_for(self.model.emergency_mode):
            index = self.tabs.addTab(view_name(view))
            self.tabs.setTabData(index, view.value)
            self.tabs.setTabToolTip(index, view_rule(view))
            if view == current:
                self.tabs.setCurrentIndex(index)
        self.tabs.blockSignals(False)
        self.update_counts()

    def views(self) -> list[View]:
        return [View(self.tabs.tabData(i)) for i in range(self.tabs.count())]

    def set_view(self, view: View) -> None:
        for i in range(self.tabs.count()):
            if self.tabs.tabData(i) == View(view).value:
                self.tabs.setCurrentIndex(i)
                return
        raise ValueError(f"view {view} is not offered now")

    def _tab_changed(self, index: int) -> None:
        if index >= 0:
            self.model.set_view(View(self.tabs.tabData(index)))
            self._update_footer()

    def update_counts(self) -> None:
        counts = self.model.counts(self.views())
        for i in range(self.tabs.count()):
            view = View(self.tabs.tabData(i))
            text = f"{view_name(view)} ({counts.get(view, 0):,})"
            if self.tabs.tabText(i) != text:  # (each set lays the tab bar out again)
                self.tabs.setTabText(i, text)
            colour = (theme.color("danger_text") if view in (View.OVERDUE, View.EMERGENCY) and counts.get(view)
                      else QColor())  # invalid: the theme's own tab colour
            if self.tabs.tabTextColor(i) != colour:
                self.tabs.setTabTextColor(i, colour)
        self._update_footer()

    def view_counts(self) -> dict[View, int]:
        """The counts shown on the tabs."""
        return self.model.counts(self.views())

    def _update_footer(self) -> None:
        shown, total = self.model.rowCount(), len(self.model.cols)
        text = self.tr("{shown} of {total} cases").format(shown=f"{shown:,}", total=f"{total:,}")
        if not self.model.is_loaded:
            text = self.tr("Loading cases…")
        self.footer.setText(text)

    def set_emergency_mode(self, on: bool) -> None:
        if on == self.model.emergency_mode:
            return
        self.model.set_emergency_mode(on)
        self._build_tabs()
        if on:  # the centre switched to emergency operation: the queue opens on what matters now
            self.set_view(View.EMERGENCY)

    def _setting_changed(self, key: str, value: Any) -> None:
        if key == EMERGENCY_KEY:
            self.set_emergency_mode(emergency_on(value))

    # ------------------------------------------------------------------ search

    def _focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _search_now(self) -> None:
        self._search_timer.stop()
        self.model.set_query(self.search.text())
        self._update_footer()

    def set_query(self, text: str) -> None:
        """Search immediately (tests, other docks)."""
        self.search.setText(text)
        self._search_now()

    # ------------------------------------------------------------------ selection

    def _activate(self, index: QModelIndex) -> None:
        if index.isValid():
            self.ctx.select_case(index.data(CaseIdRole))

    def _open_from_banner(self, case_id: UUID) -> None:
        self.ctx.select_case(case_id)

    def selected_id(self) -> UUID | None:
        index = self.table.selectionModel().currentIndex()
        rows = self.table.selectionModel().selectedRows()
        if rows:
            return rows[0].data(CaseIdRole)
        return index.data(CaseIdRole) if index.isValid() else None

    def show_case(self, case_id: UUID | None) -> None:
        """Follow the shared selection: highlight the case's row if the current view shows it, else no row."""
        row = self.model.row_of(case_id) if case_id is not None else None
        if row is None:
            if self.table.selectionModel().hasSelection() or self.table.currentIndex().isValid():
                self.table.selectionModel().clear()  # never a neighbour the detail dock does not show
            return
        if self.selected_id() == case_id and self.table.currentIndex().row() == row:
            return
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)

    def _after_reset(self) -> None:
        self._follow_current()
        self._update_footer()

    def _follow_current(self) -> None:
        """After rows moved, left or arrived: the highlight is the current case's row again (or none)."""
        if self.model.in_batch:
            return  # _batch_finished comes back here
        self.show_case(self.ctx.selected_case)

    def _on_loaded(self) -> None:
        self.update_counts()
        if self.ctx.selected_case is not None:
            self.show_case(self.ctx.selected_case)

    # Keep the rows the operator is looking at in place when rows arrive or leave above them.
    def _rows_inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        self._shift_scroll(first, last - first + 1)
        self._follow_current()

    def _rows_removed(self, _parent: QModelIndex, first: int, last: int) -> None:
        self._shift_scroll(first, -(last - first + 1))
        self._follow_current()

    # A sync batch moves many rows at once (layout changes and blocks at the end): keep the case that was
    # at the top of the view at the top, unless the view was at the very top (then it stays there).
    def _batch_started(self) -> None:
        top = self.table.verticalScrollBar().value()
        self._anchor = self.model.case_id(top) if top > 0 else None

    def _batch_finished(self) -> None:
        anchor, self._anchor = self._anchor, None
        if anchor is not None:
            row = self.model.row_of(anchor)
            if row is not None:
                self.table.updateGeometries()
                self.table.verticalScrollBar().setValue(row)
        self._follow_current()
        self._update_footer()

    def _shift_scroll(self, first: int, delta: int) -> None:
        if self.model.in_batch:
            return  # _batch_finished puts the anchor back
        bar = self.table.verticalScrollBar()
        top = bar.value()
        if top > 0 and first < top:
            self.table.updateGeometries()
            bar.setValue(max(0, top + delta))
        self._update_footer()

    # ------------------------------------------------------------------ new case

    def open_new_case(self) -> None:
        """Open the hotline form (one at a time; a second request brings it to the front)."""
        if self.ctx.actor.role not in CREATORS:
            return
        if self.new_case_dialog is not None:
            self.new_case_dialog.raise_()
            self.new_case_dialog.activateWindow()
            return
        from ui.cases.new_case_dialog import NewCaseDialog

        dialog = NewCaseDialog(self.ctx, self)
        dialog.finished.connect(lambda _r: self._new_case_closed(dialog))
        self.new_case_dialog = dialog
        self.new_case_dialog_opened.emit(dialog)
        dialog.show()

    def _new_case_closed(self, dialog) -> None:
        if self.new_case_dialog is dialog:
            self.new_case_dialog = None
        dialog.deleteLater()
