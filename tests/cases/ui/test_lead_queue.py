"""The shift lead's work queue: extension requests, verification failures, escalations and conflicts
waiting for a lead, each with its count; a new one raises an alert; Enter on an item opens its case."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.cache.lead_work import Kind
from app.cases.commands import CommandResult
from app.platform.enums import Action, Status
from tests.support.ui import LEAD
from ui.cases.lead_queue_dock import LeadQueueDock

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def waiting(cases):
    """One case with an extension request, one whose verification failed, one escalated, one plain."""
    extension = cases.make(Status.IN_PROGRESS)
    cases.act(extension, Action.REQUEST_EXTENSION)
    failed = cases.make(Status.VERIFYING)
    cases.act(failed, Action.VERIFY_FAIL)
    escalated = cases.make(Status.DISPATCHED)
    cases.act(escalated, Action.ESCALATE)
    cases.make(Status.DISPATCHED)
    return extension, failed, escalated


def make_dock(qtbot, ctx):
    dock = LeadQueueDock(ctx, sound=False)
    qtbot.addWidget(dock)
    dock.resize(800, 500)
    dock.show()
    return dock


def test_counts_and_items_by_kind(qtbot, make_ctx, waiting, demo_cache):
    extension, failed, escalated = waiting
    work = demo_cache.lead_work()
    assert [i.case_id for i in work[Kind.EXTENSION]] == [extension]
    assert work[Kind.EXTENSION][0].detail["minutes"] == 480
    assert [i.case_id for i in work[Kind.VERIFY_FAIL]] == [failed]
    assert [i.case_id for i in work[Kind.ESCALATION]] == [escalated]
    assert work[Kind.CONFLICT] == []
    dock = make_dock(qtbot, make_ctx(LEAD))
    qtbot.waitUntil(lambda: dock.counts()[Kind.EXTENSION] == 1, timeout=5000)
    assert dock.counts() == {Kind.EXTENSION: 1, Kind.VERIFY_FAIL: 1, Kind.ESCALATION: 1, Kind.RESUME_DUE: 0,
                             Kind.CONFLICT: 0}
    assert dock.groups[Kind.EXTENSION].text(0) == "Extension requests (1)"
    assert dock.summary.text() == "3 item(s) waiting for a lead."
    row = dock.item_rows(Kind.EXTENSION)[0]
    assert row.text(1).startswith("8 h (working) asked by ") and "parts" in row.text(1)
    assert dock.alerts == 0  # what was there when the dock opened is not news


def test_a_new_request_alerts_and_a_decision_clears_it(qtbot, make_ctx, waiting, cases):
    extension, _failed, _escalated = waiting
    dock = make_dock(qtbot, make_ctx(LEAD))
    qtbot.waitUntil(lambda: dock.counts()[Kind.EXTENSION] == 1, timeout=5000)
    other = cases.make(Status.IN_PROGRESS)
    cases.act(other, Action.REQUEST_EXTENSION)
    qtbot.waitUntil(lambda: dock.counts()[Kind.EXTENSION] == 2, timeout=5000)
    assert dock.alerts == 1
    assert dock.groups[Kind.EXTENSION].text(0) == "Extension requests (2) · 1 new"
    cases.act(extension, Action.APPROVE_EXTENSION, {})
    qtbot.waitUntil(lambda: dock.counts()[Kind.EXTENSION] == 1, timeout=5000)
    assert dock.alerts == 1


def test_enter_opens_the_case_and_a_conflict_shows_the_conflicts(qtbot, make_ctx, waiting, cases, demo_cache):
    _extension, failed, _escalated = waiting
    ctx = make_ctx(LEAD)
    dock = make_dock(qtbot, ctx)
    qtbot.waitUntil(lambda: dock.counts()[Kind.VERIFY_FAIL] == 1, timeout=5000)
    row = dock.item_rows(Kind.VERIFY_FAIL)[0]
    dock.tree.setCurrentItem(row)
    dock.tree.setFocus()
    qtbot.keyClick(dock.tree, Qt.Key.Key_Return)
    assert ctx.selected_case == failed
    note = cases.act(failed, Action.NOTE)
    demo_cache.apply_results([CommandResult(command_id=note.command_id, case_id=failed, status="rejected",
                                            reason="forbidden", message="no", case=None)])
    qtbot.waitUntil(lambda: dock.counts()[Kind.CONFLICT] == 1, timeout=5000)
    assert dock.alerts == 1
    opened = []
    dock.open_conflicts.connect(lambda: opened.append(1))
    dock.tree.setCurrentItem(dock.item_rows(Kind.CONFLICT)[0])
    qtbot.keyClick(dock.tree, Qt.Key.Key_Return)
    assert opened == [1]
    assert "Note refused: You are not allowed to do this." in dock.item_rows(Kind.CONFLICT)[0].text(1)


def test_a_suspension_is_listed_once_its_resume_time_has_come(qtbot, make_ctx, cases, demo_cache):
    from datetime import UTC, datetime, timedelta

    case_id = cases.make(Status.REGISTERED)
    resume = datetime.now(UTC) + timedelta(hours=2)
    cases.act(case_id, Action.SUSPEND, {"reason": "rain", "resume_at": resume.isoformat()})
    assert demo_cache.lead_work()[Kind.RESUME_DUE] == []
    due = demo_cache.lead_work(resume + timedelta(minutes=1))[Kind.RESUME_DUE]
    assert [(i.case_id, i.since) for i in due] == [(case_id, resume)]
    cases.act(case_id, Action.RESUME)
    assert demo_cache.lead_work(resume + timedelta(minutes=1))[Kind.RESUME_DUE] == []
