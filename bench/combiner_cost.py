"""What one single-command POST costs with and without the combiner (`server.cases.combiner`), alternately
in one run: the bench's command sender (`bench.command_sender.CommandSender`, open loop) against a
fresh server process and database per run, `ONEGRID_COMBINE_COMMANDS` 1 or 0. Per command: the server's
CPU, PostgreSQL's CPU (every `postgres` process: other sessions' too), the commits of the database
(`pg_stat_database.xact_commit`, which counts the logins and the feed's read transactions as well) and
the latency percentiles. Not part of `make bench` (no `run()`): a before/after tool.

    python -m bench.combiner_cost [rate] [seconds] [pairs]
"""
from __future__ import annotations

import asyncio
import statistics
import sys
import time

from bench.command_sender import DISTINCT_PROBLEMS, CommandSender
from bench.emit import percentile
from bench.harness import (
    HANDLED_UNITS,
    CpuMeter,
    ServerProcess,
    fresh_database,
    login,
    psql_scalar,
)


def _commits(url: str) -> int:
    return int(psql_scalar(url, "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"))


def one_run(combine: bool, rate: float, seconds: float) -> dict:
    from app.refdata.loading import load_demo_refdata
    from server.admin.bootstrap import init_db

    refdata = load_demo_refdata()
    with fresh_database("combiner") as url:
        init_db(url, demo_users=True)
        env = {**DISTINCT_PROBLEMS, "ONEGRID_COMBINE_COMMANDS": "1" if combine else "0"}
        with ServerProcess(url, env=env) as server:
            who = {"operator": "operator1", "shift_lead": "lead1",
                   **{f"handler_{u}": f"handler_{u}" for u in HANDLED_UNITS}}
            tokens = {role: login(server.url, user) for role, user in who.items()}
            asyncio.run(CommandSender(server.port, tokens, refdata).run(rate, 2))  # warm up
            time.sleep(1)
            sender = CommandSender(server.port, tokens, refdata)
            meter = CpuMeter(server.pid)
            commits = _commits(url)
            meter.start()
            latencies = asyncio.run(sender.run(rate, seconds))
            result = meter.stop()
            commits = _commits(url) - commits - 1  # the count's own statement
    n = len(latencies)
    return {"combine": combine, "commands": n, "errors": dict(sender.errors), "rejected": sum(sender.rejected.values()),
            "server_ms": 1000 * result["server"] * result["wall"] / n,
            "postgres_ms": 1000 * result["postgres"] * result["wall"] / n,
            "commits": commits / n, "p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
            "load": result["machine_busy"]}


def main() -> None:
    rate = float(sys.argv[1]) if len(sys.argv) > 1 else 200.0
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 20.0
    pairs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    runs = []
    for i in range(pairs):
        for combine in ((False, True) if i % 2 == 0 else (True, False)):
            r = one_run(combine, rate, seconds)
            print(r, flush=True)
            runs.append(r)
    for combine in (False, True):
        mine = [r for r in runs if r["combine"] is combine]
        line = ", ".join(f"{k} {statistics.median(r[k] for r in mine):.2f} "
                         f"[{min(r[k] for r in mine):.2f}-{max(r[k] for r in mine):.2f}]"
                         for k in ("server_ms", "postgres_ms", "commits", "p50", "p99", "load"))
        print(f"combine={combine}: median [range] of {len(mine)} runs: {line}", flush=True)


if __name__ == "__main__":
    main()
