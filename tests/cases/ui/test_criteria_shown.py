"""The category's criteria where the decision is taken: registration criteria and limits on the Register
action, closing criteria in the Close confirmation."""
from __future__ import annotations

from app.cases.workflow import Actor
from app.platform.enums import Action, Status
from tests.support.ui import LEAD, OPERATOR


def test_register_action_names_the_registration_criteria_and_limits(qtbot, cases, demo_cache, refdata):
    from ui.cases.actions import CaseActionBar

    bar = CaseActionBar()
    qtbot.addWidget(bar)
    case = demo_cache.case(cases.make(Status.REPORTED))
    assert Action.REGISTER in bar.set_case(case, Actor(OPERATOR.username, OPERATOR.role), refdata)
    tip = bar.qaction(Action.REGISTER).toolTip()
    category = refdata.category(case.category_code)
    assert category.register_criteria_en in tip or category.register_criteria in tip
    assert "Handling limits" in tip or "处置时限" in tip


def test_close_confirmation_names_the_closing_criteria(qtbot, cases, demo_cache, make_ctx, refdata):
    from ui.cases.action_dialogs import dialog_for

    case_id = cases.make(Status.VERIFYING)
    cases.act(case_id, Action.VERIFY_PASS)
    case = demo_cache.case(case_id)
    d = dialog_for(Action.CLOSE, case, make_ctx(LEAD), None)
    qtbot.addWidget(d)
    category = refdata.category(case.category_code)
    assert category.close_criteria_en in d.question.text() or category.close_criteria in d.question.text()
