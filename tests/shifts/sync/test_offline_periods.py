"""Offline periods that outlive the process that opened them: an `onegrid-ctl` run that cannot reach the
server, and a console killed while offline. The period stays open in outbox.sqlite; the first answer of a
later run closes it, and that run reports it to the server (`POST /api/console-outages`)."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timezone

from sqlalchemy import create_engine, text

from app.cache import LocalCache
from app.sync.client import ServerClient
from app.sync.engine import SyncEngine
from server.admin import ctl
from tests.support.consoles import TEST_TIMEOUT, online_console
from tests.support.sync_helpers import PASSWORDS, free_port
from tests.sync.test_integration import until


def _outages(server) -> list[tuple[str, str, datetime, datetime]]:
    engine = create_engine(server.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT console_id, username, started_at, ended_at FROM console_outages"))
            return [(r[0], r[1], _utc(r[2]), _utc(r[3])) for r in rows]
    finally:
        engine.dispose()


def _utc(value) -> datetime:
    value = datetime.fromisoformat(value) if isinstance(value, str) else value
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _now() -> datetime:
    return datetime.now(timezone.utc)


def test_a_cli_period_is_closed_and_reported_by_the_next_run_that_reaches_the_server(live_server, tmp_path,
                                                                                    capsys, monkeypatch):
    import io

    cache_dir = tmp_path / "cli"
    online = ["--server", live_server.url, "--cache", str(cache_dir)]
    cut_off = ["--server", f"http://127.0.0.1:{free_port()}", "--cache", str(cache_dir)]  # nobody listens
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORDS["operator1"] + "\n"))
    assert ctl.main([*online, "login", "operator1", "--password-stdin"]) == 0

    before_cut = _now()
    assert ctl.main([*cut_off, "sync"]) == 1
    assert "unreachable" in capsys.readouterr().err
    assert ctl.main([*cut_off, "sync"]) == 1      # a second failed run: still the same period
    after_cut = _now()
    assert _outages(live_server) == []

    before_back = _now()
    assert ctl.main([*online, "sync"]) == 0
    after_back = _now()
    ((console_id, username, started, ended),) = _outages(live_server)
    cache = LocalCache(cache_dir)
    try:
        assert (console_id, username) == (cache.console_id, "operator1")
        assert cache.entity_outbox.open_outage() is None and cache.entity_outbox.closed_outages() == []
    finally:
        cache.close()
    assert before_cut <= started <= after_cut       # from the first failed contact …
    assert before_back <= ended <= after_back       # … to the first answer of a later run
    assert ctl.main([*online, "sync"]) == 0
    assert len(_outages(live_server)) == 1          # reported once


_KILLED_CONSOLE = textwrap.dedent("""
    import asyncio, sys, time
    from app.cache import LocalCache
    from app.sync.client import ServerClient
    from app.sync.engine import SyncEngine

    async def main():
        cache = LocalCache(sys.argv[1])
        engine = SyncEngine(cache, ServerClient(sys.argv[2], token=sys.argv[3], timeout=(0.5, 1), retries=0),
                            backoff_base_s=0.05, backoff_cap_s=0.2)
        engine.start()
        while cache.entity_outbox.open_outage() is None:
            await asyncio.sleep(0.02)
        print("OFFLINE", flush=True)
        await asyncio.sleep(3600)  # killed here

    asyncio.run(main())
""")


def test_a_console_killed_offline_has_its_period_closed_and_reported_at_the_next_start(live_server, tmp_path):
    directory = tmp_path / "console"
    console = online_console(directory, live_server.url, "operator1")
    console_id, token = console.cache.console_id, console.session.token
    console.close()

    before_cut = _now()
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_CONSOLE, str(directory), f"http://127.0.0.1:{free_port()}",
                             token], stdout=subprocess.PIPE, text=True, cwd=os.getcwd())
    try:
        assert proc.stdout.readline().strip() == "OFFLINE"
        after_cut = _now()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    proc.stdout.close()

    cache = LocalCache(directory)
    assert cache.entity_outbox.open_outage() is not None  # left open by the killed process
    client = ServerClient(live_server.url, token=token, timeout=TEST_TIMEOUT, retries=1)
    engine = SyncEngine(cache, client, wait_s=1.0, backoff_base_s=0.05, backoff_cap_s=0.5)
    before_back = _now()

    async def restarted():
        engine.start()
        await until(lambda: len(_outages(live_server)) == 1, what="the period reported")
        await until(lambda: cache.entity_outbox.closed_outages() == [], what="the period forgotten locally")
        await engine.stop()

    asyncio.run(restarted())
    ((reported_console, username, started, ended),) = _outages(live_server)
    assert (reported_console, username) == (console_id, "operator1")
    assert before_cut <= started <= after_cut and before_back <= ended <= _now()
    engine.close()
    client.close()
    cache.close()
