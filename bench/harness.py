"""Shared plumbing of the server and sync benchmarks (bench_server_load, bench_sync).

- `fresh_database()`: a throw-away PostgreSQL database on 127.0.0.1 (dropped afterwards, even on error);
- `ServerProcess`: `python -m server.cli` as a real separate process (terminate, then kill, at the end);
- `RawHttp`: a minimal keep-alive HTTP/1.1 client on asyncio streams, so a load generator sharing the
  machine's two cores with the server spends as little CPU as possible per request;
- builders of valid command payloads, logins; CPU accounting from /proc (`bench.cpu_meter`).

Only loopback addresses are ever used. Run as `python -m bench.harness pollers ...` it is the long-poll
load generator child process of bench_server_load (`bench.pollers`); `RawHttp` lives in `bench.raw_http`.
"""
from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

# the names the benches import from here
from bench.cpu_meter import CpuMeter, machine_cpu_s, postgres_cpu_s, proc_cpu_s  # noqa: F401
from bench.raw_http import HOST, HttpError, RawHttp  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = f"postgresql://postgres@{HOST}:5432/postgres"
DB_PREFIX = "onegrid_bench_"

# The demo city's accounts (server.admin.bootstrap.init_db(demo_users=True)): password = "demo-<username>".
HANDLED_UNITS = ("water_supply", "roads", "power")  # units with a demo handler account "handler_<unit>"


def password_of(username: str) -> str:
    return f"demo-{username}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def log(message: str) -> None:
    """Progress on stderr (the runner shows the tail of it); stdout is for BENCHROW lines."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------- PostgreSQL databases

def _admin():
    import psycopg

    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)


def drop_stale_databases() -> None:
    """Drop bench databases left behind by a bench process that no longer exists (killed runs)."""
    with _admin() as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                            (DB_PREFIX + "%",))]
        for name in names:
            m = re.match(rf"{DB_PREFIX}\w+?_p(\d+)_", name)
            if m and Path(f"/proc/{m.group(1)}").exists():
                continue  # its bench process is still running
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def fresh_database(tag: str) -> Iterator[str]:
    """A new empty PostgreSQL database; yields its SQLAlchemy URL and drops it afterwards."""
    name = f"{DB_PREFIX}{tag}_p{os.getpid()}_{secrets.token_hex(3)}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@{HOST}:5432/{name}"
    finally:
        try:
            with _admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception as exc:  # noqa: BLE001 - never hide the benchmark's own error behind this
            log(f"could not drop database {name}: {exc}")


def plain_url(url: str) -> str:
    """A `fresh_database` URL (SQLAlchemy's `postgresql+psycopg://`) as psycopg itself takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def psql_scalar(url: str, sql: str) -> Any:
    import psycopg

    with psycopg.connect(plain_url(url), autocommit=True, connect_timeout=5) as conn:
        return conn.execute(sql).fetchone()[0]


# ---------------------------------------------------------------------- the server process

class ServerProcess:
    """`python -m server.cli` on 127.0.0.1 as a child process (one uvicorn worker by default); `host`: another
    loopback address (127.0.0.2: a second "host" of the scale-out benchmark)."""

    def __init__(self, database_url: str, *, port: int | None = None, workers: int = 1,
                 log_level: str = "warning", env: dict[str, str] | None = None, host: str = HOST):
        assert host.startswith("127."), "benchmarks talk to loopback only"
        self.database_url = database_url
        self.host = host
        self.port = port or free_port()
        self.url = f"http://{host}:{self.port}"
        self.workers = workers
        self.log_level = log_level
        self.env = env or {}
        self.proc: subprocess.Popen | None = None
        self._log = tempfile.NamedTemporaryFile(prefix="onegrid-bench-server-", suffix=".log", delete=False)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout_s: float = 60) -> ServerProcess:
        import requests

        env = {**os.environ, **self.env}
        env.pop("ONEGRID_DEMO", None)
        cmd = [sys.executable, "-m", "server.cli", "--host", self.host, "--port", str(self.port),
               "--database-url", self.database_url, "--workers", str(self.workers), "--log-level", self.log_level]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        _CHILDREN.append(self.proc)
        deadline = time.monotonic() + timeout_s
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"server did not answer /healthz within {timeout_s:.0f} s: {self.log_tail()}")
            time.sleep(0.1)

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None

    def log_tail(self, lines: int = 8) -> str:
        try:
            text = Path(self._log.name).read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return " | ".join(text[-lines:])

    def log_text(self) -> str:
        try:
            return Path(self._log.name).read_text(errors="replace")
        except OSError:
            return ""

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        with contextlib.suppress(OSError):
            os.unlink(self._log.name)


