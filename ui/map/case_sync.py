"""The map dock's case layer kept in step with the cases (a mixin of `ui.map.dock.MapDock`).

The dock's copy of the cases is compact: numpy columns (`app.cases.queue_columns.QueueColumns`, no Python
object per case) plus, per slot, the time-left class and a fingerprint of the marker last sent to the page.
Marker records exist only while they are being sent. The columns are the queue model's when the main
window shares them (`share_columns`: `columns_changed(slots, removed)` says which markers to restyle), else
the dock's own, read from the cache and refreshed on `cases_changed` (tests, a map-only window). Every
change reaches the page as one `cases` message: only the markers whose fingerprint changed.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import numpy as np
import shiboken6

from app.cases.queue_columns import QueueColumns
from ui.cases.issuing import now_utc
from ui.map.case_markers import (
    CHUNK,
    PreparedMarkers,
    _fingerprint,
    _first_push,
    _read_all_cases,
    _read_changed_cases,
    _restyled,
    _Snapshot,
    _time_classes,
    column_markers,
)
from ui.shell.ops import run_op

log = logging.getLogger(__name__)

OFF_THREAD = 64  # a batch restyling more markers than this has them built on a worker thread


class CaseMarkerSync:
    """The case half of `MapDock`: reads, diffs and sends the case markers (state set up by the dock)."""

    def _start_own_load(self) -> None:
        if self._source is None and not self._have_summaries and not self._in_flight:
            self._load_all_summaries()

    def _load_all_summaries(self) -> None:
        cache, now = self.ctx.cache, now_utc(self.ctx)
        self._in_flight = True
        self._load_gen += 1
        gen = self._load_gen
        run_op(lambda: _read_all_cases(cache, now),
               lambda result: self._got_all(result) if self._current(gen) else None, self._op_failed, owner=self)

    def _current(self, gen: int) -> bool:
        """A read's result still wanted: the dock exists (not deleted meanwhile) and nothing newer began."""
        return shiboken6.isValid(self) and gen == self._load_gen

    # ---- shared columns: the queue model's `cols`, read-only here

    def share_columns(self, model: Any) -> None:
        """Draw the cases from the queue model's columns (`model.cols`, kept current by the model, which
        then emits `columns_changed(slots, removed_slots)`) instead of reading and holding them again."""
        if self._source is not None:
            raise RuntimeError("the map already draws another model's columns")
        self._source = model
        self._load_gen += 1  # an own read already under way is ignored
        self._in_flight = False
        self.ctx.signals.cases_changed.disconnect(self._cases_changed)
        self._dirty.clear()
        self._removed.clear()
        model.loaded.connect(self._source_loaded)
        model.columns_changed.connect(self._source_changed)
        if model.is_loaded:
            self._source_loaded()

    def _source_loaded(self) -> None:
        """The model (re)loaded its columns: build the first push from a copy, on a worker thread."""
        cols, now = self._source.cols, now_utc(self.ctx)
        snap = _Snapshot(cols)
        self._in_flight = True
        self._stash = []
        self._load_gen += 1
        gen = self._load_gen

        def done(result) -> None:
            if self._current(gen):
                self._got_shared(cols, snap.slots, result)

        run_op(lambda: _first_push(snap, now), done, self._op_failed, owner=self)

    def _got_shared(self, cols: QueueColumns, slots: np.ndarray, result: tuple) -> None:
        self._in_flight = False
        markers, marks, classes = result
        self._cols = cols
        self._sent = np.zeros(cols.size, np.int64)
        self._cls = np.full(cols.size, -1, np.int8)
        self._sent[slots], self._cls[slots] = marks, classes
        self._have_summaries = True
        if self._ready:
            self._send_markers(markers, [], reset=True)
        else:
            self._first_markers = markers
        del markers
        self._drain_stash()  # what changed while the copy was drawn
        self.markers_loaded.emit()

    def _source_changed(self, put: np.ndarray, gone: np.ndarray, gone_ids: np.ndarray | None = None) -> None:
        if gone_ids is None:  # straight from the model, about its current columns; a removed slot keeps
            gone_ids = self._source.cols.ids[gone]  # its id until it is reused (not within the batch)
        cols = self._cols
        if self._in_flight or not self._have_summaries:
            self._stash.append((put, gone, gone_ids))
            return
        self._size_state()
        removed = [i.decode() for slot, i in zip(gone.tolist(), gone_ids.tolist()) if self._sent[slot]]
        self._sent[gone] = 0
        live = put[cols.alive[put]]
        upsert, drop = [], []
        now = now_utc(self.ctx)
        self._cls[live] = _time_classes(cols, live, now)
        if len(live) > OFF_THREAD:
            self._restyle_off_thread(live, removed, now)
            return
        for slot, marker in zip(live.tolist(), column_markers(cols, live, now)):
            if marker is None:
                if self._sent[slot]:
                    drop.append(cols.ids[slot].decode())
                self._sent[slot] = 0
                continue
            mark = _fingerprint(marker)
            if self._sent[slot] != mark:
                self._sent[slot] = mark
                upsert.append(marker)
        if (upsert or removed or drop) and self._ready:  # one message: the page refreshes its clusters once
            self._send_markers(upsert, removed + drop)

    def _restyle_off_thread(self, live: np.ndarray, removed: list[str], now: datetime) -> None:
        """A sync page's markers built, compared and serialised on a worker thread from a copy of its slots;
        the changes that come meanwhile wait (`_stash`), so the page gets them in order."""
        snap, sent = _Snapshot(self._cols, live), self._sent[live]
        self._in_flight = True
        self._load_gen += 1
        gen = self._load_gen

        def done(result: tuple[np.ndarray, PreparedMarkers]) -> None:
            if not self._current(gen):
                return
            self._in_flight = False
            self._size_state()
            marks, prepared = result
            self._sent[live] = marks
            if self._ready:
                self._send_markers(prepared, [])
            self._drain_stash()

        def failed(exc: BaseException) -> None:
            if self._current(gen):
                self._op_failed(exc)
                self._sent[live] = 0  # unknown now: the next change of each sends it again
                self._drain_stash()

        run_op(lambda: _restyled(snap, sent, removed, now), done, failed, owner=self)

    def _drain_stash(self) -> None:
        stash, self._stash = self._stash, []
        for put, gone, gone_ids in stash:  # in order: one may go to a worker again and stash the rest
            self._source_changed(put, gone, gone_ids)

    # ---- own columns (no queue to share: tests, a map-only window)

    def _got_all(self, result: tuple) -> None:
        self._in_flight = False
        self._cols, markers, self._sent, self._cls = result
        self._have_summaries = True
        if self._ready:
            self._send_markers(markers, [], reset=True)
        else:
            self._first_markers = markers  # sent when the page is ready, then dropped
        del markers
        self.markers_loaded.emit()
        if self._dirty or self._removed:
            self._flush_timer.start()

    def _op_failed(self, exc: BaseException) -> None:
        self._in_flight = False
        log.error("map could not read cases from the cache: %s", exc, exc_info=exc)

    def _cases_changed(self, changes: Any) -> None:
        self._dirty |= set(getattr(changes, "added", ())) | set(getattr(changes, "updated", ()))
        removed = set(getattr(changes, "removed", ()))
        self._removed |= removed
        self._dirty -= removed
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def _flush(self) -> None:
        if self._in_flight:
            self._flush_timer.start()  # one read at a time, in order
            return
        dirty, removed = self._dirty, self._removed
        self._dirty, self._removed = set(), set()
        if removed:
            self._apply_removed(removed)
        if not dirty:
            return
        cache, now = self.ctx.cache, now_utc(self.ctx)
        ids = list(dirty)
        self._in_flight = True
        run_op(lambda: (ids, *_read_changed_cases(cache, ids, now)), self._got_changed,
               self._op_failed, owner=self)

    def _got_changed(self, result: tuple) -> None:
        self._in_flight = False
        ids, batch, markers = result
        cols = self._cols
        slots, _added = cols.put_batch(batch, unique=True)  # each case once (_read_changed_cases)
        self._size_state()
        upsert, drop = [], []
        now = now_utc(self.ctx)
        classes = _time_classes(cols, slots, now)
        for k, slot in enumerate(slots.tolist()):
            marker = markers[k]
            self._cls[slot] = classes[k]
            if marker is None:
                if self._sent[slot]:
                    drop.append(str(batch.ids[k].decode()))
                self._sent[slot] = 0
                continue
            mark = _fingerprint(marker)
            if self._sent[slot] != mark:
                self._sent[slot] = mark
                upsert.append(marker)
        present = set(batch.ids.tolist())
        drop += self._forget([i for i in ids if str(i).encode() not in present])
        if not (self._have_summaries and self._ready):
            upsert = []
        if (upsert or drop) and self._ready:  # one message: the page refreshes its clusters once
            self._send_markers(upsert, drop)

    def _size_state(self) -> None:
        size = self._cols.size
        if len(self._sent) < size:
            self._sent = np.concatenate([self._sent, np.zeros(size - len(self._sent), np.int64)])
            self._cls = np.concatenate([self._cls, np.full(size - len(self._cls), -1, np.int8)])

    def _apply_removed(self, ids: Iterable[Any]) -> None:
        removed = self._forget(ids)
        if removed and self._ready:
            self._send_markers([], removed)

    def _forget(self, ids: Iterable[Any]) -> list[str]:
        """Drop cases from the columns; the ids of those the page shows."""
        removed = []
        for case_id in ids:
            slot = self._cols.remove(case_id)
            if slot is not None and self._sent[slot]:
                removed.append(str(case_id))
            if slot is not None:
                self._sent[slot] = 0
        return removed

    def _all_markers(self, now: datetime) -> list[dict]:
        """Every case's marker, from the columns (a page reload, e.g. for another language)."""
        cols = self._cols
        live = np.flatnonzero(cols.alive[:cols.size])
        markers = column_markers(cols, live, now)
        self._sent[live] = [0 if m is None else _fingerprint(m) for m in markers]
        return [m for m in markers if m is not None]

    def _send_markers(self, upsert: list[dict] | PreparedMarkers, remove: list[str], reset: bool = False) -> None:
        if isinstance(upsert, PreparedMarkers):  # the first push, serialised on the worker thread
            for script in upsert.scripts:
                self.run_js(script)
            return
        if reset:
            self.send({"op": "cases", "reset": True, "upsert": upsert[:CHUNK], "remove": []})
            upsert = upsert[CHUNK:]
        # removals ride with the first upserts (the page applies them first): each cases message refreshes
        # the cluster icons on the map
        if remove and not upsert:
            self.send({"op": "cases", "remove": remove, "upsert": []})
        for start in range(0, len(upsert), CHUNK):
            self.send({"op": "cases", "remove": remove if start == 0 else [], "upsert": upsert[start:start + CHUNK]})

    def refresh_time_left(self) -> None:
        """Recolour markers whose time-left class changed with the clock (runs every minute)."""
        now = now_utc(self.ctx)
        self.refresh_at(now)

    def refresh_at(self, now: datetime) -> int:
        self._size_state()
        cols = self._cols
        live = np.flatnonzero(cols.alive[:cols.size] & (self._sent[:cols.size] != 0))
        classes = _time_classes(cols, live, now)
        moved = live[classes != self._cls[live]]  # vectorised: only those get a new marker
        changed = []
        for slot, marker in zip(moved.tolist(), column_markers(cols, moved, now)):
            if marker is not None:
                self._sent[slot] = _fingerprint(marker)
                changed.append(marker)
        self._cls[live] = classes
        if changed and self._ready:
            self._send_markers(changed, [])
        return len(changed)

    def marker_count(self) -> int:
        self._size_state()
        cols = self._cols
        return int(np.count_nonzero(cols.alive[:cols.size] & (self._sent[:cols.size] != 0)))
