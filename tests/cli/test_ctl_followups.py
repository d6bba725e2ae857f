"""`onegrid-ctl` for supervision orders and callbacks against a real server: issued offline and sent by `sync`
(the console's cache and outbox), replied by the addressed unit, accepted by the lead; a dissatisfied
callback recorded offline, and the case reopened by a lead; refusals reported with their reason."""
from __future__ import annotations

import json

import pytest

from server.admin import ctl
from tests.support.live_server import LiveServer
from tests.support.sync_helpers import PASSWORDS

USERS = ("operator1", "lead1", "handler_water_supply", "handler_roads")


@pytest.fixture
def server(tmp_path, refdata):
    s = LiveServer(tmp_path, refdata, users=USERS).start()
    yield s
    s.stop()


def run(capsys, *argv):
    code = ctl.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def login(capsys, monkeypatch, server, tmp_path, user):
    import io

    c = ["--server", server.url, "--cache", str(tmp_path / user)]
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORDS[user] + "\n"))
    assert ctl.main([*c, "login", user, "--password-stdin"]) == 0
    capsys.readouterr()
    return c


def ok(capsys, *argv):
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    return out


def test_orders_and_callbacks_from_the_command_line(server, tmp_path, capsys, monkeypatch):
    op, lead, water, roads = (login(capsys, monkeypatch, server, tmp_path, u) for u in USERS)
    ok(capsys, *op, "report", "--category", "C0101", "--description", "井盖缺失", "--lat", "30.2568",
       "--lon", "120.1508", "--reporter-phone", "13800138000")
    number = json.loads(ok(capsys, *op, "cases", "list", "--json"))[0]["number"]
    ok(capsys, *op, "register", number)
    ok(capsys, *op, "dispatch", number, "--unit", "water_supply")

    # The lead issues an order offline: queued, sent by the next sync, applied once on the server.
    ok(capsys, *lead, "sync")
    code, _, err = run(capsys, *lead, "--offline", "issue-order", number, "--unit", "water_supply", "--level",
                       "urgent", "--text", "report progress by noon")
    assert code == 0 and "1 command(s) wait" in err
    ok(capsys, *lead, "sync")
    assert server.query("SELECT action, offline FROM case_events WHERE action = 'issue_order'") in \
        ([("issue_order", 1)], [("issue_order", True)])

    ok(capsys, *water, "sync")
    orders = json.loads(ok(capsys, *water, "orders", "--json"))
    assert [(o["case"], o["order"], o["unit"], o["level"], o["state"]) for o in orders] == \
        [(number, 1, "water_supply", "urgent", "open")]
    code, _, err = run(capsys, *roads, "reply-order", number, "--order", "1", "--text", "not ours")
    assert code == 1 and "no case" in err  # another unit's handler does not even hold the case
    out = ok(capsys, *water, "reply-order", number, "--order", "1", "--text", "crew on site")
    assert "accepted" in out
    ok(capsys, *op, "sync")
    code, _, err = run(capsys, *op, "accept-order-reply", number, "--order", "1")
    assert code == 1 and "forbidden_role" in err
    ok(capsys, *lead, "sync")
    ok(capsys, *lead, "accept-order-reply", number, "--order", "1")
    ok(capsys, *lead, "sync")
    assert json.loads(ok(capsys, *lead, "orders", "--json")) == []

    # The loop to closure, then the callback task.
    for who, action, *extra in ((water, "accept"), (water, "handled", "--note", "cover replaced"),
                                (op, "send-verify"), (lead, "verify-pass"), (lead, "close")):
        ok(capsys, *who, "sync")
        ok(capsys, *who, action, number, *extra)
    ok(capsys, *op, "sync")
    [task] = json.loads(ok(capsys, *op, "callbacks", "--json"))
    assert (task["case"], task["phone"], task["waiting_for"]) == (number, "13800138000", "callback")
    code, _, err = run(capsys, *op, "callback", number, "--reached")
    assert code == 1 and "satisfaction" in err  # refused locally, nothing queued
    code, _, err = run(capsys, *op, "--offline", "callback", number, "--reached", "--satisfaction", "dissatisfied",
                       "--note", "the cover rocks")
    assert code == 0 and "1 command(s) wait" in err
    ok(capsys, *op, "sync")
    ok(capsys, *lead, "sync")
    [task] = json.loads(ok(capsys, *lead, "callbacks", "--json"))
    assert (task["waiting_for"], task["satisfaction"], task["note"]) == ("lead", "dissatisfied", "the cover rocks")
    code, _, err = run(capsys, *op, "reopen", number, "--reason", "x")
    assert code == 1 and "forbidden_role" in err
    out = ok(capsys, *lead, "reopen", number, "--reason", "reporter dissatisfied")
    assert "registered" in out
    rows = server.query("SELECT action, actor FROM case_events WHERE action IN "
                        "('record_callback', 'reopen', 'reply_order') ORDER BY seq")
    assert rows == [("reply_order", "handler_water_supply"), ("record_callback", "operator1"),
                    ("reopen", "lead1")]
