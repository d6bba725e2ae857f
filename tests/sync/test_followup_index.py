"""The cache's follow-up search: cases with open supervision orders and closed citizen cases waiting for a
callback (within the queue's window), in full and kept current from change sets."""
from __future__ import annotations

from datetime import timedelta

from app.cache.followups import FollowUpIndex
from app.cases.callbacks import QUEUE_DAYS
from app.platform.enums import Action, Status
from tests.support.ui import LEAD, OPERATOR, CaseMaker


def _closed(cases, cache, phone="13800138000"):
    case_id = cache.issue(OPERATOR, Action.CREATE, None, {
        "source": "hotline", "category_code": "C0101", "description": "x", "reporter_phone": phone,
        "location": {"lat": cases.lat, "lon": cases.lon}}, cases.now(), offline=False).case_id
    for action in cases.PATHS[Status.CLOSED]:
        cases.act(case_id, action)
    return case_id


def test_full_and_incremental_searches_agree(cache, refdata):
    cases = CaseMaker(cache, refdata)
    now = cases.now()
    plain = cases.make(Status.IN_PROGRESS)
    ordered = cases.make(Status.IN_PROGRESS)
    cases.act(ordered, Action.ISSUE_ORDER, {"unit_id": cases.unit, "text": "x"}, actor=LEAD)
    called = _closed(cases, cache)
    _closed(cases, cache, phone="")  # nobody to call
    index = FollowUpIndex()
    assert {c.id for c in index.refresh(cache, now)} == {ordered, called}
    assert {c.id for c in cache.follow_up_cases(now)} == {ordered, called}
    # the window: a week later the callback task has left the queue, the order has not
    assert {c.id for c in cache.follow_up_cases(now + timedelta(days=QUEUE_DAYS, hours=1))} == {ordered}

    order_id = str(cache.case(ordered).orders[0].id)
    cases.act(ordered, Action.REPLY_ORDER, {"order_id": order_id, "text": "done"},
              actor=cases.actor_for(Action.ACCEPT))
    cases.act(ordered, Action.ACCEPT_ORDER_REPLY, {"order_id": order_id}, actor=LEAD)
    cases.act(called, Action.RECORD_CALLBACK, {"reached": True, "satisfaction": "dissatisfied"})
    cases.act(plain, Action.ISSUE_ORDER, {"unit_id": cases.unit, "text": "y"}, actor=LEAD)
    changed = {ordered, called, plain}
    assert {c.id for c in index.refresh(cache, now, changed)} == {called, plain}  # dissatisfied: a lead's turn
    assert {c.id for c in index.refresh(cache, now)} == {called, plain}
    cases.act(called, Action.REOPEN, {"reason": "dissatisfied"}, actor=LEAD)
    assert {c.id for c in index.refresh(cache, now, {called})} == {plain}
