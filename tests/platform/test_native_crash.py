"""A native crash (a fatal signal) leaves faulthandler's trace in the log folder, and the next start turns
it into a crash report; a run that ends normally leaves nothing behind."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.support import ROOT

CHILD = """if True:
    import logging, sys, threading
    from pathlib import Path
    from app.platform.native_crash import enable_native_crash_traces
    folder = Path(sys.argv[1])
    (folder / "onegrid.log").parent.mkdir(parents=True, exist_ok=True)
    with open(folder / "onegrid.log", "a", encoding="utf-8") as log:
        log.write("2026-12-07 01:00:00 INFO MainThread ui.cases: dispatching case 4711\\n")
    reports = enable_native_crash_traces(folder)
    print("reports:", *[p.name for p in reports])
    sys.stdout.flush()
    if sys.argv[2] == "crash":
        import faulthandler
        threading.Thread(target=lambda: threading.Event().wait(60), name="sync-engine", daemon=True).start()
        faulthandler._sigsegv()
"""


def run(folder, mode: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONFAULTHANDLER",)}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-c", CHILD, str(folder), mode], capture_output=True, text=True,
                          env=env, timeout=60)


def test_a_native_crash_becomes_a_crash_report_at_the_next_start(tmp_path):
    crashed = run(tmp_path, "crash")
    assert crashed.returncode != 0  # killed by the signal
    (trace,) = tmp_path.glob("native-crash-*.trace")
    text = trace.read_text(encoding="utf-8")
    assert "Fatal Python error: Segmentation fault" in text
    assert "Current thread 0x" in text and "in <lambda>" in text  # every thread's stack, the waiting one too
    assert 'File "<string>"' in text  # the Python stack of the thread that crashed

    after = run(tmp_path, "exit")
    assert after.returncode == 0, after.stderr
    (report,) = tmp_path.glob("crash-*-native.txt")
    assert after.stdout.split() == ["reports:", report.name]
    body = report.read_text(encoding="utf-8")
    assert body.startswith("OneGrid crash report, ")
    assert "died in native code" in body and "Fatal Python error: Segmentation fault" in body
    assert "OneGrid: " in body and "Python: " in body  # the versions
    assert "dispatching case 4711" in body  # the end of the log file
    assert not list(tmp_path.glob("native-crash-*.trace"))  # the trace is gone; the normal run left none


def test_a_normal_run_leaves_no_trace_and_no_report(tmp_path):
    done = run(tmp_path, "exit")
    assert done.returncode == 0 and done.stdout.split() == ["reports:"]
    assert not list(tmp_path.glob("native-crash-*")) and not list(tmp_path.glob("crash-*"))
