"""Server backbone benchmarks, against the real server process (`python -m server.cli`, one uvicorn worker)
on a throw-away PostgreSQL database:

1. command latency while 500 consoles long-poll the changes feed and a sender issues 100 commands/s
   (open loop), plus the same sender without pollers as a baseline;
2. the initial sync of 100,000 cases into an empty console cache (LocalCache + SyncEngine.sync_once): the
   note splits its time (the HTTP exchange, the page parse, the cache's apply, each with its CPU seconds,
   and the CPU seconds of the console, the server and PostgreSQL), since on a shared machine the wall time
   is mostly waiting for a core.

The parts are `bench.server_load.latency` (1) and `bench.server_load.initial_sync` (2); the sender is
`bench.command_sender`, shared with bench_scaleout.

    python -m bench server_load
    BENCH_SERVER_LOAD_ONLY=sync python -m bench server_load   # only the initial sync row
"""
from __future__ import annotations

import os
import sys
import time

from bench import emit as _emit
from bench.harness import HOST, ROOT, drop_stale_databases, install_sigterm_cleanup, log
from bench.result import Row
from bench.server_load import initial_sync, latency

_EMITTED: set[str] = set()


def emit(row: Row) -> None:
    _EMITTED.add(row.name)
    _emit.emit(row)


def main() -> int:
    install_sigterm_cleanup()
    try:
        drop_stale_databases()
    except Exception as exc:  # noqa: BLE001 - PostgreSQL down: every row below says so
        log(f"PostgreSQL at {HOST}:5432 unusable: {exc}")
    only = os.environ.get("BENCH_SERVER_LOAD_ONLY", "")  # "sync" or "latency": one part alone
    for bench, rows in ((latency.bench_command_latency, latency.ROWS),
                        (initial_sync.bench_initial_sync, initial_sync.ROWS)):
        if only and only not in bench.__name__:
            continue
        started = time.monotonic()
        try:
            bench(emit)
        except Exception as exc:  # noqa: BLE001 - benchmarks never fail the build: say why in the row
            import traceback

            traceback.print_exc()
            for name in [n for n in rows if n not in _EMITTED]:
                unit, target, lower = rows[name]
                emit(Row(name, None, unit, target, lower_is_better=lower,
                         note=f"could not run: {type(exc).__name__}: {str(exc)[:200]}"))
        log(f"{bench.__name__}: {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
