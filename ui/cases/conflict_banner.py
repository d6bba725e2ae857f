"""A refused command must not go unnoticed: when the server refuses commands this console queued
(typically offline, sent at reconnection), a banner across the window says in plain words what
happened — "李强 dispatched 2026-000048 to … at 20:21 while you were offline; your dispatch to … was not
applied." — with the alert chime, and offers to open the case or the conflicts list.

Settled refusals (the outcome already held) raise nothing. Conflicts already listed when the console
starts are announced once, as a count.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QWidget,
)

from app.cache.models import Conflict
from ui.cases.alert_sound import AlertSound
from ui.cases.conflicts_dock import explain
from ui.shell.ops import run_op

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)


class ConflictBanner(QFrame):
    """An amber-red strip: the refusal's sentence, Open the case, Show conflicts, dismiss."""

    open_case = Signal(object)       # case id
    show_conflicts = Signal()

    def __init__(self, ctx: ConsoleContext, parent: QWidget | None = None, *, sound: bool = True):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("conflictBanner")
        self.sound_enabled = sound
        self.sounds_played = 0
        self.alerts = 0        # banners raised for new refusals (with the chime when sound is on)
        self._sound = AlertSound(self)
        self._seen: set[int] | None = None   # conflict ids already announced (None: not read yet)
        self._latest: Conflict | None = None
        self._count = 0
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.open_button = QPushButton(self, objectName="conflictBannerOpen")
        self.list_button = QPushButton(self, objectName="conflictBannerList")
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.open_button)
        layout.addWidget(self.list_button)
        layout.addWidget(self.close_button)
        self.open_button.clicked.connect(self._open)
        self.list_button.clicked.connect(self._list)
        self.close_button.clicked.connect(self.hide)
        self.setStyleSheet("#conflictBanner { background: #b23c17; border-radius: 3px; }"
                           "#conflictBanner QLabel { color: white; font-weight: bold; }")
        ctx.signals.conflicts_changed.connect(lambda _n: self.reload())
        ctx.signals.language_changed.connect(lambda _l: self._render())
        self.retranslate()
        self.hide()
        self.reload()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.open_button.setText(self.tr("Open the case"))
        self.list_button.setText(self.tr("Show conflicts"))
        self.close_button.setToolTip(self.tr("Dismiss"))
        self._render()

    def reload(self) -> None:
        run_op(self.ctx.cache.conflicts, self._loaded,
               lambda exc: log.error("reading conflicts failed", exc_info=exc), owner=self)

    def _loaded(self, conflicts: list[Conflict]) -> None:
        waiting = [c for c in conflicts if not c.settled]
        first_read = self._seen is None
        seen = self._seen or set()
        new = [c for c in waiting if c.id not in seen]
        self._seen = {c.id for c in conflicts}
        self._count = len(waiting)
        if not waiting:
            self._latest = None
            self.hide()
            return
        if not new:
            self._render()
            return
        self._latest = None if first_read else new[-1]
        self._render()
        self.show()
        self._play()

    @property
    def latest(self) -> Conflict | None:
        return self._latest

    def _render(self) -> None:
        c = self._latest
        if c is not None:
            text = "⚠ " + explain(self.ctx, c).headline
            if self._count > 1:
                text += " " + self.tr("(%n conflict(s) waiting)", "", self._count)
        else:
            text = "⚠ " + self.tr("%n command(s) refused by the server are waiting in the conflicts list.", "",
                                  self._count)
        self.label.setText(text)
        self.open_button.setVisible(c is not None)

    def _open(self) -> None:
        if self._latest is not None:
            self.open_case.emit(self._latest.case_id)
            self.ctx.select_case(self._latest.case_id)
        self.hide()

    def _list(self) -> None:
        self.show_conflicts.emit()
        self.hide()

    def _play(self) -> None:
        self.alerts += 1
        if self.sound_enabled and self._sound.play():
            self.sounds_played += 1
