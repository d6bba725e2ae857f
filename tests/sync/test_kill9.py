"""kill -9 at random moments: every command acknowledged to the operator reaches the server exactly once."""
from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import IO

import pytest

from tests.support import ROOT as CHECKOUT
from tests.support.sync_helpers import PASSWORDS

ROOT = CHECKOUT
log = logging.getLogger(__name__)
SEED = int(os.environ.get("ONEGRID_KILL9_SEED", "9"))  # set it to replay another run
ROUNDS = 6


def _spawn(cache_dir: Path, url: str, seed: int, stderr: IO, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.kill9_console", "--cache", str(cache_dir), "--server", url,
         "--user", "operator1", "--password", PASSWORDS["operator1"], "--seed", str(seed), *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True)


def _collect(proc: subprocess.Popen, lines: list[str]) -> threading.Thread:
    def read() -> None:
        for line in proc.stdout:
            lines.append(line)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


@pytest.mark.slow
def test_acknowledged_commands_survive_kill_9(tmp_path, live_server, request):
    rng = random.Random(SEED)
    cache_dir = tmp_path / "console"
    stderr_log = tmp_path / "console.log"
    acknowledged: list[uuid.UUID] = []
    stderr = stderr_log.open("a")
    request.addfinalizer(stderr.close)
    for round_ in range(ROUNDS):
        proc = _spawn(cache_dir, live_server.url, round_ + 1, stderr)
        lines: list[str] = []
        reader = _collect(proc, lines)
        deadline = time.monotonic() + 30
        while not lines and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert lines, f"round {round_}: the console never acknowledged a command:\n{stderr_log.read_text()[-3000:]}"
        time.sleep(rng.uniform(0.0, 0.8))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        reader.join(10)
        proc.stdout.close()
        # Only complete lines were acknowledged; a line cut by the kill was not.
        acknowledged += [uuid.UUID(line.strip()) for line in lines if line.endswith("\n")]

    proc = _spawn(cache_dir, live_server.url, 0, stderr, "--drain")
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "DRAINED" in out, stderr_log.read_text()[-3000:]

    log.info("acknowledged %d commands over %d kills", len(acknowledged), ROUNDS)
    assert "unusable" not in stderr_log.read_text(), "kill -9 must not corrupt the cache"
    assert len(acknowledged) == len(set(acknowledged)) > ROUNDS * 3
    counts: dict[uuid.UUID, int] = {}
    for (command_id,) in live_server.query("SELECT command_id FROM case_events WHERE command_id IS NOT NULL"):
        key = uuid.UUID(str(command_id))
        counts[key] = counts.get(key, 0) + 1
    missing = [c for c in acknowledged if c not in counts]
    assert missing == [], f"{len(missing)} acknowledged commands never reached the server"
    assert [c for c, n in counts.items() if n > 1] == [], "a command was applied more than once"
    accepted = {uuid.UUID(str(r[0]))
                for r in live_server.query("SELECT command_id FROM commands WHERE status = 'accepted'")}
    assert set(acknowledged) <= accepted
