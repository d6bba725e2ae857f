"""No typed text lost: limits checked in the field as the operator types, a refused dialog stays open
with its text, the phone rule and the coordinates in the field, and places outside the city."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from app.cases.commands import EscalatePayload
from app.platform.enums import Action, Status
from tests.support.ui import CASE_CATEGORY
from ui.cases import field_limits
from ui.cases.detail_dock import CaseDetailDock
from ui.cases.dispatch_dialog import DispatchDialog
from ui.cases.new_case_dialog import NewCaseDialog

SHOWN = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")
OUTSIDE = (39.9042, 116.4074)  # Beijing: no grid of the demo city (Hangzhou) holds it


def test_the_limits_come_from_the_payload_models():
    assert field_limits.payload_limit(Action.ESCALATE, "reason") == 2000
    assert EscalatePayload.model_fields["reason"].metadata  # read there, not copied
    assert field_limits.payload_limit(Action.NOTE, "text") == 4000
    assert field_limits.payload_limit(Action.DISPATCH, "note") == 2000
    assert field_limits.create_limit("description") == 4000
    assert field_limits.create_limit("address") == 300
    assert field_limits.create_limit("reporter_phone") == 40


@SHOWN
def test_a_reason_too_long_is_counted_as_typed_and_the_dialog_keeps_it(qtbot, make_ctx, cases, demo_cache):
    case_id = cases.make(Status.REPORTED)
    ctx = make_ctx()
    detail = CaseDetailDock(ctx)
    qtbot.addWidget(detail)
    ctx.select_case(case_id)
    qtbot.waitUntil(lambda: detail.case is not None)
    before = len(demo_cache.pending_commands(case_id))
    detail.actions_bar.qaction(Action.ESCALATE).trigger()
    dialog = detail.controller.dialog
    counter = dialog.findChild(type(dialog.error), "fieldCounter")
    dialog.text.setPlainText("x" * 1590)
    assert counter.isHidden()                                  # far from the limit: no counter
    dialog.text.setPlainText("x" * 1990)
    dialog.text.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(dialog.text, "y" * 15)                     # typed past the limit
    assert counter.text() == "2,005 / 2,000 — 5 characters too many" and not counter.isHidden()
    dialog.accept()                                            # OK: refused in the dialog
    assert dialog.isVisible() and not dialog.error.isHidden()
    assert "2,005" in dialog.error.text() and "2,000" in dialog.error.text()
    assert dialog.text.toPlainText() == "x" * 1990 + "y" * 15  # nothing lost, nothing cut
    assert len(demo_cache.pending_commands(case_id)) == before
    for _ in range(5):
        qtbot.keyClick(dialog.text, Qt.Key.Key_Backspace)
    assert counter.text() == "2,000 / 2,000"
    closed = []
    dialog.finished.connect(closed.append)
    qtbot.keyClick(dialog.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Enter submits
    qtbot.waitUntil(lambda: len(demo_cache.pending_commands(case_id)) == before + 1, timeout=5000)
    qtbot.waitUntil(lambda: closed == [1])  # closed (accepted) once queued
    assert demo_cache.pending_commands(case_id)[-1].payload["reason"] == "x" * 1990 + "y" * 10


def new_case(qtbot, ctx):
    d = NewCaseDialog(ctx)
    qtbot.addWidget(d)
    return d


def test_the_phone_is_checked_in_the_field_and_refused_on_save(qtbot, make_ctx, cases, demo_cache):
    d = new_case(qtbot, make_ctx())
    d.set_category(CASE_CATEGORY)
    d.description.setPlainText("Manhole cover broken")
    d.set_location(cases.lat, cases.lon)
    qtbot.keyClicks(d.reporter_phone, "not-a-phone!!")
    assert not d.phone_problem.isHidden() and "not a phone number" in d.phone_problem.text()
    d.save()
    assert "not a phone number" in d.error.text()
    assert demo_cache.case_count() == 0 and d.reporter_phone.text() == "not-a-phone!!"
    d.reporter_phone.clear()
    qtbot.keyClicks(d.reporter_phone, "0571-8702 3456")
    assert d.phone_problem.isHidden()


def test_description_counter_and_coordinates_in_the_field(qtbot, make_ctx, cases):
    d = new_case(qtbot, make_ctx())
    d.description.setPlainText("d" * 3999)
    qtbot.keyClicks(d.description, "dd")
    counter = d.guards[0].counter
    assert counter.text() == "4,001 / 4,000 — 1 characters too many" and not counter.isHidden()
    d.save()
    assert "at most 4,000" in d.error.text()
    qtbot.keyClicks(d.lat, "95")
    qtbot.keyClicks(d.lon, "120")
    assert "Latitude must be between -90 and 90" in d.location_problem.text()
    assert not d.location_problem.isHidden()
    d.lat.clear()
    d.lon.clear()
    qtbot.keyClicks(d.lat, f"{cases.lat:.6f}")
    qtbot.keyClicks(d.lon, f"{cases.lon:.6f}")
    assert d.location_problem.isHidden()


def test_a_place_outside_the_city_is_warned_and_needs_a_confirmation(qtbot, make_ctx, demo_cache, refdata):
    ctx = make_ctx()
    d = new_case(qtbot, ctx)
    d.set_category(CASE_CATEGORY)
    d.description.setPlainText("Manhole cover broken")
    qtbot.keyClicks(d.lat, str(OUTSIDE[0]))
    qtbot.keyClicks(d.lon, str(OUTSIDE[1]))
    assert refdata.grid_at(*OUTSIDE) is None
    assert "No grid of the city contains this point" in d.location_problem.text()
    assert not d.outside_ok.isHidden()
    d.save()
    assert "outside the city" in d.error.text() and demo_cache.case_count() == 0
    d.outside_ok.setChecked(True)
    with qtbot.waitSignal(d.case_created, timeout=5000) as created:
        d.save()
    case = demo_cache.case(created.args[0])
    assert case.location.grid_code is None

    # The dispatch dialog says no grid matched, instead of offering "all areas" units as a normal match.
    dispatch = DispatchDialog(Action.DISPATCH, case, refdata)
    qtbot.addWidget(dispatch)
    assert "No grid of the city matched" in dispatch.no_grid.text()
    assert "no grid matched the location" in dispatch.suggestion_list.topLevelItem(0).text(2)


def test_a_location_back_inside_the_city_needs_no_confirmation(qtbot, make_ctx, cases):
    d = new_case(qtbot, make_ctx())
    d.set_location(*OUTSIDE)
    assert not d.outside_ok.isHidden()
    d.set_location(cases.lat, cases.lon)
    assert d.outside_ok.isHidden() and d.location_problem.isHidden() and d.grid_code()
    d.set_location(*OUTSIDE)  # the grid found for the earlier point does not stay behind
    assert d.grid_code() is None and not d.outside_ok.isHidden()
