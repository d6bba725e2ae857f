"""The case queue as one Qt table model over the cache's case summaries.

The model holds the summaries in an `app.cases.queue_columns.QueueColumns` (numpy columns, one slot per
case) and shows the slots of the current saved view and search, sorted, in `self._rows`. Filtering and sorting
are vectorised (no per-row Python call), so 100,000 rows re-filter and re-sort in tens of milliseconds;
Qt's QSortFilterProxyModel would call back into Python per row and per comparison.

A cache change fetches only the changed ids' summaries and text on a reader thread (run_op), as column
arrays, and patches the rows. A few changes: dataChanged for a row that stays where it is,
beginRemoveRows/beginInsertRows for rows that leave, arrive or move. A sync page of many: the columns
take it in one vectorised assignment, one sort gives the new order, and the view gets at most a layout
change, one block of rows removed and one inserted at the end, and another layout change (persistent
indexes follow their case; the dock keeps its scroll anchor), so 1,000 changes cost a few milliseconds
of GUI time instead of a signal pair per row. The countdown column alone is refreshed once a second.
Only a user's change of view or search with many rows in and out resets the model (the dock keeps
selection and scroll across it).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Iterable
from uuid import UUID

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from app.cache.models import CaseTexts
from app.cases.countdown import Level, countdown
from app.cases.queue_columns import QueueColumns, load_columns
from app.cases.queue_order import merged_order
from app.cases.queue_rows import ACTIVE_BY_STATUS as _ACTIVE
from app.cases.queue_rows import PRIORITY_ORDER, RowBatch
from app.cases.saved_views import View, ViewContext
from app.cases.search import fold_texts, query_tokens
from app.cases.summary import CaseSummary
from app.platform import labels, times
from app.platform.enums import Priority, Stage, Status
from app.platform.scope import visible_units
from app.refdata import timelimits
from ui.cases.issuing import now_utc, ui_language
from ui.cases.task_dialogs import task_state_label
from ui.shell import theme
from ui.shell.ops import run_op

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

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


RESET_THRESHOLD = 2000  # more rows in or out than this on a user's filter change: reset instead of patching
TEXT_CHUNK = 5000       # cases per background read when indexing description/address text
SMALL_BATCH = 24        # changes up to this many are patched row by row; more take the batched path


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


def _load_texts(cache, ids: list, username: str) -> CaseTexts:
    """Free text, "involves me" and co-handling units for cases (worker thread). Uses `cache.case_texts`
    when the cache offers it, else reads the full cases."""
    from app.cases.saved_views import involves
    from app.cases.search import case_text

    bulk = getattr(cache, "case_texts", None)
    if callable(bulk):
        return bulk(ids, username)
    result = CaseTexts({}, set(), {})
    for case_id in ids:
        case = cache.case(UUID(str(case_id)))
        if case is None:
            continue
        result.texts[case.id] = case_text(case)
        if involves(case, username):
            result.mine.add(case.id)
        if case.co_tasks:
            result.co_units[case.id] = tuple((t.unit_id, t.status) for t in case.co_tasks)
    return result


@dataclass
class TextChunk:
    """Free text read for some cases, folded for searching (worker thread): ids as S36 keys."""

    keys: np.ndarray
    folded: list[bytes]
    mine: np.ndarray
    asked: np.ndarray  # every id asked for: "involves me" and co-units are cleared for those not found
    co_units: dict[bytes, tuple[tuple[str, str], ...]] = field(default_factory=dict)


def _read_texts(cache, keys: np.ndarray, username: str) -> TextChunk:
    texts, mine, co_units = _load_texts(cache, [k.decode() for k in keys], username)
    ids = list(texts)
    return TextChunk(np.array([str(i) for i in ids], "S36"), fold_texts(texts[i] for i in ids),
                     np.array([str(i) for i in mine], "S36"), keys,
                     {str(i).encode(): units for i, units in co_units.items()})


def _read_batch(cache, ids: list[UUID]) -> RowBatch:
    """The current summaries of `ids` as column arrays (worker thread); absent ids are not in it."""
    rows = getattr(cache, "summary_rows", None)
    if callable(rows):
        return RowBatch.from_rows([r for chunk in rows(ids) for r in chunk])
    return RowBatch.from_summaries(cache.summaries(ids))


class CaseQueueModel(QAbstractTableModel):
    """Rows = the cases of the current view and search, sorted; data() builds cells from summaries."""

    loaded = Signal()
    texts_indexed = Signal()        # every case's free text is in the search index (after `loaded`)
    counts_changed = Signal()
    urgent_added = Signal(object)   # CaseSummary of a new active urgent case (never for the initial load)
    batch_started = Signal()        # a sync batch's rows are about to move (the dock keeps its scroll anchor)
    batch_finished = Signal()
    columns_changed = Signal(object, object)  # (slots put, slots removed) after a batch reached `cols`

    def __init__(self, ctx: ConsoleContext, parent: QObject | None = None, *, tick_ms: int = 1000, autoload: bool = True):
        super().__init__(parent)
        self.ctx = ctx
        self.cols = QueueColumns()
        self._rows: list[int] = []
        self._view = View.ALL_ACTIVE
        self._query = ""
        self._tokens: list[str] = []
        self._tmask: np.ndarray | None = None  # the search's hits per slot (None without a search)
        self._sort_col = Column.TIME_LEFT
        self._descending = False
        self._emergency_on = False
        self._vctx_for: Any = False  # the reference data view_context's parts were made from
        self._vctx_parts: tuple = (frozenset(), frozenset())
        self._limits: dict[tuple, timelimits.Limit | None] = {}
        self._names: dict[tuple, str] = {}
        self._refdata = None
        self.is_loaded = False
        self.is_indexed = False
        self.in_batch = False
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
        prefetch = getattr(self.ctx, "queue_prefetch", None)  # the read started at login: used once
        if prefetch is not None:
            self.ctx.queue_prefetch = None

        def work():  # holds no reference to the model: a QObject must not be freed on a worker thread
            early = prefetch.result() if prefetch is not None else None
            return early if early is not None else load_columns(cache, refdata)

        run_op(work, self._loaded, lambda exc: log.error("loading the case queue failed", exc_info=exc), owner=self)

    def _loaded(self, cols: QueueColumns) -> None:
        self.beginResetModel()
        self.cols = cols
        self._tmask = cols.text_mask(self._query) if self._tokens else None
        self._rows = self._compute_rows()
        self.endResetModel()
        self.is_loaded = True
        self.loaded.emit()
        self.counts_changed.emit()
        if self._pending_ids:
            self._fetch_changes()
        self.is_indexed = False
        self._index_texts(cols.ids[np.flatnonzero(cols.alive[:cols.size])])

    def _index_texts(self, keys: np.ndarray) -> None:
        """Read description/address text and "my cases" in the background, a chunk at a time."""
        if not len(keys):
            self.is_indexed = True
            self.texts_indexed.emit()
            return
        chunk, rest = keys[:TEXT_CHUNK].copy(), keys[TEXT_CHUNK:]
        cache, username = self.ctx.cache, self.ctx.actor.username
        run_op(lambda: _read_texts(cache, chunk, username),
               lambda result: (self._texts_loaded(result), self._index_texts(rest)),
               lambda exc: log.error("indexing case text failed", exc_info=exc), owner=self)

    def _texts_loaded(self, chunk: TextChunk) -> None:
        cols = self.cols
        slots = cols.slot_of.find_many(chunk.keys)
        cols.set_folded_text(slots.tolist(), chunk.folded)
        # only add: a later change may already have been applied from a newer read
        cols.set_involved(cols.slot_of.find_many(chunk.mine))
        self._take_co_units(chunk, only_add=True)
        if self._tokens or self._view == View.MINE:
            if self._tokens:
                live = slots[slots >= 0]
                self._tmask_for(live)
            self._reconcile()
        self.counts_changed.emit()

    def _on_cases_changed(self, change) -> None:
        self._pending_ids |= set(change.added) | set(change.updated) | set(change.removed)
        if self.is_loaded and not self._fetching:
            self._fetch_changes()

    def _fetch_changes(self) -> None:
        """Fetch the changed ids' summaries and text; one fetch in flight, so results apply in order.
        Everything but the final model update runs on the reader thread."""
        ids, self._pending_ids = list(self._pending_ids), set()
        self._fetching = True
        cache, username = self.ctx.cache, self.ctx.actor.username

        def work():
            batch = _read_batch(cache, ids)
            present = set(batch.ids.tolist())
            removed = [i for i in ids if str(i).encode() not in present]
            return batch, removed, _read_texts(cache, batch.ids, username)

        def done(result):
            batch, removed, texts = result
            self._fetching = False
            self._apply_batch(batch, removed, texts)
            if self._pending_ids:
                self._fetch_changes()

        def failed(exc):
            self._fetching = False
            log.error("reading changed cases failed", exc_info=exc)

        run_op(work, done, failed, owner=self)

    # ------------------------------------------------------------------ incremental updates

    def apply(self, summaries: Iterable[CaseSummary], removed: Iterable[UUID] = (), *, notify: bool = True) -> None:
        """Patch rows for changed summaries and removed ids (never a reset)."""
        self._apply_batch(RowBatch.from_summaries(list(summaries)), list(removed), None, notify=notify)

    def _apply_batch(self, batch: RowBatch, removed: list[UUID], texts: TextChunk | None, *,
                     notify: bool = True) -> None:
        """A few changes: row signals per case, as they happen. Many (a sync page): the columns take the
        whole batch at once, the new row order comes from one vectorised sort, and the view gets one
        layout change plus one block removed and one inserted at the end (never a reset)."""
        if len(batch) + len(removed) <= SMALL_BATCH:
            slots, gone = self._apply_small(batch, removed, texts, notify)
        else:
            slots, gone = self._apply_large(batch, removed, texts, notify)
        self.counts_changed.emit()
        self.columns_changed.emit(np.asarray(slots, np.int64), np.asarray(gone, np.int64))

    def _take_texts(self, texts: TextChunk | None) -> None:
        if texts is None:
            return
        cols = self.cols
        cols.set_involved(cols.slot_of.find_many(texts.asked), False)
        cols.set_involved(cols.slot_of.find_many(texts.mine), True)
        cols.set_folded_text(cols.slot_of.find_many(texts.keys).tolist(), texts.folded)
        self._take_co_units(texts)

    def _take_co_units(self, chunk: TextChunk, only_add: bool = False) -> None:
        """Joint cases' co-handling units: the unit cell redraws, the map's markers follow (a few slots)."""
        cols = self.cols
        keys = list(chunk.co_units) if only_add else chunk.asked.tolist()
        if not keys:
            return
        slots = cols.slot_of.find_many(np.array(keys, "S36"))
        changed = cols.set_co_units(slots, [chunk.co_units.get(k, ()) for k in keys])
        if not changed:
            return
        for slot in changed:
            row = self._find_row(slot)
            if row is not None:
                cell = self.index(row, Column.UNIT)
                self.dataChanged.emit(cell, cell)
        if only_add:  # outside a batch apply, which emits columns_changed itself
            self.columns_changed.emit(np.asarray(changed, np.int64), np.zeros(0, np.int64))

    def _notify_urgent(self, slots: np.ndarray, added: np.ndarray, notify: bool) -> None:
        if not notify or not added.any():
            return
        cols = self.cols
        new = slots[added]
        urgent = new[(cols.priority[new] == PRIORITY_ORDER[Priority.URGENT]) & _ACTIVE[cols.status[new]]]
        for slot in urgent.tolist():
            self.urgent_added.emit(cols.summaries[slot])

    def _apply_small(self, batch: RowBatch, removed: list[UUID], texts: TextChunk | None,
                     notify: bool) -> tuple[list[int], list[int]]:
        cols = self.cols
        put: list[int] = []
        gone: list[int] = []
        for case_id in removed:
            slot = cols.slot_of.get(case_id)
            if slot is None:
                continue
            row = self._find_row(slot)
            if row is not None:
                self._remove_rows([row])
            cols.remove(case_id)
            gone.append(slot)
        folded = dict(zip(texts.keys.tolist(), texts.folded)) if texts is not None else {}
        mine = set(texts.mine.tolist()) if texts is not None else set()
        for k in range(len(batch)):
            one = batch.take([k])
            key = bytes(one.ids[0])
            old = cols.slot_of.find(key)
            row = None if old is None else self._find_row(old)  # located by its old sort key
            slots, added = cols.put_batch(one)
            slot = int(slots[0])
            put.append(slot)
            if texts is not None:
                cols.involved[slot] = key in mine
                cols.set_co_units([slot], [texts.co_units.get(key, ())])
                if key in folded:
                    cols.set_folded_text([slot], [folded[key]])
            self._tmask_for(slots)
            passes = bool(self._passes(slots)[0])
            if row is not None and passes and self._in_order(row):
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))
            else:
                if row is not None:
                    self._remove_rows([row])
                if passes:
                    self._insert_slot(slot)
            self._notify_urgent(slots, added, notify)
        return put, gone

    def _apply_large(self, batch: RowBatch, removed: list[UUID], texts: TextChunk | None,
                     notify: bool) -> tuple[np.ndarray, list[int]]:
        cols = self.cols
        old = np.asarray(self._rows, np.int64)
        slots, added = cols.put_batch(batch)  # before the removals: no freed slot is reused in this batch
        self._take_texts(texts)
        gone = [s for s in (cols.remove(i) for i in removed) if s is not None]
        self._tmask_for(slots, gone)
        mask, key = self._mask(), SORT_KEY[self._sort_col]
        new = merged_order(cols.sort_keys(key), old, mask, np.concatenate([np.asarray(slots, np.int64),
                                                                           np.asarray(gone, np.int64)]),
                           self._descending)
        if new is None:
            new = cols.ordered_array(mask, key, self._descending)
        size = cols.size
        in_new = np.zeros(size, bool)
        in_new[new] = True
        in_old = np.zeros(size, bool)
        in_old[old] = True
        leaving = old[~in_new[old]]
        arriving = ~in_old[new]
        kept = new[~arriving]  # the rows that stay, in their new order
        self.in_batch = True
        self.batch_started.emit()
        try:
            first = np.concatenate([kept, leaving])
            if not np.array_equal(first, old):
                self._relayout(first)
            if len(leaving):
                self.beginRemoveRows(QModelIndex(), len(kept), len(first) - 1)
                del self._rows[len(kept):]
                self.endRemoveRows()
            if arriving.any():
                self.beginInsertRows(QModelIndex(), len(kept), len(new) - 1)
                self._rows.extend(new[arriving].tolist())
                self.endInsertRows()
            if not np.array_equal(np.asarray(self._rows, np.int64), new):
                self._relayout(new)
            where = np.full(size, -1, np.int64)
            where[new] = np.arange(len(new))
            changed = where[slots]
            changed = changed[changed >= 0]
            if len(changed):  # one range over the changed rows that stayed or arrived
                self.dataChanged.emit(self.index(int(changed.min()), 0),
                                      self.index(int(changed.max()), len(Column) - 1))
        finally:
            self.in_batch = False
            self.batch_finished.emit()
        self._notify_urgent(slots, added, notify)
        return slots, gone

    def _relayout(self, order: np.ndarray) -> None:
        """Put the rows in `order` (the same slots, another order) as one layout change; persistent
        indexes (the selection, the current row) follow their case."""
        self.layoutAboutToBeChanged.emit()  # (an empty parents list crashes PySide 6.12)
        persistent = self.persistentIndexList()
        rows = self._rows
        slots = [rows[i.row()] if 0 <= i.row() < len(rows) else -1 for i in persistent]
        where = np.full(self.cols.size, -1, np.int64)
        where[order] = np.arange(len(order))
        self._rows = order.tolist()
        self.changePersistentIndexList(persistent, [
            self.index(int(where[slot]), i.column()) if slot >= 0 and where[slot] >= 0 else QModelIndex()
            for slot, i in zip(slots, persistent)])
        self.layoutChanged.emit()

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
        """"My cases" come from the columns' `involved` column, so the context names no ids."""
        refdata = self.refdata()
        if self._vctx_for is not refdata:
            actor = self.ctx.actor
            unit_ids: frozenset[str] = frozenset()
            if actor.role == "unit_handler" and actor.unit_id and refdata is not None:
                unit_ids = visible_units(actor.role, actor.unit_id, refdata) or frozenset()  # the one scope rule
            elif actor.role == "unit_handler" and actor.unit_id:
                unit_ids = frozenset([actor.unit_id])
            emergency = (frozenset(c.code for c in refdata.emergency_categories()) if refdata is not None
                         else frozenset())
            self._vctx_parts, self._vctx_for = (unit_ids, emergency), refdata
        unit_ids, emergency = self._vctx_parts
        return ViewContext(now=self._now, unit_ids=unit_ids, emergency_codes=emergency)

    def _tmask_for(self, slots: np.ndarray, gone: Iterable[int] = ()) -> None:
        """Bring the search hits of these slots up to date (their text or summary changed)."""
        if not self._tokens:
            return
        cols = self.cols
        if self._tmask is None or len(self._tmask) < cols.size:
            grown = np.zeros(cols.size, bool)
            if self._tmask is not None:
                grown[:len(self._tmask)] = self._tmask
            self._tmask = grown
        slots = np.asarray(slots, np.int64)
        if len(slots):
            self._tmask[slots] = cols.text_matches(self._tokens, slots)
        gone = list(gone)
        if gone:
            self._tmask[gone] = False

    def _passes(self, slots: np.ndarray) -> np.ndarray:
        """Whether each slot belongs to the current view and search."""
        passes = self.cols.view_mask(self._view, self.view_context(), slots)
        if self._tokens:
            passes &= self._tmask[np.asarray(slots, np.int64)]
        return passes

    def _mask(self):
        mask = self.cols.view_mask(self._view, self.view_context())
        if not self._tokens:
            return mask
        self._tmask_for(np.zeros(0, np.int64))  # sized to the columns
        return mask & self._tmask[:len(mask)]

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
            self._tmask = self.cols.text_mask(query) if self._tokens else None
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
        order = self.cols.ordered_array(current, SORT_KEY[column], descending)
        self._rows = order.tolist()
        where = np.full(self.cols.size, -1, np.int64)
        where[order] = np.arange(len(order))
        self.changePersistentIndexList(persistent, [
            self.index(int(where[slot]), i.column()) if slot is not None and where[slot] >= 0 else QModelIndex()
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
        return {v: int(np.count_nonzero(self.cols.view_mask(v, ctx))) for v in views}

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
        if 0 <= row < len(self._rows):
            return UUID(self.cols.ids[self._rows[row]].decode())
        return None

    def row_of(self, case_id: UUID) -> int | None:
        slot = self.cols.slot_of.get(case_id)
        return None if slot is None else self._find_row(slot)

    def ids(self) -> list[UUID]:
        return [UUID(k.decode()) for k in self.cols.ids[self._rows]] if self._rows else []

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
            return self.tr("{unit} +{n} co-handling").format(unit=name, n=len(co)) if co else name
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
                stage=labels.stage_label(s.stage), due=times.fmt(s.due_at), mode=mode)
        if col == Column.LOCATION:
            return f"{s.grid_code or '-'}\n{s.lat:.6f}, {s.lon:.6f}"
        if col == Column.UNIT:
            co = self._co_units(s)
            if not co:
                return s.unit_id
            lines = [self.tr("Lead unit: {unit}").format(unit=self._unit_name(s.unit_id))]
            lines += [self.tr("Co-handling: {unit} ({state})").format(unit=self._unit_name(unit),
                                                                     state=task_state_label(state))
                      for unit, state in co]
            return "\n".join(lines)
        if col == Column.PENDING and s.pending:
            return self.tr("Commands issued on this console are waiting to reach the server")
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
        self._vctx_for = False
        self.cols.rebuild_text(names=self.refdata())
        if self._tokens:
            self._tmask = self.cols.text_mask(self._query)
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
