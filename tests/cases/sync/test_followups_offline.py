"""Supervision orders and callbacks issued offline on a console: applied at once in its cache (the order and
the callback show before the server has answered), kept in the outbox, sent by the next sync and applied
exactly once by a real server; a callback two consoles recorded offline is accepted once and the other
comes back as a conflict, the case shown as the server has it."""
from __future__ import annotations

import asyncio

import pytest

from app.cases import callbacks, supervision
from app.platform.enums import Action, Status
from tests.support.consoles import online_console
from tests.support.live_server import LiveServer
from tests.support.sync_helpers import create_payload

USERS = ("operator1", "operator2", "lead1", "handler_water_supply")


@pytest.fixture
def server(tmp_path, refdata):
    directory = tmp_path / "server"
    directory.mkdir()
    s = LiveServer(directory, refdata, users=USERS).start()
    yield s
    s.stop()


def sync(console) -> None:
    asyncio.run(console.engine.sync_once())


def step(console, action, case_id, payload, now, *, offline=False):
    command = console.cache.issue(console.actor, action, case_id, payload, now, offline=offline)
    sync(console)
    assert console.cache.conflicts() == [], console.cache.conflicts()
    return command


def test_orders_and_callbacks_offline_then_applied_once(server, tmp_path, refdata, now):
    op, op2, lead, water = (online_console(tmp_path / u, server.url, u) for u in USERS)
    for console in (op, op2, lead, water):
        sync(console)
    created = step(op, Action.CREATE, None, create_payload(refdata) | {"reporter_phone": "13800138000"}, now)
    case_id = created.case_id
    step(op, Action.REGISTER, case_id, {}, now)
    step(op, Action.DISPATCH, case_id, {"unit_id": "water_supply"}, now)

    sync(lead)
    issued = lead.cache.issue(lead.actor, Action.ISSUE_ORDER, case_id,
                              {"unit_id": "water_supply", "level": "urgent", "text": "progress by noon"}, now,
                              offline=True)
    shown = lead.cache.case(case_id)
    assert [o.id for o in shown.orders] == [issued.command_id] and lead.cache.outbox_size() == 1
    assert [c.id for c in lead.cache.follow_up_cases(now)] == [case_id]
    sync(lead)
    sync(lead)  # a second sync sends nothing again
    assert lead.cache.outbox_size() == 0
    assert server.query("SELECT count(*), max(offline) FROM case_events WHERE action = 'issue_order'") == [(1, 1)]
    assert lead.cache.server_case(case_id).orders[0].id == issued.command_id

    sync(water)
    order_id = str(water.cache.case(case_id).orders[0].id)
    water.cache.issue(water.actor, Action.REPLY_ORDER, case_id, {"order_id": order_id, "text": "crew sent"}, now,
                      offline=True)
    assert water.cache.case(case_id).orders[0].state == "replied"
    sync(water)
    sync(lead)
    step(lead, Action.ACCEPT_ORDER_REPLY, case_id, {"order_id": order_id}, now, offline=True)
    assert supervision.open_orders(lead.cache.server_case(case_id)) == []

    step(water, Action.ACCEPT, case_id, {}, now)
    step(water, Action.REPORT_HANDLED, case_id, {"note": "cover replaced"}, now)
    sync(op)
    step(op, Action.SEND_VERIFY, case_id, {}, now)
    sync(lead)
    step(lead, Action.VERIFY_PASS, case_id, {}, now)
    step(lead, Action.CLOSE, case_id, {}, now)

    # Two operators call the reporter back while offline; the server takes the first to arrive.
    sync(op)
    sync(op2)
    assert callbacks.callback_open(op.cache.case(case_id)) and callbacks.callback_open(op2.cache.case(case_id))
    op.cache.issue(op.actor, Action.RECORD_CALLBACK, case_id,
                   {"reached": True, "satisfaction": "dissatisfied", "note": "still rocks"}, now, offline=True)
    op2.cache.issue(op2.actor, Action.RECORD_CALLBACK, case_id,
                    {"reached": True, "satisfaction": "satisfied"}, now, offline=True)
    assert op.cache.follow_up_cases(now)[0].callback.satisfaction == "dissatisfied"  # shown before it is sent
    sync(op)
    sync(op2)
    [conflict] = op2.cache.conflicts()
    assert (conflict.command.action, conflict.reason) == (Action.RECORD_CALLBACK, "precondition")
    assert op2.cache.case(case_id).callback.satisfaction == "dissatisfied"  # the server's version
    assert server.query("SELECT count(*) FROM case_events WHERE action = 'record_callback'") == [(1,)]

    sync(lead)
    step(lead, Action.REOPEN, case_id, {"reason": "reporter dissatisfied"}, now, offline=True)
    assert lead.cache.server_case(case_id).status == Status.REGISTERED
    for console in (op, op2, lead, water):
        console.close()
