"""How the case queue's rows look: the columns, each cell's text, colours, tooltip and countdown, and the
reference-data names behind them (`QueueCells`, mixed into `ui.cases.queue_model.CaseQueueModel`).

A cell is built when the view asks for it, from the slot's `CaseSummary` (`QueueColumns.summaries`, rebuilt on
demand for the rows on screen), so the model holds no Python object per case. Names and time limits are
looked up once per (kind, code, language) and kept. The texts keep the `CaseQueueModel` translation
context, so the catalogue is the same whichever module builds them.
"""
from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from app.cases.countdown import Level, countdown
from app.cases.summary import CaseSummary
from app.platform import labels, times
from app.platform.enums import Priority, Stage, Status
from app.refdata import timelimits
from ui.cases.issuing import ui_language
from ui.cases.task_dialogs import task_state_label
from ui.shell import theme


class Column(IntEnum):
    NUMBER = 0
    PRIORITY = 1
    CATEGORY = 2
    LOCATION = 3
    STATUS = 4
    UNIT = 5
    TIME_LEFT = 6
    SOURCE = 7
    AGE = 8
    PENDING = 9


SORT_KEY = {Column.NUMBER: "number", Column.PRIORITY: "priority", Column.CATEGORY: "category",
            Column.LOCATION: "grid", Column.STATUS: "status", Column.UNIT: "unit", Column.TIME_LEFT: "due",
            Column.SOURCE: "source", Column.AGE: "age", Column.PENDING: "pending"}

CaseIdRole = Qt.ItemDataRole.UserRole + 1
SummaryRole = Qt.ItemDataRole.UserRole + 2
LevelRole = Qt.ItemDataRole.UserRole + 3

LEVEL_COLOURS = {  # (text, background) as ui.shell.theme colour names: readable in both themes through a shift
    Level.GREEN: ("ok_text", "ok_bg"),
    Level.AMBER: ("warn_text", "warn_bg"),
    Level.RED: ("danger_text", "danger_bg"),
    Level.OVERDUE: ("alert_text", "alert_bg"),
    Level.PAUSED: ("paused_text", "paused_bg"),
}


def level_colours(level) -> tuple[str, str] | None:
    """(text, background) colours of a countdown level in the current theme, or None."""
    names = LEVEL_COLOURS.get(level)
    if names is None:
        return None
    c = theme.colors()
    return c[names[0]], c[names[1]]



def format_duration(seconds: float) -> str:
    """'3d 4h', '2h 05m', '12m 30s' (absolute value; callers add the overdue wording)."""
    seconds = int(abs(seconds))
    days, rem = divmod(seconds, 86400)
    hours, rem = divmod(rem, 3600)
    minutes, secs = divmod(rem, 60)
    if days:
        return QCoreApplication.translate("Duration", "{d}d {h}h").format(d=days, h=hours)
    if hours:
        return QCoreApplication.translate("Duration", "{h}h {m:02d}m").format(h=hours, m=minutes)
    return QCoreApplication.translate("Duration", "{m}m {s:02d}s").format(m=minutes, s=secs)


