"""The queue's storage under sync batches: one page of the changes feed that inserts, moves and removes many
rows above and below the operator's case keeps that case highlighted and current, leaves the rows exactly
the view's rows in sort order, and moves the views' kept counts to what a full count gives."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.cases.saved_views import View
from app.platform.enums import Status
from app.wire.feed import Change
from tests.support.ui import OPERATOR
from ui.cases.queue_dock import CaseQueueDock
from ui.cases.queue_model import SMALL_BATCH, Column

NO_TICK = 10**8
SHOWN = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)",
                                  r"This plugin does not support raise\(\)")


class Feed:
    """Server snapshots cloned from one case the workflow made, fed to the cache as the sync engine does."""

    def __init__(self, cache, template_id):
        self.cache = cache
        self.template = cache.case(template_id).model_dump(mode="json")
        self.position = 0
        self.now = datetime.now(timezone.utc)

    def case(self, n: int, *, minutes_old: int, status: Status = Status.REPORTED, version: int = 1) -> dict:
        data = dict(self.template)
        data.update(id=str(uuid.UUID(int=n + 1)), number=f"2026-{n:06d}", status=status.value, version=version,
                    created_at=(self.now - timedelta(minutes=minutes_old)).isoformat(),
                    updated_at=self.now.isoformat(), description=f"井盖破损 cover marker{n}x")
        return data

    def send(self, cases: list[dict], gone: list[str] = ()) -> None:
        changes = []
        for data in cases:
            self.position += 1
            changes.append(Change(position=self.position, kind="case", id=data["id"], data=data))
        for case_id in gone:
            self.position += 1
            changes.append(Change(position=self.position, kind="scope_exit", id=case_id, data={"kind": "case"}))
        self.cache.apply_changes(changes, self.position)


def full_counts(model, views):
    ctx = model.view_context()
    return {v: int(np.count_nonzero(model.cols.view_mask(v, ctx))) for v in views}


@SHOWN
def test_a_sync_page_above_the_operators_case_keeps_it_current(qtbot, make_ctx, cases, demo_cache):
    from PySide6.QtWidgets import QMainWindow

    feed = Feed(demo_cache, cases.make(Status.REPORTED))
    feed.send([feed.case(n, minutes_old=10 * n) for n in range(1, 61)])  # 60 cases, 10 minutes apart
    ctx = make_ctx(OPERATOR)
    dock = CaseQueueDock(ctx, sound=False, tick_ms=NO_TICK)
    window = QMainWindow()
    qtbot.addWidget(window)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    window.resize(1200, 500)
    window.show()
    qtbot.waitExposed(window)
    model = dock.model
    qtbot.waitUntil(lambda: model.is_indexed and model.rowCount() == 61)
    dock.table.sortByColumn(Column.AGE, Qt.SortOrder.AscendingOrder)  # youngest first
    views = dock.views()
    assert model.counts(views) == full_counts(model, views)  # counted once, then kept

    # the operator clicks the case 30 rows down: it becomes the window's current case
    row = model.row_of(uuid.UUID(int=31))
    dock.table.scrollTo(model.index(row, 0))
    rect = dock.table.visualRect(model.index(row, Column.NUMBER))
    qtbot.mouseClick(dock.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    chosen = uuid.UUID(int=31)
    assert ctx.selected_case == chosen and dock.selected_id() == chosen
    resets, batches = [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.batch_started.connect(lambda: batches.append(1))

    # One feed page: 20 new cases younger than all (rows inserted above), 10 cases above it closed (they
    # leave "All active"), 5 above it leave the scope (gone from the cache), 10 below it get younger than
    # it (they move above it).
    new = [feed.case(100 + n, minutes_old=1 + n % 7) for n in range(20)]
    closed = [feed.case(n, minutes_old=10 * n, status=Status.CLOSED, version=2) for n in range(1, 11)]
    moved = [feed.case(n, minutes_old=2 + n % 5, version=2) for n in range(40, 50)]
    gone = [str(uuid.UUID(int=n + 1)) for n in range(11, 16)]
    assert len(new) + len(closed) + len(moved) + len(gone) > SMALL_BATCH  # the batched path
    assert model.counts(views) == full_counts(model, views)
    feed.send(new + closed + moved, gone)
    qtbot.waitUntil(lambda: model.row_of(uuid.UUID(int=101)) is not None and not model._fetching)

    assert not resets and batches == [1]  # one batch, no reset
    assert ctx.selected_case == chosen and dock.selected_id() == chosen
    assert dock.table.currentIndex().row() == model.row_of(chosen)
    assert model.rowCount() == 61 + 20 - 10 - 5
    assert model._rows.tolist() == model.cols.ordered(model._mask(), "age")
    assert all(model.row_of(uuid.UUID(int=n + 1)) is None for n in range(1, 16))  # closed or gone
    assert model.counts(views) == full_counts(model, views)
    assert model.counts([View.ALL])[View.ALL] == 61 + 20 - 5

    dock.set_query("marker105x")  # the batch's text reached its own cases
    assert model.ids() == [uuid.UUID(int=106)]
    dock.set_query("")

    # the arrow key moves from the operator's case to its neighbour in the new order
    below = model.case_id(model.row_of(chosen) + 1)
    qtbot.keyClick(dock.table, Qt.Key.Key_Down)
    assert ctx.selected_case == below


def test_a_batch_read_off_the_gui_thread_names_each_case_once(qtbot, make_ctx, cases, demo_cache):
    """The reader thread hands the model each changed case once, with its text placed by position: a case
    changed twice before the read still takes its latest state and text."""
    from ui.cases.queue_reads import read_changes

    feed = Feed(demo_cache, cases.make(Status.REPORTED))
    feed.send([feed.case(n, minutes_old=n) for n in range(1, 31)])
    ids = [uuid.UUID(int=n + 1) for n in range(1, 31)]
    read = read_changes(demo_cache, ids + ids[:5] + [uuid.UUID(int=999)], "operator1")
    assert len(read.batch) == 30 and len(set(read.batch.ids.tolist())) == 30
    assert read.removed == [uuid.UUID(int=999)]
    assert read.texts.asked.tolist() == read.batch.ids.tolist()
    assert len(read.texts.keys) == 30
    assert read.texts.keys.tolist() == read.batch.ids[read.texts.keys_at].tolist()  # each text's case, by position
