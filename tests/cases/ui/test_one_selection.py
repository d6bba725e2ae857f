"""One current case for the whole window: the queue's highlight, the detail dock and every action key
agree, driven with the keyboard and the mouse as an operator would; messages belong to their case."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow

from app.cases.saved_views import View
from app.platform.enums import Action, Status
from tests.support.ui import OPERATOR
from ui.cases.detail_dock import CaseDetailDock
from ui.cases.payload_dialog import TextDialog
from ui.cases.queue_dock import CaseQueueDock

SHOWN = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)",
                                  r"This plugin does not support raise\(\)")
NO_TICK = 10**8


def console(qtbot, ctx):
    """Queue and detail docks in one main window, as in the console (shortcuts are window-wide)."""
    window = QMainWindow()
    qtbot.addWidget(window)
    queue = CaseQueueDock(ctx, sound=False, tick_ms=NO_TICK)
    detail = CaseDetailDock(ctx)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, queue)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, detail)
    window.resize(1600, 800)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: queue.model.is_loaded, timeout=5000)
    return window, queue, detail


def shows(qtbot, queue, detail, case_id):
    """The highlight, the current case and the detail dock all show `case_id`."""
    qtbot.waitUntil(lambda: detail.case is not None and detail.case.id == case_id, timeout=5000)
    assert queue.ctx.selected_case == case_id
    assert queue.selected_id() == case_id


def queued(cache, case_id):
    return [c.action for c in cache.pending_commands(case_id)]


@SHOWN
def test_keys_act_on_the_highlighted_case_alone(qtbot, make_ctx, cases, demo_cache):
    ids = [cases.make(Status.REPORTED) for _ in range(3)]
    before = {i: queued(demo_cache, i) for i in ids}
    ctx = make_ctx(OPERATOR)
    window, queue, detail = console(qtbot, ctx)
    queue.set_view(View.TO_REGISTER)
    table = queue.table
    table.setFocus()
    assert ctx.selected_case is None

    qtbot.keyClick(table, Qt.Key.Key_Down)            # the first row becomes the current case
    first = queue.model.case_id(0)
    shows(qtbot, queue, detail, first)
    qtbot.keyClick(table, Qt.Key.Key_Down)            # the second
    second = queue.model.case_id(1)
    shows(qtbot, queue, detail, second)
    qtbot.keyClick(table, Qt.Key.Key_R)               # R registers exactly the highlighted case
    qtbot.waitUntil(lambda: demo_cache.case(second).status == Status.REGISTERED, timeout=5000)
    assert queued(demo_cache, second) == before[second] + [Action.REGISTER]
    assert all(demo_cache.case(i).status == Status.REPORTED for i in ids if i != second)
    number = demo_cache.case(second).display_number
    qtbot.waitUntil(lambda: detail.message.isVisible())
    assert number in detail.message.text() and "Register" in detail.message.text()

    # The registered case left "to register": no neighbour is highlighted, the detail keeps the case
    # with its confirmation, and the two never disagree.
    qtbot.waitUntil(lambda: queue.model.row_of(second) is None, timeout=5000)
    assert queue.selected_id() is None and ctx.selected_case == second
    assert detail.case.id == second and number in detail.message.text()

    qtbot.keyClick(table, Qt.Key.Key_Down)            # the arrows start again at the top
    top = queue.model.case_id(0)
    shows(qtbot, queue, detail, top)
    assert detail.message.isHidden()                  # the message went with its case
    qtbot.keyClick(table, Qt.Key.Key_Down)
    other = queue.model.case_id(1)
    shows(qtbot, queue, detail, other)

    # A mouse click makes a row current; V asks (the dialog names the case), Ctrl+Enter submits.
    rect = table.visualRect(queue.model.index(queue.model.row_of(top), 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    shows(qtbot, queue, detail, top)
    qtbot.keyClick(table, Qt.Key.Key_V)
    qtbot.waitUntil(lambda: isinstance(detail.controller.dialog, TextDialog))
    dialog = detail.controller.dialog
    assert demo_cache.case(top).display_number in dialog.windowTitle()
    qtbot.keyClicks(dialog.text, "duplicate call")
    qtbot.keyClick(dialog.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: demo_cache.case(top).status == Status.VOIDED, timeout=5000)
    assert demo_cache.case(other).status == Status.REPORTED
    assert queued(demo_cache, other) == before[other]
    assert queued(demo_cache, top)[-1] == Action.VOID


def test_selection_from_elsewhere_moves_the_highlight_and_the_detail(qtbot, make_ctx, cases):
    a, b = cases.make(Status.REPORTED), cases.make(Status.DISPATCHED)
    ctx = make_ctx()
    queue = CaseQueueDock(ctx, sound=False, tick_ms=NO_TICK)
    detail = CaseDetailDock(ctx)
    qtbot.addWidget(queue)
    qtbot.addWidget(detail)
    qtbot.waitUntil(lambda: queue.model.is_loaded, timeout=5000)
    ctx.select_case(b)  # what the map's marker click and the alarm list do
    shows(qtbot, queue, detail, b)
    queue.set_view(View.TO_REGISTER)  # b is not in this view: no row is highlighted instead of it
    assert queue.selected_id() is None
    ctx.select_case(a)
    shows(qtbot, queue, detail, a)


def test_no_key_acts_while_the_next_case_loads(qtbot, make_ctx, cases, demo_cache):
    a, b = cases.make(Status.REPORTED), cases.make(Status.REPORTED)
    ctx = make_ctx()
    detail = CaseDetailDock(ctx)
    qtbot.addWidget(detail)
    ctx.select_case(a)
    qtbot.waitUntil(lambda: detail.case is not None and detail.case.id == a)
    ctx.select_case(b)  # the detail still shows a for a moment: its keys are off meanwhile
    assert not detail.actions_bar.qaction(Action.REGISTER).isEnabled()
    detail._action_requested(Action.REGISTER)
    qtbot.waitUntil(lambda: detail.case.id == b)
    assert demo_cache.case(a).status == Status.REPORTED


@SHOWN  # the void dialog is a shown window
def test_messages_belong_to_their_case(qtbot, make_ctx, cases, demo_cache):
    a, b = cases.make(Status.REPORTED), cases.make(Status.REPORTED)
    ctx = make_ctx()
    detail = CaseDetailDock(ctx)
    qtbot.addWidget(detail)
    ctx.select_case(a)
    qtbot.waitUntil(lambda: detail.case is not None and detail.case.id == a)
    detail.actions_bar.qaction(Action.REGISTER).trigger()
    qtbot.waitUntil(lambda: "queued for" in detail.message.text() and not detail.message.isHidden())
    ctx.select_case(b)
    assert detail.message.isHidden()
    qtbot.waitUntil(lambda: detail.case.id == b)
    assert detail.message.isHidden()
    ctx.select_case(a)  # coming back does not bring an old message back either
    qtbot.waitUntil(lambda: detail.case.id == a)
    assert detail.message.isHidden()

    # A refusal that arrives after the operator moved on is not shown on the case now on screen.
    elsewhere = []
    ctx.current.elsewhere.connect(elsewhere.append)
    stale = demo_cache.case(b)
    detail.controller.request(Action.VOID, stale)
    dialog = detail.controller.dialog
    dialog.text.setPlainText("duplicate")
    cases.act(b, Action.REGISTER)
    cases.act(b, Action.VOID)                 # someone voided it meanwhile: voiding again is refused
    dialog.accept()
    qtbot.waitUntil(lambda: dialog.error.isVisible())
    assert "moved on" in dialog.error.text()
    assert detail.message.isHidden() and not elsewhere
    # A brand-new case never inherits a message.
    new = cases.make(Status.REPORTED)
    ctx.current.tell(a, "Dispatch queued for 2026-000001.")
    assert not detail.message.isHidden()
    ctx.select_case(new)
    assert detail.message.isHidden()
    assert ctx.current.tell(a, "late") is False and elsewhere[-1].text == "late"


@SHOWN
def test_after_an_action_the_highlight_follows_the_case_wherever_its_row_goes(qtbot, make_ctx, cases, demo_cache):
    from ui.cases.queue_model import Column

    ids = [cases.make(Status.REPORTED) for _ in range(4)] + [cases.make(Status.REGISTERED)]
    ctx = make_ctx(OPERATOR)
    window, queue, detail = console(qtbot, ctx)
    queue.table.sortByColumn(Column.STATUS, Qt.SortOrder.AscendingOrder)  # a registered case changes place
    table = queue.table
    table.setFocus()
    last_reported = min((queue.model.row_of(i), i) for i in ids[:4])[1]  # the top row: it must move down
    rect = table.visualRect(queue.model.index(queue.model.row_of(last_reported), 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    shows(qtbot, queue, detail, last_reported)
    row_before = queue.model.row_of(last_reported)
    qtbot.keyClick(table, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: demo_cache.case(last_reported).status == Status.REGISTERED, timeout=5000)
    qtbot.waitUntil(lambda: detail.case.status == Status.REGISTERED, timeout=5000)
    assert queue.model.row_of(last_reported) != row_before  # the row moved (statuses sort in workflow order)…
    shows(qtbot, queue, detail, last_reported)            # …the highlight and the detail went with it
    assert [i for i in ids if demo_cache.case(i).status == Status.REGISTERED] == [last_reported, ids[4]]
