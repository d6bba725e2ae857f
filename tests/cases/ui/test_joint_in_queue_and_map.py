"""A joint case (主办/协办) as the queue and the map show it: the unit cell names the lead unit and counts
the co-handling units, its tooltip lists each co-unit with its task's state, the co-unit's handler finds the
case under "My cases", and the map marker's tooltip names the co-units — each following the tasks live."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.cases.saved_views import View
from app.platform.enums import Action as A
from app.platform.enums import Status
from tests.support.ui import OPERATOR, handler_for
from ui.cases.actions import CaseActionController
from ui.cases.queue_model import CaseQueueModel, Column
from ui.map.case_markers import column_markers

CO = "roads"
NO_TICK = 10**8
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def controller(qtbot, ctx):
    host = QWidget()
    qtbot.addWidget(host)
    ctrl = CaseActionController(ctx, host)
    ctrl.host = host
    return ctrl


def issue(qtbot, ctrl, action, case, answer=None):
    with qtbot.waitSignal(ctrl.issued, timeout=5000):
        ctrl.request(action, case)
        if ctrl.dialog is not None:
            if answer is not None:
                answer(ctrl.dialog)
            ctrl.dialog.accept()


def loaded(qtbot, ctx):
    model = CaseQueueModel(ctx, tick_ms=NO_TICK)
    qtbot.waitUntil(lambda: model.is_loaded and model.is_indexed, timeout=5000)
    return model


def unit_cell(model, case_id, role=Qt.ItemDataRole.DisplayRole):
    row = model.row_of(case_id)
    return None if row is None else model.index(row, Column.UNIT).data(role)


def test_the_queue_and_the_map_show_a_joint_cases_co_units_as_the_tasks_move(
        qtbot, make_ctx, cases, demo_cache, refdata):
    joint, alone = cases.make(Status.DISPATCHED), cases.make(Status.DISPATCHED)
    lead_unit = demo_cache.case(joint).unit_id
    desk_ctx = make_ctx(OPERATOR)
    model = loaded(qtbot, desk_ctx)
    plain = unit_cell(model, joint)
    assert "co-handling" not in plain and unit_cell(model, alone) == plain

    desk = controller(qtbot, desk_ctx)
    def suggested(dialog):
        assert dialog.payload()["unit_id"] == CO  # the matrix's other unit, suggested

    issue(qtbot, desk, A.ADD_CO_UNIT, demo_cache.case(joint), suggested)
    qtbot.waitUntil(lambda: unit_cell(model, joint) == f"{plain} +1 co-handling", timeout=5000)
    assert unit_cell(model, alone) == plain  # only the joint case changed
    tip = unit_cell(model, joint, Qt.ItemDataRole.ToolTipRole)
    assert "Co-handling:" in tip and "Waiting for acceptance" in tip
    slot = model.cols.slot_of.get(joint)
    marker = column_markers(model.cols, [slot], model._now)[0]
    assert marker["cu"] == CO and marker["u"] == lead_unit
    assert column_markers(model.cols, [model.cols.slot_of.get(alone)], model._now)[0]["cu"] == ""

    # The co-unit's handler: the case is among "My cases" (its own task), not only the lead unit's.
    co_ctx = make_ctx(handler_for(CO))
    co_model = loaded(qtbot, co_ctx)
    co_model.set_view(View.MINE)
    assert joint in co_model.ids() and alone not in co_model.ids()
    issue(qtbot, controller(qtbot, co_ctx), A.CO_ACCEPT, demo_cache.case(joint))
    qtbot.waitUntil(lambda: "In progress" in unit_cell(model, joint, Qt.ItemDataRole.ToolTipRole), timeout=5000)

    # The desk ends the co-task: the row reads as a plain case again, the marker loses its co-units.
    issue(qtbot, desk, A.REMOVE_CO_UNIT, demo_cache.case(joint),
          lambda d: d.text.setPlainText("roads is not needed after all"))
    qtbot.waitUntil(lambda: unit_cell(model, joint) == plain, timeout=5000)
    assert column_markers(model.cols, [model.cols.slot_of.get(joint)], model._now)[0]["cu"] == ""
    co_model.set_view(View.MINE)
    qtbot.waitUntil(lambda: joint not in co_model.ids(), timeout=5000)
