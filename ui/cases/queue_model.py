"""The case queue as one Qt table model over the cache's case summaries.

The model holds the summaries in an `app.cases.queue_columns.QueueColumns` (numpy columns, one slot per
case) and shows the slots of the current saved view and search, sorted, in `self._rows` (a numpy array of
slots). Filtering and sorting are vectorised (no per-row Python call), so 100,000 rows re-filter and
re-sort in tens of milliseconds; Qt's QSortFilterProxyModel would call back into Python per row and per
comparison. How a cell looks is `ui.cases.queue_cells`; how rows follow a change is `ui.cases.queue_patch`;
what is read off the GUI thread is `ui.cases.queue_reads`.

A cache change fetches only the changed ids' summaries and text on a reader thread (run_op), as column
arrays, each id once, and patches the rows (`QueuePatching`). The countdown column alone is refreshed
once a second. Only a user's change of view or search with many rows in and out resets the model (the
dock keeps selection and scroll across it). The views' counts are kept and moved by each batch's own
rows, so a sync batch does not count 100,000 rows per view again.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any, Iterable
from uuid import UUID

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, QTimer, Signal

from app.cases.queue_columns import QueueColumns, load_columns
from app.cases.queue_counts import Share, ViewCounts
from app.cases.queue_rows import RowBatch
from app.cases.saved_views import View, ViewContext
from app.cases.search import query_tokens
from app.cases.summary import CaseSummary
from app.platform.scope import visible_units
from ui.cases.issuing import now_utc
from ui.cases.queue_cells import (  # noqa: F401 - the model's public names, imported from here
    LEVEL_COLOURS,
    SORT_KEY,
    CaseIdRole,
    Column,
    LevelRole,
    QueueCells,
    SummaryRole,
    format_duration,
    level_colours,
    summary_text,
)
from ui.cases.queue_patch import SMALL_BATCH, QueuePatching  # noqa: F401
from ui.cases.queue_reads import ChangeRead, TextChunk, read_changes, read_texts
from ui.shell.ops import run_op

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)

RESET_THRESHOLD = 2000  # more rows in or out than this on a user's filter change: reset instead of patching
TEXT_CHUNK = 5000       # cases per background read when indexing description/address text
NO_ROWS = np.zeros(0, np.int64)


class CaseQueueModel(QueueCells, QueuePatching, QAbstractTableModel):
    """Rows = the cases of the current view and search, sorted; data() builds cells from summaries."""

    loaded = Signal()
    texts_indexed = Signal()        # every case's free text is in the search index (after `loaded`)
    counts_changed = Signal()
    urgent_added = Signal(object)   # CaseSummary of a new active urgent case (never for the initial load)
    batch_started = Signal()        # a sync batch's rows are about to move (the dock keeps its scroll anchor)
    batch_finished = Signal()
    columns_changed = Signal(object, object)  # (slots put, slots removed) after a batch reached `cols`

    def __init__(self, ctx: ConsoleContext, parent: QObject | None = None, *, tick_ms: int = 1000,
                 autoload: bool = True):
        super().__init__(parent)
        self.ctx = ctx
        self.cols = QueueColumns()
        self._rows: np.ndarray = NO_ROWS
        self._view = View.ALL_ACTIVE
        self._query = ""
        self._tokens: list[str] = []
        self._tmask: np.ndarray | None = None  # the search's hits per slot (None without a search)
        self._sort_col = Column.TIME_LEFT
        self._descending = False
        self._emergency_on = False
        self._vctx_for: Any = False  # the reference data view_context's parts were made from
        self._vctx_parts: tuple = (frozenset(), frozenset())
        self._counts = ViewCounts()  # cases per view, kept between batches
        self._init_cells()
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
        self._forget_counts()
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
        run_op(lambda: read_texts(cache, chunk, username),
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
        self._forget_counts()  # "my cases" and co-handling units changed
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
        cache, username, cols = self.ctx.cache, self.ctx.actor.username, self.cols

        def done(read: ChangeRead) -> None:
            self._fetching = False
            self._apply_batch(read.batch, read.removed, read.texts, unique=True, prep=read.prep, found=read.found)
            if self._pending_ids:
                self._fetch_changes()

        def failed(exc):
            self._fetching = False
            log.error("reading changed cases failed", exc_info=exc)

        run_op(lambda: read_changes(cache, ids, username, cols), done, failed, owner=self)

    def apply(self, summaries: Iterable[CaseSummary], removed: Iterable[UUID] = (), *, notify: bool = True) -> None:
        """Patch rows for changed summaries and removed ids (never a reset)."""
        self._apply_batch(RowBatch.from_summaries(list(summaries)), list(removed), None, notify=notify)

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

    def _compute_rows(self) -> np.ndarray:
        return self.cols.ordered_array(self._mask(), SORT_KEY[self._sort_col], self._descending).astype(np.int64)

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
        self._forget_counts()
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

    def _reconcile(self, new_rows: np.ndarray | None = None) -> None:
        """Bring the visible rows to the current filter by removing and inserting only what differs."""
        if new_rows is None:
            new_rows = self._compute_rows()
        wanted = np.zeros(self.cols.size, bool)
        wanted[new_rows] = True
        self._remove_rows(np.flatnonzero(~wanted[self._rows]).tolist())
        have = np.zeros(self.cols.size, bool)
        have[self._rows] = True
        for slot in new_rows[~have[new_rows]].tolist():
            self._insert_slot(slot)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        column = Column(column)
        descending = order == Qt.SortOrder.DescendingOrder
        if (column, descending) == (self._sort_col, self._descending) and self.is_loaded:
            return
        self.layoutAboutToBeChanged.emit()  # (an empty parents list crashes PySide 6.12)
        persistent = self.persistentIndexList()
        slots = [int(self._rows[i.row()]) if 0 <= i.row() < len(self._rows) else None for i in persistent]
        self._sort_col, self._descending = column, descending
        current = np.zeros(self.cols.size, bool)
        current[self._rows] = True  # the same rows, in the new order
        order = self.cols.ordered_array(current, SORT_KEY[column], descending).astype(np.int64)
        self._rows = order
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
        """Cases per saved view (ignoring the search text). Kept between calls and moved by each batch's
        own rows (`app.cases.queue_counts`)."""
        return self._counts.counts(self.cols, views, self.view_context())

    def _forget_counts(self) -> None:
        self._counts.forget()

    def _counts_before(self, found: np.ndarray, removed: list[int | None]) -> Share | None:
        """The kept counts' share of the cases a batch is about to change (their slots `found`, -1 for a new
        one, and the slots of the ids it removes), before it reaches the columns."""
        slots = np.concatenate([np.asarray(found, np.int64), [s for s in removed if s is not None]]).astype(np.int64)
        return self._counts.before(self.cols, self.view_context(), slots)

    def _counts_after(self, before: Share | None, slots: np.ndarray, gone: list[int]) -> None:
        """Move the kept counts by the batch's cases: their share after it, less their share before."""
        self._counts.after(self.cols, before, np.concatenate([np.asarray(slots, np.int64),
                                                              np.asarray(gone, np.int64)]))

    # ------------------------------------------------------------------ clock

    def tick(self) -> None:
        """Once a second: refresh the countdown column (and the age column once a minute); let a
        time-dependent view (overdue) take in the cases that just fell due."""
        previous, self._now = self._now, now_utc(self.ctx)
        if len(self._rows):
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


    # ------------------------------------------------------------------ Qt model API (cells: QueueCells)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

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
        return [UUID(k.decode()) for k in self.cols.ids[self._rows]] if len(self._rows) else []

    def refresh_names(self) -> None:
        """Language or reference data changed: forget cached names and limits, rebuild search text."""
        self._refdata = None
        self._names.clear()
        self._limits.clear()
        self._vctx_for = False
        self._forget_counts()
        self.cols.rebuild_text(names=self.refdata())
        if self._tokens:
            self._tmask = self.cols.text_mask(self._query)
        if len(self._rows):
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(Column) - 1))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(Column) - 1)
