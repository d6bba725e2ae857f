"""The queue's cases per saved view, kept between sync batches (`ViewCounts`).

Counting a view means a pass over every slot (100,000 cases), so a count is made once and then moved by
each batch: the batch's own slots' share before it reaches the columns is taken off, their share after is
added. "Overdue" changes with the clock alone, so its count is no number to keep; the due times of the
cases that can be overdue (active, not suspended) are kept sorted instead, moved by each batch the same
way, and the count at any moment is one binary search for the clock in them.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from app.cases.queue_columns import QueueColumns
from app.cases.queue_rows import ACTIVE_BY_STATUS, STATUS_ORDER
from app.cases.saved_views import View, ViewContext
from app.platform.enums import Status

log = logging.getLogger(__name__)

CLOCK_VIEWS = frozenset({View.OVERDUE})  # their counts change with the time alone: counted from the due times
_SUSPENDED = STATUS_ORDER[Status.SUSPENDED]


def may_fall_due(cols: QueueColumns, slots: np.ndarray) -> np.ndarray:
    """Which of `slots` the overdue view shows once the clock passes their due time (its rule, less the
    clock: `ColumnQueries.view_mask`)."""
    status = cols.status[slots]
    return cols.alive[slots] & ACTIVE_BY_STATUS[status] & (status != _SUSPENDED)


@dataclass
class Share:
    """A batch's slots' share of the counts, taken before the batch reaches the columns."""

    ctx: ViewContext
    counts: dict[View, int]
    dues: np.ndarray | None  # their due times that were in the kept ones


class ViewCounts:
    """Cases per view, kept (see the module). Every method reads the columns it is given."""

    def __init__(self) -> None:
        self._kept: dict[View, int] = {}
        self._dues: np.ndarray | None = None  # sorted due times of the slots that may fall due

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
            every = np.arange(cols.size)
            self._dues = np.sort(cols.due[every[may_fall_due(cols, every)]])
        return int(np.searchsorted(self._dues, ctx.now.timestamp(), "left"))  # due strictly before now

    def before(self, cols: QueueColumns, ctx: ViewContext, slots: np.ndarray) -> Share | None:
        """The share of `slots` (the cases a batch is about to change or remove) before it reaches the
        columns; None when nothing is kept."""
        if not self._kept and self._dues is None:
            return None
        slots = np.unique(np.asarray(slots, np.int64))
        slots = slots[slots >= 0]
        dues = np.sort(cols.due[slots[may_fall_due(cols, slots)]]) if self._dues is not None else None
        return Share(ctx, cols.view_counts(self._kept, ctx, slots), dues)

    def after(self, cols: QueueColumns, share: Share | None, slots: np.ndarray) -> None:
        """Move the kept counts by the batch's slots (put and removed): their share now, less `share`."""
        if share is None:
            return
        slots = np.unique(np.asarray(slots, np.int64))
        now = cols.view_counts([v for v in share.counts if v in self._kept], share.ctx, slots)
        for view, count in now.items():
            self._kept[view] += count - share.counts[view]
        if self._dues is not None:
            self._dues = None if share.dues is None else _moved(
                self._dues, share.dues, np.sort(cols.due[slots[may_fall_due(cols, slots)]]))


def _moved(kept: np.ndarray, out: np.ndarray, into: np.ndarray) -> np.ndarray | None:
    """`kept` (sorted) less the values `out` (sorted, each among them as often) plus `into`, still sorted;
    None (count again) when `out` is not among them."""
    if len(out):
        at = np.searchsorted(kept, out, "left")
        at += np.arange(len(out)) - np.searchsorted(out, out, "left")  # repeated values: the next ones
        if at[-1] >= len(kept) or not np.array_equal(kept[np.minimum(at, len(kept) - 1)], out):
            log.warning("kept due times out of step with the cases: counting again")
            return None
        kept = np.delete(kept, at)
    if len(into):
        kept = np.insert(kept, np.searchsorted(kept, into), into)
    return kept
