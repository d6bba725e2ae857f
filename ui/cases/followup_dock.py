"""The skeleton of the follow-up docks (supervision orders, callbacks): a summary line, an alert line, a
table of rows kept by `FollowUpModel` from the cases the shared `FollowUpIndex` finds, a message and the
action buttons. Double-click opens the row's case; an action opens its follow-up dialog and queues the
command (offline too). A subclass says which rows the cases make, what each cell reads, the counts, and
which buttons it shows.

The cases are searched when the dock is first shown, not when it is built: at start-up the docks are tabs
behind the case detail, and their search parses every follow-up case (a few thousand at 100,000 cached
cases, ~70 MB of Case objects) for a list nobody looks at yet. Changes that arrive before then are no
work: the first search reads them all."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.cache.followups import FollowUpIndex
from app.cases.case import Case
from app.platform.enums import Action
from ui.cases.followup_model import FollowUpModel
from ui.cases.issuing import issue, now_utc, refusal_text
from ui.shell import theme
from ui.shell.ops import run_op

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)


class FollowUpDock(QDockWidget):
    """Subclasses set CONTEXT, HEADERS, ACTIONS and ALERT_FEEDBACK and implement `rows`, `cell`,
    `update_summary`, `update_buttons` and `dialog_for`; `read` may add to what the worker thread reads."""

    CONTEXT = ""
    HEADERS: Sequence[str] = ()
    ACTIONS: Sequence[Action] = ()
    ALERT_FEEDBACK = "warning"

    def __init__(self, ctx: ConsoleContext, object_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName(object_name)
        self.dialog: QDialog | None = None
        self.index = FollowUpIndex.shared(ctx.cache)
        self.model = FollowUpModel(self.CONTEXT, self.HEADERS, self.cell, self.alert_row, self)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self.summary = QLabel(body)
        self.summary.setWordWrap(True)
        self.alert = QLabel(body)
        self.alert.setWordWrap(True)
        theme.set_style_property(self.alert, "feedback", self.ALERT_FEEDBACK)
        layout.addWidget(self.summary)
        layout.addWidget(self.alert)
        self.table = QTableView(body)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.message = QLabel(body)
        self.message.setWordWrap(True)
        buttons.addWidget(self.message, 1)
        self.buttons: dict[Action, QPushButton] = {}
        for action in self.ACTIONS:
            button = QPushButton(body)
            button.clicked.connect(lambda _=False, a=action: self.act(a))
            buttons.addWidget(button)
            self.buttons[action] = button
        layout.addLayout(buttons)
        self.setWidget(body)

    def start(self) -> None:
        """Connect and fill (a subclass calls it at the end of its `__init__`, once its own state exists)."""
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selection_changed())
        self.table.doubleClicked.connect(self._open_case)
        self.model.rowsRemoved.connect(lambda *_: self._selection_changed())
        self.ctx.signals.cases_changed.connect(lambda changes: self._cases_changed(changes.ids))
        self.ctx.signals.language_changed.connect(lambda _l: self.retranslate())
        self.visibilityChanged.connect(self._visibility_changed)
        self.retranslate()
        self.searched = False  # True once the first search has been asked for (the dock was shown)
        if self.isVisible():
            self._visibility_changed(True)

    def _visibility_changed(self, visible: bool) -> None:
        if visible and not self.searched:
            self.searched = True
            self.reload()

    def _cases_changed(self, ids) -> None:
        if self.searched:  # before the first search there is nothing to keep current
            self.reload(ids)

    # ---- a subclass's part ----
    def retranslate_texts(self) -> None:
        """The window title and the buttons' texts."""

    def read(self, cache, cases: list[Case]) -> Any:
        """What `rows` needs, read on the worker thread (default: the cases themselves)."""
        return cases

    def rows(self, data: Any) -> list[tuple[Any, Any]]:
        """The table's rows `(key, item)` from what `read` returned; also sets the counts."""
        raise NotImplementedError

    def cell(self, item: Any, column: int) -> str:
        raise NotImplementedError

    def alert_row(self, item: Any) -> bool:
        return False

    def case_of(self, item: Any) -> Case:
        return item[0]

    def update_summary(self) -> None:
        raise NotImplementedError

    def update_buttons(self, item: Any) -> None:
        raise NotImplementedError

    def dialog_for(self, action: Action, item: Any) -> QDialog | None:
        raise NotImplementedError

    # ---- the skeleton ----
    def retranslate(self) -> None:
        self.retranslate_texts()
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.HEADERS) - 1)
        self.update_summary()
        self._selection_changed()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def reload(self, changed=None) -> None:
        """Search the cache again: in full (`changed` None) or only the cases a change set names."""
        cache, index, now, read = self.ctx.cache, self.index, now_utc(self.ctx), self.read
        run_op(lambda: read(cache, index.refresh(cache, now, changed)), self._loaded,
               lambda exc: log.error("reading %s failed", self.objectName(), exc_info=exc), owner=self)

    def _loaded(self, data: Any) -> None:
        self.model.set_rows(self.rows(data))
        if self.model.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
        self.update_summary()
        self._selection_changed()

    def current(self) -> Any:
        index = self.table.selectionModel().currentIndex()
        return self.model.item(index.row()) if index.isValid() else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _selection_changed(self) -> None:
        self.update_buttons(self.current())

    def _open_case(self, index: QModelIndex) -> None:
        item = self.model.item(index.row())
        if item is not None:
            self.ctx.select_case(self.case_of(item).id)

    def act(self, action: Action) -> None:
        item = self.current()
        if item is None:
            return
        case = self.case_of(item)
        if self.dialog is not None:
            self.dialog.close()
        dialog = self.dialog_for(action, item)
        if dialog is None:
            return
        self.dialog = dialog
        dialog.accepted.connect(lambda: issue(self.ctx, action, case.id, dialog.payload(), self._done, self._failed,
                                              owner=self))
        dialog.finished.connect(lambda _r: self._forget(dialog))
        dialog.open()

    def _forget(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _done(self, command) -> None:
        theme.set_style_property(self.message, "feedback", "ok")
        self.message.setText(self.tr("Queued."))
        self.reload({command.case_id})

    def _failed(self, exc: BaseException) -> None:
        theme.set_style_property(self.message, "feedback", "error")
        self.message.setText(refusal_text(exc))
