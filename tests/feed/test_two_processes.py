"""Two real `onegrid-server` processes (uvicorn, separate OS processes, own ports) on one PostgreSQL
database: a command accepted by one wakes a console's long-poll waiting on the other.

This is the deployment of packaging/README.md (several processes behind a reverse proxy): a console's
long-poll may be held by any process, the command by any other. The wake-up crosses processes only
through PostgreSQL's LISTEN/NOTIFY (`server.feed.notifier`), so the test holds the poll long enough to
see that it was waiting, then commits on the other process and checks that the poll was answered with
the new case long before its own wait ran out (a poll that timed out would also answer, but only after
`WAIT_S`). The measured commit-to-wake latency is printed; it is not a pass/fail threshold.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from tests.support import ROOT as CHECKOUT
from tests.support.server import password_of, prepare_database
from tests.support.sync_helpers import free_port

pytestmark = pytest.mark.postgres

ROOT = CHECKOUT
START_TIMEOUT_S = 60
WAIT_S = 25          # the long-poll's own wait (the server holds at most ONEGRID_LONG_POLL_MAX_S = 30)
HELD_BEFORE_COMMIT_S = 1.5


class ServerProcess:
    """`python -m server.cli` (what the `onegrid-server` script runs) on 127.0.0.1 and a free port."""

    def __init__(self, database_url: str, log_path: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("ONEGRID_")}
        env.update(ONEGRID_MAINTENANCE_INTERVAL_S="0", PYTHONPATH=str(ROOT))
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "--database-url", database_url, "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "info"],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"onegrid-server on port {self.port} exited with {self.process.returncode}:\n"
                                     f"{self.output()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError(f"onegrid-server on port {self.port} not ready in {START_TIMEOUT_S} s:\n{self.output()}")

    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log.close()


@pytest.fixture
def two_servers(pg_url, refdata, tmp_path):
    prepare_database(pg_url, refdata)  # schema + demo city + demo users, before either starts
    servers = [ServerProcess(pg_url, tmp_path / f"server-{n}.log") for n in (1, 2)]
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


def _login(server: ServerProcess, username: str) -> dict[str, str]:
    r = requests.post(f"{server.url}/api/login", json={"username": username, "password": password_of(username)},
                      timeout=10)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _caught_up_cursor(server: ServerProcess, headers: dict[str, str]) -> str:
    """The reader's cursor (a position per feed partition, as a console reads: the server partitions per city)
    once it has read everything."""
    cursor, more = "any.0", True
    while more:
        r = requests.get(f"{server.url}/api/changes", params={"cursor": cursor, "limit": 1000}, headers=headers,
                         timeout=30)
        assert r.status_code == 200, r.text
        cursor, more = r.json()["cursors"], r.json()["more"]
    return cursor


def test_a_command_on_one_process_wakes_a_long_poll_on_the_other(two_servers, refdata):
    commander, poller = two_servers
    assert commander.process.pid != poller.process.pid
    op1 = _login(commander, "operator1")
    op2 = _login(poller, "operator2")
    cursor = _caught_up_cursor(poller, op2)

    answer: dict = {}

    def long_poll() -> None:
        started = time.monotonic()
        r = requests.get(f"{poller.url}/api/changes", params={"cursor": cursor, "wait": WAIT_S}, headers=op2,
                         timeout=WAIT_S + 15)
        answer.update(status=r.status_code, body=r.json(), started=started, returned=time.monotonic())

    thread = threading.Thread(target=long_poll, name="long-poll-on-process-2")
    thread.start()
    time.sleep(HELD_BEFORE_COMMIT_S)
    assert not answer, f"the long-poll answered before anything changed: {answer}"  # it is being held

    case_id = str(uuid.uuid4())
    lat, lon = refdata.grids[0].centroid
    command = {"command_id": str(uuid.uuid4()), "case_id": case_id, "action": "create",
               "issued_at": datetime.now(timezone.utc).isoformat(),
               "payload": {"source": "hotline", "category_code": "C0101", "description": "manhole cover missing",
                           "location": {"lat": lat, "lon": lon, "address": "Hubin Rd 1"}}}
    r = requests.post(f"{commander.url}/api/commands", json={"commands": [command]}, headers=op1, timeout=30)
    committed = time.monotonic()  # the answer comes after the commit
    assert r.status_code == 200, r.text
    assert r.json()["results"][0]["status"] == "accepted", r.json()

    thread.join(timeout=WAIT_S + 20)
    assert answer, "the long-poll on the other process never answered"
    assert answer["status"] == 200, answer
    cases = [c for c in answer["body"]["changes"] if c["kind"] == "case"]
    assert case_id in [c["id"] for c in cases], answer["body"]
    held = answer["returned"] - answer["started"]
    latency = answer["returned"] - committed
    # Woken by the other process's commit, not answered by its own wait running out.
    assert held < WAIT_S - 5, f"the long-poll was held {held:.1f} s: it timed out instead of being woken"
    print(f"\ncommit on process {commander.process.pid} → long-poll on process {poller.process.pid} "
          f"answered {latency * 1000:.0f} ms after the commit's answer (held {held:.1f} s)")


def test_a_reassignment_on_one_process_wakes_the_old_units_long_poll_on_the_other(two_servers, refdata):
    """The old unit's handler is told through LISTEN/NOTIFY too: its poll wakes with a scope exit."""
    commander, poller = two_servers
    op1 = _login(commander, "operator1")
    handler = _login(poller, "handler_water_supply")
    case_id = str(uuid.uuid4())
    lat, lon = refdata.grids[0].centroid

    def do(action: str, payload: dict) -> dict:
        command = {"command_id": str(uuid.uuid4()), "case_id": case_id, "action": action,
                   "issued_at": datetime.now(timezone.utc).isoformat(), "payload": payload}
        r = requests.post(f"{commander.url}/api/commands", json={"commands": [command]}, headers=op1, timeout=30)
        assert r.status_code == 200 and r.json()["results"][0]["status"] == "accepted", r.text
        return r.json()["results"][0]

    do("create", {"source": "hotline", "category_code": "C0101", "description": "manhole cover missing",
                  "location": {"lat": lat, "lon": lon, "address": "Hubin Rd 1"}})
    do("register", {})
    do("dispatch", {"unit_id": "water_supply"})
    cursor = _caught_up_cursor(poller, handler)
    answer: dict = {}

    def long_poll() -> None:
        started = time.monotonic()
        r = requests.get(f"{poller.url}/api/changes", params={"cursor": cursor, "wait": WAIT_S}, headers=handler,
                         timeout=WAIT_S + 15)
        answer.update(status=r.status_code, body=r.json(), held=time.monotonic() - started)

    thread = threading.Thread(target=long_poll, name="handler-long-poll-on-process-2")
    thread.start()
    time.sleep(HELD_BEFORE_COMMIT_S)
    assert not answer, f"the long-poll answered before anything changed: {answer}"
    moved = do("reassign", {"unit_id": "roads"})
    thread.join(timeout=WAIT_S + 20)
    assert answer and answer["status"] == 200, answer
    assert [(c["kind"], c["id"], c["position"]) for c in answer["body"]["changes"]] == \
        [("scope_exit", case_id, moved["position"])], answer["body"]
    assert answer["held"] < WAIT_S - 5, f"the long-poll was held {answer['held']:.1f} s: it was not woken"
