"""Global lookup: one field (Ctrl+K or /) that finds a case by number, provisional number, phone,
address or description among ALL cached cases — not only the queue's current tab — and makes the
chosen one the console's current case (`ConsoleContext.select_case`: queue, detail and map follow).

Typing searches as you go (a short pause, then `LocalCache.lookup` off the GUI thread); Up/Down move
in the results, Enter opens, Escape closes.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.cache.case_lookup import Hit
from app.platform import labels
from ui.shell.ops import run_op

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)

SHORTCUTS = ("Ctrl+K", "/")
TYPING_PAUSE_MS = 150


class CaseLookup(QDialog):
    """A small window over the console: the field, what it found, and a hint."""

    def __init__(self, ctx: ConsoleContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("caseLookup")
        self.setModal(False)
        self.resize(640, 380)
        layout = QVBoxLayout(self)
        self.field = QLineEdit(self, objectName="caseLookupField")
        self.field.setClearButtonEnabled(True)
        self.results = QListWidget(self, objectName="caseLookupResults")
        self.results.setUniformItemSizes(True)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        layout.addWidget(self.field)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.hint)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_PAUSE_MS)
        self._timer.timeout.connect(self.search)
        self._asked = ""
        self.searches = 0
        self.field.textChanged.connect(lambda _t: self._timer.start())
        self.field.returnPressed.connect(self.open_current)
        self.field.installEventFilter(self)
        self.results.itemActivated.connect(lambda item: self.open_item(item))
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Find a case"))
        self.field.setPlaceholderText(self.tr("Number, P·number, phone, address or words of the description"))
        self._hint()

    def _hint(self, found: int | None = None) -> None:
        if found is None:
            self.hint.setText(self.tr("Searches every case on this console, whatever the queue shows. "
                                      "Enter opens, Esc closes."))
        elif found == 0:
            self.hint.setText(self.tr("No case found for “{text}”.").format(text=self._asked))
        else:
            self.hint.setText(self.tr("%n case(s) found. ↑↓ to choose, Enter to open.", "", found))

    def start(self, text: str = "") -> None:
        """Show the lookup with `text` in the field (e.g. the key that opened it), ready to type."""
        self.field.setText(text)
        self.show()
        self.raise_()
        self.activateWindow()
        self.field.setFocus()
        self.field.end(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.results.count():
                row = self.results.currentRow() + (1 if key == Qt.Key.Key_Down else -1)
                self.results.setCurrentRow(max(0, min(self.results.count() - 1, row)))
                return True
        return super().eventFilter(watched, event)

    def search(self) -> None:
        query = self.field.text().strip()
        self._asked = query
        if not query:
            self.results.clear()
            self._hint()
            return
        cache = self.ctx.cache
        run_op(lambda: cache.lookup(query), lambda hits, q=query: self._found(q, hits),
               lambda exc: log.error("case lookup failed", exc_info=exc), owner=self)

    def _found(self, query: str, hits: list[Hit]) -> None:
        if query != self.field.text().strip():
            return  # the operator typed on; a newer search follows
        self.searches += 1
        self.results.clear()
        for hit in hits:
            item = QListWidgetItem(self.describe(hit))
            item.setData(Qt.ItemDataRole.UserRole, hit.case_id)
            self.results.addItem(item)
        if hits:
            self.results.setCurrentRow(0)
        self._hint(len(hits))

    def describe(self, hit: Hit) -> str:
        field = {"number": self.tr("number"), "phone": self.tr("phone"), "address": self.tr("address"),
                 "description": self.tr("description")}[hit.field]
        return f"{hit.number}  ·  {labels.status_label(hit.status)}  ·  {field}: {hit.snippet}"

    def hits_shown(self) -> list:
        return [self.results.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.results.count())]

    def open_current(self) -> None:
        if self._timer.isActive():  # Enter right after typing: search first, then open the best hit
            self._timer.stop()
            self.search()
            return
        item = self.results.currentItem() or (self.results.item(0) if self.results.count() else None)
        if item is not None:
            self.open_item(item)

    def open_item(self, item: QListWidgetItem) -> None:
        case_id = item.data(Qt.ItemDataRole.UserRole)
        self.ctx.select_case(None)  # the same case chosen again still shows it
        self.ctx.select_case(case_id)
        self.hide()


def install_lookup(window: QWidget, ctx: ConsoleContext) -> tuple[CaseLookup, QAction]:
    """The lookup and its action on `window` (Ctrl+K and /; a text field keeps its own '/')."""
    lookup = CaseLookup(ctx, window)
    action = QAction(window)
    action.setObjectName("findCaseAction")
    action.setShortcuts([QKeySequence(s) for s in SHORTCUTS])
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(lambda: lookup.start())
    window.addAction(action)
    return lookup, action
