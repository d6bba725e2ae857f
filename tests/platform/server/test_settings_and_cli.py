"""Typed settings from the environment and the `onegrid-server` command line."""
from __future__ import annotations

import os

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from server import cli
from server.admin.bootstrap import init_db
from server.app import create_app
from server.platform.settings import DEFAULT_DATABASE_URL, ServerSettings


def test_defaults():
    s = ServerSettings.from_env({})
    assert (s.database_url, s.token_ttl_minutes, s.max_body_bytes, s.long_poll_max_s, s.demo) == \
        (DEFAULT_DATABASE_URL, 720, 1024 * 1024, 30, False)


def test_environment_and_overrides():
    env = {"ONEGRID_DATABASE_URL": "postgresql+psycopg://db/onegrid", "ONEGRID_TOKEN_TTL_MIN": "60",
           "ONEGRID_PORT": "9000", "ONEGRID_DEMO": "true", "ONEGRID_HOST": ""}
    s = ServerSettings.from_env(env, port=9100, host=None)
    assert (s.database_url, s.token_ttl_minutes, s.port, s.demo, s.host) == \
        ("postgresql+psycopg://db/onegrid", 60, 9100, True, "127.0.0.1")


def test_bad_values_are_refused():
    with pytest.raises(ValidationError):
        ServerSettings.from_env({"ONEGRID_PORT": "seventy"})
    with pytest.raises(ValidationError):
        ServerSettings(max_body_bytes=0)


def test_demo_database_lives_in_the_user_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    url = cli.demo_database_url()
    assert url.startswith("sqlite:///") and url.endswith("demo-server.sqlite") and str(tmp_path) in url


@pytest.fixture
def quiet_cli(monkeypatch):
    """The CLI configures logging, tunes the process's garbage collector and hands settings to workers
    through the environment: keep all of it inside the test (the collector calls are only recorded)."""
    monkeypatch.setattr(cli.logging.config, "dictConfig", lambda config: None)
    monkeypatch.setattr(os, "environ", {k: v for k, v in os.environ.items() if not k.startswith("ONEGRID_")})
    collector: list[str] = []
    monkeypatch.setattr(cli, "tune_serving_process", lambda settings: collector.append("tuned"))
    monkeypatch.setattr(cli, "freeze_after_startup", lambda ctx: collector.append("frozen"))
    return collector


