"""The queue's row order after a sync batch, merged instead of sorted again.

`QueueColumns.ordered_array` sorts every shown slot by (key, slot): with 40,000 active cases that argsort
is most of the GUI thread's time for a 1,000-case batch. A batch changes the keys of its own slots only,
so the rows that stay keep their relative order; `merged_order` sorts the arriving slots alone and merges
them in with a binary search (ties by slot too), giving the very same order in linear time.

`merge_changed` goes further when the old rows are known to be exactly the rows that passed the filter
before the batch: it needs whether the batch's own slots pass now, never a mask over every slot, and says
which rows arrived, left and where the batch's rows landed, so the model signals without another pass.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)


def _in_order(keys: np.ndarray, slots: np.ndarray, k: np.ndarray | None = None) -> bool:
    """Whether `slots` are in ascending (key, slot) order (`k`: their keys, when the caller has them)."""
    if len(slots) < 2:
        return True
    k = keys[slots] if k is None else k
    after, before = k[1:], k[:-1]
    return bool(np.all((after > before) | ((after == before) & (slots[1:] > slots[:-1]))))


def _tied_positions(stay: np.ndarray, at: np.ndarray, end: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """Where arriving `slots` go whose key equals the staying rows' in `stay[at:end]`: inside such a run of
    equal keys the staying slots ascend, so one binary search by slot per arriving slot, all of them at once
    (as many steps as the longest run has bits: a key of few values, such as priority, ties nearly every
    arriving row in long runs; a due time in minutes, in runs of two or three)."""
    lo, hi = at.copy(), end.copy()
    while True:
        open_ = lo < hi
        if not open_.any():
            return lo
        mid = (lo + hi) // 2
        below = open_ & (stay[np.minimum(mid, len(stay) - 1)] < slots)
        lo = np.where(below, mid + 1, lo)
        hi = np.where(open_ & ~below, mid, hi)


def merged_order(keys: np.ndarray, old: np.ndarray, mask: np.ndarray, changed: np.ndarray,
                 descending: bool = False) -> np.ndarray | None:
    """The slots where `mask` is true in (key, slot) order, reversed when descending: what
    `QueueColumns.ordered_array(mask, key, descending)` returns, computed from `old`, that order before only
    the `changed` slots' keys (or presence) moved. `keys` is one sort key per slot (`sort_keys`). None
    when `old` turns out not to be in key order (the caller sorts in full then)."""
    n = len(mask)
    old = np.asarray(old, np.int64)
    ascending = old[::-1] if descending else old
    ascending = ascending[ascending < n]
    moved = np.zeros(n, bool)
    changed = np.asarray(changed, np.int64)
    moved[changed[(changed >= 0) & (changed < n)]] = True
    stay = ascending[mask[ascending] & ~moved[ascending]]
    if not _in_order(keys, stay):
        log.debug("queue rows out of key order: sorting in full")
        return None
    kept = np.zeros(n, bool)
    kept[stay] = True
    arriving = np.flatnonzero(mask & ~kept)  # the changed slots that pass, and any other newcomer
    if len(arriving):
        stay, _at, _arriving = _insert(keys, stay, keys[stay], arriving)
    return stay[::-1] if descending else stay


def _insert(keys: np.ndarray, stay: np.ndarray, stay_keys: np.ndarray,
            arriving: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`arriving` slots put into `stay` (in (key, slot) order, `stay_keys` its keys) where the full sort would
    put them: the new order, each arriving slot's place in `stay` before the insert, and `arriving` sorted."""
    arriving_keys = keys[arriving]
    by_key = np.lexsort((arriving, arriving_keys))
    arriving, arriving_keys = arriving[by_key], arriving_keys[by_key]
    at = np.searchsorted(stay_keys, arriving_keys, "left")
    end = np.searchsorted(stay_keys, arriving_keys, "right")
    tied = np.flatnonzero(at < end)
    if len(tied):  # equal keys: the slot decides, as in the full sort
        at[tied] = _tied_positions(stay, at[tied], end[tied], arriving[tied])
    return np.insert(stay, at, arriving), at, arriving


@dataclass
class Merge:
    """A batch's rows merged into the shown rows (`merge_changed`)."""

    order: np.ndarray    # every shown slot, in display order
    placed: np.ndarray   # the rows (in `order`) of the batch's slots that pass: the rows to redraw
    entered: np.ndarray  # slots shown now that were not before
    left: np.ndarray     # slots shown before that are not now


def merge_changed(keys: np.ndarray, old: np.ndarray, changed: np.ndarray, passes: np.ndarray,
                  descending: bool = False) -> Merge | None:
    """`merged_order` when `old` holds exactly the slots that passed the filter before the batch, in
    (key, slot) order (reversed when descending), and only the `changed` slots' keys or membership moved
    since: `passes[i]` is whether `changed[i]` passes now. Nothing is read of the slots outside `old` and
    `changed`. None when `old` turns out not to be in key order."""
    n = len(keys)
    changed, first = np.unique(np.asarray(changed, np.int64), return_index=True)
    passes = np.asarray(passes, bool)[first]
    old = np.asarray(old, np.int64)
    ascending = old[::-1] if descending else old
    state = np.zeros(n, np.int8)  # per slot: 1 changed, 2 passes now, 4 was shown
    state[changed] = 1
    was = state[ascending] != 0
    stay = ascending[~was]
    stay_keys = keys[stay]
    if not _in_order(keys, stay, stay_keys):
        log.debug("queue rows out of key order: sorting in full")
        return None
    arriving = changed[passes]
    placed = np.zeros(0, np.int64)
    if len(arriving):
        stay, at, arriving = _insert(keys, stay, stay_keys, arriving)
        placed = at + np.arange(len(arriving))  # np.insert puts each before its stay row, in their order
    shown = ascending[was]  # the batch's slots that were shown
    state[arriving] |= 2
    state[shown] |= 4
    entered = arriving[(state[arriving] & 4) == 0]
    left = shown[(state[shown] & 2) == 0]
    if descending:
        return Merge(stay[::-1], len(stay) - 1 - placed, entered, left)
    return Merge(stay, placed, entered, left)
