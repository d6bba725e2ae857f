"""Part 1 of bench/bench_server_load.py: command latency while POLLERS consoles long-poll the changes feed
(`bench.pollers`, in a process of their own) and the open-loop sender (`bench.command_sender`) issues RATE
commands/s, the same sender without pollers as a baseline, and the long-poll answers delivered meanwhile."""
from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable

from app.platform.gc_tuning import SLOW_COLLECTION_S
from bench.command_sender import (
    DISTINCT_PROBLEMS,
    LATENCY_TARGET_MS,
    CommandSender,
    latency_summary,
    value_ms,
)
from bench.harness import (
    HANDLED_UNITS,
    ROOT,
    CpuMeter,
    ServerProcess,
    ServerProfile,
    fresh_database,
    log,
    login,
    psql_scalar,
    read_json_line,
    stop_process,
    wait_for_quiet,
)
from bench.result import Row

POLLERS = 500
RATE = 100.0             # commands per second, open loop
LOAD_S = 30.0            # measured window with the pollers
BASELINE_S = 10.0        # the same sender without pollers
WARMUP_S = 3.0
POLLS_TARGET = float(POLLERS)  # every console answered at least once a second under load

NAME_P99 = f"server: p99 command latency ({POLLERS} long-polls + {RATE:g} cmd/s, PostgreSQL)"
NAME_P50 = f"server: p50 command latency ({POLLERS} long-polls + {RATE:g} cmd/s, PostgreSQL)"
NAME_BASE = f"server: p99 command latency ({RATE:g} cmd/s, no long-polls, PostgreSQL)"
NAME_POLLS = f"server: long-poll responses delivered ({POLLERS} long-polls + {RATE:g} cmd/s)"
# the rows in the order they are emitted: (unit, target, lower is better)
ROWS = {NAME_BASE: ("ms", LATENCY_TARGET_MS, True), NAME_P99: ("ms", LATENCY_TARGET_MS, True),
        NAME_P50: ("ms", LATENCY_TARGET_MS, True), NAME_POLLS: ("responses/s", POLLS_TARGET, False)}


