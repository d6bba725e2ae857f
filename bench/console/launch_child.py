"""The launch benchmark's child process (row 4 of bench/bench_console.py), started by `bench.console.launch`:

    python -m bench.console.launch_child URL ROOT EXPECTED settle|quick

runs `ui.shell.main.main` (offline login against the prepared cache) and reports, as LAUNCH json lines on
stdout, when the window is interactive; with `settle`, also what the GUI thread did until the queue's text
index and the map's load of every case were done, and the RSS then.
"""
from __future__ import annotations

import json
import os
import sys
import time

from bench.console.proc_stats import descendants, proc_status_kb
from bench.console.timers import GcTimer, SlotTimer


def after_import(hooks: dict) -> None:
    """Call hooks[name](module) once each named module has been imported (by whoever imports it first)."""
    import importlib.abc
    import importlib.util

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            hook = hooks.pop(name, None)
            if hook is None:
                return None
            spec = importlib.util.find_spec(name)  # this finder no longer answers for it: the normal spec
            exec_module = spec.loader.exec_module

            def run(module):
                exec_module(module)
                hook(module)

            spec.loader.exec_module = run
            return spec

    sys.meta_path.insert(0, Finder())


def launch_child(argv: list[str]) -> int:
    """Run `ui.shell.main.main` (offline login against the prepared cache) and report, as LAUNCH json lines
    on stdout, when the window is interactive (module docstring: the arguments)."""
    t_import = time.time()
    url, root, _expected, settle = argv[0], argv[1], int(argv[2]), argv[3] == "settle"
    import ui.shell.login_dialog
    import ui.shell.main as console_main
    from bench.console.fixtures import PASSWORD, USERNAME

    original_start = console_main.start_console
    result: dict = {"t_child_python": t_import}

    original_log_in = ui.shell.login_dialog.log_in  # start_console imports it at call time: the wrapper is used

    def log_in(*args, **kwargs):
        started = time.time()
        try:
            return original_log_in(*args, **kwargs)
        finally:
            result["login_s"] = time.time() - started

    ui.shell.login_dialog.log_in = log_in

    def time_window(module) -> None:
        original_init = module.MainWindow.__init__

        def window_init(self, *args, **kwargs):
            started = time.time()
            original_init(self, *args, **kwargs)
            result["main_window_s"] = time.time() - started

        module.MainWindow.__init__ = window_init

    slots = SlotTimer()  # GUI-thread work after the window is up, by who does it
    # the window's modules are wrapped as start_console imports them (after the queue's read has started),
    # not imported here first: the launch keeps the console's own order
    after_import({"ui.shell.main_window": time_window,
                  "ui.map.case_sync": lambda m: slots.wrap(m.CaseMarkerSync, "_got_all", "MapDock._got_all"),
                  "ui.cases.queue_model": lambda m: (slots.wrap(m.CaseQueueModel, "_loaded"),
                                                      slots.wrap(m.CaseQueueModel, "_texts_loaded")),
                  "ui.cases.queue_dock": lambda m: slots.wrap(m.CaseQueueDock, "update_counts")})
    gc_timer = GcTimer()

    def report(**values) -> None:
        result.update(values)
        print("LAUNCH " + json.dumps(result), flush=True)

    def start_console(args, app):
        from PySide6.QtCore import QTimer

        console = original_start(args, app)
        result["t_window_shown"] = time.time()
        if console is None:
            report(error="start_console returned None (login failed)")
            return None
        result["offline"] = bool(console.ctx.session.offline)
        window = console.window
        queue = window.docks.get("caseQueueDock")
        model = getattr(queue, "model", None)
        if "main_window_s" not in result:
            report(error="MainWindow was built before the bench could time it")
            window.close()
            return console
        map_dock = window.docks.get("mapDock")
        if model is None:
            report(error=f"no queue model (dock {type(queue).__name__})")
            window.close()
            return console
        beats: list[float] = []
        gc_mark = [0]
        heart = QTimer(window)
        heart.setInterval(5)
        heart.timeout.connect(lambda: beats.append(time.perf_counter()))
        started = time.perf_counter()

        def settled() -> bool:
            texts_done = model.cols.texts_indexed >= len(model.cols)
            map_done = map_dock is None or not hasattr(map_dock, "is_ready") or (
                map_dock.is_ready and map_dock._have_summaries and not map_dock._in_flight)
            return texts_done and map_done

        def finish() -> None:
            heart.stop()
            slots.enabled = False
            full, full_s, longest_gc = gc_timer.since(gc_mark[0])
            gaps = [b - a for a, b in zip(beats, beats[1:])]
            st = proc_status_kb()
            helpers = descendants(os.getpid())
            helper_kb = sum(proc_status_kb(p).get("VmRSS", 0) for p in helpers)
            report(t_settled=time.time(), rss_settled_kb=st.get("VmRSS"), hwm_kb=st.get("VmHWM"),
                   anon_settled_kb=st.get("RssAnon"), file_settled_kb=st.get("RssFile"),
                   helpers=len(helpers), helpers_rss_kb=helper_kb, max_gap_after_ready=max(gaps, default=0),
                   blocked_after_ready=sum(g - 0.005 for g in gaps if g > 0.010),
                   texts=model.cols.texts_indexed,
                   map_markers=map_dock.marker_count() if hasattr(map_dock, "marker_count") else None,
                   settled_in_time=settled(),
                   after_ready_slots={k: [len(v), sum(v), max(v)] for k, v in slots.spans.items()},
                   gc_full=full, gc_full_s=full_s, gc_longest=longest_gc)
            window.close()

        def poll() -> None:
            if settled() or time.perf_counter() - started > 60:
                finish()
            else:
                QTimer.singleShot(100, poll)

        def ready() -> None:  # a zero-timer fired after the rows were in: the loop is responsive
            st = proc_status_kb()
            report(t_ready=time.time(), rows=len(model.cols), shown=model.rowCount(),
                   rss_ready_kb=st.get("VmRSS"), anon_ready_kb=st.get("RssAnon"), file_ready_kb=st.get("RssFile"))
            if not settle:
                window.close()
                return
            heart.start()
            beats.append(time.perf_counter())
            slots.reset()
            slots.enabled = True
            gc_mark[0] = gc_timer.mark()
            QTimer.singleShot(100, poll)

        def loaded() -> None:
            result["t_loaded"] = time.time()
            result["rows_at_loaded"] = len(model.cols)
            QTimer.singleShot(0, ready)

        if model.is_loaded:
            loaded()
        else:
            model.loaded.connect(loaded)
        return console

    console_main.start_console = start_console
    code = console_main.main(["--server", url, "--cache", root, "--user", USERNAME, "--password", PASSWORD])
    report(exit_code=code, t_exit=time.time())
    sys.stdout.flush()
    os._exit(0)  # do not wait for WebEngine's helper processes to wind down


if __name__ == "__main__":
    sys.exit(launch_child(sys.argv[1:]))
