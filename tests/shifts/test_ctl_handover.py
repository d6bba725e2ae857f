"""`onegrid-ctl shift …` / `handover …` against a real server: a lead closes a shift, another signs its
handover offline and syncs; a refused signature exits non-zero with the server's reason."""
from __future__ import annotations

import json

import pytest

from tests.cli.test_ctl import run
from tests.support.live_server import LiveServer
from tests.support.sync_helpers import PASSWORDS


@pytest.fixture
def server(tmp_path, refdata):
    s = LiveServer(tmp_path, refdata, users=("operator1", "lead1", "lead2")).start()
    yield s
    s.stop()


def test_shift_and_handover_from_the_command_line(server, tmp_path, capsys, monkeypatch):
    out1 = ["--server", server.url, "--cache", str(tmp_path / "lead1")]
    in2 = ["--server", server.url, "--cache", str(tmp_path / "lead2")]
    for who, c in (("lead1", out1), ("lead2", in2)):
        assert run(capsys, *c, "login", who, "--password-stdin", stdin=PASSWORDS[who] + "\n",
                   monkeypatch=monkeypatch)[0] == 0
    code, out, _ = run(capsys, *out1, "shift", "open", "--on-duty", "operator1")
    assert code == 0 and out.startswith("opened ")
    code, _, err = run(capsys, *in2, "shift", "open")
    assert code == 1 and "shift_already_open" in err
    assert "open since" in run(capsys, *in2, "shift", "status")[1]
    code, out, _ = run(capsys, *out1, "shift", "close", "--notes", "all quiet")
    assert code == 0 and "handover drafted" in out
    assert run(capsys, *in2, "sync")[0] == 0
    (listed,) = json.loads(run(capsys, *in2, "handover", "list", "--json")[1])
    prefix = listed["shift_id"][:8]
    # signed offline, the outgoing lead edits the notes meanwhile: the signature is refused on sync
    code, _, err = run(capsys, *in2, "--offline", "handover", "sign", prefix)
    assert code == 0 and "waits for 'sync'" in err
    assert run(capsys, *out1, "handover", "notes", prefix, "--text", "pump 3: check at 09:00")[0] == 0
    code, _, err = run(capsys, *in2, "sync")
    code, out, _ = run(capsys, *in2, "handover", "show", prefix)
    assert "REFUSED sign: report_changed" in out and "pump 3" in out
    code, out, _ = run(capsys, *in2, "handover", "sign", prefix)
    assert code == 0 and "accepted: handover is signed" in out
    code, _, err = run(capsys, *out1, "handover", "notes", prefix, "--text", "too late")
    assert code == 1 and "signed" in err
    code, _, err = run(capsys, *in2, "handover", "show", "ffffffff")
    assert code == 1 and "no handover of shift 'ffffffff'" in err
