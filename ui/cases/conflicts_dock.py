"""Commands the server refused: what was tried, why it was refused, and the server's version of the case,
with Re-apply (issue it again on the current state) and Discard.
"""
from __future__ import annotations

import json
import logging
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.cache.models import Conflict
from app.platform import labels
from ui.cases.issuing import now_utc, refusal_text, ui_language
from ui.cases.timeline import format_time
from ui.shell import theme
from ui.shell.ops import run_op

log = logging.getLogger(__name__)

HEADERS = (QT_TRANSLATE_NOOP("ConflictsModel", "Case"), QT_TRANSLATE_NOOP("ConflictsModel", "Action"),
           QT_TRANSLATE_NOOP("ConflictsModel", "Reason"), QT_TRANSLATE_NOOP("ConflictsModel", "Message"),
           QT_TRANSLATE_NOOP("ConflictsModel", "Server status"), QT_TRANSLATE_NOOP("ConflictsModel", "Server unit"),
           QT_TRANSLATE_NOOP("ConflictsModel", "Server version"), QT_TRANSLATE_NOOP("ConflictsModel", "Issued"))


class ConflictsModel(QAbstractTableModel):
    """Rows = conflicts by id; `set_conflicts` removes and inserts only the rows that changed."""

    def __init__(self, ctx: Any, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self._rows: list[Conflict] = []

    def set_conflicts(self, conflicts: list[Conflict]) -> None:
        wanted = {c.id for c in conflicts}
        for row in range(len(self._rows) - 1, -1, -1):
            if self._rows[row].id not in wanted:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
        have = {c.id for c in self._rows}
        new = [c for c in conflicts if c.id not in have]
        if new:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            self._rows.extend(new)
            self.endInsertRows()

    def conflict(self, row: int) -> Conflict | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("ConflictsModel", HEADERS[section])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        c = self._rows[index.row()]
        server = c.server_case
        if role == Qt.ItemDataRole.DisplayRole:
            col = index.column()
            if col == 0:
                return server.display_number if server else str(c.case_id)[:8]
            if col == 1:
                return labels.action_label(c.command.action)
            if col == 2:
                return c.reason
            if col == 3:
                return c.message
            if col == 4:
                if server is not None:
                    return labels.status_label(server.status)
                return self.tr("no such case") if c.server_has_no_case else ""
            if col == 5:
                return self._unit(server.unit_id) if server else ""
            if col == 6:
                return str(server.version) if server else ""
            if col == 7:
                issued = format_time(c.command.issued_at)
                return self.tr("{time} (offline)").format(time=issued) if c.command.offline else issued
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 3:
            return c.message
        return None

    def _unit(self, unit_id: str | None) -> str:
        refdata = self.ctx.cache.refdata()
        if not unit_id or refdata is None or not refdata.has_unit(unit_id):
            return unit_id or ""
        return labels.localized_name(refdata.unit(unit_id), ui_language(self.ctx))


class ConflictsDock(QDockWidget):
    def __init__(self, ctx: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("conflictsDock")
        self.model = ConflictsModel(ctx, self)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self.summary = QLabel(body)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        split = QSplitter(Qt.Orientation.Vertical, body)
        self.table = QTableView(split)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((110, 110, 110, 280, 110, 170, 100)):
            self.table.setColumnWidth(col, width)
        self.details = QPlainTextEdit(split)
        self.details.setReadOnly(True)
        layout.addWidget(split, 1)
        buttons = QHBoxLayout()
        self.reapply_button = QPushButton(body)
        self.discard_button = QPushButton(body)
        self.message = QLabel(body)
        self.message.setWordWrap(True)
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.reapply_button)
        buttons.addWidget(self.discard_button)
        layout.addLayout(buttons)
        self.setWidget(body)

        self.reapply_button.clicked.connect(lambda: self.resolve("reapply"))
        self.discard_button.clicked.connect(lambda: self.resolve("discard"))
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selection_changed())
        self.table.doubleClicked.connect(self._open_case)
        self.model.rowsInserted.connect(lambda *_: self._selection_changed())
        self.model.rowsRemoved.connect(lambda *_: self._selection_changed())
        ctx.signals.conflicts_changed.connect(lambda _n: self.reload())
        ctx.signals.language_changed.connect(lambda _l: self.retranslate())
        self.retranslate()
        self.reload()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Conflicts"))
        self.reapply_button.setText(self.tr("Re-apply"))
        self.reapply_button.setToolTip(self.tr("Issue the same action again on the case as it is now"))
        self.discard_button.setText(self.tr("Discard"))
        self.discard_button.setToolTip(self.tr("Drop the refused action; the server's version stands"))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(HEADERS) - 1)
        self._update_summary()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def reload(self) -> None:
        cache = self.ctx.cache
        run_op(cache.conflicts, self._loaded, lambda exc: log.error("reading conflicts failed", exc_info=exc),
               owner=self)

    def _loaded(self, conflicts: list[Conflict]) -> None:
        self.model.set_conflicts(conflicts)
        if self.model.rowCount() and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
        self._update_summary()

    def _update_summary(self) -> None:
        n = self.model.rowCount()
        self.summary.setText(self.tr("{n} command(s) refused by the server. Re-apply them on the current state "
                                     "or discard them.").format(n=n) if n else self.tr("No conflicts."))

    def current(self) -> Conflict | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.conflict(index.row()) if index.isValid() else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _selection_changed(self) -> None:
        c = self.current()
        self.reapply_button.setEnabled(c is not None)
        self.discard_button.setEnabled(c is not None)
        if c is None:
            self.details.clear()
            return
        lines = [self.tr("Refused: {action} ({reason})").format(action=labels.action_label(c.command.action),
                                                               reason=c.reason), c.message, "",
                 self.tr("What was sent:"), json.dumps(c.command.payload, ensure_ascii=False, indent=2), ""]
        server = c.server_case
        if server is None:
            if c.server_has_no_case:  # else the server withheld it: the refusal's message says why
                lines.append(self.tr("The server has no such case."))
        else:
            lines += [self.tr("The server's version of case {number}:").format(number=server.display_number),
                      self.tr("status {status}, unit {unit}, version {version}, updated {time}").format(
                          status=labels.status_label(server.status), unit=self.model._unit(server.unit_id) or "—",
                          version=server.version, time=format_time(server.updated_at))]
            if server.events:
                last = server.events[-1]
                lines.append(self.tr("last: {action} by {who} at {time}").format(
                    action=labels.action_label(last.action), who=last.actor, time=format_time(last.at)))
        self.details.setPlainText("\n".join(lines))

    def _open_case(self, index: QModelIndex) -> None:
        c = self.model.conflict(index.row())
        if c is not None:
            self.ctx.select_case(c.case_id)

    def resolve(self, resolution: str) -> None:
        c = self.current()
        if c is None:
            return
        cache, actor, now = self.ctx.cache, self.ctx.actor, now_utc(self.ctx)
        offline = bool(getattr(self.ctx.session, "offline", False))
        self.reapply_button.setEnabled(False)
        self.discard_button.setEnabled(False)
        self.message.setText("")
        run_op(lambda: cache.resolve_conflict(c.id, resolution, actor, now, offline=offline),
               lambda _r: self._resolved(resolution), self._failed, write=True, owner=self)

    def _resolved(self, resolution: str) -> None:
        theme.set_style_property(self.message, "feedback", "ok")
        self.message.setText(self.tr("Re-applied: queued again.") if resolution == "reapply"
                             else self.tr("Discarded."))
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        theme.set_style_property(self.message, "feedback", "error")
        self.message.setText(refusal_text(exc))
        self._selection_changed()
