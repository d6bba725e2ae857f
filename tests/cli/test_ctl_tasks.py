"""`onegrid-ctl` for joint handling and inspector tasks against a real server: the desk sends a check and
adds a co-unit, the inspector and the co-unit's handler list their tasks and work them (one of them
offline, sent by the next `sync`), and a refusal names its reason."""
from __future__ import annotations

import json

import pytest

from server.admin import ctl
from server.admin.bootstrap import add_user
from tests.support.live_server import LiveServer
from tests.support.sync_helpers import PASSWORDS


@pytest.fixture
def server(tmp_path, refdata):
    s = LiveServer(tmp_path, refdata, users=("operator1", "lead1"))
    for username, role, unit in (("handler_water_supply", "unit_handler", "water_supply"),
                                 ("handler_roads", "unit_handler", "roads"), ("inspector1", "inspector", None),
                                 ("inspector2", "inspector", None)):
        add_user(s.database_url, username, PASSWORDS[username], role, unit)
    s.start()
    yield s
    s.stop()


def run(capsys, monkeypatch, *argv, stdin=None):
    if stdin is not None:
        import io
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = ctl.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_checks_and_joint_tasks_from_the_command_line(server, tmp_path, capsys, monkeypatch):
    def as_user(name):
        c = ["--server", server.url, "--cache", str(tmp_path / name)]
        code, out, _ = run(capsys, monkeypatch, *c, "login", name, "--password-stdin", stdin=PASSWORDS[name] + "\n")
        assert code == 0, out
        return c

    desk, insp, wrong, co = (as_user(n) for n in ("operator1", "inspector1", "inspector2", "handler_roads"))
    code, out, _ = run(capsys, monkeypatch, *desk, "report", "--category", "C0101", "--description", "井盖缺失",
                       "--lat", "30.2568", "--lon", "120.1508")
    number = json.loads(run(capsys, monkeypatch, *desk, "cases", "list", "--json")[1])[0]["number"]
    code, out, err = run(capsys, monkeypatch, *desk, "send-check", number, "--inspector", "inspector1")
    assert code == 0 and "accepted" in out, err
    for c in (insp, wrong):
        assert run(capsys, monkeypatch, *c, "sync")[0] == 0
    code, out, _ = run(capsys, monkeypatch, *insp, "tasks", "--json")
    assert [(t["number"], t["kind"], t["assignee"]) for t in json.loads(out)] == [(number, "check", "inspector1")]
    assert json.loads(run(capsys, monkeypatch, *wrong, "tasks", "--json")[1]) == []
    code, _, err = run(capsys, monkeypatch, *wrong, "confirm-check", number)
    assert code == 1 and "wrong_inspector" in err
    # offline, then sent by sync
    code, _, err = run(capsys, monkeypatch, *insp, "--offline", "confirm-check", number, "--note", "属实")
    assert code == 0 and "wait for 'sync'" in err
    assert "outbox 0" in run(capsys, monkeypatch, *insp, "sync")[1]
    for action in (["register", number], ["dispatch", number, "--unit", "water_supply"],
                   ["add-co-unit", number, "--unit", "roads"]):
        code, out, err = run(capsys, monkeypatch, *desk, *action)
        assert code == 0 and "accepted" in out, err
    code, out, _ = run(capsys, monkeypatch, *desk, "cases", "show", number)
    assert "on-site check by inspector1" in out and "confirmed" in out and "co-unit roads: dispatched" in out
    assert run(capsys, monkeypatch, *co, "sync")[0] == 0
    code, out, _ = run(capsys, monkeypatch, *co, "tasks", "--json")
    assert [(t["kind"], t["assignee"], t["state"]) for t in json.loads(out)] == [("co_task", "roads", "dispatched")]
    code, _, err = run(capsys, monkeypatch, *co, "accept", number)  # the lead's, not the co-unit's
    assert code == 1 and "wrong_unit" in err
    for action in (["co-accept", number], ["co-handled", number, "--note", "路面已修复"]):
        code, out, err = run(capsys, monkeypatch, *co, *action)
        assert code == 0 and "accepted" in out, err
    assert json.loads(run(capsys, monkeypatch, *co, "tasks", "--json")[1]) == []
    rows = server.query("SELECT action, actor FROM case_events ORDER BY seq")
    assert [r[0] for r in rows] == ["create", "send_check", "confirm_check", "register", "dispatch", "add_co_unit",
                                    "co_accept", "co_handled"]
