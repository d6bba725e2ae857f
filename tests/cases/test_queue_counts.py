"""The queue's kept view counts (app.cases.queue_counts) moved by random batches equal a full recount, the
overdue count at any clock too; and a batch prepared on a worker thread (app.cases.queue_rows.prepare, a
slot hint) lands in the columns as the plain put does."""
from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from app.cases.queue_columns import QueueColumns
from app.cases.queue_counts import MAX_CHUNKS, DueTimes, ViewCounts
from app.cases.queue_rows import RowBatch, prepare
from app.cases.saved_views import View, ViewContext
from app.cases.summary import CaseSummary
from app.platform.enums import Priority, Source, Stage, Status

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
VIEWS = [View.ALL, View.ALL_ACTIVE, View.TO_REGISTER, View.TO_DISPATCH, View.OVERDUE, View.ESCALATED,
         View.RETURNED, View.AWAITING_VERIFICATION, View.MINE, View.EMERGENCY]


def summary(rnd: random.Random, case_id: uuid.UUID) -> CaseSummary:
    due = None if rnd.random() < 0.1 else NOW + timedelta(minutes=rnd.randint(-600, 600))  # minutes: ties
    return CaseSummary(case_id, f"2026-{rnd.randint(1, 999999):06d}", None, rnd.choice(list(Status)),
                       rnd.choice(list(Priority)), rnd.choice(["C01", "C02", "C03"]),
                       rnd.choice([None, "u1", "u2"]), rnd.choice(["g1", "g2"]), 30.0, 120.0,
                       rnd.choice(list(Source)), NOW - timedelta(days=1), NOW, due, Stage.DISPATCH,
                       rnd.choice([0, 0, 1]), 0, False, rnd.randint(1, 9))


def full(cols: QueueColumns, ctx: ViewContext) -> dict[View, int]:
    return {v: int(np.count_nonzero(cols.view_mask(v, ctx))) for v in VIEWS}


@pytest.mark.parametrize("seed", range(12))
def test_counts_moved_by_random_batches_equal_a_full_recount(seed):
    rnd = random.Random(seed)
    ids = [uuid.UUID(int=rnd.getrandbits(128)) for _ in range(600)]
    cols = QueueColumns()
    cols.put_many([summary(rnd, i) for i in ids[:400]])
    cols.set_involved(np.array(rnd.sample(range(400), 50)))
    ctx = ViewContext(now=NOW, emergency_codes=frozenset({"C02"}))
    counts = ViewCounts()
    assert counts.counts(cols, VIEWS, ctx) == full(cols, ctx)
    for _ in range(15):
        present = [i for i in ids if i in cols.slot_of]
        changed = rnd.sample(ids, rnd.randint(1, 120))  # updates, and new cases
        removed = [i for i in rnd.sample(present, rnd.randint(0, 30)) if i not in changed]
        found = cols.slot_of.find_many(np.array([str(i) for i in changed], "S36"))
        share = counts.before(cols, ctx, np.concatenate([found, [cols.slot_of[i] for i in removed]]))
        slots, _added = cols.put_many([summary(rnd, i) for i in changed])
        gone = [cols.remove(i) for i in removed]
        counts.after(cols, share, np.concatenate([slots, np.array(gone, np.int64)]))
        later = ViewContext(now=NOW + timedelta(minutes=rnd.randint(-700, 700)), emergency_codes=ctx.emergency_codes)
        for when in (ctx, later):  # the overdue count follows the clock without a recount
            assert counts.counts(cols, VIEWS, when) == full(cols, when)


def test_a_batch_prepared_on_a_worker_lands_as_the_plain_put_does():
    rnd = random.Random(7)
    ids = [uuid.UUID(int=rnd.getrandbits(128)) for _ in range(300)]
    first = [summary(rnd, i) for i in ids[:200]]
    plain, prepared = QueueColumns(), QueueColumns()
    plain.put_many(first)
    prepared.put_many(first)
    changed = [summary(rnd, i) for i in ids[100:300]]  # half updates, half new
    prepared.put_many([summary(rnd, ids[5])])  # the worker's hints are older than this, for one slot
    plain.put_many([prepared.summaries[prepared.slot_of[ids[5]]]])
    batch = RowBatch.from_summaries(changed)
    hint = prepared.slot_of.hint_many(batch.ids)
    hint[:3] = [0, -1, 10**6]  # wrong, absent and out-of-range guesses are looked up again
    found = prepared.slot_of.find_many(batch.ids, hint)
    assert found.tolist() == prepared.slot_of.find_many(batch.ids).tolist()
    prepared.put_batch(batch, unique=True, found=found, prep=prepare(batch))
    plain.put_batch(RowBatch.from_summaries(changed))
    for case_id in ids:
        assert prepared.summaries[prepared.slot_of[case_id]] == plain.summaries[plain.slot_of[case_id]]


@pytest.mark.parametrize("seed", range(4))
def test_due_times_moved_by_many_batches_count_as_the_plain_list(seed):
    rnd = np.random.default_rng(seed)
    values = list(rnd.integers(0, 50, 300).astype(float))  # few distinct: repeated due times
    dues = DueTimes(np.array(values))
    for _ in range(3 * MAX_CHUNKS):  # merged into the sorted ones more than once
        out = [values.pop(int(rnd.integers(len(values)))) for _ in range(int(rnd.integers(0, 8)))]
        into = list(rnd.integers(0, 50, int(rnd.integers(0, 8))).astype(float))
        values += into
        assert dues.move(np.sort(out), np.sort(into))
        moment = float(rnd.integers(-1, 52))
        assert dues.before(moment) == sum(v < moment for v in values)
    moves = [dues.move(np.array([99.0]), np.zeros(0))] + [dues.move(np.zeros(0), np.zeros(0))
                                                          for _ in range(MAX_CHUNKS)]
    assert not all(moves)  # a due time never kept is found out when the batches are merged in: count again
