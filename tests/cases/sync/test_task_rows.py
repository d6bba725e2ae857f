"""The cache's open tasks read by SQL (`app.cache.task_rows`) are exactly the tasks `app.cases.tasks` finds on
the full cases: co-tasks in every state, checks pending and confirmed, verifications waiting and done, cases
with and without a number; and each role sees the same list through either path."""
from __future__ import annotations

from app.cases import tasks
from app.cases.workflow import Actor
from app.platform.enums import Action, Role, Status
from tests.support.ui import INSPECTOR, LEAD, OPERATOR, CaseMaker, handler_for


def test_open_tasks_from_sql_equal_the_tasks_of_the_parsed_cases(cache, refdata):
    maker = CaseMaker(cache, refdata)
    joint = maker.make(Status.IN_PROGRESS)
    maker.act(joint, Action.ADD_CO_UNIT, {"unit_id": "roads"}, actor=OPERATOR)
    maker.act(joint, Action.ADD_CO_UNIT, {"unit_id": "greenery"}, actor=OPERATOR)
    maker.act(joint, Action.CO_ACCEPT, {}, actor=handler_for("greenery"))
    done = maker.make(Status.DISPATCHED)
    maker.act(done, Action.ADD_CO_UNIT, {"unit_id": "roads"}, actor=OPERATOR)
    maker.act(done, Action.CO_ACCEPT, {}, actor=handler_for("roads"))
    maker.act(done, Action.CO_HANDLED, {"note": "our part"}, actor=handler_for("roads"))  # handled: no task
    checking, checked = maker.make(Status.REPORTED), maker.make(Status.REPORTED)
    for case_id in (checking, checked):
        maker.act(case_id, Action.SEND_CHECK, {"inspector": INSPECTOR.username}, actor=OPERATOR)
    maker.act(checked, Action.CONFIRM_CHECK, {"found": True}, actor=INSPECTOR)
    verifying, verified = maker.make(Status.VERIFYING), maker.make(Status.VERIFYING)
    maker.act(verified, Action.VERIFY_PASS, {}, actor=INSPECTOR)
    maker.make(Status.CLOSED), maker.make(Status.REGISTERED)  # no task at all
    assert cache.case(checking).number is None  # not numbered yet: shown by its id, the same both ways

    every = [cache.case(s.id) for s in cache.summaries()]
    by_sql = sorted(cache.open_tasks(), key=lambda t: (str(t.case_id), t.kind, t.assignee))
    by_cases = sorted((t for c in every if c.status in tasks.TASK_STATUSES for t in tasks._case_tasks(c)),
                      key=lambda t: (str(t.case_id), t.kind, t.assignee))
    assert by_sql == by_cases
    assert {(t.case_id, t.kind, t.state) for t in by_sql} == {
        (joint, "co_task", "dispatched"), (joint, "co_task", "in_progress"), (checking, "check", "pending"),
        (verifying, "verify", "pending")}
    for actor in (OPERATOR, LEAD, INSPECTOR, handler_for("roads"), handler_for("greenery"),
                  Actor("handler_x", Role.UNIT_HANDLER, "sanitation")):
        assert tasks.visible_to(cache.open_tasks(), actor, refdata) == tasks.tasks_for(every, actor, refdata)

