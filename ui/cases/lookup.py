"""Global lookup: one field (Ctrl+K or /) that finds a case by number, provisional number, phone,
address or description among ALL cached cases — not only the queue's current tab — and makes the
chosen one the console's current case (`ConsoleContext.select_case`: queue, detail and map follow).

Typing searches as you go (a short pause, then `LocalCache.lookup` off the GUI thread); Up/Down move
in the results, Enter opens, Escape closes.

The cache holds this console's scope and recent closed cases only (`app.cache.retention`), so when online
the lookup also asks the server (`GET /api/search/cases`, the caller's scope) and lists what the cache does
not hold, marked "on the server"; opening one fetches it and keeps it in the cache. Offline it says the
search covered this workstation's cache only — a case that is not there is never a silent miss.
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
from app.sync.state import Connection
from ui.shell.ops import run_op

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)

SHORTCUTS = ("Ctrl+K", "/")
TYPING_PAUSE_MS = 150
ON_SERVER = Qt.ItemDataRole.UserRole + 1  # an item's mark: found by the server, not in this cache


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
        self.server_searches = 0
        self._local = 0
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

    def _hint(self, found: int | None = None, *, server: str = "") -> None:
        """`server`: "asking", "asked", "offline" or a failure's text ("" before any search)."""
        if found is None:
            self.hint.setText(self.tr("Searches every case on this console, whatever the queue shows, and the "
                                      "server's when online. Enter opens, Esc closes."))
            return
        if found == 0:
            text = self.tr("No case found for “{text}”.").format(text=self._asked)
        else:
            text = self.tr("%n case(s) found. ↑↓ to choose, Enter to open.", "", found)
        if server == "asking":
            text += " " + self.tr("Searching the server…")
        elif server == "offline":
            text += " " + self.tr("Offline: only this workstation's cache was searched; a case not in it "
                                  "(closed long ago, another district's) is not in this workstation's cache "
                                  "and can be found once the server is back.")
        elif server and server != "asked":
            text += " " + self.tr("The server could not be searched ({why}); only this workstation's cache "
                                  "was.").format(why=server)
        self.hint.setText(text)

    def online(self) -> bool:
        """Whether the server may be asked now: an online session whose engine has not found it unreachable
        (or its login expired)."""
        engine = self.ctx.engine
        if engine is None or self.ctx.session.offline or getattr(engine, "client", None) is None:
            return False
        state = getattr(engine, "state", None)
        return state is None or state.connection not in (Connection.OFFLINE, Connection.AUTH_EXPIRED)

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
        self._local = len(hits)
        if not self.online():
            self._hint(len(hits), server="offline")
            return
        self._hint(len(hits), server="asking")
        client, cache = self.ctx.engine.client, self.ctx.cache

        def work():
            answer = client.search_cases(query)
            return [h for h in answer.hits if cache.case(h.case_id) is None]  # what this cache does not hold

        run_op(work, lambda more, q=query: self._server_found(q, more),
               lambda exc, q=query: self._server_failed(q, exc), owner=self)

    def _server_found(self, query: str, more: list) -> None:
        if query != self.field.text().strip():
            return
        self.server_searches += 1
        shown = set(self.hits_shown())
        for hit in more:
            if hit.case_id in shown:
                continue
            item = QListWidgetItem(self.describe(hit) + "  ·  " + self.tr("on the server"))
            item.setData(Qt.ItemDataRole.UserRole, hit.case_id)
            item.setData(ON_SERVER, True)
            self.results.addItem(item)
        if self.results.count() and self.results.currentRow() < 0:
            self.results.setCurrentRow(0)
        self._hint(self.results.count(), server="asked")

    def _server_failed(self, query: str, exc: BaseException) -> None:
        if query != self.field.text().strip():
            return
        self.server_searches += 1
        log.info("server case search failed: %s", exc)
        self._hint(self._local, server=str(exc) or type(exc).__name__)

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
        if item.data(ON_SERVER):  # fetched, kept in the cache (as opened), then opened
            client, cache = self.ctx.engine.client, self.ctx.cache
            self.hint.setText(self.tr("Fetching the case from the server…"))
            run_op(lambda: client.case(case_id).model_dump(mode="json"),
                   lambda data: run_op(lambda: cache.keep_server_case(data), lambda _c: self._open(case_id),
                                       self._fetch_failed, write=True, owner=self),
                   self._fetch_failed, owner=self)
            return
        self._open(case_id)

    def _open(self, case_id) -> None:
        self.ctx.select_case(None)  # the same case chosen again still shows it
        self.ctx.select_case(case_id)
        self.hide()

    def _fetch_failed(self, exc: BaseException) -> None:
        log.info("could not fetch a case found on the server: %s", exc)
        self.hint.setText(self.tr("The case could not be fetched from the server ({why}).").format(
            why=str(exc) or type(exc).__name__))


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
