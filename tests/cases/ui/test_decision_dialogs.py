"""Deadlines before decisions, driven by the keyboard: the approve dialog shows the deadline that
results (updated as the lead changes the hours granted) and queues a partial approval; the suspend
dialog queues a resume-at time and refuses one in the past."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QDialogButtonBox, QWidget

from app.platform.enums import Action, Status
from tests.support.ui import LEAD
from ui.cases.actions import CaseActionController
from ui.cases.decision_dialogs import ApproveExtensionDialog, SuspendDialog

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def controller_for(qtbot, ctx):
    host = QWidget()
    qtbot.addWidget(host)
    controller = CaseActionController(ctx, host)
    controller.host = host  # keeps the host (and so the controller) alive for the test
    return controller


def ok(dialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_approve_shows_the_new_deadline_and_grants_fewer_hours(qtbot, make_ctx, cases, demo_cache):
    case_id = cases.make(Status.IN_PROGRESS)
    cases.act(case_id, Action.REQUEST_EXTENSION)  # 8 working hours
    case = demo_cache.case(case_id)
    controller = controller_for(qtbot, make_ctx(LEAD))
    controller.request(Action.APPROVE_EXTENSION, case)
    dialog = controller.dialog
    assert isinstance(dialog, ApproveExtensionDialog)
    full = dialog.preview.text()
    assert full.startswith("New deadline ") and "8 h of working time" in full and "on the clock" in full
    dialog.hours.setFocus()
    dialog.hours.selectAll()
    qtbot.keyClicks(dialog.hours, "2")
    assert dialog.granted_minutes() == 120
    assert "2 h of working time" in dialog.preview.text() and dialog.preview.text() != full
    with qtbot.waitSignal(controller.issued, timeout=5000) as issued:
        qtbot.mouseClick(ok(dialog), Qt.MouseButton.LeftButton)
    command = issued.args[0]
    assert command.action == Action.APPROVE_EXTENSION and command.payload == {"minutes": 120}
    approved = demo_cache.case(case_id)
    assert approved.extension is None and approved.events[-1].payload["requested_minutes"] == 480


def test_suspend_with_a_resume_time(qtbot, make_ctx, cases, demo_cache):
    case_id = cases.make(Status.REGISTERED)
    controller = controller_for(qtbot, make_ctx(LEAD))
    controller.request(Action.SUSPEND, demo_cache.case(case_id))
    dialog = controller.dialog
    assert isinstance(dialog, SuspendDialog)
    qtbot.keyClicks(dialog.text, "waiting for the weather")
    qtbot.mouseClick(dialog.plan, Qt.MouseButton.LeftButton, pos=dialog.plan.rect().center())
    assert dialog.resume_at.isEnabled()
    dialog.resume_at.setDateTime(QDateTime.fromSecsSinceEpoch(int((datetime.now(UTC) - timedelta(hours=1)).timestamp())))
    qtbot.mouseClick(ok(dialog), Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.error.text() == "The resume time must lie ahead."
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    dialog.resume_at.setDateTime(QDateTime.fromSecsSinceEpoch(int(when.timestamp())))
    with qtbot.waitSignal(controller.issued, timeout=5000) as issued:
        qtbot.mouseClick(ok(dialog), Qt.MouseButton.LeftButton)
    payload = issued.args[0].payload
    assert payload["reason"] == "waiting for the weather"
    assert abs(datetime.fromisoformat(payload["resume_at"]) - when) < timedelta(minutes=1)  # the edit has minutes
    assert demo_cache.case(case_id).resume_at is not None
