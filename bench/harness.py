"""Shared plumbing of the server and sync benchmarks (bench_server_load, bench_sync).

- `fresh_database()`: a throw-away PostgreSQL database on 127.0.0.1 (dropped afterwards, even on error);
- `ServerProcess`: `python -m server.cli` as a real separate process (terminate, then kill, at the end);
- `RawHttp`: a minimal keep-alive HTTP/1.1 client on asyncio streams, so a load generator sharing the
  machine's two cores with the server spends as little CPU as possible per request;
- builders of valid command payloads, logins, CPU accounting from /proc.

Only loopback addresses are ever used. Run as `python -m bench.harness pollers ...` it is the long-poll
load generator child process of bench_server_load (see `pollers_main`).
"""
from __future__ import annotations

import argparse
import asyncio
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
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench.tracking import Tracking

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only, always
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


# ---------------------------------------------------------------------- CPU accounting (/proc)

_TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu_s(pid: int, which: str = "both") -> float:
    """User + system (or only "user" / "system") CPU seconds of one process, all its threads; 0 if gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    user, system = int(fields[11]), int(fields[12])
    return {"both": user + system, "user": user, "system": system}[which] / _TICK


def postgres_cpu_s() -> float:
    """CPU seconds of every process named `postgres` (the cluster's backends and helpers)."""
    total = 0.0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if Path(f"/proc/{entry.name}/comm").read_text().strip() == "postgres":
                    total += proc_cpu_s(int(entry.name))
            except OSError:
                continue
    return total


def machine_cpu_s() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = parts[3] + parts[4]
    total = sum(parts[:8])
    return (total - idle) / _TICK, total / _TICK


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


@dataclass
class CpuMeter:
    """CPU used between start() and stop() by: the server, PostgreSQL, other named pids, the machine."""

    server_pid: int
    others: dict[str, int] = field(default_factory=dict)
    _start: dict[str, float] = field(default_factory=dict)
    result: dict[str, float] = field(default_factory=dict)

    def _sample(self) -> dict[str, float]:
        busy, total = machine_cpu_s()
        sample = {"server": proc_cpu_s(self.server_pid), "server_sys": proc_cpu_s(self.server_pid, "system"),
                  "postgres": postgres_cpu_s(), "bench": proc_cpu_s(os.getpid()),
                  "machine_busy": busy, "machine_total": total, "wall": time.monotonic()}
        for name, pid in self.others.items():
            sample[name] = proc_cpu_s(pid)
        return sample

    def start(self) -> None:
        self._start = self._sample()

    def stop(self) -> dict[str, float]:
        end = self._sample()
        wall = end["wall"] - self._start["wall"]
        self.result = {k: (end[k] - self._start.get(k, 0.0)) / wall for k in end if k not in ("wall",)}
        self.result["wall"] = wall
        return self.result

    def describe(self) -> str:
        r = self.result
        parts = [f"server {r['server']:.0%} (kernel {r['server_sys']:.0%})", f"postgres {r['postgres']:.0%}"]
        parts += [f"{name} {r[name]:.0%}" for name in self.others]
        in_process = self.server_pid == os.getpid()  # an in-process server: "bench" is the same process
        if not in_process:
            parts.append(f"bench {r['bench']:.0%}")
        ours = r["server"] + r["postgres"] + (0 if in_process else r["bench"]) + sum(r[n] for n in self.others)
        machine = r["machine_busy"]  # cores busy, all processes
        parts.append(f"other processes {max(machine - ours, 0):.0%}")
        return "CPU (100% = one core of 2): " + ", ".join(parts) + f"; load average at the end {os.getloadavg()[0]:.1f}"


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


# ---------------------------------------------------------------------- a minimal HTTP/1.1 client

class HttpError(Exception):
    pass


class RawHttp:
    """One keep-alive HTTP/1.1 connection on asyncio streams (Content-Length or chunked answers).

    Much cheaper per request than httpx, which matters when the load generator shares two cores with
    the server and PostgreSQL. Not for concurrent use: one request at a time per connection."""

    def __init__(self, host: str, port: int):
        assert host == HOST, "benchmarks talk to loopback only"
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self, timeout: float = 10) -> None:
        async with asyncio.timeout(timeout):  # not wait_for: see request()
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=1 << 22)

    @property
    def connected(self) -> bool:
        return self.writer is not None and not self.writer.is_closing()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, *, headers: bytes = b"", body: bytes | None = None,
                      timeout: float = 60) -> tuple[int, dict[bytes, bytes], bytes]:
        if not self.connected:
            await self.connect()
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n".encode() + headers
        if body is not None:
            head += b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
        self.writer.write(head + b"\r\n" + (body or b""))
        try:
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation that arrives as the
            # answer completes, and a cancelled poller then went on polling until its deadline.
            async with asyncio.timeout(timeout):
                return await self._read_response()
        except BaseException:
            self.close()  # a half-read answer poisons the connection
            raise

    async def _read_response(self) -> tuple[int, dict[bytes, bytes], bytes]:
        reader = self.reader
        raw = await reader.readuntil(b"\r\n\r\n")
        lines = raw.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if line:
                k, _, v = line.partition(b":")
                headers[k.strip().lower()] = v.strip()
        if b"content-length" in headers:
            body = await reader.readexactly(int(headers[b"content-length"]))
        elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")
                    break
                parts.append(await reader.readexactly(size))
                await reader.readexactly(2)
            body = b"".join(parts)
        else:
            raise HttpError(f"answer without length: {raw[:200]!r}")
        if headers.get(b"connection", b"").lower() == b"close":
            self.close()
        if headers.get(b"content-encoding") == b"gzip":
            body = zlib.decompress(body, 31)
        return status, headers, body


