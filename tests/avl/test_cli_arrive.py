"""`onegrid-ctl arrive`: the inspector sent to check a report says they are on site from the command line
(against a real server), the arrival is in the case's history; another inspector is refused with the reason."""
from __future__ import annotations

import json

from tests.cli.test_ctl_tasks import run, server  # noqa: F401 - server: the fixture


def test_the_inspector_arrives_from_the_command_line(server, tmp_path, capsys, monkeypatch):  # noqa: F811
    from tests.support.sync_helpers import PASSWORDS

    def as_user(name):
        c = ["--server", server.url, "--cache", str(tmp_path / name)]
        code, out, _ = run(capsys, monkeypatch, *c, "login", name, "--password-stdin", stdin=PASSWORDS[name] + "\n")
        assert code == 0, out
        return c

    desk, insp, wrong = (as_user(n) for n in ("operator1", "inspector1", "inspector2"))
    run(capsys, monkeypatch, *desk, "report", "--category", "C0101", "--description", "井盖缺失",
        "--lat", "30.2568", "--lon", "120.1508")
    number = json.loads(run(capsys, monkeypatch, *desk, "cases", "list", "--json")[1])[0]["number"]
    assert run(capsys, monkeypatch, *desk, "send-check", number, "--inspector", "inspector1")[0] == 0
    for c in (insp, wrong):
        assert run(capsys, monkeypatch, *c, "sync")[0] == 0
    code, _, err = run(capsys, monkeypatch, *wrong, "arrive", number)
    assert code == 1 and "wrong_inspector" in err
    code, out, err = run(capsys, monkeypatch, *insp, "arrive", number)
    assert code == 0 and "accepted" in out, err
    code, out, _ = run(capsys, monkeypatch, *insp, "cases", "show", number, "--json")
    events = json.loads(out)["events"]
    assert [(e["action"], e["actor"], e["payload"]) for e in events if e["action"] == "arrive"] == [
        ("arrive", "inspector1", {"who": "inspector"})]
