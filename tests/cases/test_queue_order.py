"""The queue's merged row order after a batch equals a full sort (app.cases.queue_order)."""
from __future__ import annotations

import numpy as np
import pytest

from app.cases.queue_order import merge_changed, merged_order


def full_order(keys, mask, descending):
    idx = np.flatnonzero(mask)
    order = idx[np.argsort(keys[idx], kind="stable")]
    return order[::-1] if descending else order


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("descending", [False, True])
def test_a_merged_batch_gives_the_order_a_full_sort_gives(seed, descending):
    rnd = np.random.default_rng(seed)
    n = int(rnd.integers(1, 3000))
    distinct = int(rnd.choice([2, 5, 50, 10**9]))  # few distinct keys: long runs of ties, decided by slot
    if seed % 3 == 0:
        keys = np.array([b"2026-%06d" % k for k in rnd.integers(0, distinct, n)])  # text keys (numbers)
    else:
        keys = rnd.integers(0, distinct, n).astype(np.float64)
        keys[rnd.random(n) < 0.1] = np.inf  # no due time
    mask = rnd.random(n) < 0.6
    old = full_order(keys, mask, descending)
    changed = rnd.choice(n, size=int(rnd.integers(0, n + 1)), replace=False)
    new_keys = keys.copy()
    new_keys[changed] = (np.array([b"2026-%06d" % k for k in rnd.integers(0, distinct, len(changed))])
                         if keys.dtype.kind == "S" else rnd.integers(0, distinct, len(changed)).astype(np.float64))
    if keys.dtype.kind == "S":
        new_keys = new_keys.astype(keys.dtype)
    new_mask = mask.copy()
    new_mask[changed] = rnd.random(len(changed)) < 0.5  # some changed cases leave the view, some arrive
    merged = merged_order(new_keys, old, new_mask, changed, descending)
    assert merged is not None  # ties too are merged (a full sort on the GUI thread costs a frame)
    assert merged.tolist() == full_order(new_keys, new_mask, descending).tolist()


def test_ties_decided_by_slot_are_merged_too():
    keys = np.array([1.0, 2.0, 1.0, 2.0, 1.0, 3.0])
    old = np.array([0, 2, 4, 1, 3, 5])
    keys[5] = 2.0  # slot 5 joins the tie at 2 (after 1 and 3); slot 4 leaves the view
    mask = np.array([True, True, True, True, False, True])
    assert merged_order(keys, old, mask, np.array([4, 5])).tolist() == [0, 2, 1, 3, 5]
    keys[2] = 2.0  # slot 2 joins it before 3
    assert merged_order(keys, old, mask, np.array([2, 4, 5])).tolist() == [0, 1, 2, 3, 5]


def test_rows_out_of_key_order_are_refused_not_merged():
    keys = np.array([3.0, 1.0, 2.0])
    old = np.array([0, 1, 2])  # not in key order (the keys moved without the rows)
    assert merged_order(keys, old, np.ones(3, bool), np.array([], np.int64)) is None


def test_a_worked_example():
    # keys by slot: 0→5, 1→1, 2→5, 3→3; shown before: 1, 3, 0, 2 (by key, then slot)
    keys = np.array([5.0, 1.0, 5.0, 3.0, 5.0])
    old = np.array([1, 3, 0, 2])
    keys[3] = 6.0      # slot 3 moves to the end
    mask = np.array([True, True, True, True, True])  # slot 4 (key 5) arrives: between 2 and 3 by slot
    assert merged_order(keys, old, mask, np.array([3, 4])).tolist() == [1, 0, 2, 4, 3]
    assert merged_order(keys, old[::-1], mask, np.array([3, 4]), descending=True).tolist() == [3, 4, 2, 0, 1]


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("descending", [False, True])
def test_merging_only_the_changed_slots_gives_the_full_sort_and_what_moved(seed, descending):
    rnd = np.random.default_rng(1000 + seed)
    n = int(rnd.integers(1, 3000))
    distinct = int(rnd.choice([2, 5, 50, 10**9]))
    keys = rnd.integers(0, distinct, n).astype(np.float64)
    keys[rnd.random(n) < 0.1] = np.inf
    mask = rnd.random(n) < 0.6
    old = full_order(keys, mask, descending)
    changed = rnd.choice(n, size=int(rnd.integers(0, n + 1)), replace=False)
    new_keys = keys.copy()
    new_keys[changed] = rnd.integers(0, distinct, len(changed)).astype(np.float64)
    new_mask = mask.copy()
    new_mask[changed] = rnd.random(len(changed)) < 0.5
    merge = merge_changed(new_keys, old, changed, new_mask[changed], descending)
    expected = full_order(new_keys, new_mask, descending)
    assert merge is not None
    assert merge.order.tolist() == expected.tolist()
    assert sorted(merge.entered.tolist()) == sorted(set(expected.tolist()) - set(old.tolist()))
    assert sorted(merge.left.tolist()) == sorted(set(old.tolist()) - set(expected.tolist()))
    assert sorted(merge.order[merge.placed].tolist()) == sorted(c for c in changed.tolist() if new_mask[c])


def test_merging_the_changed_slots_refuses_rows_out_of_order():
    keys = np.array([3.0, 1.0, 2.0])
    assert merge_changed(keys, np.array([0, 1, 2]), np.array([], np.int64), np.array([], bool)) is None