# ---------------------------------------------------------------------- the long-poll load generator

_TAIL = re.compile(rb'"cursor":(\d+),"more":(true|false)')
_CURSORS = re.compile(rb'"cursors":"([^"]+)"')  # a partition cursor's answer (`server.feed.partitions`)
async def _poller(index: int, port: int, auth: bytes, deadline: float, stats: dict, buckets: Counter,
                  alive: list[bool], ready: asyncio.Event, stopping: asyncio.Event, wait_s: float, limit: int,
                  after: int, track: Tracking | None = None, partitioned: bool = False) -> None:
    """One console's pull loop: GET /api/changes?after=cursor&wait=W&limit=L (with `partitioned`, as the
    console sends it: cursor=<partition cursor>), advance, repeat, until `stopping` (checked between
    requests; the task is also cancelled) or the deadline."""
    conn = RawHttp(HOST, port)
    cursor = after
    wire = f"any.{after}"  # `app.platform.feed_partition.Cursor` on the wire
    # Like the console's requests.Session: gzip accepted (the server compresses answers over 4 KiB).
    headers = auth + b"Accept-Encoding: gzip, deflate\r\nAccept: */*\r\n"
    first = True
    while time.monotonic() < deadline and not stopping.is_set():
        try:
            if not conn.connected:
                await conn.connect()
            if first:
                first = False
                stats["connected"] += 1
                if stats["connected"] >= stats["target"]:
                    ready.set()
            alive[index] = True
            query = f"cursor={wire}" if partitioned else f"after={cursor}"
            status, _h, body = await conn.request(
                "GET", f"/api/changes?{query}&wait={wait_s:g}&limit={limit}", headers=headers,
                timeout=min(wait_s + 30, max(deadline - time.monotonic(), 0.1)))
        except asyncio.CancelledError:
            break
        except Exception as exc:  # noqa: BLE001 - counted and retried, like a console would
            alive[index] = False
            stats["errors"] += 1
            stats[f"error:{type(exc).__name__}"] += 1
            conn.close()
            await asyncio.sleep(0.5)
            continue
        now = time.time()
        if status != 200:
            stats[f"status:{status}"] += 1
            await asyncio.sleep(0.5)
            continue
        m = _TAIL.search(body, max(0, len(body) - 200))
        if m is None:
            stats["unparsable"] += 1
            continue
        new_cursor = int(m.group(1))
        if partitioned:
            c = _CURSORS.search(body, m.end())
            if c is None:
                stats["unparsable"] += 1
                continue
            wire = c.group(1).decode("ascii")
        buckets[int(now)] += 1
        stats["responses"] += 1
        stats["bytes"] += len(body)
        if new_cursor > cursor:
            stats["non_empty"] += 1
        cursor = new_cursor
        if track is not None:
            track.take(index, body, wire if partitioned else str(cursor), now)
        else:
            stats["changes"] += body.count(b'{"position":')  # how many changes an answer carries (its size's cause)
    # Ended by the stop request, a poller still counts as connected: the count is taken after it, and
    # every poller answered in the loop turn the request came in ended before it (under load, dozens).
    alive[index] = stopping.is_set() and alive[index]
    conn.close()