def test_cli_runs_uvicorn_with_the_settings(monkeypatch, sqlite_url, quiet_cli):
    calls = []
    monkeypatch.setattr(cli.uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    assert cli.main(["--database-url", sqlite_url, "--port", "8123"]) == 0
    (app, kw), = calls
    assert kw["port"] == 8123 and kw["host"] == "127.0.0.1"
    assert app.state.ctx.settings.database_url == sqlite_url
    assert quiet_cli == ["tuned"]  # the serving process's collector (app.platform.gc_tuning) ...
    with TestClient(app):
        assert quiet_cli == ["tuned", "frozen"]  # ... and its start-up objects frozen once started


def test_create_app_leaves_process_wide_tuning_alone(sqlite_url, refdata):
    """The GIL switch interval and the collector are the serving process's (its entry points set them):
    a console embedding the demo server, and every test, keep Python's."""
    import gc
    import sys

    from server.admin.bootstrap import init_db
    from server.app import create_app

    init_db(sqlite_url, refdata=refdata)
    switch, thresholds = sys.getswitchinterval(), gc.get_threshold()
    with TestClient(create_app(ServerSettings(database_url=sqlite_url, gil_switch_ms=0.5, gc_gen0_threshold=123))):
        assert (sys.getswitchinterval(), gc.get_threshold()) == (switch, thresholds)


def test_the_serving_process_is_tuned_from_its_settings(monkeypatch):
    from server import app as server_app

    seen = {}
    monkeypatch.setattr(server_app.sys, "setswitchinterval", lambda s: seen.setdefault("switch", s))
    monkeypatch.setattr(server_app, "tune_collector", lambda threshold: seen.setdefault("gen0", threshold))
    server_app.tune_serving_process(ServerSettings(gil_switch_ms=2, gc_gen0_threshold=7000))
    assert seen == {"switch": 0.002, "gen0": 7000}


def test_cli_with_workers_uses_the_factory(monkeypatch, sqlite_url, quiet_cli):
    calls = []
    monkeypatch.setattr(cli.uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    cli.main(["--database-url", sqlite_url, "--workers", "3"])
    (app, kw), = calls
    assert app == "server.app:create_app_from_env" and kw["factory"] and kw["workers"] == 3
    assert os.environ["ONEGRID_DATABASE_URL"] == sqlite_url
    assert ServerSettings.from_env().database_url == sqlite_url  # what each worker will build


def test_cli_demo_initialises_the_database(monkeypatch, tmp_path, quiet_cli):
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    monkeypatch.setattr(cli, "demo_database_url", lambda: url)
    calls = []
    monkeypatch.setattr(cli.uvicorn, "run", lambda app, **kw: calls.append(app))
    cli.main(["--demo"])
    (app,) = calls
    assert app.state.ctx.settings.demo
    with TestClient(app) as client:
        assert quiet_cli[-1] == "frozen"
        r = client.post("/api/login", json={"username": "lead1", "password": "demo-lead1"})
        assert r.status_code == 200


def test_startup_and_shutdown_hooks_get_the_context(sqlite_url, refdata):
    init_db(sqlite_url, refdata=refdata)
    seen = []

    async def on_start(ctx):
        seen.append(("start", ctx.refdata.version))

    app = create_app(ServerSettings(database_url=sqlite_url, maintenance_interval_s=0),
                     on_startup=[on_start], on_shutdown=[lambda ctx: seen.append(("stop", ctx.db.dialect))])
    with TestClient(app):
        assert seen == [("start", refdata.version)]
    assert seen[-1] == ("stop", "sqlite")


def test_onegrid_server_process_serves_and_stops_cleanly(sqlite_url, refdata, tmp_path):
    """The real thing once: `python -m server.cli` in its own process, uvicorn and all."""
    import signal
    import socket
    import subprocess
    import sys
    import time

    import httpx

    init_db(sqlite_url, refdata=refdata, demo_users=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONEGRID_")}
    log_file = tmp_path / "server.log"
    with open(log_file, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "server.cli", "--database-url", sqlite_url,
                                 "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT,
                                cwd=tmp_path)
        try:
            deadline = time.monotonic() + 60  # a start-up on a machine busy with other tests can be slow
            while True:
                try:
                    r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    assert proc.poll() is None and time.monotonic() < deadline, log_file.read_text()
                    time.sleep(0.1)
            assert r.status_code == 200 and r.json() == {"status": "ok", "database": "ok"}
            assert "x-server-time" in r.headers
            login = httpx.post(f"http://127.0.0.1:{port}/api/login",
                               json={"username": "lead1", "password": "demo-lead1"}, timeout=10)
            assert login.status_code == 200
        finally:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(15)
    output = log_file.read_text()
    assert code in (0, -signal.SIGTERM), output  # uvicorn re-raises the signal after a clean shutdown
    assert "Application shutdown complete" in output
    assert "OneGrid server ready" in output and "server.app" in output


def test_the_cli_serves_with_the_one_write_protocol(monkeypatch, sqlite_url, quiet_cli):
    """Each answer's head and body in one socket write (`server.platform.http_protocol`), with one worker or several."""
    from uvicorn.importer import import_from_string

    from server.platform.http_protocol import HTTP_PROTOCOL, OneWriteHttpProtocol

    calls = []
    monkeypatch.setattr(cli.uvicorn, "run", lambda app, **kw: calls.append(kw))
    cli.main(["--database-url", sqlite_url])
    cli.main(["--database-url", sqlite_url, "--workers", "2"])
    assert [kw["http"] for kw in calls] == [HTTP_PROTOCOL, HTTP_PROTOCOL]
    # idle connections outlive nginx's upstream keep-alive (60 s), so nginx never sends on one being closed
    assert [kw["timeout_keep_alive"] for kw in calls] == [75, 75]
    assert import_from_string(HTTP_PROTOCOL) is OneWriteHttpProtocol
