"""The queue model's view counts stay equal to a full recount through small patches, sync pages and
removals (kept and moved by each change's own rows: app/cases/queue_counts.py), whatever the sort and view
shows, and the rows stay those of the view in order."""
from __future__ import annotations

import random
import uuid
from datetime import timedelta

import numpy as np
import pytest

from app.cases.saved_views import View
from app.platform.enums import Priority, Status
from ui.cases.queue_model import SMALL_BATCH, CaseQueueModel, Column

VIEWS = [View.ALL, View.ALL_ACTIVE, View.TO_REGISTER, View.TO_DISPATCH, View.OVERDUE, View.ESCALATED,
         View.RETURNED, View.AWAITING_VERIFICATION, View.MINE]


def full_counts(model):
    ctx = model.view_context()
    return {v: int(np.count_nonzero(model.cols.view_mask(v, ctx))) for v in VIEWS}


@pytest.mark.parametrize("view", [View.ALL_ACTIVE, View.TO_DISPATCH, View.OVERDUE])
def test_counts_and_rows_follow_small_and_large_changes(qtbot, make_ctx, cases, view):
    template = cases.make(Status.REPORTED)
    model = CaseQueueModel(make_ctx(), tick_ms=10**8)
    qtbot.waitUntil(lambda: model.is_loaded, timeout=5000)
    base = model.cols.summaries[model.cols.slot_of[template]]
    model.set_view(view)
    model.sort(Column.TIME_LEFT)
    rnd = random.Random(3)
    ids = [uuid.UUID(int=rnd.getrandbits(128)) for _ in range(200)]

    def changed(case_id):
        due = base.due_at + timedelta(minutes=rnd.randint(-300, 300))
        return base._replace(id=case_id, status=rnd.choice(list(Status)), due_at=due,
                             priority=rnd.choice(list(Priority)), escalation_level=rnd.choice([0, 1]))

    assert model.counts(VIEWS) == full_counts(model)
    for size in (3, SMALL_BATCH + 20, 1, 150, SMALL_BATCH, 60):
        present = [i for i in ids if i in model.cols.slot_of]
        removed = rnd.sample(present, min(len(present), size // 4))
        model.apply([changed(i) for i in rnd.sample(ids, size) if i not in removed], removed)
        assert model.counts(VIEWS) == full_counts(model)
        assert model._rows.tolist() == model.cols.ordered(model._mask(), "due")
