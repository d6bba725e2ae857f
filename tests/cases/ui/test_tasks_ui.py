"""The console's tasks inside cases: the desk adds a co-handling unit (suggested from the matrix) and sends
a reported case for an on-site check (the grid's inspector preselected); the co-unit's handler and the
inspector find their task in the tasks dock (counted in its title, overdue ones named) and work it from
the case's action controller; the detail dock's Tasks tab shows every unit's task."""
from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.cases.workflow import Actor
from app.platform.enums import Action as A
from app.platform.enums import Role, Status
from tests.support.ui import OPERATOR, handler_for, wait_ops
from ui.cases.actions import CaseActionController
from ui.cases.detail_dock import CaseDetailDock
from ui.cases.task_dialogs import ConfirmCheckDialog, CoUnitDialog, SendCheckDialog
from ui.cases.tasks_dock import CaseTasksDock

CO = "roads"
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")  # dialogs shown


def controller(qtbot, ctx):
    host = QWidget()
    qtbot.addWidget(host)
    ctrl = CaseActionController(ctx, host)
    ctrl.host = host  # the widget lives as long as the controller does
    return ctrl


def dock_of(qtbot, ctx):
    dock = CaseTasksDock(ctx)
    qtbot.addWidget(dock)
    return dock


def run(qtbot, ctrl, action, case, answer=None):
    """Request `action` on `case`; answer its dialog (if any) with `answer(dialog)`, then accept it."""
    with qtbot.waitSignal(ctrl.issued, timeout=5000):
        ctrl.request(action, case)
        if ctrl.dialog is not None:
            if answer is not None:
                answer(ctrl.dialog)
            ctrl.dialog.accept()


def test_a_co_unit_is_added_from_the_suggestions_and_works_its_task_from_the_tasks_dock(
        qtbot, make_ctx, cases, demo_cache):
    case_id = cases.make(Status.DISPATCHED)
    desk = controller(qtbot, make_ctx(OPERATOR))
    desk.request(A.ADD_CO_UNIT, demo_cache.case(case_id))
    dialog = desk.dialog
    assert isinstance(dialog, CoUnitDialog) and dialog.payload()["unit_id"] == CO  # the matrix's other unit
    with qtbot.waitSignal(desk.issued, timeout=5000):
        dialog.accept()
    assert [t.unit_id for t in demo_cache.case(case_id).co_tasks] == [CO]

    ctx = make_ctx(handler_for(CO))
    dock = dock_of(qtbot, ctx)
    wait_ops(qtbot, lambda: dock.model.rowCount() == 1)
    assert dock.windowTitle() == "Tasks (1)" and "1 open task" in dock.summary.text()
    assert dock.model.data(dock.model.index(0, 2)) != "" and dock.model.data(dock.model.index(0, 3)) == \
        "Waiting for acceptance"
    with qtbot.waitSignal(ctx.signals.case_selected, timeout=2000) as selected:
        dock.table.setCurrentIndex(dock.model.index(0, 0))
        qtbot.keyClick(dock.table, Qt.Key.Key_Return)
    assert selected.args == [case_id]
    mine = controller(qtbot, ctx)
    run(qtbot, mine, A.CO_ACCEPT, demo_cache.case(case_id))
    run(qtbot, mine, A.CO_HANDLED, demo_cache.case(case_id), lambda d: d.text.setPlainText("road part done"))
    assert demo_cache.case(case_id).co_tasks[0].status == "handled"
    wait_ops(qtbot, lambda: dock.model.rowCount() == 0)
    assert dock.windowTitle() == "Tasks" and dock.summary.text() == "No open tasks."


def test_an_overdue_co_task_is_named_in_the_docks_warning(qtbot, make_ctx, cases, demo_cache):
    case_id = cases.make(Status.DISPATCHED)
    cases.act(case_id, A.ADD_CO_UNIT, {"unit_id": CO}, actor=OPERATOR)
    due = demo_cache.case(case_id).co_tasks[0].due_at
    ctx = make_ctx(handler_for(CO))
    ctx.now = lambda: due + timedelta(minutes=1)
    dock = dock_of(qtbot, ctx)
    wait_ops(qtbot, lambda: dock.model.rowCount() == 1)
    assert "1 overdue" in dock.summary.text() and dock.summary.property("feedback") == "warning"
    assert "(overdue)" in dock.model.data(dock.model.index(0, 5))