_CHILDREN: list[subprocess.Popen] = []


def stop_process(proc: subprocess.Popen | None, grace_s: float = 10) -> None:
    """Terminate one child we started (by its pid), then kill it if it lingers."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def read_json_line(proc: subprocess.Popen, timeout_s: float) -> dict:
    """The next JSON line of a child's stdout (the pollers' process), or an error after `timeout_s`."""
    box: list = []
    reader = threading.Thread(target=lambda: box.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout_s)
    if not box or not box[0]:
        raise RuntimeError(f"the poller process said nothing within {timeout_s:.0f} s "
                           f"(exit code {proc.poll()})")
    return json.loads(box[0])


@atexit.register
def _stop_children() -> None:
    for proc in _CHILDREN:
        with contextlib.suppress(Exception):
            stop_process(proc, grace_s=3)


def _sigterm(_signum, _frame):
    raise KeyboardInterrupt


def install_sigterm_cleanup() -> None:
    """Make SIGTERM unwind like Ctrl-C, so `finally` blocks stop the server and drop the database."""
    signal.signal(signal.SIGTERM, _sigterm)


# ---------------------------------------------------------------------- CPU accounting (/proc: bench.cpu_meter)

def wait_for_quiet(max_wait_s: float = 10.0, busy_cores: float = 0.3) -> float:
    """Wait (bounded) until the machine is nearly idle, so that another program's burst (a test run) does
    not land in a measurement; returns the busy cores seen last (reported, never fatal)."""
    deadline = time.monotonic() + max_wait_s
    while True:
        b0, _ = machine_cpu_s()
        time.sleep(0.5)
        b1, _ = machine_cpu_s()
        busy = (b1 - b0) / 0.5
        if busy <= busy_cores or time.monotonic() >= deadline:
            if busy > busy_cores:
                log(f"machine still busy ({busy:.0%} of a core used by others); measuring anyway")
            return busy


# ---------------------------------------------------------------------- logins and payloads

def login(url: str, username: str) -> str:
    import requests

    r = requests.post(url + "/api/login", json={"username": username, "password": password_of(username),
                                                "console_id": "bench"}, timeout=30)
    r.raise_for_status()
    return r.json()["token"]


def create_payload(refdata, n: int) -> dict[str, Any]:
    """A valid CREATE payload at one of the demo city's grid centroids."""
    grid = refdata.grids[n % len(refdata.grids)]
    lat, lon = grid.centroid
    return {"source": "hotline", "category_code": refdata.categories[n % len(refdata.categories)].code,
            "description": f"bench report {n}: water main leaking at the crossing",
            "location": {"lat": lat, "lon": lon, "address": f"bench address {n}"},
            "reporter_name": "bench", "reporter_phone": "0100000000"}


def command_json(case_id: uuid.UUID, action: str, payload: dict[str, Any], *, console_id: str = "bench") -> dict:
    return {"command_id": str(uuid.uuid4()), "case_id": str(case_id), "action": action, "payload": payload,
            "issued_at": now_utc().isoformat(), "offline": False, "console_id": console_id}


class LastCall:
    """Wraps a callable and keeps the wall time of its last call (a first sync's last page builds the
    deferred indexes, and nothing overlaps it)."""

    def __init__(self, fn):
        self.fn = fn
        self.seconds = float("nan")

    def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self.fn(*args, **kwargs)
        finally:
            self.seconds = time.perf_counter() - started