def bench_command_latency(emit: Callable[[Row], None]) -> None:
    from app.refdata.loading import load_demo_refdata
    from server.admin.bootstrap import init_db

    refdata = load_demo_refdata()
    with fresh_database("load") as url:
        init_db(url, demo_users=True)
        with ServerProcess(url, env=DISTINCT_PROBLEMS) as server:
            who = {"operator": "operator1", "shift_lead": "lead1",
                   **{f"handler_{u}": f"handler_{u}" for u in HANDLED_UNITS}}
            tokens = {role: login(server.url, user) for role, user in who.items()}
            poll_token = login(server.url, "operator2")

            # -- baseline: the same sender, no long-polls
            log(f"baseline: {RATE:g} cmd/s for {BASELINE_S:g} s without pollers")
            sender = CommandSender(server.port, tokens, refdata)
            wait_for_quiet()
            meter = CpuMeter(server.pid)
            meter.start()
            base = asyncio.run(sender.run(RATE, BASELINE_S))
            meter.stop()
            sender.close()
            note = f"{latency_summary(base)}; {sender.describe()}; {meter.describe()}"
            log(f"baseline: {note}")
            emit(Row(NAME_BASE, value_ms(base, 99), "ms", LATENCY_TARGET_MS, note=note))
            time.sleep(3)  # let a backlog drain before the next phase

            # -- 500 long-polling consoles in their own process, starting caught up (one city: one partition
            # holds every position, so its highest is every partition's cursor)
            cursor = psql_scalar(url, "SELECT coalesce(max(position), 0) FROM feed")
            pollers = subprocess.Popen(
                [sys.executable, "-m", "bench.harness", "pollers", "--port", str(server.port), f"--token={poll_token}",
                 "--count", str(POLLERS), "--after", str(cursor), "--duration", str(LOAD_S + WARMUP_S + 90),
                 "--partitioned"],  # as the console reads: the server partitions its feed by default
                cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            try:
                ready = read_json_line(pollers, timeout_s=60)
                log(f"pollers: {ready}")
                time.sleep(WARMUP_S)
                sender = CommandSender(server.port, tokens, refdata)
                wait_for_quiet()
                meter = CpuMeter(server.pid, others={"pollers": pollers.pid})
                log(f"load: {RATE:g} cmd/s for {LOAD_S:g} s with {POLLERS} long-polls")
                sessions_before = _pg_sessions(url)
                profile = ServerProfile(server.pid, LOAD_S)
                slow_gc = -_slow_collections(server)
                window_start = time.time()
                meter.start()
                profile.start()
                latencies = asyncio.run(sender.run(RATE, LOAD_S))
                meter.stop()
                window_end = time.time()
                new_sessions = _pg_sessions(url) - sessions_before
                slow_gc += _slow_collections(server)
                pollers.stdin.write("stop\n")
                pollers.stdin.flush()
                report = read_json_line(pollers, timeout_s=60)
            finally:
                stop_process(pollers)
            sender.close()

    note = (f"{latency_summary(latencies)}; {sender.describe()}; {meter.describe()}; "
            f"{slow_gc} garbage collections over {1000 * SLOW_COLLECTION_S:.0f} ms in the server's log; "
            f"{new_sessions} new PostgreSQL connections opened by the server meanwhile (pool overflow churn)")
    if profile_summary := profile.summary():
        note += f"; {profile_summary}"
    refused = {k: v for k, v in report["stats"].items() if k.startswith("status:")}
    if refused:  # pollers answered with errors put no long-poll load on the server: no figure, say why
        note = f"NOT MEASURED: the pollers' reads were refused {refused}; {note}"
    log(f"load: {note}")
    emit(Row(NAME_P99, None if refused else value_ms(latencies, 99), "ms", LATENCY_TARGET_MS, note=note))
    emit(Row(NAME_P50, value_ms(latencies, 50), "ms", LATENCY_TARGET_MS, note="p50 (same run as the p99 row)"))

    buckets = {int(k): v for k, v in report["buckets"].items()}
    # Answers delivered during the command window (whole seconds; answers after it are not counted).
    whole = range(int(window_start) + 1, int(window_end))
    polls_per_s = sum(buckets.get(sec, 0) for sec in whole) / max(len(whole), 1)
    stats = report["stats"]
    poll_note = (f"{polls_per_s:,.0f} answers/s to {POLLERS} pollers during the command window "
                 f"(one per poller per command would be {POLLERS * RATE:,.0f}/s); pollers connected at end "
                 f"{report['connected_at_end']}/{POLLERS}; {stats.get('non_empty', 0):,} of "
                 f"{stats.get('responses', 0):,} answers carried changes, avg answer "
                 f"{stats.get('bytes', 0) / max(stats.get('responses', 1), 1) / 1024:,.1f} KiB (after gunzip), i.e. "
                 f"{polls_per_s * stats.get('bytes', 0) / max(stats.get('responses', 1), 1) / 1e6:,.1f} MB/s of case "
                 f"JSON read, parsed and serialised again for each poller; "
                 f"{stats.get('changes', 0) / max(stats.get('responses', 1), 1):,.1f} changes per answer "
                 f"({stats.get('bytes', 0) / max(stats.get('changes', 1), 1) / 1024:,.1f} KiB each; a poller answered "
                 f"{polls_per_s / POLLERS:.2f} times a second while {RATE:g} commands/s commit, i.e. "
                 f"{RATE * POLLERS / max(polls_per_s, 1):,.0f} new changes per answer at most); "
                 f"poller errors {stats.get('errors', 0)}; target = every console answered once a second")
    errors = {k: v for k, v in stats.items() if k.startswith(("error:", "status:", "stuck_at_stop"))}
    if errors:
        poll_note += f" {errors}"
    log(poll_note)
    emit(Row(NAME_POLLS, polls_per_s, "responses/s", POLLS_TARGET, lower_is_better=False, note=poll_note))


def _slow_collections(server: ServerProcess) -> int:
    """Garbage collections the server logged as slow so far (`app.platform.gc_tuning`)."""
    return server.log_text().count("garbage collection of generation")


def _pg_sessions(url: str) -> int:
    """Connections ever opened to this database (counted when they end; PostgreSQL 14+)."""
    try:
        return int(psql_scalar(url, "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"))
    except Exception:  # noqa: BLE001 - older PostgreSQL: no such column
        return 0
