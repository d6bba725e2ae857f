"""Row 7 of bench/bench_console.py: the first launch of `onegrid --demo` with fresh folders (the embedded
server, the demo city's database, the login and first sync) until the window shows cases. Run as

    python -m bench.console.demo T0

it is the child that launches the demo and prints one DEMO json line (`demo_child`)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.console.common import LAUNCH_TIMEOUT_S, NAME_DEMO, REPO, emit
from bench.console.proc_stats import load_average


def demo_child(t0: float) -> int:
    """`onegrid --demo` as `make demo` runs it; prints one DEMO json line with the seconds since T0 (the
    parent's clock before it started this process) at each phase and when the queue first shows cases, then
    closes the console."""
    marks: dict[str, float] = {"python_s": time.time() - t0}
    import ui.shell.main as console_main

    original_start = console_main.start_console

    def start_console(args, app):
        # Patched only now, as `onegrid --demo` imports these only now: the demo server's thread is running.
        import ui.shell.login_dialog as login_dialog
        import ui.shell.main_window as mw

        original_log_in = login_dialog.log_in

        def log_in(*a, **k):
            marks["login_start_s"] = time.time() - t0
            try:
                return original_log_in(*a, **k)
            finally:
                marks["login_done_s"] = time.time() - t0

        login_dialog.log_in = log_in
        original_init = mw.MainWindow.__init__

        def window_init(self, *a, **k):
            marks["window_start_s"] = time.time() - t0
            original_init(self, *a, **k)
            marks["window_built_s"] = time.time() - t0
            from PySide6.QtCore import QTimer

            poll = QTimer(self)

            def check() -> None:
                queue = self.docks.get("caseQueueDock")
                if queue is not None and self.isVisible() and queue.model.rowCount() > 0:
                    poll.stop()
                    marks["rows_s"] = time.time() - t0
                    marks["rows"] = queue.model.rowCount()
                    print("DEMO " + json.dumps(marks), flush=True)
                    self.close_without_asking()

            poll.timeout.connect(check)
            poll.start(20)

        mw.MainWindow.__init__ = window_init
        return original_start(args, app)

    console_main.start_console = start_console
    return console_main.main(["--demo"])


def bench_demo_launch(workdir: Path) -> None:
    env = dict(os.environ, ONEGRID_CONFIG_DIR=str(workdir / "config-demo"), ONEGRID_DATA_DIR=str(workdir / "data-demo"),
               PYTHONUNBUFFERED="1")
    t0 = time.time()
    proc = subprocess.Popen([sys.executable, "-m", "bench.console.demo", repr(t0)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=REPO, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=LAUNCH_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        out, err = "", "timed out"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
    lines = [line for line in out.splitlines() if line.startswith("DEMO ")]
    if not lines:
        emit(NAME_DEMO, None, f"not measured: the demo reported nothing (rc {proc.returncode}): {err.strip()[-300:]}")
        return
    m = json.loads(lines[-1][len("DEMO "):])
    emit(NAME_DEMO, m["rows_s"], f"fresh config and data folders; Python up {m['python_s']:.1f} s, login "
                                 f"{m.get('login_start_s', 0):.1f}→{m.get('login_done_s', 0):.1f} s (the server "
                                 f"started meanwhile), window built {m['window_built_s']:.1f} s, first "
                                 f"{m['rows']} cases shown {m['rows_s']:.1f} s; load average {load_average()}")


if __name__ == "__main__":
    sys.exit(demo_child(float(sys.argv[1])))
