"""How the case queue's rows follow a change of cases without a model reset (`QueuePatching`, mixed into
`ui.cases.queue_model.CaseQueueModel`).

A few changes are patched row by row: dataChanged for a row that stays where it is, beginRemoveRows /
beginInsertRows for rows that leave, arrive or move. A sync page of many takes the batched path: the
columns take the batch in one vectorised assignment, the new row order is merged (`app.cases.queue_order`:
only the batch's slots are filtered, sorted alone and placed by binary search, never a full sort nor a pass
of the view's filter over every case), and the view gets one block of rows inserted at the end, one layout
change and one block removed at the end, then one dataChanged range. Everything a batch can be prepared
with without the model's state (reading, each id once, text folded and placed by position, numbers encoded,
coded columns by their distinct texts, the slots the ids had: a hint checked here) was done on the reader
thread (`ui.cases.queue_reads`), so the GUI thread only assigns arrays, merges and signals. Either way the
views' counts are moved by the change's own rows (`app.cases.queue_counts`), never counted again.

`_rows` is a numpy array of slots in display order; it is replaced, never changed in place, by the
batched path.
"""
from __future__ import annotations

import logging
from typing import Iterable
from uuid import UUID

import numpy as np
from PySide6.QtCore import QModelIndex

from app.cases.queue_counts import CLOCK_VIEWS
from app.cases.queue_order import Merge, merge_changed, merged_order
from app.cases.queue_rows import ACTIVE_BY_STATUS as _ACTIVE
from app.cases.queue_rows import PRIORITY_ORDER, BatchPrep, RowBatch
from app.platform.enums import Priority
from ui.cases.queue_cells import SORT_KEY, Column
from ui.cases.queue_reads import TextChunk

log = logging.getLogger(__name__)

SMALL_BATCH = 24  # changes up to this many are patched row by row; more take the batched path


