"""LocalCache and the scope rule: a scope exit from the feed removes the case (its queued commands stay in
the outbox), an older copy arriving later does not bring it back, an answer out of the user's scope is
dropped, and a changed scope tag drops the server's data so that the feed is read again from 0."""
from __future__ import annotations

import uuid

from app.cases import workflow
from app.cases.commands import CommandResult
from app.cases.workflow import Actor
from app.platform.enums import Action, Role
from app.wire.feed import Change
from tests.support.sync_helpers import LEAD, OPERATOR, create_payload

UNIT, OTHER_UNIT = "water_supply", "roads"
HANDLER = Actor("handler_water_supply", Role.UNIT_HANDLER, UNIT)


def _dispatched(refdata, now, unit: str = UNIT):
    case = workflow.apply(None, workflow.new_command(uuid.uuid4(), Action.CREATE, create_payload(refdata), now),
                          OPERATOR, refdata, now)
    for action, payload in ((Action.REGISTER, {}), (Action.DISPATCH, {"unit_id": unit})):
        case = workflow.apply(case, workflow.new_command(case.id, action, payload, now), LEAD, refdata, now)
    return case


def _step(case, action, payload, actor, refdata, now):
    return workflow.apply(case, workflow.new_command(case.id, action, payload, now), actor, refdata, now)


def _case_entry(case, position: int) -> Change:
    return Change(position=position, kind="case", id=str(case.id), data=case.model_dump(mode="json"))


def _exit_entry(case, position: int) -> Change:
    return Change(position=position, kind="scope_exit", id=str(case.id),
                  data={"kind": "case", "version": case.version})


def _as_handler(cache, now) -> None:
    cache.store_credentials(HANDLER.username, "pw", {"username": HANDLER.username, "role": "unit_handler",
                                                     "unit_id": UNIT}, now)


def test_a_scope_exit_removes_the_case_and_an_older_copy_does_not_bring_it_back(cache, refdata, now):
    ours = _dispatched(refdata, now)
    kept = _dispatched(refdata, now)
    cache.apply_changes([_case_entry(ours, 1), _case_entry(kept, 2)], 2)
    noted = _step(ours, Action.NOTE, {"text": "on our way"}, HANDLER, refdata, now)  # v+1, still ours
    moved = _step(noted, Action.REASSIGN, {"unit_id": OTHER_UNIT}, LEAD, refdata, now)
    seen: list = []
    cache.events.cases_changed.connect(seen.append)
    change_set = cache.apply_changes([_exit_entry(moved, 5)], 5)
    assert change_set.removed == {ours.id} and not change_set.added and not change_set.updated
    assert seen == [change_set]
    assert cache.case(ours.id) is None and {s.id for s in cache.summaries()} == {kept.id}
    # the answer to our note (applied before the reassignment) arrives late: it stays out
    late = CommandResult(command_id=noted.events[-1].command_id, case_id=ours.id, status="accepted",
                         version=noted.version, position=4, case=noted)
    cache.apply_results([late])
    cache.apply_changes([_case_entry(noted, 4)], 5)  # nor does an old page
    assert cache.case(ours.id) is None
    # the case coming back (a newer version) is taken as usual
    back = _step(moved, Action.REASSIGN, {"unit_id": UNIT}, LEAD, refdata, now)
    cache.apply_changes([_case_entry(back, 9)], 9)
    assert cache.case(ours.id) == back and cache.cursor() == 9


def test_queued_commands_on_a_case_that_left_stay_in_the_outbox(cache, refdata, now):
    case = _dispatched(refdata, now)
    cache.apply_changes([_case_entry(case, 1)], 1)
    accept = cache.issue(HANDLER, Action.ACCEPT, case.id, {}, now, offline=True)
    moved = _step(case, Action.REASSIGN, {"unit_id": OTHER_UNIT}, LEAD, refdata, now)
    change_set = cache.apply_changes([_exit_entry(moved, 2)], 2)
    assert change_set.removed == {case.id} and cache.case(case.id) is None
    assert cache.pending_commands() == [accept]  # the server answers it (refusing it: out of scope)
    refused = CommandResult(command_id=accept.command_id, case_id=case.id, status="rejected",
                            reason="out_of_scope", message="not yours", case=None)
    cache.apply_results([refused])
    assert cache.outbox_size() == 0 and cache.case(case.id) is None
    assert [c.reason for c in cache.conflicts()] == ["out_of_scope"]


def test_an_answer_that_takes_the_case_out_of_the_users_scope_removes_it_at_once(cache, refdata, now):
    _as_handler(cache, now)
    case = _dispatched(refdata, now)
    cache.apply_changes([_case_entry(case, 1)], 1)
    returned = cache.issue(HANDLER, Action.RETURN, case.id, {"reason": "not ours"}, now, offline=False)
    assert cache.case(case.id) is not None  # shown returned until the server answers
    on_server = _step(case, Action.RETURN, {"reason": "not ours"}, HANDLER, refdata, now)
    change_set = cache.apply_results([CommandResult(command_id=returned.command_id, case_id=case.id,
                                                    status="accepted", version=on_server.version, position=2,
                                                    case=on_server)])
    assert change_set.removed == {case.id} and cache.case(case.id) is None and cache.outbox_size() == 0


def test_a_new_scope_tag_drops_the_servers_data_and_restarts_from_zero(cache, refdata, now):
    case = _dispatched(refdata, now)
    created = cache.issue(OPERATOR, Action.CREATE, None, create_payload(refdata, 3), now, offline=True)
    assert cache.adopt_scope("units:aaaa", 0)  # a first page from 0: taken as it is
    cache.apply_changes([_case_entry(case, 1), Change(position=2, kind="alarm", id="A-1",
                                                      data={"owner_unit_id": UNIT})], 2)
    cache.apply_changes([Change(position=3, kind="setting", id="emergency_mode",
                                data={"key": "emergency_mode", "value": {"on": True}})], 3)
    assert cache.adopt_scope("units:aaaa", 3)
    seen: list = []
    cache.events.cases_changed.connect(seen.append)
    assert not cache.adopt_scope("units:bbbb", 3)  # the user's unit changed
    assert cache.cursor() == 0 and cache.entities("alarm") == {}
    assert {s.id for s in cache.summaries()} == {created.case_id}  # made here, still queued
    assert cache.outbox_size() == 1 and cache.setting("emergency_mode") == {"on": True}
    assert seen[-1].removed == {case.id}
    assert cache.adopt_scope("units:bbbb", 0)


def test_a_cache_from_before_scope_tags_is_refilled_for_a_handler_but_not_for_the_desk(cache, refdata, now):
    case = _dispatched(refdata, now)
    cache.apply_changes([_case_entry(case, 1)], 1)
    assert cache.adopt_scope("all", 1) and cache.case(case.id) is not None  # the desk sees everything
    cache.apply_changes([_case_entry(case, 1)], 1)
    other = type(cache)(cache.directory.parent / "handler")
    try:
        other.store_refdata(refdata.to_dict())
        other.apply_changes([_case_entry(case, 1)], 1)
        assert not other.adopt_scope("units:aaaa", 1) and other.case(case.id) is None  # may hold stale copies
    finally:
        other.close()
