"""The skeleton of a dock that lists what waits for a person — the lead's work queue
(`ui.cases.lead_queue_dock`), the detections to review (`ui.detections.review_dock`): a summary line over
a tree, re-read on a worker shortly after a change, and the items that arrived since the dock opened
marked new (bold) and announced: `alerts` counts the arrivals, the chime (`ui.cases.alert_sound`) sounds
at most once every few seconds. What was there when the dock opened is not news.

A subclass reads (`read`, on a worker), keeps what it read and says its items' keys (`take`), draws
(`_render`, with `mark_new` for a row) and names its texts (`retranslate`)."""
from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.cases.alert_sound import AlertSound
from ui.shell.ops import run_op

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)


class WaitingDock(QDockWidget):
    RELOAD_MS = 300  # changes arrive in bursts (sync pages): read once after the burst
    WHAT = "the list"  # what `read` reads, for the log

    def __init__(self, ctx: ConsoleContext, object_name: str, columns: int, widths: Iterable[int],
                 parent: QWidget | None = None, *, sound: bool = True):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName(object_name)
        self.sound_enabled = sound
        self.alerts = 0
        self._sound = AlertSound(self)
        self._seen: set[Hashable] | None = None  # None until the first read
        self._new: set[Hashable] = set()
        self.body = QWidget(self)
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(4, 4, 4, 4)
        self.summary = QLabel(self.body)
        self.tree = QTreeWidget(self.body)
        self.tree.setColumnCount(columns)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        for column, width in enumerate(widths):
            self.tree.setColumnWidth(column, width)
        self.body_layout.addWidget(self.summary)
        self.body_layout.addWidget(self.tree, 1)
        self.setWidget(self.body)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.RELOAD_MS)
        self._timer.timeout.connect(self.reload)

    # ------------------------------------------------------------------ the subclass's part

    def read(self) -> Any:
        """What the list shows, read on a worker thread (no widgets)."""
        raise NotImplementedError

    def take(self, data: Any) -> set[Hashable]:
        """Keep what `read` returned (on the GUI thread); the keys of the items it lists."""
        raise NotImplementedError

    def _render(self) -> None:
        raise NotImplementedError

    def retranslate(self) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ reading

    def schedule_reload(self) -> None:
        self._timer.start()

    def reload(self) -> None:
        run_op(self.read, self._loaded, lambda exc: log.error("reading %s failed", self.WHAT, exc_info=exc),
               owner=self)

    def _loaded(self, data: Any) -> None:
        keys = self.take(data)
        first = self._seen is None
        self._new = set() if first else keys - (self._seen or set())
        self._seen = keys if first else (self._seen or set()) | keys
        self._render()
        if self._new:
            self._alert()

    def mark_new(self, row: QTreeWidgetItem, key: Hashable) -> None:
        """Bold, across the row, when the item arrived since the dock opened (and was not opened yet)."""
        if key in self._new:
            font = row.font(0)
            font.setBold(True)
            for column in range(self.tree.columnCount()):
                row.setFont(column, font)

    def _alert(self) -> None:
        self.alerts += 1
        if self.sound_enabled:
            self._sound.play()

    # ------------------------------------------------------------------ language

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
