"""The open-loop command sender of the server benchmarks (bench_server_load, bench_scaleout, combiner_cost):
single-command POST /api/commands at a fixed rate over keep-alive connections, cases through their life,
and how its latencies are summed up (a request unanswered after REQUEST_TIMEOUT_S counts as that long)."""
from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import math
import time
import uuid

from bench.emit import percentile
from bench.harness import HANDLED_UNITS, HOST, RawHttp, create_payload, now_utc

# The bench's cases are distinct problems, many reported at one spot: the server's repeat check (on in
# production; measured by bench_detections) would merge them and turn the workload into conflicts.
DISTINCT_PROBLEMS = {"ONEGRID_REPEAT_MERGE": "0"}

LATENCY_TARGET_MS = 200.0  # the target of every row of these latencies
REQUEST_TIMEOUT_S = 10.0   # an answer later than this counts as this long (keeps the run bounded)
MAX_CONNECTIONS = 300    # sender connections (a request waiting for one counts in its latency)
KEEPALIVE_S = 4.0        # uvicorn closes idle keep-alive connections after 5 s


class CommandSender:
    """Issues single-command POST /api/commands at a fixed rate (open loop: the schedule never waits for
    answers). Each case goes through its life: create, register, dispatch, accept, note, report_handled,
    send_verify, verify_pass, close; a tick sends the next step of a case whose previous step was
    answered, or creates a new case when none is ready. Latency = answer time - scheduled send time."""

    def __init__(self, port: int, tokens: dict[str, str], refdata):
        self.port = port
        self.auth = {who: f"Authorization: Bearer {t}\r\n".encode() for who, t in tokens.items()}
        self.refdata = refdata
        self.ready: collections.deque = collections.deque()   # (case_id, unit, next step index)
        self.idle: list[tuple[RawHttp, float]] = []
        self.resent = 0
        self.slots = asyncio.Semaphore(MAX_CONNECTIONS)
        self.created = 0
        self.actions = collections.Counter()
        self.rejected = collections.Counter()
        self.errors = collections.Counter()

    def _steps(self, unit: str) -> list[tuple[str, str, dict]]:
        handler = f"handler_{unit}"
        return [
            ("operator", "register", {}),
            ("operator", "dispatch", {"unit_id": unit}),
            (handler, "accept", {}),
            (handler, "note", {"text": "crew on site"}),
            (handler, "report_handled", {"note": "repaired"}),
            ("operator", "send_verify", {}),
            ("shift_lead", "verify_pass", {}),
            ("shift_lead", "close", {}),
        ]

    def next_command(self) -> tuple[str, dict, tuple | None]:
        if self.ready:
            case_id, unit, step = self.ready.popleft()
            who, action, payload = self._steps(unit)[step]
            follow = (case_id, unit, step + 1) if step + 1 < 8 else None
        else:
            case_id, unit = uuid.uuid4(), HANDLED_UNITS[self.created % len(HANDLED_UNITS)]
            who, action, payload = "operator", "create", create_payload(self.refdata, self.created)
            self.created += 1
            follow = (case_id, unit, 0)
        command = {"command_id": str(uuid.uuid4()), "case_id": str(case_id), "action": action, "payload": payload,
                   "issued_at": now_utc().isoformat(), "offline": False, "console_id": "bench-sender"}
        self.actions[action] += 1
        return who, command, follow

    def _connection(self) -> tuple[RawHttp, bool]:
        """An idle keep-alive connection (reused=True) or a new one. Connections idle for longer than
        uvicorn's keep-alive timeout (5 s) are closed by the server, so they are dropped here."""
        now = time.monotonic()
        while self.idle:
            conn, since = self.idle.pop()
            if now - since < KEEPALIVE_S and conn.connected:
                return conn, True
            conn.close()
        return RawHttp(HOST, self.port), False

    async def _post(self, who: str, command: dict, follow, scheduled: float, latencies: list) -> None:
        loop = asyncio.get_running_loop()
        body = json.dumps({"commands": [command]}).encode()
        async with self.slots:
            for attempt in (1, 2):
                conn, reused = self._connection()
                try:
                    status, _h, answer = await conn.request("POST", "/api/commands", headers=self.auth[who],
                                                            body=body, timeout=REQUEST_TIMEOUT_S)
                    break
                except (asyncio.IncompleteReadError, ConnectionError) as exc:
                    conn.close()
                    if reused and attempt == 1:  # closed by the server while idle: resend (same command_id)
                        self.resent += 1
                        continue
                    self.errors[type(exc).__name__] += 1
                except Exception as exc:  # noqa: BLE001 - a timeout is a result too
                    conn.close()
                    self.errors[type(exc).__name__] += 1
                latencies.append(math.inf)
                return
            if conn.connected:
                self.idle.append((conn, time.monotonic()))
        latencies.append((loop.time() - scheduled) * 1000)
        if status != 200:
            self.errors[f"http {status}"] += 1
            return
        result = json.loads(answer)["results"][0]
        if result["status"] != "accepted":
            self.rejected[f"{command['action']}:{result.get('reason')}"] += 1
        elif follow is not None:
            self.ready.append(follow)

    async def run(self, rate: float, duration_s: float) -> list[float]:
        """Send `rate * duration_s` commands on schedule; wait (bounded) for the answers."""
        loop = asyncio.get_running_loop()
        latencies: list[float] = []
        tasks = []
        start = loop.time() + 0.05
        for i in range(int(rate * duration_s)):
            scheduled = start + i / rate
            delay = scheduled - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            who, command, follow = self.next_command()
            tasks.append(asyncio.create_task(self._post(who, command, follow, scheduled, latencies)))
        done, pending = await asyncio.wait(tasks, timeout=REQUEST_TIMEOUT_S + 5)
        for task in pending:
            task.cancel()
        latencies.extend([math.inf] * len(pending))
        self.close()  # on this loop, while it still runs
        return latencies

    def close(self) -> None:
        for conn, _since in self.idle:
            with contextlib.suppress(RuntimeError):  # the loop has already closed: the socket goes with it
                conn.close()
        self.idle.clear()

    def describe(self) -> str:
        mix = ", ".join(f"{a} {n}" for a, n in self.actions.most_common())
        extra = ""
        if self.rejected:
            extra += f"; rejected: {dict(self.rejected)}"
        if self.errors:
            extra += f"; errors: {dict(self.errors)}"
        if self.resent:
            extra += f"; {self.resent} resent after the server closed an idle connection"
        return f"mix: {mix}{extra}"


def fmt_ms(values: list[float], q: float) -> str:
    v = percentile(values, q)
    return f">{REQUEST_TIMEOUT_S:g} s" if math.isinf(v) else f"{v:,.0f}"


def value_ms(values: list[float], q: float) -> float | None:
    """The percentile in ms; a request still unanswered after the timeout counts as the timeout (the
    note says so), so a collapsed server shows as a number, not as 'could not run'."""
    v = percentile(values, q)
    if math.isnan(v):
        return None
    return REQUEST_TIMEOUT_S * 1000 if math.isinf(v) else v


def latency_summary(values: list[float]) -> str:
    lost = sum(1 for v in values if math.isinf(v))
    return (f"{len(values)} commands: p50 {fmt_ms(values, 50)} / p90 {fmt_ms(values, 90)} / p99 "
            f"{fmt_ms(values, 99)} / max {fmt_ms(values, 100)} ms"
            + (f", {lost} not answered within {REQUEST_TIMEOUT_S:g} s (counted as {REQUEST_TIMEOUT_S:g} s)"
               if lost else ""))
