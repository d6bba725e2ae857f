"""The case queue as one Qt table model over the cache's case summaries.

The model holds the summaries in an `app.case_views.QueueColumns` (numpy columns, one slot per case) and
shows the slots of the current saved view and search, sorted, in `self._rows`. Filtering and sorting
are vectorised (no per-row Python call), so 100,000 rows re-filter and re-sort in tens of milliseconds;
Qt's QSortFilterProxyModel would call back into Python per row and per comparison.

A cache change fetches only the changed ids' summaries (run_op) and patches the rows: dataChanged for a
row that stays where it is, beginRemoveRows/beginInsertRows for rows that leave, arrive or move. The
countdown column alone is refreshed once a second. Only a user's change of view or search with many
rows in and out resets the model (the dock keeps selection and scroll across it).
"""
from __future__ import annotations

import logging
from datetime import datetime
from functools import partial
from enum import IntEnum
from typing import Any, Iterable
from uuid import UUID

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from app import labels, timelimits
from app.cache.models import CaseSummary
from app.case_views import (
    Level,
    QueueColumns,
    View,
    ViewContext,
    countdown,
    in_view,
    query_tokens,
)
from app.enums import TERMINAL_STATUSES, Priority, Stage, Status
from ui import theme
from ui.case_actions import now_utc, ui_language
from ui.case_actions import run_op

log = logging.getLogger(__name__)


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

