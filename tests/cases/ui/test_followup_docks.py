"""The supervision-order and callback docks, driven with the mouse and keyboard on a real cache: counts and
alerts, who gets which button, the dialogs, and the commands they queue (offline too)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from app.platform.enums import Action, Status
from tests.support.ui import LEAD, OPERATOR, handler_for
from ui.cases.callbacks_dock import CallbacksDock
from ui.cases.supervision_dock import SupervisionDock

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")  # dialogs shown


def dock_for(qtbot, cls, ctx):
    dock = cls(ctx)
    qtbot.addWidget(dock)
    dock.show()  # a follow-up dock searches the cache once it is first shown
    return dock


def ok(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def ordered_case(cases, **payload):
    case_id = cases.make(Status.IN_PROGRESS)
    cases.act(case_id, Action.ISSUE_ORDER, {"unit_id": cases.unit, "text": "report progress by noon", **payload},
              actor=LEAD)
    return case_id


def closed_citizen_case(cases, demo_cache, phone="13800138000"):
    lat, lon = cases.lat, cases.lon
    case_id = demo_cache.issue(OPERATOR, Action.CREATE, None, {
        "source": "hotline", "category_code": "C0101", "description": "井盖破损", "reporter_name": "李女士",
        "reporter_phone": phone, "location": {"lat": lat, "lon": lon}}, cases.now(), offline=False).case_id
    for action in cases.PATHS[Status.CLOSED]:
        cases.act(case_id, action)
    return case_id


def test_a_follow_up_dock_searches_once_first_shown_then_follows_changes(qtbot, make_ctx, cases, demo_cache):
    """Built hidden (a tab behind the case detail at start-up), the dock parses no case; shown, it lists
    them, and from then on it follows changes whether or not it is the raised tab."""
    ordered_case(cases, level="leader")
    handler = make_ctx(handler_for(cases.unit), offline=True)
    dock = SupervisionDock(handler)
    qtbot.addWidget(dock)
    searches = []
    original = dock.index.refresh
    dock.index.refresh = lambda *a, **k: searches.append(a) or original(*a, **k)
    ordered_case(cases)
    qtbot.wait(300)
    assert searches == [] and dock.model.rowCount() == 0
    dock.show()
    qtbot.waitUntil(lambda: dock.model.rowCount() == 2, timeout=5000)
    dock.hide()
    ordered_case(cases)
    qtbot.waitUntil(lambda: dock.model.rowCount() == 3, timeout=5000)


def test_supervision_dock_counts_alerts_and_the_handler_replies(qtbot, make_ctx, cases, demo_cache):
    case_id = ordered_case(cases, level="leader")
    handler = make_ctx(handler_for(cases.unit), offline=True)
    dock = dock_for(qtbot, SupervisionDock, handler)
    qtbot.waitUntil(lambda: dock.model.rowCount() == 1, timeout=5000)
    assert dock.counts == {"open": 1, "replied": 0, "overdue": 0} and dock.alert.isHidden()
    assert "report progress" in dock.model.data(dock.model.index(0, 6))
    # the clock passes the leader-level deadline (two hours): the alert and the row say so
    handler.now = lambda: datetime.now(timezone.utc) + timedelta(hours=3)
    dock.tick()
    assert dock.counts["overdue"] == 1 and not dock.alert.isHidden() and "1" in dock.alert.text()
    assert "OVERDUE" in dock.model.data(dock.model.index(0, 4))
    assert dock.buttons[Action.REPLY_ORDER].isEnabled()
    assert dock.buttons[Action.ACCEPT_ORDER_REPLY].isHidden()

    qtbot.mouseClick(dock.buttons[Action.REPLY_ORDER], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dock.dialog is not None, timeout=2000)
    dialog = dock.dialog
    ok(qtbot, dialog)  # empty: refused in the dialog
    assert dialog.isVisible() and dialog.error.text()
    qtbot.keyClicks(dialog.text, "crew on site at 11:00")
    ok(qtbot, dialog)
    qtbot.waitUntil(lambda: demo_cache.case(case_id).orders[0].state == "replied", timeout=5000)
    [queued] = [c for c in demo_cache.pending_commands(case_id) if c.action == Action.REPLY_ORDER]
    assert queued.offline and queued.payload["text"] == "crew on site at 11:00"
    qtbot.waitUntil(lambda: dock.model.rowCount() == 0, timeout=5000)  # the lead's turn now


def test_lead_accepts_or_rejects_and_other_units_see_nothing(qtbot, make_ctx, cases, demo_cache):
    case_id = ordered_case(cases)
    order_id = str(demo_cache.case(case_id).orders[0].id)
    cases.act(case_id, Action.REPLY_ORDER, {"order_id": order_id, "text": "done"}, actor=handler_for(cases.unit))
    stranger = dock_for(qtbot, SupervisionDock, make_ctx(handler_for("sanitation")))
    lead = dock_for(qtbot, SupervisionDock, make_ctx(LEAD))
    qtbot.waitUntil(lambda: lead.model.rowCount() == 1, timeout=5000)
    # a unit handler of another unit: no row, and nothing to reply to
    assert stranger.model.rowCount() == 0 and not stranger.buttons[Action.REPLY_ORDER].isEnabled()
    assert lead.counts == {"open": 0, "replied": 1, "overdue": 0}
    assert lead.buttons[Action.ACCEPT_ORDER_REPLY].isEnabled() and lead.buttons[Action.REPLY_ORDER].isHidden()

    qtbot.mouseClick(lead.buttons[Action.REJECT_ORDER_REPLY], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: lead.dialog is not None, timeout=2000)
    assert "done" in lead.dialog.shown.toPlainText()
    qtbot.keyClicks(lead.dialog.text, "give a date")
    ok(qtbot, lead.dialog)
    qtbot.waitUntil(lambda: demo_cache.case(case_id).orders[0].state == "open", timeout=5000)
    assert demo_cache.case(case_id).orders[0].rejection_reason == "give a date"
    qtbot.waitUntil(lambda: lead.counts["open"] == 1, timeout=5000)


def test_callbacks_dock_records_calls_and_the_lead_reopens(qtbot, make_ctx, cases, demo_cache):
    case_id = closed_citizen_case(cases, demo_cache)
    closed_citizen_case(cases, demo_cache, phone="")  # nobody to call: not listed
    operator = dock_for(qtbot, CallbacksDock, make_ctx(OPERATOR, offline=True))
    qtbot.waitUntil(lambda: operator.model.rowCount() == 1, timeout=5000)
    assert operator.model.data(operator.model.index(0, 2)) == "13800138000"
    assert operator.counts == {"waiting": 1, "retry": 0, "dissatisfied": 0}
    assert operator.reopen_button.isHidden()

    qtbot.mouseClick(operator.call_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: operator.dialog is not None, timeout=2000)
    dialog = operator.dialog
    assert "13800138000" in dialog.phone.text()
    dialog.reached.click()  # not reached
    assert not dialog.satisfaction.isEnabled()
    ok(qtbot, dialog)
    qtbot.waitUntil(lambda: operator.counts["retry"] == 1, timeout=5000)

    qtbot.mouseClick(operator.call_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: operator.dialog is not None and operator.dialog is not dialog, timeout=2000)
    dialog = operator.dialog
    dialog.satisfaction.setCurrentIndex(dialog.satisfaction.findData("dissatisfied"))
    qtbot.keyClicks(dialog.note, "the cover rocks")
    ok(qtbot, dialog)
    qtbot.waitUntil(lambda: operator.counts["dissatisfied"] == 1, timeout=5000)
    assert not operator.alert.isHidden() and not operator.call_button.isEnabled()
    assert [c.offline for c in demo_cache.pending_commands(case_id) if c.action == Action.RECORD_CALLBACK] == \
        [True, True]

    lead = dock_for(qtbot, CallbacksDock, make_ctx(LEAD))
    qtbot.waitUntil(lambda: lead.model.rowCount() == 1, timeout=5000)
    assert lead.reopen_button.isEnabled()
    qtbot.mouseClick(lead.reopen_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: lead.dialog is not None, timeout=2000)
    assert lead.dialog.warning.isVisibleTo(lead.dialog)  # reopening is confirmed
    qtbot.keyClicks(lead.dialog.text, "reporter dissatisfied")
    ok(qtbot, lead.dialog)
    qtbot.waitUntil(lambda: demo_cache.case(case_id).status == Status.REGISTERED, timeout=5000)
    qtbot.waitUntil(lambda: lead.model.rowCount() == 0, timeout=5000)


def test_the_lead_declines_to_reopen_and_the_case_leaves_the_list(qtbot, make_ctx, cases, demo_cache):
    case_id = closed_citizen_case(cases, demo_cache)
    cases.act(case_id, Action.RECORD_CALLBACK, {"reached": True, "satisfaction": "dissatisfied",
                                                 "note": "still smells"}, actor=OPERATOR)
    operator = dock_for(qtbot, CallbacksDock, make_ctx(OPERATOR))
    qtbot.waitUntil(lambda: operator.counts["dissatisfied"] == 1, timeout=5000)
    assert operator.decline_button.isHidden()  # the lead's decision
    lead = dock_for(qtbot, CallbacksDock, make_ctx(LEAD, offline=True))
    qtbot.waitUntil(lambda: lead.model.rowCount() == 1, timeout=5000)
    assert lead.decline_button.isEnabled() and "reopens their case or declines" in lead.alert.text()
    qtbot.mouseClick(lead.decline_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: lead.dialog is not None, timeout=2000)
    ok(qtbot, lead.dialog)  # no reason yet: refused in the dialog, nothing queued
    declines = lambda: [c for c in demo_cache.pending_commands(case_id) if c.action == Action.DECLINE_REOPEN]  # noqa: E731
    assert lead.dialog is not None and not declines()
    qtbot.keyClicks(lead.dialog.text, "cleaned to the standard; explained to the reporter")
    ok(qtbot, lead.dialog)
    qtbot.waitUntil(lambda: lead.model.rowCount() == 0, timeout=5000)
    case = demo_cache.case(case_id)
    assert case.status == Status.CLOSED and case.callback.decline_reason.startswith("cleaned to the standard")
    (queued,) = declines()
    assert queued.offline
    qtbot.waitUntil(lambda: operator.counts["dissatisfied"] == 0, timeout=5000)
