"""The tasks inside cases, as one queue: a unit handler's co-handling tasks on joint cases (协办), an
inspector's on-site checks (核实) and verifications (核查), and for the desk every open one to follow up
(`app.cases.tasks`). The title counts them; overdue ones are named in a warning line. Double-click (or
Enter) selects the case, so the detail dock's action bar works the task.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.cases import tasks
from app.cases.tasks import Task
from ui.cases.issuing import now_utc
from ui.cases.payload_dialog import unit_name
from ui.cases.task_dialogs import task_state_label
from ui.cases.timeline import format_time
from ui.shell import theme
from ui.shell.ops import run_op

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)

CTX = "CaseTasks"
HEADERS = (QT_TRANSLATE_NOOP("CaseTasks", "Case"), QT_TRANSLATE_NOOP("CaseTasks", "Task"), QT_TRANSLATE_NOOP("CaseTasks", "For"),
           QT_TRANSLATE_NOOP("CaseTasks", "State"), QT_TRANSLATE_NOOP("CaseTasks", "Given"), QT_TRANSLATE_NOOP("CaseTasks", "Due"))
KIND_LABELS = {tasks.CO_TASK: QT_TRANSLATE_NOOP("CaseTasks", "Co-handling (协办)"),
               tasks.CHECK: QT_TRANSLATE_NOOP("CaseTasks", "On-site check (核实)"),
               tasks.VERIFY: QT_TRANSLATE_NOOP("CaseTasks", "Verification (核查)")}


def load_tasks(cache, actor) -> list[Task]:
    """The actor's open tasks from the cache (only the cases that can hold one are read)."""
    return tasks.visible_to(cache.open_tasks(), actor, cache.refdata())


class TasksModel(QAbstractTableModel):
    """The task list (small: one user's open tasks), replaced as a whole when it changes."""

    def __init__(self, ctx: ConsoleContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[Task] = []
        self.now: datetime = now_utc(ctx)

    def set_tasks(self, rows: list[Task], now: datetime) -> None:
        if rows == self.rows:
            self.now = now
            if rows:
                self.dataChanged.emit(self.index(0, 5), self.index(len(rows) - 1, 5))
            return
        self.beginResetModel()
        self.rows, self.now = rows, now
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate(CTX, HEADERS[section])
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        t = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            col = index.column()
            if col == 0:
                return t.number
            if col == 1:
                return QCoreApplication.translate(CTX, KIND_LABELS[t.kind])
            if col == 2:
                return unit_name(self.ctx.cache.refdata(), t.assignee) if t.kind == tasks.CO_TASK else t.assignee
            if col == 3:
                return task_state_label(t.state)
            if col == 4:
                return format_time(t.since)
            if col == 5:
                if t.due_at is None:
                    return "—"
                due = format_time(t.due_at)
                return QCoreApplication.translate("CaseTasks", "{due} (overdue)").format(due=due) if t.overdue(self.now) else due
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 5 and t.overdue(self.now):
            return theme.color("danger_text")
        if role == Qt.ItemDataRole.UserRole:
            return t.case_id
        return None


class CaseTasksDock(QDockWidget):
    def __init__(self, ctx: ConsoleContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        self.summary = QLabel(body)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.model = TasksModel(ctx, self)
        self.table = QTableView(body)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # the rows on screen decide the widths: Qt's default measures up to 1,000 rows on every relayout and
        # refresh, ~120,000 Python data() calls for 3,000 tasks, each waiting for the GIL while the start-up
        # loads run on their threads (a GUI-thread stall of 0.3 s of CPU and seconds of wall time at start)
        header.setResizeContentsPrecision(0)
        header.setStretchLastSection(True)
        self.table.activated.connect(self._open_case)
        self.table.doubleClicked.connect(self._open_case)
        layout.addWidget(self.table, 1)
        self.setWidget(body)
        self._reload_soon = QTimer(self, singleShot=True, interval=250)
        self._reload_soon.timeout.connect(self.reload)
        self._clock = QTimer(self, interval=60_000)  # deadlines pass without any change to the cases
        self._clock.timeout.connect(self.reload)
        self._clock.start()
        ctx.signals.cases_changed.connect(lambda _c: self._reload_soon.start())
        ctx.signals.refdata_changed.connect(lambda _v: self._reload_soon.start())
        ctx.signals.language_changed.connect(lambda _l: self.retranslate())
        self.retranslate()
        self.reload()

    def retranslate(self) -> None:
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(HEADERS) - 1)
        self._update_summary()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def reload(self) -> None:
        cache, actor = self.ctx.cache, self.ctx.actor
        run_op(lambda: load_tasks(cache, actor), self._loaded,
               lambda exc: log.error("reading the tasks failed", exc_info=exc), owner=self)

    def _loaded(self, rows: list[Task]) -> None:
        self.model.set_tasks(rows, now_utc(self.ctx))
        self._update_summary()

    def counts(self) -> tuple[int, int]:
        return tasks.counts(self.model.rows, self.model.now)

    def _update_summary(self) -> None:
        total, overdue = self.counts()
        self.setWindowTitle(self.tr("Tasks ({n})").format(n=total) if total else self.tr("Tasks"))
        if overdue:
            theme.set_style_property(self.summary, "feedback", "warning")
            self.summary.setText(self.tr("{n} open task(s), {late} overdue.").format(n=total, late=overdue))
        else:
            theme.set_style_property(self.summary, "feedback", "")
            self.summary.setText(self.tr("{n} open task(s).").format(n=total) if total else self.tr("No open tasks."))

    def _open_case(self, index: QModelIndex) -> None:
        case_id = self.model.data(self.model.index(index.row(), 0), Qt.ItemDataRole.UserRole)
        if case_id is not None:
            self.ctx.select_case(case_id)
