"""Merge into: the dialog opens at once and reads the open cases near the case off the GUI thread (the op
API's readers), then the operator picks the master and writes the reason; the merge lands on the case."""
from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from app.platform.enums import Action, Status
from ui.cases.detail_dock import CaseDetailDock
from ui.cases.merge_dialog import MergeDialog

SHOWN = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@SHOWN  # the action's dialog is a shown window
def test_merge_into_reads_the_cache_off_the_gui_thread_and_merges(qtbot, make_ctx, cases, demo_cache,
                                                                   monkeypatch):
    master = cases.make(Status.REGISTERED)
    far = cases.make(Status.REGISTERED, lat=cases.lat + 0.01)          # ~1.1 km north: not offered
    repeat = cases.make(Status.REPORTED, lat=cases.lat + 30 / 111_195)  # 30 m north of the master
    ctx = make_ctx()
    dock = CaseDetailDock(ctx)
    qtbot.addWidget(dock)
    ctx.select_case(repeat)
    qtbot.waitUntil(lambda: dock.case is not None and dock.case.id == repeat, timeout=5000)

    release, read_on = threading.Event(), []
    summaries = demo_cache.summaries

    def slow_summaries(*args, **kwargs):  # a big cache: the read takes its time
        read_on.append(threading.current_thread())
        assert release.wait(5)
        return summaries(*args, **kwargs)

    monkeypatch.setattr(demo_cache, "summaries", slow_summaries)
    dock.actions_bar.qaction(Action.MERGE).trigger()
    dialog = dock.controller.dialog
    assert isinstance(dialog, MergeDialog)
    qtbot.waitUntil(lambda: bool(read_on), timeout=5000)
    # the dialog is up and answering while the read runs elsewhere
    assert read_on[0] is not threading.main_thread()
    assert dialog.isVisible() and dialog.loading and "Looking" in dialog.empty.text()
    dialog.reason.setFocus()
    qtbot.keyClicks(dialog.reason, "same cover, reported twice")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert "Still looking" in dialog.error.text() and dialog.isVisible()  # OK before the list: not yet
    release.set()
    qtbot.waitUntil(lambda: not dialog.loading, timeout=5000)
    offered = [dialog.list.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
               for i in range(dialog.list.topLevelItemCount())]
    assert offered[0] == str(master) and str(far) not in offered and str(repeat) not in offered
    assert dialog.empty.isHidden()
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: demo_cache.case(repeat).status == Status.MERGED, timeout=5000)
    merged = demo_cache.case(repeat)
    assert merged.merged_into == master
    assert merged.events[-1].payload["reason"] == "same cover, reported twice"


@SHOWN
def test_merge_dialog_says_when_nothing_is_near(qtbot, make_ctx, cases):
    alone = cases.make(Status.REGISTERED, category="C0110")
    ctx = make_ctx()
    dock = CaseDetailDock(ctx)
    qtbot.addWidget(dock)
    ctx.select_case(alone)
    qtbot.waitUntil(lambda: dock.case is not None and dock.case.id == alone, timeout=5000)
    dock.actions_bar.qaction(Action.MERGE).trigger()
    dialog = dock.controller.dialog
    qtbot.waitUntil(lambda: not dialog.loading, timeout=5000)
    assert "No open case of a related category within 200 m" in dialog.empty.text() and dialog.empty.isVisible()
    dialog.reason.setPlainText("x")
    dialog.accept()
    assert "Choose the master case" in dialog.error.text()
    dialog.reject()
