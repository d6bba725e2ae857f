"""The queue's cases per saved view, kept between sync batches (`ViewCounts`).

Counting a view means a pass over every slot (100,000 cases), so a count is made once and then moved by
each batch: the batch's own slots' share before it reaches the columns is taken off, their share after is
added. "Overdue" changes with the clock alone, so its count is no number to keep; the due times of the
cases that can be overdue (active, not suspended) are kept sorted instead, moved by each batch the same
way (`DueTimes`), and the count at any moment is a few binary searches for the clock in them.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from app.cases.queue_columns import QueueColumns
from app.cases.queue_queries import Picked
from app.cases.queue_rows import STATUS_ORDER
from app.cases.saved_views import View, ViewContext
from app.platform.enums import Status

log = logging.getLogger(__name__)

CLOCK_VIEWS = frozenset({View.OVERDUE})  # their counts change with the time alone: counted from the due times
_SUSPENDED = STATUS_ORDER[Status.SUSPENDED]
MAX_CHUNKS = 64  # batches' due times kept beside the sorted ones before they are merged in


def may_fall_due(picked: Picked) -> np.ndarray:
    """Which of the picked slots the overdue view shows once the clock passes their due time (its rule,
    less the clock: `ColumnQueries.view_mask`)."""
    return picked.active & (picked.status != _SUSPENDED)


@dataclass
class Share:
    """A batch's slots' share of the counts, taken before the batch reaches the columns."""

    ctx: ViewContext
    counts: dict[View, int]
    dues: np.ndarray | None  # their due times that were among the kept ones, sorted


class DueTimes:
    """The due times of the cases that may fall due, as a sorted array plus, for each batch since it was
    sorted, the batch's due times out and in (sorted, small): counting those before a moment is a few
    binary searches, and a batch costs the sorting of its own due times only."""

    def __init__(self, due: np.ndarray):
        self._sorted = np.sort(due)
        self._out: list[np.ndarray] = []
        self._in: list[np.ndarray] = []

    def before(self, moment: float) -> int:
        """How many are strictly before `moment`."""
        count = int(np.searchsorted(self._sorted, moment, "left"))
        count -= sum(int(np.searchsorted(chunk, moment, "left")) for chunk in self._out)
        return count + sum(int(np.searchsorted(chunk, moment, "left")) for chunk in self._in)

    def move(self, out: np.ndarray, into: np.ndarray) -> bool:
        """A batch took the (sorted) due times `out` away and brought `into` (sorted); False when `out`
        turns out not to be among them (count again)."""
        self._out.append(out)
        self._in.append(into)
        if len(self._out) <= MAX_CHUNKS:
            return True
        # in first: a batch may take out what an earlier one brought in
        merged = _moved(_moved(self._sorted, np.zeros(0), np.sort(np.concatenate(self._in))),
                        np.sort(np.concatenate(self._out)), np.zeros(0))
        self._out, self._in = [], []
        if merged is None:
            return False
        self._sorted = merged
        return True


class ViewCounts:
    """Cases per view, kept (see the module). Every method reads the columns it is given."""

    def __init__(self) -> None:
        self._kept: dict[View, int] = {}
        self._dues: DueTimes | None = None

    def forget(self) -> None:
        """Count every view again when asked next (their rule or the cases changed in another way)."""
        self._kept = {}
        self._dues = None

    def kept(self, view: View) -> int | None:
        """The view's kept count, if there is one (never for a clock view)."""
        return self._kept.get(view)

    def counts(self, cols: QueueColumns, views: Iterable[View], ctx: ViewContext) -> dict[View, int]:
        out = {}
        for view in views:
            if view in CLOCK_VIEWS:
                out[view] = self._overdue(cols, ctx)
                continue
            count = self._kept.get(view)
            if count is None:
                count = self._kept[view] = int(np.count_nonzero(cols.view_mask(view, ctx)))
            out[view] = count
        return out

    def _overdue(self, cols: QueueColumns, ctx: ViewContext) -> int:
        if self._dues is None:
            every = cols.picked(np.arange(cols.size))
            self._dues = DueTimes(every.due[may_fall_due(every)])
        return self._dues.before(ctx.now.timestamp())  # due strictly before now

    def before(self, cols: QueueColumns, ctx: ViewContext, slots: np.ndarray) -> Share | None:
        """The share of `slots` (the cases a batch is about to change or remove) before it reaches the
        columns; None when nothing is kept."""
        if not self._kept and self._dues is None:
            return None
        slots = np.unique(np.asarray(slots, np.int64))
        picked = cols.picked(slots[slots >= 0])
        dues = np.sort(picked.due[may_fall_due(picked)]) if self._dues is not None else None
        return Share(ctx, cols.view_counts(self._kept, ctx, picked), dues)

    def after(self, cols: QueueColumns, share: Share | None, slots: np.ndarray) -> None:
        """Move the kept counts by the batch's slots (put and removed): their share now, less `share`."""
        if share is None:
            return
        picked = cols.picked(np.unique(np.asarray(slots, np.int64)))
        now = cols.view_counts([v for v in share.counts if v in self._kept], share.ctx, picked)
        for view, count in now.items():
            self._kept[view] += count - share.counts[view]
        if self._dues is not None:
            if share.dues is None or not self._dues.move(share.dues, np.sort(picked.due[may_fall_due(picked)])):
                log.warning("kept due times out of step with the cases: counting again")
                self._dues = None


def _moved(kept: np.ndarray, out: np.ndarray, into: np.ndarray) -> np.ndarray | None:
    """`kept` (sorted) less the values `out` (sorted, each among them as often) plus `into`, still sorted;
    None when `out` is not among them."""
    if len(out):
        at = np.searchsorted(kept, out, "left")
        at += np.arange(len(out)) - np.searchsorted(out, out, "left")  # repeated values: the next ones
        if at[-1] >= len(kept) or not np.array_equal(kept[at], out):
            return None
        kept = np.delete(kept, at)
    if len(into):
        kept = np.insert(kept, np.searchsorted(kept, into), into)
    return kept
