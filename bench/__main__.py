"""`make bench`: run every bench/bench_*.py module's `run()` in its own process, print the table, and write
bench/results/latest.json. A benchmark that crashes becomes a row with no value and the error as its note;
the command still exits 0 (benchmarks never fail the build).

    python -m bench               # all
    python -m bench sync server   # only modules whose name contains one of the words
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from bench.result import Row, format_table, save

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "latest.json"


def _run_module(name: str) -> list[Row]:
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", f"bench.{name}"], capture_output=True, text=True,
                          cwd=HERE.parent, timeout=1800)
    took = time.monotonic() - started
    sys.stderr.write(proc.stderr[-4000:])
    rows: list[Row] = []
    for line in proc.stdout.splitlines():
        if line.startswith("BENCHROW "):
            rows.append(Row(**json.loads(line[len("BENCHROW "):])))
        else:
            print(line)
    if proc.returncode != 0 and not rows:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        rows.append(Row(name, None, "", 0, note=f"failed: {tail[:120]}"))
    print(f"[{name}: {took:.0f} s]", file=sys.stderr)
    return rows


def main(argv: list[str]) -> int:
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if argv:
        modules = [m for m in modules if any(w in m for w in argv)]
    rows: list[Row] = []
    for name in modules:
        rows.extend(_run_module(name))
    print()
    print(format_table(rows))
    save(rows, RESULTS)
    print(f"\nwritten: {RESULTS.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
