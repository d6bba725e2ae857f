"""`onegrid-ctl`: the admin commands on a real database and the headless client against a real server."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from server.admin import ctl
from tests.support.live_server import LiveServer
from tests.support.sync_helpers import PASSWORDS


@pytest.fixture
def server(tmp_path, refdata):
    s = LiveServer(tmp_path, refdata, users=("operator1", "lead1")).start()
    yield s
    s.stop()


def run(capsys, *argv, stdin=None, monkeypatch=None):
    if stdin is not None:
        import io
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = ctl.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_client_lifecycle_online_and_offline(server, tmp_path, capsys, monkeypatch):
    c = ["--server", server.url, "--cache", str(tmp_path / "c")]
    code, out, _ = run(capsys, *c, "login", "operator1", "--password-stdin", stdin=PASSWORDS["operator1"] + "\n",
                       monkeypatch=monkeypatch)
    assert code == 0 and "logged in online as operator1" in out
    code, out, _ = run(capsys, *c, "report", "--category", "C0101", "--description", "井盖缺失",
                       "--lat", "30.2568", "--lon", "120.1508")
    assert code == 0 and "accepted" in out
    code, out, _ = run(capsys, *c, "cases", "list", "--json")
    [case] = json.loads(out)
    number = case["number"]
    assert number.startswith("2026-") and case["status"] == "reported" and case["grid"]
    assert run(capsys, *c, "register", number)[0] == 0
    code, out, _ = run(capsys, *c, "dispatch", number, "--unit", "water_supply")
    assert code == 0 and "dispatched" in out

    # Refused locally, with the reason; nothing queued.
    code, _, err = run(capsys, *c, "close", number)
    assert code == 1 and "forbidden_role" in err and "close" in err

    # Offline: queued under the same identity, sent by the next sync, marked offline on the server.
    code, _, err = run(capsys, *c, "--offline", "note", number, "--text", "caller rang again")
    assert code == 0 and "1 command(s) wait" in err
    code, out, _ = run(capsys, *c, "sync")
    assert code == 0 and "outbox 0" in out
    rows = server.query("SELECT action, actor, offline FROM case_events ORDER BY seq")
    assert [r[0] for r in rows] == ["create", "register", "dispatch", "note"]
    assert rows[-1][1] == "operator1" and rows[-1][2] in (1, True)

    code, out, _ = run(capsys, *c, "cases", "show", number, "--json")
    assert json.loads(out)["events"][-1]["payload"]["text"] == "caller rang again"
    case_id = json.loads(out)["id"]
    code, out, _ = run(capsys, *c, "cases", "show", case_id[:8].upper(), "--json")  # a unique id prefix
    assert code == 0 and json.loads(out)["id"] == case_id
    code, _, err = run(capsys, *c, "cases", "show", "2026-999999")
    assert code == 1 and "no case '2026-999999'" in err


def test_logout_ends_the_server_session_and_keeps_queued_commands(server, tmp_path, capsys, monkeypatch):
    cache_dir = tmp_path / "c"
    c = ["--server", server.url, "--cache", str(cache_dir)]
    assert run(capsys, *c, "login", "operator1", "--password-stdin", stdin=PASSWORDS["operator1"] + "\n",
               monkeypatch=monkeypatch)[0] == 0
    token = json.loads((cache_dir / "session.json").read_text())["token"]
    assert run(capsys, *c, "--offline", "report", "--category", "C0101", "--description", "井盖缺失",
               "--lat", "30.2568", "--lon", "120.1508")[0] == 0

    # Server down: the login is kept (the token would still work), and the message says what to do.
    code, _, err = run(capsys, "--server", "http://127.0.0.1:9", "--cache", str(cache_dir), "logout")
    assert code == 1 and "unreachable" in err and "--offline" in err
    assert (cache_dir / "session.json").exists()

    code, out, _ = run(capsys, *c, "logout")
    assert code == 0 and "logged out operator1" in out and "1 queued commands stay queued" in out
    assert not (cache_dir / "session.json").exists()
    import requests
    r = requests.get(f"{server.url}/api/refdata", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"
    code, _, err = run(capsys, *c, "sync")
    assert code == 1 and "not logged in" in err
    rows = server.query("SELECT action, actor FROM audit_log WHERE action = 'logout'")
    assert [tuple(r) for r in rows] == [("logout", "operator1")]


def test_client_errors_exit_nonzero_with_a_message(server, tmp_path, capsys, monkeypatch):
    c = ["--server", server.url, "--cache", str(tmp_path / "c")]
    code, _, err = run(capsys, *c, "sync")
    assert code == 1 and "not logged in" in err
    code, _, err = run(capsys, *c, "login", "operator1", "--password-stdin", stdin="wrong\n", monkeypatch=monkeypatch)
    assert code == 1 and "login refused" in err
    code, _, err = run(capsys, "--server", "http://127.0.0.1:9", "--cache", str(tmp_path / "d"), "login", "operator1",
                       "--password-stdin", stdin="x\n", monkeypatch=monkeypatch)
    assert code == 1 and "unreachable" in err


def test_admin_init_users_and_import(tmp_path, capsys, monkeypatch, refdata):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    code, out, _ = run(capsys, "--database-url", url, "init-db")
    assert code == 0 and "66 grids" in out
    code, out, _ = run(capsys, "--database-url", url, "users", "add", "ops9", "--role", "operator",
                       "--password-stdin", stdin="long-enough-pw\n", monkeypatch=monkeypatch)
    assert code == 0 and "created" in out
    code, _, err = run(capsys, "--database-url", url, "users", "add", "h9", "--role", "unit_handler",
                       "--password-stdin", stdin="long-enough-pw\n", monkeypatch=monkeypatch)
    assert code == 1 and "unit" in err
    # A grids file with one grid removed: still valid as a whole? The responsibility matrix and sensors
    # name grids, so a file that orphans them must be refused and nothing stored.
    grids = json.loads((refdata_dir() / "grids.geojson").read_text(encoding="utf-8"))
    grids["features"] = grids["features"][:3]
    bad = tmp_path / "grids.geojson"
    bad.write_text(json.dumps(grids), encoding="utf-8")
    code, _, err = run(capsys, "--database-url", url, "import", "grids", str(bad))
    assert code == 1 and "grid" in err
    engine = create_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT data FROM refdata")).scalar()
    engine.dispose()
    assert len(json.loads(stored)["grids"] if isinstance(stored, str) else stored["grids"]) == 66
    # The same grids file unchanged imports fine.
    code, out, _ = run(capsys, "--database-url", url, "import", "grids", str(refdata_dir() / "grids.geojson"))
    assert code == 0 and "66 grids" in out
    monkeypatch.delenv("ONEGRID_DATABASE_URL", raising=False)
    code, _, err = run(capsys, "init-db")
    assert code == 1 and "no database" in err


def refdata_dir():
    from app.refdata.loading import demo_dir
    return demo_dir()


def test_console_script_tunes_the_collector_then_runs_main(monkeypatch):
    """`onegrid-ctl` (server.admin.ctl:script) tunes its own process's collector; ctl.main, called in-process
    by these tests, leaves it alone."""
    calls = []
    monkeypatch.setattr(ctl, "tune_collector", lambda **kw: calls.append(("tuned", kw)))
    monkeypatch.setattr(ctl, "main", lambda argv=None: calls.append("main") or 0)
    assert ctl.script() == 0 and calls == [("tuned", {"report_slow": False}), "main"]


def test_the_command_line_tool_prints_no_collector_warnings():
    """A slow collection is worth a line in a server's log, not on an administrator's terminal."""
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", "import gc, sys; from server.admin import ctl; "
                          "from app.platform import gc_tuning; gc_tuning.SLOW_COLLECTION_S = 0; "
                          "ctl.main = lambda argv=None: gc.collect() and 0; sys.exit(ctl.script())"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "garbage collection" not in run.stderr and run.stderr == ""
