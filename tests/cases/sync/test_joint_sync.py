"""Joint handling and inspector tasks from consoles through a real server on loopback: commands queued
offline in a console's outbox are applied once when it syncs; a co-unit's handler console receives the
joint case from the feed and drops it when its unit is removed; a task taken by the wrong inspector or the
wrong unit ends as a conflict naming why."""
from __future__ import annotations

import asyncio

import pytest

from app.cases.workflow import WorkflowError
from app.platform.enums import Action, Status
from server.admin.bootstrap import add_user
from tests.support.consoles import online_console
from tests.support.sync_helpers import PASSWORDS, create_payload

LEAD_HANDLER, CO_HANDLER = "handler_water_supply", "handler_roads"
LEAD_UNIT, CO_UNIT = "water_supply", "roads"


@pytest.fixture
def server(live_server):
    for username, role, unit in ((LEAD_HANDLER, "unit_handler", LEAD_UNIT), (CO_HANDLER, "unit_handler", CO_UNIT),
                                 ("inspector1", "inspector", None), ("inspector2", "inspector", None)):
        add_user(live_server.database_url, username, PASSWORDS[username], role, unit)
    return live_server


def sync(console) -> None:
    asyncio.run(console.engine.sync_once())


def console_of(directory, url, username):
    console = online_console(directory, url, username)
    sync(console)
    return console


def issue(console, action, case_id, payload, now, *, offline: bool):
    return console.cache.issue(console.actor, action, case_id, payload, now, offline=offline)


def events(console, case_id, action) -> int:
    return sum(e.action == action for e in console.cache.case(case_id).events)


@pytest.mark.parametrize("offline", [False, True], ids=["online", "offline"])
def test_a_joint_case_from_dispatch_to_handled_through_every_console(tmp_path, server, refdata, now, offline):
    desk = console_of(tmp_path / "desk", server.url, "operator1")
    lead = console_of(tmp_path / "lead", server.url, LEAD_HANDLER)
    co = console_of(tmp_path / "co", server.url, CO_HANDLER)
    created = issue(desk, Action.CREATE, None, create_payload(refdata), now, offline=False)
    case_id = created.case_id
    for action, payload in ((Action.REGISTER, {}), (Action.DISPATCH, {"unit_id": LEAD_UNIT}),
                            (Action.ADD_CO_UNIT, {"unit_id": CO_UNIT})):
        issue(desk, action, case_id, payload, now, offline=offline)
    sync(desk)
    assert desk.cache.outbox_size() == 0 and desk.cache.conflicts() == []
    sync(co)
    sync(lead)
    assert co.cache.case(case_id) is not None, "the co-unit's console got the joint case from the feed"
    # the co-unit works its task (queued while offline, shown at once), then the lead
    issue(co, Action.CO_ACCEPT, case_id, {}, now, offline=offline)
    issue(co, Action.CO_HANDLED, case_id, {"note": "road surface relaid"}, now, offline=offline)
    assert co.cache.case(case_id).co_tasks[0].status == "handled"  # the optimistic display copy
    issue(lead, Action.ACCEPT, case_id, {}, now, offline=offline)
    sync(co)
    sync(lead)
    issue(lead, Action.REPORT_HANDLED, case_id, {"note": "main repaired"}, now, offline=offline)
    sync(lead)
    sync(co)  # a second sync sends nothing again
    for console in (lead, co):
        assert console.cache.conflicts() == [] and console.cache.outbox_size() == 0
    sync(desk)
    case = desk.cache.case(case_id)
    assert case.status == Status.HANDLED and case.co_tasks[0].status == "handled"
    assert (events(desk, case_id, Action.CO_HANDLED), events(desk, case_id, Action.REPORT_HANDLED)) == (1, 1)
    for console in (desk, lead, co):
        console.close()


@pytest.mark.parametrize("offline", [False, True], ids=["online", "offline"])
def test_a_removed_co_units_console_drops_the_case(tmp_path, server, refdata, now, offline):
    desk = console_of(tmp_path / "desk", server.url, "operator1")
    co = console_of(tmp_path / "co", server.url, CO_HANDLER)
    created = issue(desk, Action.CREATE, None, create_payload(refdata), now, offline=False)
    for action, payload in ((Action.REGISTER, {}), (Action.DISPATCH, {"unit_id": LEAD_UNIT}),
                            (Action.ADD_CO_UNIT, {"unit_id": CO_UNIT})):
        issue(desk, action, created.case_id, payload, now, offline=False)
    sync(desk)
    sync(co)
    assert co.cache.case(created.case_id) is not None
    issue(desk, Action.REMOVE_CO_UNIT, created.case_id, {"unit_id": CO_UNIT, "reason": "not needed"}, now,
          offline=offline)
    sync(desk)
    sync(co)  # from its old cursor: a scope exit
    assert co.cache.case(created.case_id) is None and co.cache.outbox_size() == 0
    assert desk.cache.case(created.case_id).co_tasks == ()
    desk.close()
    co.close()


def test_an_offline_report_handled_before_the_co_unit_ends_as_a_conflict(tmp_path, server, refdata, now):
    desk = console_of(tmp_path / "desk", server.url, "operator1")
    lead = console_of(tmp_path / "lead", server.url, LEAD_HANDLER)
    created = issue(desk, Action.CREATE, None, create_payload(refdata), now, offline=False)
    for action, payload in ((Action.REGISTER, {}), (Action.DISPATCH, {"unit_id": LEAD_UNIT})):
        issue(desk, action, created.case_id, payload, now, offline=False)
    sync(desk)
    sync(lead)
    issue(lead, Action.ACCEPT, created.case_id, {}, now, offline=True)
    issue(lead, Action.REPORT_HANDLED, created.case_id, {"note": "done"}, now, offline=True)  # allowed locally
    issue(desk, Action.ADD_CO_UNIT, created.case_id, {"unit_id": CO_UNIT}, now, offline=False)
    sync(desk)  # meanwhile the desk added a co-unit
    sync(lead)
    (conflict,) = lead.cache.conflicts()
    assert conflict.reason == "precondition" and CO_UNIT in conflict.message
    assert lead.cache.case(created.case_id).status == Status.IN_PROGRESS
    desk.close()
    lead.close()


@pytest.mark.parametrize("offline", [False, True], ids=["online", "offline"])
def test_an_on_site_check_confirmed_by_its_inspector_and_refused_to_another(tmp_path, server, refdata, now,
                                                                           offline):
    desk = console_of(tmp_path / "desk", server.url, "operator1")
    created = issue(desk, Action.CREATE, None, create_payload(refdata), now, offline=False)
    issue(desk, Action.SEND_CHECK, created.case_id, {"inspector": "inspector1"}, now, offline=offline)
    sync(desk)
    right = console_of(tmp_path / "right", server.url, "inspector1")
    wrong = console_of(tmp_path / "wrong", server.url, "inspector2")
    # the wrong inspector's console refuses locally; the right one's queues and the server applies it once
    with pytest.raises(WorkflowError, match="inspector1"):
        issue(wrong, Action.CONFIRM_CHECK, created.case_id, {"found": True}, now, offline=offline)
    issue(right, Action.CONFIRM_CHECK, created.case_id, {"found": True, "note": "seen"}, now, offline=offline)
    sync(right)
    sync(right)
    assert right.cache.conflicts() == [] and right.cache.outbox_size() == 0
    sync(desk)
    case = desk.cache.case(created.case_id)
    assert case.check.result == "confirmed" and events(desk, created.case_id, Action.CONFIRM_CHECK) == 1
    for console in (desk, right, wrong):
        console.close()