class Timed:
    """Wraps a callable and adds up the wall time spent in it (calls may come from worker threads), and the
    CPU time of the calling thread meanwhile (`cpu_seconds`: on a loaded machine the wall time is mostly
    waiting for a core)."""

    def __init__(self, fn, on_return=None):
        self.fn = fn
        self.on_return = on_return  # called as on_return(args, result, finished_at) after each call
        self.seconds = 0.0
        self.cpu_seconds = 0.0
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, *args, **kwargs):
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            result = self.fn(*args, **kwargs)
        finally:
            finished = time.perf_counter()
            used = time.thread_time() - cpu
            with self._lock:
                self.seconds += finished - started
                self.cpu_seconds += used
                self.calls += 1
        if self.on_return is not None:
            self.on_return(args, result, finished)
        return result


# ---------------------------------------------------------------------- optional profile of the server

PROFILE_CATEGORIES = [  # first match wins, checked against the whole stack of a sample
    ("new PostgreSQL connections", ("_connect_gen", "Connection.close (psycopg")),
    ("token lookup", ("user_for_token",)),
    ("feed query + json.loads", ("read_changes (server/feed/read.py", "ServerContext.read_changes")),
    ("long-poll json.dumps", ("JSONResponse.render", "JSONResponse.__init__")),
    ("gzip", ("_compress_body", "GZipResponder", "gzip (server/feed/pages.py")),
    ("feed page built (ring)", ("page (server/feed/ring.py", "_jurisdiction_page (server/feed/ring.py")),
    ("ring read", ("_do_refresh (server/feed/ring.py",)),
    ("applying commands", ("apply_batch (server/cases/commands.py",)),
    ("HTTP + ASGI stack", ("h11", "H11Protocol", "RequestResponseCycle")),
    ("thread pool handoff", ("anyio", "run_in_threadpool")),
]


class ServerProfile:
    """py-spy (GIL-holding samples only) on the server during a measurement, if ONEGRID_BENCH_PYSPY names
    the py-spy executable (`pip install --target DIR py-spy`); otherwise does nothing. With
    ONEGRID_BENCH_PYSPY_KEEP=FILE the raw stacks are kept there for a closer look."""

    def __init__(self, pid: int, seconds: float):
        self.exe = os.environ.get("ONEGRID_BENCH_PYSPY")
        self.pid, self.seconds = pid, seconds
        self.proc: subprocess.Popen | None = None
        self.out = Path(tempfile.gettempdir()) / f"onegrid-bench-pyspy-{os.getpid()}.txt"

    def start(self) -> None:
        if not self.exe:
            return
        self.proc = subprocess.Popen([self.exe, "record", "--pid", str(self.pid), "--duration", str(int(self.seconds)),
                                      "--rate", "97", "--nonblocking", "--gil", "--format", "raw",
                                      "--output", str(self.out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _CHILDREN.append(self.proc)

    def summary(self) -> str:
        """Where the server's Python time went, e.g. 'feed query + json.loads 37%, ...' ('' without py-spy)."""
        if self.proc is None:
            return ""
        try:
            self.proc.wait(self.seconds + 30)
            lines = self.out.read_text().splitlines()
        except (subprocess.TimeoutExpired, OSError):
            stop_process(self.proc)
            return ""
        finally:
            if keep := os.environ.get("ONEGRID_BENCH_PYSPY_KEEP"):  # the raw stacks, for a closer look
                with contextlib.suppress(OSError):
                    shutil.copyfile(self.out, keep)
            with contextlib.suppress(OSError):
                self.out.unlink()
        counts: Counter = Counter()
        for line in lines:
            stack, _, n = line.rpartition(" ")
            name = next((cat for cat, keys in PROFILE_CATEGORIES if any(k in stack for k in keys)), "other")
            counts[name] += int(n)
        total = sum(counts.values()) or 1
        return "server Python time (py-spy): " + ", ".join(f"{name} {n / total:.0%}" for name, n in counts.most_common())


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "pollers":
        from bench.pollers import pollers_main

        sys.exit(pollers_main(sys.argv[2:]))
    print("usage: python -m bench.harness pollers --port P --token T [--count 500] [--duration S]", file=sys.stderr)
    sys.exit(2)
