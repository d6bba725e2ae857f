"""`onegrid-ctl callbacks` and `callback --report` on a master case with a merged repeat, against a real server
with the repeat check on: a row per reporter, a call to the repeat's reporter queued offline and applied once."""
from __future__ import annotations

import json

import pytest

from tests.cli.test_ctl_followups import login, ok, run
from tests.support.live_server import LiveServer

USERS = ("operator1", "lead1", "handler_water_supply")


@pytest.fixture
def server(tmp_path, refdata):
    s = LiveServer(tmp_path, refdata, users=USERS, repeat_merge=True).start()
    yield s
    s.stop()


def test_each_reporter_from_the_command_line(server, tmp_path, capsys, monkeypatch):
    op, lead, water = (login(capsys, monkeypatch, server, tmp_path, u) for u in USERS)
    ok(capsys, *op, "report", "--category", "C0101", "--description", "井盖缺失", "--lat", "30.2568",
       "--lon", "120.1508", "--reporter-phone", "13800138000")
    ok(capsys, *op, "report", "--category", "C0101", "--description", "井盖又缺了", "--lat", "30.2569",
       "--lon", "120.1508", "--reporter-phone", "13900139000")
    ok(capsys, *op, "sync")
    listed = json.loads(ok(capsys, *op, "cases", "list", "--all", "--json"))
    master = next(c["number"] for c in listed if c["status"] != "merged")
    repeat = next(c["number"] for c in listed if c["status"] == "merged")
    for who, action, *extra in ((op, "register"), (op, "dispatch", "--unit", "water_supply"), (water, "accept"),
                                (water, "handled", "--note", "cover replaced"), (op, "send-verify"),
                                (lead, "verify-pass"), (lead, "close")):
        ok(capsys, *who, "sync")
        ok(capsys, *who, action, master, *extra)
    ok(capsys, *op, "sync")
    tasks = json.loads(ok(capsys, *op, "callbacks", "--json"))
    assert [(t["case"], t["report"], t["phone"]) for t in tasks] == [
        (master, None, "13800138000"), (master, repeat, "13900139000")]
    code, _, err = run(capsys, *op, "--offline", "callback", master, "--report", repeat, "--reached",
                       "--satisfaction", "satisfied")
    assert code == 0 and "1 command(s) wait" in err
    ok(capsys, *op, "sync")
    tasks = json.loads(ok(capsys, *op, "callbacks", "--json"))
    assert [(t["report"], t["phone"]) for t in tasks] == [(None, "13800138000")]  # the repeat's reporter is done
    code, _, err = run(capsys, *op, "callback", master, "--report", repeat, "--not-reached")
    assert code == 1 and "already called back" in err  # refused by the rules in the cache, nothing queued
    rows = server.query("SELECT action, actor FROM case_events WHERE action = 'record_callback'")
    assert rows == [("record_callback", "operator1")]
