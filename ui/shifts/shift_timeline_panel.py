"""The handover dock's Timeline tab: the ledger events of one shift, filterable by operator, unit and event
type; a double-click opens the event's case.

The timeline reads every case updated since the shift opened, so after case changes it is read again at
most once a second (`DELAY_MS`), and only while the dock shows (`shown()`); otherwise when it is shown.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.platform.enums import Action
from app.platform.labels import action_label, localized_name
from app.refdata.people import person_text
from app.shifts import handover as model
from ui.shell.i18n import current_language
from ui.shell.ops import run_op
from ui.shifts.timeline_model import ShiftTimelineModel, TimelineFilter

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)

DELAY_MS = 1000  # case changes re-read the shift's timeline at most this often


class ShiftTimelinePanel(QWidget):
    def __init__(self, ctx: ConsoleContext, shown: Callable[[], bool], parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._shown = shown
        self.shift_id: str | None = None
        self._generation = 0
        self.stale = False
        self.timer = QTimer(self, singleShot=True, interval=DELAY_MS)
        self.timer.timeout.connect(self._due)
        layout = QVBoxLayout(self)
        filters = QHBoxLayout()
        self.actor_filter = QComboBox(self, objectName="timelineActorFilter")
        self.unit_filter = QComboBox(self, objectName="timelineUnitFilter")
        self.action_filter = QComboBox(self, objectName="timelineActionFilter")
        self.filter_labels = [QLabel(self) for _ in range(3)]
        for label, combo in zip(self.filter_labels, (self.actor_filter, self.unit_filter, self.action_filter)):
            filters.addWidget(label)
            filters.addWidget(combo, 1)
            combo.currentIndexChanged.connect(self.apply_filter)
        layout.addLayout(filters)
        refdata = ctx.refdata
        self.timeline_model = ShiftTimelineModel(refdata, refdata.policy.calendar.tz if refdata else None,
                                                 current_language(), self)
        self.timeline_filter = TimelineFilter(self)
        self.timeline_filter.setSourceModel(self.timeline_model)
        self.timeline_view = QTableView(self, objectName="shiftTimeline")
        self.timeline_view.setModel(self.timeline_filter)
        self.timeline_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.timeline_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timeline_view.verticalHeader().hide()
        self.timeline_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.timeline_view.horizontalHeader().setStretchLastSection(True)
        self.timeline_view.doubleClicked.connect(self._select_case)
        self.timeline_count = QLabel(self)
        layout.addWidget(self.timeline_view, 1)
        layout.addWidget(self.timeline_count)
        self.retranslate()

    def retranslate(self) -> None:
        for label, text in zip(self.filter_labels, (self.tr("Operator"), self.tr("Unit"), self.tr("Event"))):
            label.setText(text)

    # ------------------------------------------------------------------ when to read

    def set_shift(self, shift_id: str | None) -> None:
        """Show this shift's events (read now)."""
        self.shift_id = shift_id
        self.refresh()

    def cases_changed(self) -> None:
        # Started only when idle (not restarted): a steady stream of changes still re-reads once a second
        # instead of putting the read off for as long as the stream lasts.
        if not self.timer.isActive():
            self.timer.start()

    def _due(self) -> None:
        if self._shown():
            self.refresh()
        else:
            self.stale = True

    def refresh_if_stale(self) -> None:
        if self.stale:
            self.refresh()

    def refresh(self) -> None:
        self.stale = False
        self.timer.stop()
        self._generation += 1
        generation = self._generation
        shift = self.ctx.cache.entity(model.SHIFT, self.shift_id) if self.shift_id is not None else None
        if shift is None:
            self.timeline_model.set_events([])
            self._fill_filters()
            return
        start = datetime.fromisoformat(shift["opened_at"])
        end = datetime.fromisoformat(shift["closed_at"]) if shift.get("closed_at") else None
        cache, shift_id = self.ctx.cache, self.shift_id

        def done(events) -> None:
            if not shiboken6.isValid(self):  # the dock was destroyed while the read ran
                return
            if generation == self._generation and shift_id == self.shift_id:  # not an older read
                self.timeline_model.set_events(events)
                self._fill_filters()

        run_op(lambda: model.timeline(cache, start, end), done,
               lambda exc: log.error("cannot read the shift's timeline", exc_info=exc))

    # ------------------------------------------------------------------ filters

    def _fill_filters(self) -> None:
        events = self.timeline_model.events()
        language = current_language()
        refdata = self.ctx.refdata
        options = (
            (self.actor_filter, sorted({e.actor for e in events}), lambda a: person_text(refdata, a)),
            (self.unit_filter, sorted({e.unit_id for e in events if e.unit_id}),
             lambda u: localized_name(refdata.unit(u), language) if refdata and refdata.has_unit(u) else u),
            (self.action_filter, sorted({str(e.action) for e in events}), lambda a: action_label(Action(a))),
        )
        for combo, values, label in options:
            keep = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self.tr("All"), None)
            for value in values:
                combo.addItem(label(value), value)
            combo.setCurrentIndex(max(0, combo.findData(keep)) if keep else 0)
            combo.blockSignals(False)
        self.apply_filter()

    def apply_filter(self) -> None:
        self.timeline_filter.set_filter(actor=self.actor_filter.currentData(), unit=self.unit_filter.currentData(),
                                        action=self.action_filter.currentData())
        self.timeline_count.setText(self.tr("{shown} of {total} events").format(
            shown=self.timeline_filter.rowCount(), total=self.timeline_model.rowCount()))

    def _select_case(self, index) -> None:
        source = self.timeline_filter.mapToSource(index)
        self.ctx.select_case(self.timeline_model.event_at(source.row()).case_id)
