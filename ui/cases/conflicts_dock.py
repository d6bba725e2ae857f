"""Commands the server refused, in plain words: what got there first, what became of the operator's
command, where the case stands now, and only the actions that can still succeed (reassign to the unit
the operator wanted, apply again when the rules now allow it, add a note, open the case, dismiss).

A refusal whose outcome already holds (`app.cases.refusals.is_settled`) is listed greyed as settled and
not counted as a conflict. The sentences come from `app.cases.refusals` (Qt-free, translated there).
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.cache.models import Conflict
from app.cases import refusals
from app.cases.refusals import Remedy
from app.platform import labels, times
from app.platform.enums import Action
from ui.cases.issuing import issue, now_utc, refusal_text, ui_language
from ui.shell import theme
from ui.shell.context import working_offline
from ui.shell.ops import run_op

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)

HEADERS = (QT_TRANSLATE_NOOP("ConflictsModel", "Case"), QT_TRANSLATE_NOOP("ConflictsModel", "Action"),
           QT_TRANSLATE_NOOP("ConflictsModel", "What happened"), QT_TRANSLATE_NOOP("ConflictsModel", "Now"),
           QT_TRANSLATE_NOOP("ConflictsModel", "Issued"))


def explain(ctx: ConsoleContext, c: Conflict) -> refusals.Explanation:
    return refusals.explain(c.command, c.reason, c.message, c.server_case, actor=ctx.actor, refdata=ctx.cache.refdata(),
                            language=ui_language(ctx))


class ConflictsModel(QAbstractTableModel):
    """Rows = conflicts by id; `set_conflicts` removes and inserts only the rows that changed."""

    def __init__(self, ctx: ConsoleContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self._rows: list[Conflict] = []
        self._said: dict[int, refusals.Explanation] = {}

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

    def retranslate(self) -> None:
        self._said.clear()
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(HEADERS) - 1))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(HEADERS) - 1)

    def conflict(self, row: int) -> Conflict | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def explanation(self, c: Conflict) -> refusals.Explanation:
        if c.id not in self._said:
            self._said[c.id] = explain(self.ctx, c)
        return self._said[c.id]

    def open_count(self) -> int:
        return sum(1 for c in self._rows if not c.settled)

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
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if col == 0:
                return refusals.case_label(c.server_case, c.command)
            if col == 1:
                action = labels.action_label(c.command.action)
                return self.tr("{action} (settled)").format(action=action) if c.settled else action
            if col == 2:
                return self.explanation(c).headline
            if col == 3:
                return self.explanation(c).state
            if col == 4:
                issued = times.fmt(c.command.issued_at, "seconds")
                return self.tr("{time} (offline)").format(time=issued) if c.command.offline else issued
        if role == Qt.ItemDataRole.FontRole and c.settled:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and c.settled:
            return QBrush(theme.color("muted"))
        return None


class ConflictsDock(QDockWidget):
    def __init__(self, ctx: ConsoleContext, parent: QWidget | None = None):
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
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((110, 90, 420, 200)):
            self.table.setColumnWidth(col, width)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # sentences wrap
        self.details = QPlainTextEdit(split)
        self.details.setReadOnly(True)
        layout.addWidget(split, 1)
        buttons = QHBoxLayout()
        self.message = QLabel(body)
        self.message.setWordWrap(True)
        buttons.addWidget(self.message, 1)
        self.buttons: dict[Remedy, QPushButton] = {}
        for remedy in Remedy:
            button = QPushButton(body, objectName=f"conflict_{remedy}")
            button.clicked.connect(lambda _=False, r=remedy: self.act(r))
            button.hide()
            buttons.addWidget(button)
            self.buttons[remedy] = button
        self.reapply_button = self.buttons[Remedy.REAPPLY]
        self.discard_button = self.buttons[Remedy.DISCARD]
        layout.addLayout(buttons)
        self.setWidget(body)

        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selection_changed())
        self.table.doubleClicked.connect(lambda index: self._open(self.model.conflict(index.row())))
        self.model.rowsInserted.connect(lambda *_: self._selection_changed())
        self.model.rowsRemoved.connect(lambda *_: self._selection_changed())
        ctx.signals.conflicts_changed.connect(lambda _n: self.reload())
        ctx.signals.language_changed.connect(lambda _l: self.retranslate())
        self.retranslate()
        self.reload()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Conflicts"))
        for remedy, button in self.buttons.items():
            button.setText(refusals.remedy_label(remedy))
        self.buttons[Remedy.REAPPLY].setToolTip(self.tr("Issue the same action again: the rules allow it on the "
                                                        "case as it is now"))
        self.buttons[Remedy.DISCARD].setToolTip(self.tr("Drop the refused action; the server's version stands"))
        self.model.retranslate()
        self._update_summary()
        self._selection_changed()

    def changeEvent(self, event: QEvent) -> None:
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
        n, settled = self.model.open_count(), self.model.rowCount() - self.model.open_count()
        if n:
            text = self.tr("%n command(s) refused by the server and waiting for you.", "", n)
        else:
            text = self.tr("No conflicts.")
        if settled:
            text += " " + self.tr("%n refusal(s) settled: the case was already as you wanted.", "", settled)
        self.summary.setText(text)

    def current(self) -> Conflict | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.conflict(index.row()) if index.isValid() else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def select_case(self, case_id) -> bool:
        for row in range(self.model.rowCount()):
            if self.model.conflict(row).case_id == case_id:
                self.select_row(row)
                return True
        return False

    def offered(self) -> list[Remedy]:
        """The remedies shown for the selected conflict, in order."""
        return [r for r, b in self.buttons.items() if not b.isHidden()]

    def _selection_changed(self) -> None:
        c = self.current()
        said = self.model.explanation(c) if c is not None else None
        for remedy, button in self.buttons.items():
            button.setVisible(said is not None and remedy in said.remedies)
            button.setEnabled(True)
        if c is None or said is None:
            self.details.clear()
            return
        unit = c.command.payload.get("unit_id") if isinstance(c.command.payload, dict) else None
        if Remedy.REASSIGN in said.remedies and unit:
            self.buttons[Remedy.REASSIGN].setText(self.tr("Reassign to {unit}").format(unit=self._unit(unit)))
        else:
            self.buttons[Remedy.REASSIGN].setText(refusals.remedy_label(Remedy.REASSIGN))
        lines = [said.headline, "", self.tr("Why: {reason}").format(reason=said.reason)]
        if said.state:
            lines.append(said.state)
        lines += ["", self.tr("What you sent: {action} on {case}, {time}").format(
            action=labels.action_label(c.command.action), case=refusals.case_label(c.server_case, c.command),
            time=times.fmt(c.command.issued_at, "seconds"))]
        names = {"unit_id": self.tr("Unit"), "target_unit_id": self.tr("Unit"), "reason": self.tr("Reason"),
                 "text": self.tr("Text"), "note": self.tr("Note"), "minutes": self.tr("Minutes"),
                 "inspector": self.tr("Inspector"), "description": self.tr("Description")}
        for key, value in (c.command.payload or {}).items():
            if key in ("unit_id", "target_unit_id") and value:
                value = self._unit(value)
            if key in names and value not in (None, ""):
                lines.append(f"  {names[key]}: {value}")
        self.details.setPlainText("\n".join(lines))
        # the server's own words (ids, codes) are for whoever looks into it, not the first thing read
        self.details.setToolTip(self.tr("The server said: {message}").format(message=c.message or c.reason))

    def _unit(self, unit_id: str | None) -> str:
        refdata = self.ctx.cache.refdata()
        if not unit_id or refdata is None or not refdata.has_unit(unit_id):
            return unit_id or ""
        return labels.localized_name(refdata.unit(unit_id), ui_language(self.ctx))

    # ------------------------------------------------------------------ remedies

    def act(self, remedy: Remedy) -> None:
        c = self.current()
        if c is None:
            return
        self.message.setText("")
        if remedy == Remedy.OPEN:
            self._open(c)
        elif remedy == Remedy.DISCARD:
            self._resolve(c, "discard")
        elif remedy == Remedy.REAPPLY:
            self._resolve(c, "reapply")
        elif remedy == Remedy.REASSIGN:
            unit = c.command.payload.get("unit_id")
            self._issue_then_discard(c, Action.REASSIGN, {"unit_id": unit},
                                     self.tr("Reassigned to {unit}: queued.").format(unit=self._unit(unit)))
        elif remedy == Remedy.NOTE:
            self.ask_note(c)

    def note_suggestion(self, c: Conflict) -> str:
        unit = c.command.payload.get("unit_id") if isinstance(c.command.payload, dict) else None
        action = labels.action_label(c.command.action)
        if unit:
            return self.tr("Wanted to {action} to {unit} ({time}); refused: {reason}").format(
                action=action, unit=self._unit(unit), time=times.fmt(c.command.issued_at, "minutes"),
                reason=self.model.explanation(c).reason)
        return self.tr("Wanted to {action} ({time}); refused: {reason}").format(
            action=action, time=times.fmt(c.command.issued_at, "minutes"), reason=self.model.explanation(c).reason)

    def ask_note(self, c: Conflict, text: str | None = None) -> None:
        """Ask for the note's text (prefilled with what was wanted), then add it and dismiss the conflict.
        `text` skips the question (tests, scripts)."""
        if text is None:
            text, ok = QInputDialog.getMultiLineText(self, self.tr("Add a note"), self.tr("Note on {case}:").format(
                case=refusals.case_label(c.server_case, c.command)), self.note_suggestion(c))
            if not ok or not text.strip():
                return
        self._issue_then_discard(c, Action.NOTE, {"text": text.strip()}, self.tr("Note added: queued."))

    def _issue_then_discard(self, c: Conflict, action: Action, payload: dict, done: str) -> None:
        self._set_enabled(False)
        actor, now, cache = self.ctx.actor, now_utc(self.ctx), self.ctx.cache

        def issued(_command) -> None:
            run_op(lambda: cache.resolve_conflict(c.id, "discard", actor, now),
                   lambda _r: self._resolved(done), self._failed, write=True, owner=self)

        issue(self.ctx, action, c.case_id, payload, issued, self._failed, owner=self)

    def _open(self, c: Conflict | None) -> None:
        if c is not None:
            self.ctx.select_case(c.case_id)

    def _resolve(self, c: Conflict, resolution: str) -> None:
        cache, actor, now = self.ctx.cache, self.ctx.actor, now_utc(self.ctx)
        offline = working_offline(self.ctx)
        self._set_enabled(False)
        done = self.tr("Applied again: queued.") if resolution == "reapply" else self.tr("Dismissed.")
        run_op(lambda: cache.resolve_conflict(c.id, resolution, actor, now, offline=offline),
               lambda _r: self._resolved(done), self._failed, write=True, owner=self)

    def _set_enabled(self, enabled: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(enabled)

    def _resolved(self, text: str) -> None:
        theme.set_style_property(self.message, "feedback", "ok")
        self.message.setText(text)
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        theme.set_style_property(self.message, "feedback", "error")
        self.message.setText(refusal_text(exc))
        self._selection_changed()
