"""The dispute queue (权属争议) in the console: a twice-returned case is listed with its count, a shift lead
decides its owner with a reason in the decide-owner dialog, and it leaves the queue."""
from __future__ import annotations

import pytest

from app.platform.enums import Action, Status
from tests.support.ui import LEAD
from ui.cases.dispute_dialog import DecideOwnerDialog, DisputeDock

SHOWN = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def disputed(cases):
    case_id = cases.make(Status.RETURNED)
    cases.act(case_id, Action.DISPATCH)
    cases.act(case_id, Action.RETURN, {"reason": "still not ours"})
    return case_id


def test_the_queue_lists_disputes_with_a_count_and_a_lead_decides(qtbot, make_ctx, cases, demo_cache, refdata):
    case_id = disputed(cases)
    cases.make(Status.RETURNED)  # returned once: not a dispute
    dock = DisputeDock(make_ctx(LEAD))
    qtbot.addWidget(dock)
    assert dock.tree.topLevelItemCount() == 1 and dock.windowTitle() == "Ownership disputes (1)"
    item = dock.tree.topLevelItem(0)
    assert item.text(0) == demo_cache.case(case_id).display_number
    assert "not ours" in item.text(2) and "still not ours" in item.text(2)  # who returned it and why
    assert dock.decide_button.isEnabled()
    dialog = dock.decide_selected()
    qtbot.addWidget(dialog)
    assert dialog.validate() is not None  # a reason is required
    dialog.choose("roads")
    dialog.reason.setText("the asset register names roads")
    assert dialog.validate() is None
    assert dialog.payload() == {"unit_id": "roads", "reason": "the asset register names roads"}
    dialog.accept()
    qtbot.waitUntil(lambda: dock.tree.topLevelItemCount() == 0, timeout=5000)
    assert dock.windowTitle() == "Ownership disputes (0)"
    decided = demo_cache.case(case_id)
    assert decided.status == Status.DISPATCHED and decided.unit_id == "roads"
    assert decided.owner_decision.reason == "the asset register names roads"


def test_an_operator_sees_the_queue_but_cannot_decide(qtbot, make_ctx, cases):
    disputed(cases)
    dock = DisputeDock(make_ctx())
    qtbot.addWidget(dock)
    assert dock.tree.topLevelItemCount() == 1 and not dock.decide_button.isEnabled()
    assert dock.decide_selected() is None


def test_dialog_for_decide_owner_shows_who_returned_it(qtbot, cases, demo_cache, make_ctx):
    from ui.cases.action_dialogs import dialog_for

    case = demo_cache.case(disputed(cases))
    d = dialog_for(Action.DECIDE_OWNER, case, make_ctx(LEAD), None)
    qtbot.addWidget(d)
    assert isinstance(d, DecideOwnerDialog)
    assert "cannot return" in d.warning.text()