def test_a_reported_case_goes_to_the_grids_inspector_who_confirms_it(qtbot, make_ctx, cases, demo_cache, refdata):
    case_id = cases.make(Status.REPORTED)
    case = demo_cache.case(case_id)
    grid_inspector = refdata.inspectors_for(case.location.grid_code)[0]
    desk = controller(qtbot, make_ctx(OPERATOR))
    desk.request(A.SEND_CHECK, case)
    assert isinstance(desk.dialog, SendCheckDialog) and desk.dialog.payload()["inspector"] == grid_inspector
    assert "the grid's inspector" in desk.dialog.inspector.currentText()
    with qtbot.waitSignal(desk.issued, timeout=5000):
        desk.dialog.accept()
    ctx = make_ctx(Actor(grid_inspector, Role.INSPECTOR))
    dock = dock_of(qtbot, ctx)
    wait_ops(qtbot, lambda: dock.model.rowCount() == 1)
    assert dock.model.data(dock.model.index(0, 1)) == "On-site check (核实)"
    mine = controller(qtbot, ctx)
    mine.request(A.CONFIRM_CHECK, demo_cache.case(case_id))
    assert isinstance(mine.dialog, ConfirmCheckDialog)
    mine.dialog.not_found.setChecked(True)
    assert mine.dialog.payload() == {"found": False}
    with qtbot.waitSignal(mine.issued, timeout=5000):
        mine.dialog.accept()
    assert demo_cache.case(case_id).check.result == "not_found"
    wait_ops(qtbot, lambda: dock.model.rowCount() == 0)


def test_the_detail_dock_shows_every_units_task(qtbot, make_ctx, cases, demo_cache):
    case_id = cases.make(Status.IN_PROGRESS)
    cases.act(case_id, A.ADD_CO_UNIT, {"unit_id": CO}, actor=OPERATOR)
    ctx = make_ctx(handler_for(CO))
    dock = CaseDetailDock(ctx)
    qtbot.addWidget(dock)
    dock.load(case_id)
    wait_ops(qtbot, lambda: dock.case is not None)
    rows = dock.task_panel.rows()
    assert [r[1] for r in rows] == ["Lead (主办)", "Co-handling (协办)"]
    assert rows[1][2] == "Waiting for acceptance"
    assert dock.tabs.tabText(2) == "Tasks"
    # the co-unit's handler gets its task's actions, not the lead's
    visible = dock.actions_bar.visible_actions()
    assert A.CO_ACCEPT in visible and A.REPORT_HANDLED not in visible and A.ACCEPT not in visible


def test_an_escalated_co_task_says_so_in_the_detail_dock(qtbot, make_ctx, cases, demo_cache):
    from app.cases.workflow import SYSTEM_ACTOR

    case_id = cases.make(Status.IN_PROGRESS)
    cases.act(case_id, A.ADD_CO_UNIT, {"unit_id": CO}, actor=OPERATOR)
    late = demo_cache.case(case_id).co_tasks[0].due_at + timedelta(minutes=1)
    demo_cache.issue(SYSTEM_ACTOR, A.CO_OVERDUE, case_id, {"unit_id": CO}, late, offline=False)
    dock = CaseDetailDock(make_ctx(OPERATOR))
    qtbot.addWidget(dock)
    dock.load(case_id)
    wait_ops(qtbot, lambda: dock.case is not None)
    row = dock.task_panel.rows()[1]
    assert row[0] != "" and row[3].endswith("↑ escalated")
    tip = dock.task_panel.tree.topLevelItem(1).toolTip(3)
    parent = demo_cache.case(case_id).co_tasks[0].escalated_to
    assert parent == "city_office" and tip.startswith(
        f"Overdue: escalated to {dock.task_panel.unit_name(parent)} at ")


def test_a_long_task_list_is_sized_from_the_rows_on_screen(qtbot, make_ctx, monkeypatch):
    """3,000 tasks: the columns fit their contents from the rows on screen, not from the first 1,000 rows
    (Qt's default, ~120,000 Python data() calls on the GUI thread at each relayout and each minute's
    refresh)."""
    import uuid
    from datetime import datetime, timezone

    from app.cases import tasks
    from app.cases.tasks import Task
    from ui.cases import tasks_dock

    monkeypatch.setattr(tasks_dock, "run_op", lambda *a, **k: None)  # the rows are given below
    dock = dock_of(qtbot, make_ctx(OPERATOR))
    dock.resize(900, 600)
    dock.show()
    at = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
    rows = [Task(uuid.uuid4(), f"2026-{i:06d}", tasks.CHECK, "inspector1", "pending", at, at + timedelta(hours=i))
            for i in range(3000)]
    calls = []
    original = tasks_dock.TasksModel.data
    monkeypatch.setattr(tasks_dock.TasksModel, "data", lambda self, *a: calls.append(1) or original(self, *a))
    dock._loaded(rows)
    qtbot.wait(50)
    assert dock.model.rowCount() == 3000
    assert 0 < len(calls) < 20_000
    header = dock.table.horizontalHeader()
    number_width = header.sectionSize(0)
    assert number_width >= dock.table.fontMetrics().horizontalAdvance("2026-000000")  # fits its contents