async def _pollers(port: int, token: str, count: int, duration_s: float, wait_s: float, limit: int,
                   after: int, track: Tracking | None = None, partitioned: bool = False, poller=None) -> dict:
    """`count` consoles, each `poller` (`_poller`: long-polling; `bench.push_pollers`: on the feed stream)."""
    poller = poller or _poller
    auth = f"Authorization: Bearer {token}\r\n".encode()
    deadline = time.monotonic() + duration_s
    stats: Counter = Counter(target=count)
    buckets: Counter = Counter()
    alive = [False] * count
    ready = asyncio.Event()
    stop = asyncio.Event()
    tasks = []
    for i in range(count):
        tasks.append(asyncio.create_task(poller(i, port, auth, deadline, stats, buckets, alive, ready, stop,
                                                 wait_s, limit, after, track, partitioned)))
        if i % 50 == 49:
            await asyncio.sleep(0.05)  # do not open 500 connections in one burst
    try:
        await asyncio.wait_for(ready.wait(), 30)
        print(json.dumps({"ready": True, "connected": stats["connected"]}), flush=True)
    except TimeoutError:
        print(json.dumps({"ready": False, "connected": stats["connected"]}), flush=True)

    # The parent says "stop" on stdin (or the duration bound ends us); "check FILE" (with --track): every
    # poller's cases against FILE's `{case id: position}` (`Tracking.check`), answered as one JSON line.
    loop = asyncio.get_running_loop()

    def on_stdin() -> None:
        line = sys.stdin.readline()
        if not line or line.strip() == "stop":
            stop.set()
        elif line.startswith("check ") and track is not None:
            expected = {k.encode(): v for k, v in json.loads(Path(line[6:].strip()).read_text()).items()}
            print(json.dumps({"check": track.check(expected)}), flush=True)

    loop.add_reader(sys.stdin.fileno(), on_stdin)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(max(deadline - time.monotonic(), 0)):
            await stop.wait()
    stop.set()
    loop.remove_reader(sys.stdin.fileno())
    connected_at_end = sum(alive)
    for t in tasks:
        t.cancel()
    _done, stuck = await asyncio.wait(tasks, timeout=10)  # the report must not wait on a stuck connection
    if stuck:
        stats["stuck_at_stop"] = len(stuck)
    return {"stats": dict(stats), "buckets": {str(k): v for k, v in buckets.items()},
            "connected_at_end": connected_at_end, "cpu_s": proc_cpu_s(os.getpid()),
            **({"track": track.report(), "pages_parsed": track.parsed} if track is not None else {})}


def pollers_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.harness pollers")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--count", type=int, default=500)
    p.add_argument("--duration", type=float, default=120, help="hard bound on the run, seconds")
    p.add_argument("--wait", type=float, default=25)
    p.add_argument("--limit", type=int, default=1000)
    p.add_argument("--after", type=int, default=0, help="starting cursor (a console already caught up)")
    p.add_argument("--track", type=int, default=-1, metavar="SAMPLE",
                   help="report the case ids each poller received, and when, for the first SAMPLE pollers")
    p.add_argument("--partitioned", action="store_true",
                   help="read with a partition cursor (cursor=, as the console does), not after=")
    args = p.parse_args(argv)
    track = Tracking(args.count, args.track) if args.track >= 0 else None
    result = asyncio.run(_pollers(args.port, args.token, args.count, min(args.duration, 600), args.wait, args.limit,
                                  args.after, track, args.partitioned))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "pollers":
        sys.exit(pollers_main(sys.argv[2:]))
    print("usage: python -m bench.harness pollers --port P --token T [--count 500] [--duration S]", file=sys.stderr)
    sys.exit(2)
