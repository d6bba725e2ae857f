"""`onegrid-ctl attach` and `photos` against a real server: online with the step's command, offline
then `sync`, and a refused file named with its reason."""
from __future__ import annotations

import json

from server.admin import ctl
from tests.photos.pictures import jpeg_bytes, write
from tests.photos.sync.helpers import HANDLER, case_in_progress
from tests.support.sync_helpers import PASSWORDS


def run(capsys, monkeypatch, *argv, stdin=None):
    if stdin is not None:
        import io
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = ctl.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_attach_from_the_command_line(photo_server, refdata, tmp_path, capsys, monkeypatch):
    case_in_progress(photo_server.url, refdata)
    c = ["--server", photo_server.url, "--cache", str(tmp_path / "cli")]
    code, out, _ = run(capsys, monkeypatch, *c, "login", HANDLER, "--password-stdin", stdin=PASSWORDS[HANDLER] + "\n")
    assert code == 0, out
    number = json.loads(run(capsys, monkeypatch, *c, "cases", "list", "--json")[1])[0]["number"]
    # offline: attached and queued
    before = write(tmp_path, "before.jpg", jpeg_bytes(noise=True, gps=(30.25, 120.15)))
    code, out, err = run(capsys, monkeypatch, *c, "--offline", "attach", number, str(before), "--step", "report")
    assert code == 0 and "attached before.jpg to report (400×200, taken at 30.25000,120.15000)" in out, err
    assert "wait for 'sync'" in err
    listed = json.loads(run(capsys, monkeypatch, *c, "photos", number, "--json")[1])
    assert [(p["step"], p["upload"]) for p in listed] == [("report", "queued")]
    assert "outbox 0" in run(capsys, monkeypatch, *c, "sync")[1]
    assert json.loads(run(capsys, monkeypatch, *c, "photos", number, "--json")[1])[0]["upload"] == "uploaded"
    # online, with the step's command naming the photos
    after = [write(tmp_path, f"after{i}.jpg", jpeg_bytes(noise=True)) for i in range(2)]
    code, out, err = run(capsys, monkeypatch, *c, "attach", number, *map(str, after), "--step", "handled",
                         "--note", "cover replaced")
    assert code == 0 and "accepted" in out and "handled" in out, err
    stored = photo_server.query("SELECT step FROM photos ORDER BY step")
    assert sorted(r[0] for r in stored) == ["handled", "handled", "report"]
    # a file that is no image is refused before anything is queued
    bad = write(tmp_path, "fake.jpg", b"GIF89a not what it says")
    code, _, err = run(capsys, monkeypatch, *c, "attach", number, str(bad), "--step", "handled")
    assert code == 1 and "refused (unsupported_type)" in err
    assert len(json.loads(run(capsys, monkeypatch, *c, "photos", number, "--json")[1])) == 3
