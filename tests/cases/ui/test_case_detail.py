"""The case detail dock: fields, timeline with pending/offline markers, and an action bar that offers
exactly what the workflow allows each role in each state, with shortcuts, confirmations and errors."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow

from app.cases.workflow import allowed_actions
from app.platform import labels
from app.platform.enums import Action, Status
from tests.support.ui import INSPECTOR, LEAD, OPERATOR, handler_for
from ui.cases.actions import SHORTCUTS
from ui.cases.detail_dock import CaseDetailDock
from ui.cases.dispatch_dialog import DispatchDialog
from ui.cases.payload_dialog import ConfirmDialog, TextDialog

A = Action
# A shown window (main window, dialog) makes the offscreen platform say it cannot propagate size hints.
SHOWN = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def detail_for(qtbot, ctx, case_id):
    dock = CaseDetailDock(ctx)
    qtbot.addWidget(dock)
    ctx.select_case(case_id)
    qtbot.waitUntil(lambda: dock.case is not None and dock.case.id == case_id, timeout=5000)
    return dock


def wait_status(qtbot, dock, status):
    qtbot.waitUntil(lambda: dock.case is not None and dock.case.status == status, timeout=5000)


OTHER_UNIT = "sanitation"

# (case status, who looks, the actions expected on the bar) — written from DOMAIN.md, not from the code.
EXPECTED = [
    (Status.REPORTED, OPERATOR, {A.REGISTER, A.VOID, A.ESCALATE, A.NOTE, A.SEND_CHECK, A.MERGE}),
    (Status.REPORTED, LEAD, {A.REGISTER, A.VOID, A.ESCALATE, A.NOTE, A.SEND_CHECK, A.MERGE}),
    (Status.REPORTED, INSPECTOR, {A.NOTE}),
    (Status.REGISTERED, OPERATOR, {A.VOID, A.DISPATCH, A.ESCALATE, A.NOTE, A.ADD_CO_UNIT, A.MERGE}),
    (Status.REGISTERED, LEAD, {A.VOID, A.DISPATCH, A.SUSPEND, A.ESCALATE, A.NOTE, A.ADD_CO_UNIT, A.MERGE}),
    (Status.DISPATCHED, OPERATOR, {A.ESCALATE, A.REASSIGN, A.NOTE, A.ADD_CO_UNIT, A.MERGE}),
    (Status.DISPATCHED, "handler", {A.ACCEPT, A.RETURN, A.REQUEST_EXTENSION, A.NOTE, A.ARRIVE}),
    (Status.DISPATCHED, "other_handler", set()),
    (Status.IN_PROGRESS, "handler", {A.RETURN, A.REPORT_HANDLED, A.REQUEST_EXTENSION, A.NOTE, A.ARRIVE}),
    (Status.IN_PROGRESS, LEAD, {A.SUSPEND, A.ESCALATE, A.REASSIGN, A.NOTE, A.ADD_CO_UNIT, A.ISSUE_ORDER,
                              A.ARRIVE, A.MERGE}),
    (Status.RETURNED, OPERATOR, {A.DISPATCH, A.ESCALATE, A.NOTE, A.ADD_CO_UNIT, A.MERGE}),
    (Status.HANDLED, OPERATOR, {A.SEND_VERIFY, A.ESCALATE, A.NOTE, A.MERGE}),
    (Status.HANDLED, INSPECTOR, {A.NOTE}),
    (Status.VERIFYING, INSPECTOR, {A.VERIFY_PASS, A.VERIFY_FAIL, A.NOTE, A.ARRIVE}),
    (Status.VERIFYING, LEAD, {A.VERIFY_PASS, A.VERIFY_FAIL, A.ESCALATE, A.NOTE, A.ISSUE_ORDER, A.ARRIVE, A.MERGE}),
    (Status.VERIFYING, OPERATOR, {A.ESCALATE, A.NOTE, A.MERGE}),
    (Status.SUSPENDED, LEAD, {A.RESUME, A.NOTE}),
    (Status.SUSPENDED, OPERATOR, {A.NOTE}),
    (Status.CLOSED, LEAD, {A.NOTE}),
    (Status.VOIDED, OPERATOR, {A.NOTE}),
]


@pytest.mark.parametrize("status, who, expected", EXPECTED,
                         ids=[f"{s.value}-{getattr(w, 'username', w)}" for s, w, _ in EXPECTED])
def test_action_bar_offers_exactly_the_allowed_actions(qtbot, make_ctx, cases, demo_cache, refdata, status, who,
                                                       expected):
    actor = {"handler": handler_for(cases.unit), "other_handler": handler_for(OTHER_UNIT)}.get(who, who)
    case_id = cases.make(status)
    dock = detail_for(qtbot, make_ctx(actor), case_id)
    shown = dock.actions_bar.visible_actions()
    assert set(shown) == expected
    assert shown == allowed_actions(demo_cache.case(case_id), actor, refdata)
    for action in Action:
        if action not in (Action.CREATE, Action.ORDER_OVERDUE, Action.CO_OVERDUE):  # the system's own: no button
            assert dock.actions_bar.qaction(action).isEnabled() == (action in expected)
    for action in shown:
        key = SHORTCUTS[action].replace("Shift+", "")
        assert key in dock.actions_bar.button(action).toolTip()


def test_close_appears_once_verification_passed(qtbot, make_ctx, cases):
    case_id = cases.make(Status.VERIFYING)
    cases.act(case_id, A.VERIFY_PASS)
    dock = detail_for(qtbot, make_ctx(LEAD), case_id)
    assert A.CLOSE in dock.actions_bar.visible_actions()
    assert A.VERIFY_PASS not in dock.actions_bar.visible_actions()


def test_extension_decisions_for_the_lead(qtbot, make_ctx, cases):
    case_id = cases.make(Status.IN_PROGRESS)
    cases.act(case_id, A.REQUEST_EXTENSION)
    dock = detail_for(qtbot, make_ctx(LEAD), case_id)
    assert {A.APPROVE_EXTENSION, A.DENY_EXTENSION} <= set(dock.actions_bar.visible_actions())
    assert "parts" in dock.field_text("extension")


def test_fields_and_timeline(qtbot, make_ctx, cases, demo_cache, refdata):
    case_id = cases.make(Status.DISPATCHED, description="Cover cracked near the bus stop", address="湖滨路 12 号")
    dock = detail_for(qtbot, make_ctx(), case_id)
    case = demo_cache.case(case_id)
    assert dock.title.text() == case.display_number
    assert dock.status_badge.text() == labels.status_label(Status.DISPATCHED)
    assert dock.field_text("description") == "Cover cracked near the bus stop"
    assert dock.field_text("address") == "湖滨路 12 号"
    assert refdata.unit(cases.unit).name_en in dock.field_text("unit") or refdata.unit(cases.unit).name in \
        dock.field_text("unit")
    assert dock.field_text("grid").startswith(case.location.grid_code)
    assert "due" in dock.field_text("stage")
    rows = dock.timeline.rows()
    assert [r[4] for r in rows] == [labels.action_label(a) for a in (A.CREATE, A.REGISTER, A.DISPATCH)]
    assert rows[0][3] == f"张敏 · {labels.role_label(OPERATOR.role)}"  # the display name, not operator1
    assert all(r[1] == "pending sync" for r in rows)  # no server in these tests: every command is pending
    assert rows[2][5] == f"{labels.status_label(Status.REGISTERED)} → {labels.status_label(Status.DISPATCHED)}"
    assert cases.unit in rows[2][6]
    assert not dock.pending_badge.isHidden() and "3" in dock.pending_badge.text()
    assert dock.countdown_label.text().endswith("left")


@SHOWN  # the action's dialog is a shown window
def test_offline_commands_are_marked(qtbot, make_ctx, cases):
    case_id = cases.make(Status.REPORTED)
    ctx = make_ctx(OPERATOR, offline=True)
    dock = detail_for(qtbot, ctx, case_id)
    dock.controller.request(A.NOTE, dock.case)
    dialog = dock.controller.dialog
    assert isinstance(dialog, TextDialog)
    dialog.text.setPlainText("caller rang again")
    dialog.accept()
    qtbot.waitUntil(lambda: len(dock.case.events) == 2 and "Offline" in dock.message.text(), timeout=5000)
    last = dock.timeline.rows()[-1]
    assert "(offline)" in last[2] and "caller rang again" in last[6]
    assert "Offline" in dock.message.text()


@SHOWN
def test_shortcut_registers_without_a_dialog(qtbot, make_ctx, cases):
    case_id = cases.make(Status.REPORTED)
    ctx = make_ctx()
    window = QMainWindow()  # as in the console: docks in a main window, shortcuts work window-wide
    window.setCentralWidget(QLabel("map"))
    qtbot.addWidget(window)
    dock = CaseDetailDock(ctx)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    ctx.select_case(case_id)
    qtbot.waitUntil(lambda: dock.case is not None)
    qtbot.keyClick(window, Qt.Key.Key_R)
    wait_status(qtbot, dock, Status.REGISTERED)
    assert dock.controller.dialog is None
    qtbot.waitUntil(lambda: "queued" in dock.message.text())
    qtbot.keyClick(window, Qt.Key.Key_D)  # dispatch: opens the dialog
    qtbot.waitUntil(lambda: isinstance(dock.controller.dialog, DispatchDialog))
    dock.controller.dialog.reject()


@SHOWN  # the action's dialog is a shown window
def test_void_asks_for_a_reason_and_confirms(qtbot, make_ctx, cases, demo_cache):
    case_id = cases.make(Status.REPORTED)
    dock = detail_for(qtbot, make_ctx(), case_id)
    dock.actions_bar.qaction(A.VOID).trigger()
    dialog = dock.controller.dialog
    assert isinstance(dialog, TextDialog) and not dialog.warning.isHidden()
    assert "Voiding" in dialog.warning.text()
    dialog.accept()  # no reason: refused by the dialog itself
    assert not dialog.error.isHidden() and dialog.isVisible() is False or dialog.result() == 0
    assert demo_cache.case(case_id).status == Status.REPORTED
    dialog.presets.setCurrentIndex(1)  # "Duplicate of an existing case"
    assert dialog.text.toPlainText()
    dialog.accept()
    wait_status(qtbot, dock, Status.VOIDED)
    assert demo_cache.case(case_id).events[-1].payload["reason"].startswith("Duplicate")


@SHOWN  # the action's dialog is a shown window
def test_cancelled_confirmation_issues_nothing(qtbot, make_ctx, cases, demo_cache):
    case_id = cases.make(Status.VERIFYING)
    cases.act(case_id, A.VERIFY_PASS)
    dock = detail_for(qtbot, make_ctx(LEAD), case_id)
    dock.actions_bar.qaction(A.CLOSE).trigger()
    dialog = dock.controller.dialog
    assert isinstance(dialog, ConfirmDialog)
    assert "Closing" in dialog.warning.text()
    dialog.reject()
    qtbot.wait(50)
    assert demo_cache.case(case_id).status == Status.VERIFYING
    dock.actions_bar.qaction(A.CLOSE).trigger()
    dock.controller.dialog.accept()
    wait_status(qtbot, dock, Status.CLOSED)
    assert dock.actions_bar.visible_actions() == [A.NOTE]


@SHOWN  # the action's dialog is a shown window
def test_dispatch_through_the_dialog(qtbot, make_ctx, cases, demo_cache):
    case_id = cases.make(Status.REGISTERED)
    dock = detail_for(qtbot, make_ctx(), case_id)
    dock.actions_bar.qaction(A.DISPATCH).trigger()
    dialog = dock.controller.dialog
    assert isinstance(dialog, DispatchDialog)
    assert dialog.unit_id == cases.unit  # the first suggestion is preselected
    dialog.note.setText("urgent, school nearby")
    dialog.accept()
    wait_status(qtbot, dock, Status.DISPATCHED)
    case = demo_cache.case(case_id)
    assert case.unit_id == cases.unit and case.events[-1].payload["note"] == "urgent, school nearby"


@SHOWN  # the action's dialog is a shown window
def test_refused_action_shows_a_clear_message(qtbot, make_ctx, cases, demo_cache):
    case_id = cases.make(Status.REPORTED)
    dock = detail_for(qtbot, make_ctx(), case_id)
    stale = dock.case
    cases.act(case_id, A.REGISTER)  # someone else registered it meanwhile
    wait_status(qtbot, dock, Status.REGISTERED)
    with qtbot.waitSignal(dock.controller.failed, timeout=5000):
        dock.controller.request(A.REGISTER, stale)
    assert "The case has moved on" in dock.message.text()
    assert "registered" in dock.message.text()
    assert not dock.message.isHidden()
    assert demo_cache.case(case_id).status == Status.REGISTERED


def test_following_the_selection_and_clearing_it(qtbot, make_ctx, cases):
    a, b = cases.make(Status.REPORTED), cases.make(Status.DISPATCHED)
    ctx = make_ctx()
    dock = detail_for(qtbot, ctx, a)
    ctx.select_case(b)
    qtbot.waitUntil(lambda: dock.case.id == b)
    assert dock.actions_bar.visible_actions() == [A.ESCALATE, A.REASSIGN, A.NOTE, A.ADD_CO_UNIT, A.MERGE]
    ctx.select_case(None)
    assert dock.case is None and dock.actions_bar.visible_actions() == []
    assert dock.tabs.isHidden() and not dock.placeholder.isHidden()