class QueueCells:
    """The cells of `CaseQueueModel` (a mixin: it reads the model's `cols`, `_rows`, `_now`, `ctx`)."""

    def _init_cells(self) -> None:
        self._limits: dict[tuple, timelimits.Limit | None] = {}
        self._names: dict[tuple, str] = {}
        self._refdata = None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return {
            Column.NUMBER: QCoreApplication.translate("CaseQueueModel", "Number"),
            Column.PRIORITY: QCoreApplication.translate("CaseQueueModel", "Priority"),
            Column.CATEGORY: QCoreApplication.translate("CaseQueueModel", "Category"),
            Column.LOCATION: QCoreApplication.translate("CaseQueueModel", "Location"),
            Column.STATUS: QCoreApplication.translate("CaseQueueModel", "Status"),
            Column.UNIT: QCoreApplication.translate("CaseQueueModel", "Unit"),
            Column.TIME_LEFT: QCoreApplication.translate("CaseQueueModel", "Time left"),
            Column.SOURCE: QCoreApplication.translate("CaseQueueModel", "Source"),
            Column.AGE: QCoreApplication.translate("CaseQueueModel", "Age"),
            Column.PENDING: QCoreApplication.translate("CaseQueueModel", "Sync"),
        }.get(Column(section))

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        s = self.cols.summaries[self._rows[index.row()]]
        if s is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(s, col)
        if role == CaseIdRole:
            return s.id
        if role == SummaryRole:
            return s
        if col == Column.TIME_LEFT:
            if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole, LevelRole):
                level = self.countdown(s).level
                if role == LevelRole:
                    return level
                colours = level_colours(level)
                if colours is None:
                    return None
                return QBrush(QColor(colours[0 if role == Qt.ItemDataRole.ForegroundRole else 1]))
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(s, col)
        if role == Qt.ItemDataRole.FontRole and col == Column.PRIORITY and s.priority == Priority.URGENT:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and col == Column.PRIORITY and s.priority == Priority.URGENT:
            return QBrush(theme.color("danger_text"))
        return None

    def _display(self, s: CaseSummary, col: int) -> str:
        if col == Column.NUMBER:
            return s.display_number
        if col == Column.PRIORITY:
            return labels.priority_label(s.priority)
        if col == Column.CATEGORY:
            return f"{s.category_code} {self._category_name(s.category_code)}"
        if col == Column.LOCATION:
            return self._grid_name(s.grid_code) or f"{s.lat:.5f}, {s.lon:.5f}"
        if col == Column.STATUS:
            text = labels.status_label(s.status)
            return f"{text} ↑{s.escalation_level}" if s.escalation_level else text
        if col == Column.UNIT:
            co = self._co_units(s)
            name = self._unit_name(s.unit_id)
            # the lead unit (主办) first; the co-handling units (协办) counted beside it
            if not co:
                return name
            return QCoreApplication.translate("CaseQueueModel", "{unit} +{n} co-handling").format(unit=name, n=len(co))
        if col == Column.TIME_LEFT:
            return self.countdown_text(s)
        if col == Column.SOURCE:
            return labels.source_label(s.source)
        if col == Column.AGE:
            return format_duration((self._now - s.created_at).total_seconds())
        if col == Column.PENDING:
            return QCoreApplication.translate("CaseQueueModel", "queued") if s.pending else ""
        return ""

    def _tooltip(self, s: CaseSummary, col: int) -> str | None:
        if col == Column.TIME_LEFT and s.due_at is not None:
            limit = self._limit(s)
            if limit is not None and limit.working:
                mode = QCoreApplication.translate("CaseQueueModel", "working time")
            else:
                mode = QCoreApplication.translate("CaseQueueModel", "calendar time")
            return QCoreApplication.translate("CaseQueueModel", "Stage: {stage}\nDue: {due} ({mode})").format(
                stage=labels.stage_label(s.stage), due=times.fmt(s.due_at), mode=mode)
        if col == Column.LOCATION:
            return f"{s.grid_code or '-'}\n{s.lat:.6f}, {s.lon:.6f}"
        if col == Column.UNIT:
            co = self._co_units(s)
            if not co:
                return s.unit_id
            lead = QCoreApplication.translate("CaseQueueModel", "Lead unit: {unit}")
            co_line = QCoreApplication.translate("CaseQueueModel", "Co-handling: {unit} ({state})")
            lines = [lead.format(unit=self._unit_name(s.unit_id))]
            lines += [co_line.format(unit=self._unit_name(unit), state=task_state_label(state)) for unit, state in co]
            return "\n".join(lines)
        if col == Column.PENDING and s.pending:
            return QCoreApplication.translate("CaseQueueModel",
                                              "Commands issued on this console are waiting to reach the server")
        if col == Column.AGE:
            return times.fmt(s.created_at, "seconds")
        return None

    # ------------------------------------------------------------------ countdown

    def _co_units(self, s: CaseSummary) -> tuple[tuple[str, str], ...]:
        slot = self.cols.slot_of.get(s.id)
        return () if slot is None else self.cols.co_units.get(slot, ())

    def countdown(self, s: CaseSummary):
        limit = self._limit(s)
        left = None
        if limit is not None and limit.working and s.due_at is not None and s.status != Status.SUSPENDED:
            refdata = self.refdata()
            left = timelimits.remaining(self._now, s.due_at, True, refdata.policy.calendar)
        total = limit.duration.total_seconds() if limit is not None else None
        return countdown(s.due_at, self._now, total_seconds=total, left=left,
                         paused=s.status == Status.SUSPENDED)

    def countdown_text(self, s: CaseSummary) -> str:
        c = self.countdown(s)
        if c.seconds_left is None:
            return ""
        if c.level == Level.PAUSED:
            return QCoreApplication.translate("CaseQueueModel", "paused")
        if c.level == Level.OVERDUE:
            over = (self._now - s.due_at).total_seconds() if s.due_at else 0  # calendar time past due
            return QCoreApplication.translate("CaseQueueModel", "overdue {time}").format(time=format_duration(over))
        return format_duration(c.seconds_left)

    def _limit(self, s: CaseSummary) -> timelimits.Limit | None:
        key = (s.stage, s.category_code, s.priority)
        if key not in self._limits:
            refdata = self.refdata()
            if refdata is None:  # no reference data yet: no colour scale, and nothing to remember
                return None
            limit = None
            if refdata is not None and s.stage is not None:
                try:
                    limit = (refdata.handle_limit(s.category_code, s.priority) if s.stage == Stage.HANDLE
                             else refdata.policy.stage_limit(str(s.stage)))
                except Exception:  # unknown category in old data: no colour scale, plain countdown
                    limit = None
            self._limits[key] = limit
        return self._limits[key]

    # ------------------------------------------------------------------ names

    def refdata(self):
        if self._refdata is None:
            self._refdata = self.ctx.cache.refdata()
        return self._refdata

    def _name(self, kind: str, key: str | None) -> str:
        if not key:
            return ""
        lang = ui_language(self.ctx)
        cached = self._names.get((kind, key, lang))
        if cached is not None:
            return cached
        refdata = self.refdata()
        if refdata is None:
            return key if kind == "unit" else ""
        try:
            name = labels.localized_name(getattr(refdata, kind)(key), lang)
        except Exception:
            name = ""
        if kind == "unit" and not name:
            name = key
        self._names[(kind, key, lang)] = name
        return name

    def _category_name(self, code: str) -> str:
        return self._name("category", code)

    def _unit_name(self, unit_id: str | None) -> str:
        return self._name("unit", unit_id)

    def _grid_name(self, code: str | None) -> str:
        return self._name("grid", code)


def summary_text(refdata, s: CaseSummary) -> str:
    """Search text from a summary: numbers, grid code and names, category code and both names."""
    parts = [s.display_number, s.provisional_number or "", s.grid_code or "", s.category_code]
    if refdata is not None:
        for kind, key in (("category", s.category_code), ("grid", s.grid_code)):
            if key:
                try:
                    item = getattr(refdata, kind)(key)
                    parts += [item.name, item.name_en]
                except Exception:
                    pass
    return "\x1f".join(parts)