LEVEL_COLOURS = {  # (text, background) as ui.theme colour names: readable in both themes through a shift
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


RESET_THRESHOLD = 2000  # more rows in or out than this on a user's filter change: reset instead of patching
TEXT_CHUNK = 2000       # cases per background read when indexing description/address text


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


def _load_texts(cache, ids: list[UUID], username: str) -> tuple[dict[UUID, str], set[UUID]]:
    """Free text and "involves me" for cases (worker thread). Uses `cache.case_texts` when the cache
    offers it, else reads the full cases."""
    from app.case_views import case_text, involves

    bulk = getattr(cache, "case_texts", None)
    if callable(bulk):
        return bulk(ids, username)
    texts: dict[UUID, str] = {}
    mine: set[UUID] = set()
    for case_id in ids:
        case = cache.case(case_id)
        if case is None:
            continue
        texts[case_id] = case_text(case)
        if involves(case, username):
            mine.add(case_id)
    return texts, mine


class CaseQueueModel(QAbstractTableModel):
    """Rows = the cases of the current view and search, sorted; data() builds cells from summaries."""

    loaded = Signal()
    counts_changed = Signal()
    urgent_added = Signal(object)  # CaseSummary of a new active urgent case (never for the initial load)

    def __init__(self, ctx: Any, parent: QObject | None = None, *, tick_ms: int = 1000, autoload: bool = True):
        super().__init__(parent)
        self.ctx = ctx
        self.cols = QueueColumns(partial(summary_text, None))  # never a bound method: no cycle via self
        self._rows: list[int] = []
        self._view = View.ALL_ACTIVE
        self._query = ""
        self._tokens: list[str] = []
        self._sort_col = Column.TIME_LEFT
        self._descending = False
        self._involved: set[UUID] = set()
        self._emergency_on = False
        self._limits: dict[tuple, timelimits.Limit | None] = {}
        self._names: dict[tuple, str] = {}
        self._refdata = None
        self.is_loaded = False
        self._pending_ids: set[UUID] = set()
        self._fetching = False
        self._now = now_utc(ctx)
        ctx.signals.cases_changed.connect(self._on_cases_changed)
        self._tick = QTimer(self)
        self._tick.setInterval(tick_ms)
        self._tick.timeout.connect(self.tick)
        self._tick.start()
        if autoload:
            self.reload()

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        """Read every summary again (start-up, reference data change). Resets the model once."""
        cache, refdata = self.ctx.cache, self.refdata()

        def work():  # holds no reference to the model: a QObject must not be freed on a worker thread
            cols = QueueColumns(partial(summary_text, refdata))
            for s in cache.summaries():
                cols.put(s)
            return cols

        run_op(work, self._loaded, lambda exc: log.error("loading the case queue failed", exc_info=exc), owner=self)

    def _loaded(self, cols: QueueColumns) -> None:
        self.beginResetModel()
        self.cols = cols
        self._rows = self._compute_rows()
        self.endResetModel()
        self.is_loaded = True
        self.loaded.emit()
        self.counts_changed.emit()
        if self._pending_ids:
            self._fetch_changes()
        self._index_texts(list(cols.slot_of))

    def _index_texts(self, ids: list[UUID]) -> None:
        """Read description/address text and "my cases" in the background, a chunk at a time."""
        if not ids:
            return
        chunk, rest = ids[:TEXT_CHUNK], ids[TEXT_CHUNK:]
        cache, username = self.ctx.cache, self.ctx.actor.username
        run_op(lambda: _load_texts(cache, chunk, username),
               lambda result: (self._texts_loaded(chunk, *result), self._index_texts(rest)),
               lambda exc: log.error("indexing case text failed", exc_info=exc), owner=self)

    def _texts_loaded(self, ids: list[UUID], texts: dict[UUID, str], mine: set[UUID]) -> None:
        self.cols.set_extra_text(texts)
        self._involved.update(mine)  # only add: a later change may already have been applied from a newer read
        if self._tokens or self._view == View.MINE:
            self._reconcile()
        self.counts_changed.emit()

    def _on_cases_changed(self, change) -> None:
        self._pending_ids |= set(change.added) | set(change.updated) | set(change.removed)
        if self.is_loaded and not self._fetching:
            self._fetch_changes()

    def _fetch_changes(self) -> None:
        """Fetch the changed ids' summaries and text; one fetch in flight, so results apply in order."""
        ids, self._pending_ids = list(self._pending_ids), set()
        self._fetching = True
        cache, username = self.ctx.cache, self.ctx.actor.username

        def work():
            summaries = cache.summaries(ids)
            texts, mine = _load_texts(cache, [s.id for s in summaries], username)
            return summaries, texts, mine

        def done(result):
            summaries, texts, mine = result
            self._fetching = False
            present = {s.id for s in summaries}
            self._involved.difference_update(ids)
            self._involved.update(mine)
            self.cols.set_extra_text(texts)
            self.apply(summaries, [i for i in ids if i not in present])
            if self._pending_ids:
                self._fetch_changes()

        def failed(exc):
            self._fetching = False
            log.error("reading changed cases failed", exc_info=exc)

        run_op(work, done, failed, owner=self)

    # ------------------------------------------------------------------ incremental updates

    def apply(self, summaries: Iterable[CaseSummary], removed: Iterable[UUID] = (), *, notify: bool = True) -> None:
        """Patch rows for changed summaries and removed ids (signals per row, never a reset)."""
        vctx = self.view_context()
        for case_id in removed:
            slot = self.cols.slot_of.get(case_id)
            if slot is None:
                continue
            row = self._find_row(slot)
            if row is not None:
                self._remove_rows([row])
            self.cols.remove(case_id)
        for s in summaries:
            old = self.cols.slot_of.get(s.id)
            row = None if old is None else self._find_row(old)  # located by its old sort key
            slot, added = self.cols.put(s)
            passes = self._passes(slot, vctx)
            if row is not None and passes and self._in_order(row):
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))
                continue
            if row is not None:
                self._remove_rows([row])
            if passes:
                self._insert_slot(slot)
            if added and notify and s.priority == Priority.URGENT and s.status not in TERMINAL_STATUSES:
                self.urgent_added.emit(s)
        self.counts_changed.emit()

    def _find_row(self, slot: int) -> int | None:
        """The row showing `slot`, by binary search on the sort key (rows are always in key order)."""
        pos = self._insert_position(slot)
        return pos if pos < len(self._rows) and self._rows[pos] == slot else None

    def _remove_rows(self, rows: Iterable[int]) -> None:
        """Remove rows, contiguous runs at a time, bottom up."""
        ordered = sorted(set(rows), reverse=True)
        i = 0
        while i < len(ordered):
            last = first = ordered[i]
            while i + 1 < len(ordered) and ordered[i + 1] == first - 1:
                i += 1
                first = ordered[i]
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first:last + 1]
            self.endRemoveRows()
            i += 1

    def _insert_slot(self, slot: int) -> None:
        row = self._insert_position(slot)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, slot)
        self.endInsertRows()

    def _key(self, slot: int):
        return (self.cols.key_of(SORT_KEY[self._sort_col], slot), slot)

    def _before(self, a, b) -> bool:
        return a > b if self._descending else a < b

    def _insert_position(self, slot: int) -> int:
        key, rows = self._key(slot), self._rows
        lo, hi = 0, len(rows)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._before(self._key(rows[mid]), key):
                lo = mid + 1
            else:
                hi = mid
        return lo

    def _in_order(self, row: int) -> bool:
        key = self._key(self._rows[row])
        if row > 0 and not self._before(self._key(self._rows[row - 1]), key):
            return False
        return row + 1 >= len(self._rows) or self._before(key, self._key(self._rows[row + 1]))

    # ------------------------------------------------------------------ view, search, sort

    def view_context(self) -> ViewContext:
        actor = self.ctx.actor
        refdata = self.refdata()
        unit_ids: frozenset[str] = frozenset()
        if actor.role == "unit_handler" and actor.unit_id and refdata is not None:
            unit_ids = frozenset([actor.unit_id, *(getattr(u, "id", u) for u in refdata.descendants(actor.unit_id))])
        elif actor.role == "unit_handler" and actor.unit_id:
            unit_ids = frozenset([actor.unit_id])
        emergency = frozenset(c.code for c in refdata.emergency_categories()) if refdata is not None else frozenset()
        return ViewContext(now=self._now, unit_ids=unit_ids, involved=self._involved,  # type: ignore[arg-type]
                           emergency_codes=emergency)

    def _passes(self, slot: int, vctx: ViewContext) -> bool:
        s = self.cols.summaries[slot]
        if s is None or not in_view(self._view, s, vctx):
            return False
        text = self.cols.row_text(slot)
        return all(t in text for t in self._tokens)

    def _mask(self):
        mask = self.cols.view_mask(self._view, self.view_context())
        text = self.cols.text_mask(self._query)
        return mask if text is None else mask & text

    def _compute_rows(self) -> list[int]:
        return self.cols.ordered(self._mask(), SORT_KEY[self._sort_col], self._descending)

    @property
    def view(self) -> View:
        return self._view

    @property
    def query(self) -> str:
        return self._query

    def set_view(self, view: View) -> None:
        if view != self._view:
            self._view = View(view)
            self._refilter()

    def set_query(self, query: str) -> None:
        if query != self._query:
            self._query = query
            self._tokens = query_tokens(query)
            self._refilter()

    def set_emergency_mode(self, on: bool) -> None:
        self._emergency_on = bool(on)
        if not on and self._view == View.EMERGENCY:
            self.set_view(View.ALL_ACTIVE)
        self.counts_changed.emit()

    @property
    def emergency_mode(self) -> bool:
        return self._emergency_on

    def _refilter(self) -> None:
        new_rows = self._compute_rows()
        old, new = np.zeros(self.cols.size, bool), np.zeros(self.cols.size, bool)
        old[self._rows], new[new_rows] = True, True
        if np.count_nonzero(old ^ new) > RESET_THRESHOLD:
            self.beginResetModel()
            self._rows = new_rows
            self.endResetModel()
        else:
            self._reconcile(new_rows)

    def _reconcile(self, new_rows: list[int] | None = None) -> None:
        """Bring the visible rows to the current filter by removing and inserting only what differs."""
        if new_rows is None:
            new_rows = self._compute_rows()
        wanted = set(new_rows)
        self._remove_rows([r for r, s in enumerate(self._rows) if s not in wanted])
        have = set(self._rows)
        for slot in new_rows:
            if slot not in have:
                self._insert_slot(slot)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        column = Column(column)
        descending = order == Qt.SortOrder.DescendingOrder
        if (column, descending) == (self._sort_col, self._descending) and self.is_loaded:
            return
        self.layoutAboutToBeChanged.emit()  # (an empty parents list crashes PySide 6.12)
        persistent = self.persistentIndexList()
        slots = [self._rows[i.row()] if 0 <= i.row() < len(self._rows) else None for i in persistent]
        self._sort_col, self._descending = column, descending
        current = np.zeros(self.cols.size, bool)
        current[self._rows] = True  # the same rows, in the new order
        self._rows = self.cols.ordered(current, SORT_KEY[column], descending)
        where = {slot: row for row, slot in enumerate(self._rows)}
        self.changePersistentIndexList(persistent, [
            self.index(where[slot], i.column()) if slot is not None and slot in where else QModelIndex()
            for slot, i in zip(slots, persistent)])
        self.layoutChanged.emit()

    @property
    def sort_column(self) -> Column:
        return self._sort_col

    @property
    def sort_descending(self) -> bool:
        return self._descending

    def counts(self, views: Iterable[View]) -> dict[View, int]:
        """Cases per saved view (ignoring the search text)."""
        ctx = self.view_context()
        return {v: int(self.cols.view_mask(v, ctx).sum()) for v in views}

    # ------------------------------------------------------------------ clock

    def tick(self) -> None:
        """Once a second: refresh the countdown column (and the age column once a minute); let a
        time-dependent view (overdue) take in the cases that just fell due."""
        previous, self._now = self._now, now_utc(self.ctx)
        if self._rows:
            last = len(self._rows) - 1
            self.dataChanged.emit(self.index(0, Column.TIME_LEFT), self.index(last, Column.TIME_LEFT),
                                  [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole,
                                   Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole, LevelRole])
            if previous.minute != self._now.minute:
                self.dataChanged.emit(self.index(0, Column.AGE), self.index(last, Column.AGE),
                                      [Qt.ItemDataRole.DisplayRole])
        if self._view == View.OVERDUE and int(previous.timestamp()) // 15 != int(self._now.timestamp()) // 15:
            self._reconcile()
            self.counts_changed.emit()

    def set_now(self, now: datetime) -> None:
        """Fix the clock (tests, replays); the next tick reads the context's clock again."""
        self._now = now

    # ------------------------------------------------------------------ Qt model API

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return {
            Column.NUMBER: self.tr("Number"), Column.PRIORITY: self.tr("Priority"),
            Column.CATEGORY: self.tr("Category"), Column.LOCATION: self.tr("Location"),
            Column.STATUS: self.tr("Status"), Column.UNIT: self.tr("Unit"),
            Column.TIME_LEFT: self.tr("Time left"), Column.SOURCE: self.tr("Source"), Column.AGE: self.tr("Age"),
            Column.PENDING: self.tr("Sync"),
        }.get(Column(section))

    def summary(self, row: int) -> CaseSummary | None:
        if 0 <= row < len(self._rows):
            return self.cols.summaries[self._rows[row]]
        return None

    def case_id(self, row: int) -> UUID | None:
        s = self.summary(row)
        return s.id if s else None

    def row_of(self, case_id: UUID) -> int | None:
        slot = self.cols.slot_of.get(case_id)
        return None if slot is None else self._find_row(slot)

    def ids(self) -> list[UUID]:
        return [self.cols.summaries[s].id for s in self._rows]  # type: ignore[union-attr]

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
            return self._unit_name(s.unit_id)
        if col == Column.TIME_LEFT:
            return self.countdown_text(s)
        if col == Column.SOURCE:
            return labels.source_label(s.source)
        if col == Column.AGE:
            return format_duration((self._now - s.created_at).total_seconds())
        if col == Column.PENDING:
            return self.tr("queued") if s.pending else ""
        return ""

    def _tooltip(self, s: CaseSummary, col: int) -> str | None:
        if col == Column.TIME_LEFT and s.due_at is not None:
            limit = self._limit(s)
            mode = self.tr("working time") if limit is not None and limit.working else self.tr("calendar time")
            return self.tr("Stage: {stage}\nDue: {due} ({mode})").format(
                stage=labels.stage_label(s.stage), due=s.due_at.astimezone().strftime("%Y-%m-%d %H:%M"), mode=mode)
        if col == Column.LOCATION:
            return f"{s.grid_code or '-'}\n{s.lat:.6f}, {s.lon:.6f}"
        if col == Column.UNIT:
            return s.unit_id
        if col == Column.PENDING and s.pending:
            return self.tr("Commands issued on this console are waiting to reach the server")
        if col == Column.AGE:
            return s.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        return None

    # ------------------------------------------------------------------ countdown

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
            return self.tr("paused")
        if c.level == Level.OVERDUE:
            over = (self._now - s.due_at).total_seconds() if s.due_at else 0  # calendar time past due
            return self.tr("overdue {time}").format(time=format_duration(over))
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

    def refresh_names(self) -> None:
        """Language or reference data changed: forget cached names and limits, rebuild search text."""
        self._refdata = None
        self._names.clear()
        self._limits.clear()
        self.cols.rebuild_text(partial(summary_text, self.refdata()))
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(Column) - 1))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(Column) - 1)

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
