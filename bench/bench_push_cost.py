"""The server's CPU per feed delivery: long-polling consoles vs consoles on the push channel.

One server process on a fresh PostgreSQL database, `CONSOLES` headless consoles of the city operator (long-polling
with `bench.harness pollers`, or on the stream with `bench.push_pollers`), and a steady trickle of creates
(`RATE` a second, one per POST) for `WINDOW_S`. The row is the server process's CPU time over the window divided
by the pages it delivered to the consoles, less the CPU the same commands cost with no console at all (measured
first): CPU time, not wall time, so the other work on a shared machine moves it less than a latency.

    python -m bench push_cost
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone

from bench import emit as _emit
from bench.harness import (
    ROOT,
    ServerProcess,
    fresh_database,
    log,
    login,
    proc_cpu_s,
    psql_scalar,
    read_json_line,
)
from bench.result import Row

CONSOLES = int(os.environ.get("ONEGRID_BENCH_PUSH_COST_CONSOLES", "300"))
RATE = 10.0
WINDOW_S = float(os.environ.get("ONEGRID_BENCH_PUSH_COST_S", "15"))


def _creates(url: str, token: str, refdata, seconds: float) -> int:
    import requests

    from bench.harness import create_payload

    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}
    sent, start = 0, time.monotonic()
    while time.monotonic() - start < seconds:
        command = {"command_id": str(uuid.uuid4()), "case_id": str(uuid.uuid4()), "action": "create",
                   "issued_at": datetime.now(timezone.utc).isoformat(), "payload": create_payload(refdata, sent)}
        session.post(f"{url}/api/commands", json={"commands": [command]}, headers=headers, timeout=30)
        sent += 1
        time.sleep(max(start + sent / RATE - time.monotonic(), 0))
    return sent


def _window(server: ServerProcess, token: str, refdata, consoles: str | None) -> tuple[float, int]:
    """(server CPU seconds, pages delivered) over one window."""
    pollers = None
    if consoles is not None:
        cursor = psql_scalar(server.database_url, "SELECT coalesce(max(position), 0) FROM feed")
        common = ["--port", str(server.port), f"--token={token}", "--count", str(CONSOLES), "--after", str(cursor),
                  "--duration", str(WINDOW_S + 120)]
        command = ([sys.executable, "-m", "bench.push_pollers", *common] if consoles == "pushed"
                   else [sys.executable, "-m", "bench.harness", "pollers", *common, "--partitioned"])
        pollers = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        read_json_line(pollers, timeout_s=120)
        time.sleep(2.0)
    cpu = proc_cpu_s(server.pid)
    started = time.time()
    _creates(server.url, token, refdata, WINDOW_S)
    cpu = proc_cpu_s(server.pid) - cpu
    ended = time.time()
    pages = 0
    if pollers is not None:
        pollers.stdin.write("stop\n")
        pollers.stdin.flush()
        report = read_json_line(pollers, timeout_s=120)
        pages = sum(n for second, n in report["buckets"].items() if started <= int(second) < int(ended))
        pollers.wait(timeout=30)
    return cpu, pages


def main() -> int:
    from app.refdata.loading import load_demo_refdata
    from server.admin.bootstrap import init_db

    refdata = load_demo_refdata()
    which = os.environ.get("ONEGRID_BENCH_PUSH_COST_CONSOLES_KIND", "pushed,long-polling").split(",")
    with fresh_database("pushcost") as url:
        init_db(url, demo_users=True)
        with ServerProcess(url) as server:
            for attempt in range(30):  # PostgreSQL's connection slots are shared with the whole machine
                try:
                    token = login(server.url, "operator2")
                    break
                except Exception as exc:  # noqa: BLE001 - a 503 while the database is full: again
                    if attempt == 29:
                        raise
                    log(f"login refused ({exc}); again in 2 s")
                    time.sleep(2)
            alone, _ = _window(server, token, refdata, None)
            log(f"commands alone: server CPU {alone:.2f} s over {WINDOW_S:g} s")
            for kind in which:
                cpu, pages = _window(server, token, refdata, kind)
                per = (cpu - alone) / max(pages, 1) * 1e6
                note = (f"{CONSOLES} {kind} consoles, {RATE:g} creates/s for {WINDOW_S:g} s: server CPU {cpu:.2f} s "
                        f"({alone:.2f} s the same commands cost with no console), {pages:,} pages delivered "
                        f"({pages / WINDOW_S:,.0f}/s)")
                log(note)
                _emit.emit(Row(f"feed: server CPU per delivered page ({kind} consoles)", round(per), "µs", 700.0,
                               note=note))
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
