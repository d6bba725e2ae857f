"""The queue's row order after a sync batch, merged instead of sorted again.

`QueueColumns.ordered_array` sorts every shown slot by (key, slot): with 40,000 active cases that argsort
is most of the GUI thread's time for a 1,000-case batch. A batch changes the keys of its own slots only,
so the rows that stay keep their relative order; `merged_order` sorts the arriving slots alone and merges
them in with a binary search (ties by slot too), giving the very same order in linear time.
"""
from __future__ import annotations

import logging

import numpy as np

log = logging.getLogger(__name__)


def _in_order(keys: np.ndarray, slots: np.ndarray) -> bool:
    """Whether `slots` are in ascending (key, slot) order."""
    if len(slots) < 2:
        return True
    k = keys[slots]
    after, before = k[1:], k[:-1]
    return bool(np.all((after > before) | ((after == before) & (slots[1:] > slots[:-1]))))


def _tied_positions(stay: np.ndarray, stay_keys: np.ndarray, at: np.ndarray, slots: np.ndarray,
                    n: int) -> np.ndarray:
    """Where arriving `slots` go whose key equals the staying rows' from position `at` on. Inside a run of
    equal keys the staying slots ascend, so (run, slot) coded as one integer ascends over all staying rows
    and one binary search places every tied slot at once (a key of few values, such as priority, ties
    nearly every arriving row)."""
    starts = np.ones(len(stay), bool)
    starts[1:] = stay_keys[1:] != stay_keys[:-1]
    run = np.cumsum(starts) - 1
    code = run * (n + 1) + stay
    return np.searchsorted(code, run[at] * (n + 1) + slots)


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
        arriving_keys = keys[arriving]
        by_key = np.lexsort((arriving, arriving_keys))
        arriving, arriving_keys = arriving[by_key], arriving_keys[by_key]
        stay_keys = keys[stay]
        at = np.searchsorted(stay_keys, arriving_keys, "left")
        end = np.searchsorted(stay_keys, arriving_keys, "right")
        tied = np.flatnonzero(at < end)
        if len(tied):  # equal keys: the slot decides, as in the full sort
            at[tied] = _tied_positions(stay, stay_keys, at[tied], arriving[tied], n)
        stay = np.insert(stay, at, arriving)
    return stay[::-1] if descending else stay