class QueuePatching:
    """The row updates of `CaseQueueModel` (a mixin over its `cols`, `_rows` and filter)."""

    def _apply_batch(self, batch: RowBatch, removed: list[UUID], texts: TextChunk | None, *,
                     notify: bool = True, unique: bool = False, prep: BatchPrep | None = None,
                     found: np.ndarray | None = None) -> None:
        """A few changes: row signals per case, as they happen. Many (a sync page): see the module.
        `unique`, `prep`, `found`: what the reader thread prepared (`ui.cases.queue_reads.ChangeRead`)."""
        if len(batch) + len(removed) <= SMALL_BATCH:
            before = self._counts_before(self.cols.slot_of.find_many(batch.ids),
                                         [self.cols.slot_of.get(i) for i in removed])
            slots, gone = self._apply_small(batch, removed, texts, notify)
            self._counts_after(before, np.asarray(slots, np.int64), gone)
        else:
            slots, gone = self._apply_large(batch, removed, texts, notify, unique, prep, found)
        self.counts_changed.emit()
        self.columns_changed.emit(np.asarray(slots, np.int64), np.asarray(gone, np.int64))

    def _take_texts(self, texts: TextChunk | None, slots: np.ndarray) -> None:
        """The batch's text (asked for the batch's ids, in order: `slots` are theirs, position by position)."""
        if texts is None:
            return
        cols = self.cols
        cols.set_involved(slots, False)
        cols.set_involved(slots[texts.mine_at], True)
        cols.set_folded_text(slots[texts.keys_at], texts.folded)
        # co-handling units: only the slots that have some now or had some before (a few joint cases)
        keys = texts.asked
        had = (np.flatnonzero(np.isin(slots, np.fromiter(cols.co_units, np.int64, len(cols.co_units))))
               if cols.co_units else np.zeros(0, np.int64))
        if texts.co_at is not None:
            now = texts.co_at
        elif texts.co_units:
            now = np.flatnonzero(np.isin(keys, np.array(list(texts.co_units), "S36")))
        else:
            now = np.zeros(0, np.int64)
        picked = np.union1d(had, now).astype(np.int64).tolist()
        if picked:
            changed = cols.set_co_units(slots[picked], [texts.co_units.get(bytes(keys[k]), ()) for k in picked])
            self._redraw_units(changed)

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
        self._redraw_units(changed)
        if only_add:  # outside a batch apply, which emits columns_changed itself
            self.columns_changed.emit(np.asarray(changed, np.int64), np.zeros(0, np.int64))

    def _redraw_units(self, slots: list[int]) -> None:
        for slot in slots:
            row = self._find_row(slot)
            if row is not None:
                cell = self.index(row, Column.UNIT)
                self.dataChanged.emit(cell, cell)

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

    def _apply_large(self, batch: RowBatch, removed: list[UUID], texts: TextChunk | None, notify: bool,
                     unique: bool, prep: BatchPrep | None = None,
                     hint: np.ndarray | None = None) -> tuple[np.ndarray, list[int]]:
        cols = self.cols
        old = self._rows
        # the batch's slots now (-1: new), looked up once: the reader's slots, checked
        found = cols.slot_of.find_many(batch.ids, hint)
        before = self._counts_before(found, [cols.slot_of.get(i) for i in removed])
        # before the removals: no freed slot is reused in this batch
        slots, added = cols.put_batch(batch, unique=unique, found=found if unique else None,
                                      prep=prep if unique else None)
        if texts is not None and unique and texts.keys_at is not None:
            self._take_texts(texts, slots)
        elif texts is not None:  # not read for exactly this batch: find the slots by id
            self._take_texts_by_id(texts)
        gone = [s for s in (cols.remove(i) for i in removed) if s is not None]
        self._tmask_for(slots, gone)
        self._counts_after(before, slots, gone)
        moved = np.concatenate([np.asarray(slots, np.int64), np.asarray(gone, np.int64)])
        merge = self._merge_rows(old, moved)
        self.in_batch = True
        self.batch_started.emit()
        try:
            if len(merge.entered):  # at the end first, so that one layout change puts every row in place
                self.beginInsertRows(QModelIndex(), len(old), len(old) + len(merge.entered) - 1)
                self._rows = np.concatenate([old, merge.entered])
                self.endInsertRows()
            new, leaving = merge.order, merge.left
            target = np.concatenate([new, leaving]) if len(leaving) else new
            if not np.array_equal(self._rows, target):
                self._relayout(target)
            if len(leaving):
                self.beginRemoveRows(QModelIndex(), len(new), len(target) - 1)
                self._rows = new
                self.endRemoveRows()
            if len(merge.placed):  # one range over the changed rows that stayed or arrived
                self.dataChanged.emit(self.index(int(merge.placed.min()), 0),
                                      self.index(int(merge.placed.max()), len(Column) - 1))
        finally:
            self.in_batch = False
            self.batch_finished.emit()
        self._notify_urgent(slots, added, notify)
        return slots, gone

    def _merge_rows(self, old: np.ndarray, moved: np.ndarray) -> Merge:
        """The rows after a batch that changed the `moved` slots (put or removed). When the shown rows are
        known to be exactly the view's (no search, a view that does not move with the clock), only the
        batch's slots are filtered, and the merged rows are checked against the view's kept count;
        otherwise the view's mask over every slot decides (`merged_order`), or a full sort."""
        cols, key = self.cols, SORT_KEY[self._sort_col]
        count = self._counts.kept(self._view)
        if count is not None and not self._tokens and self._view not in CLOCK_VIEWS:
            merge = merge_changed(cols.sort_keys(key), old, moved, self._passes(moved), self._descending)
            if merge is not None and len(merge.order) == count:
                return merge
            log.warning("queue rows differ from the %s view's count: filtering in full", self._view.value)
        mask = self._mask()
        new = merged_order(cols.sort_keys(key), old, mask, moved, self._descending)
        if new is None:
            new = cols.ordered_array(mask, key, self._descending)
        size = cols.size
        in_new = np.zeros(size, bool)
        in_new[new] = True
        in_old = np.zeros(size, bool)
        in_old[old] = True
        where = np.full(size, -1, np.int64)
        where[new] = np.arange(len(new))
        placed = where[moved]
        return Merge(new, placed[placed >= 0], new[~in_old[new]], old[~in_new[old]])

    def _take_texts_by_id(self, texts: TextChunk) -> None:
        cols = self.cols
        cols.set_involved(cols.slot_of.find_many(texts.asked), False)
        cols.set_involved(cols.slot_of.find_many(texts.mine), True)
        cols.set_folded_text(cols.slot_of.find_many(texts.keys).tolist(), texts.folded)
        self._take_co_units(texts)

    def _relayout(self, order: np.ndarray) -> None:
        """Put the rows in `order` (the same slots, another order) as one layout change; persistent
        indexes (the selection, the current row) follow their case."""
        self.layoutAboutToBeChanged.emit()  # (an empty parents list crashes PySide 6.12)
        persistent = self.persistentIndexList()
        rows = self._rows
        slots = [int(rows[i.row()]) if 0 <= i.row() < len(rows) else -1 for i in persistent]
        order = np.asarray(order, np.int64)
        self._rows = order
        if persistent:  # the selection and current row: a few slots, found in one pass
            at = np.flatnonzero(np.isin(order, [s for s in slots if s >= 0]))
            where = dict(zip(order[at].tolist(), at.tolist()))
            self.changePersistentIndexList(persistent, [
                self.index(where[slot], i.column()) if slot in where else QModelIndex()
                for slot, i in zip(slots, persistent)])
        self.layoutChanged.emit()

    # ------------------------------------------------------------------ one row at a time

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
            self._rows = np.delete(self._rows, np.s_[first:last + 1])
            self.endRemoveRows()
            i += 1

    def _insert_slot(self, slot: int) -> None:
        row = self._insert_position(slot)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows = np.insert(self._rows, row, slot)
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
            if self._before(self._key(int(rows[mid])), key):
                lo = mid + 1
            else:
                hi = mid
        return lo

    def _in_order(self, row: int) -> bool:
        rows = self._rows
        key = self._key(int(rows[row]))
        if row > 0 and not self._before(self._key(int(rows[row - 1])), key):
            return False
        return row + 1 >= len(rows) or self._before(key, self._key(int(rows[row + 1])))
