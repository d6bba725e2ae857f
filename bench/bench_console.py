"""Console benchmarks (PySide6, offscreen) over a real LocalCache holding 100,000 cases:

1. the case queue switching saved views / applying a search over 100k cases (GUI thread);
2. the case queue sorting 100k rows by each column;
3. a sync batch of 1,000 changed cases applied off the GUI thread: the GUI-thread time it then costs;
4. launching the console (`ui.shell.main.main`, offline login: no server reachable) against the 100k cache, until
   the window is shown, the queue holds every row and the event loop answers; and the RSS it then has. The
   launches start from compiled bytecode as an installed console does (PYTHONPYCACHEPREFIX, written by a
   first launch that compiles from source and is reported beside them);
5. the map's first render of 10,000 case markers;
6. the map applying an update of 100 markers: the GUI thread's time in the map dock's handler plus the page's
   main-thread work for it (`OneGrid.receive`, then the frame that draws it until after its commit), measured
   in the page with performance.now() from a requestAnimationFrame callback registered before the message
   is applied to a MessageChannel task that callback posts (it runs after that frame's commit); the vsync
   wait and the IPC round trip are in the note, as are the same rounds at street zoom (the case canvas), the
   longest task (Long Tasks API) and the CPU time of the handler's thread and of the page's main thread
   (/proc schedstat), which a loaded machine does not inflate;
7. the first launch of `onegrid --demo` (fresh folders: the embedded server, the demo city's database, the
   login and first sync) until the window shows cases.

The cache is built once per run in a temporary folder (`bench.console.fixtures`: template cases made by
the real workflow, cloned, applied with `LocalCache.apply_changes` in pages of 5,000 as the sync engine
does) and removed at the end.

Each part is a module of `bench.console`: `case_queue` (1-3), `launch` with its child `launch_child` (4),
`case_map` with the page's probe `map_probe` (5, 6) and `demo` (7); `common` holds the rows and their
targets, `timers` and `proc_stats` what they measure with.

    python -m bench console

ONEGRID_BENCH_CONSOLE_ONLY (a comma-separated list of parts: `demo` for 7, `launch` for 4 with its RSS row,
`map` for 5 and 6, `queue` for 1 to 3) runs only those parts; unset or empty runs them all. The rows of the
parts left out are not emitted. The 100k cache is built only when a chosen part reads it.
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
if "--no-sandbox" not in _flags:
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (_flags + " --no-sandbox").strip()

import shutil  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402

from bench.console.case_map import bench_map  # noqa: E402
from bench.console.case_queue import bench_queue  # noqa: E402
from bench.console.common import (  # noqa: E402
    N_CASES,
    NAME_DEMO,
    PART_ROWS,
    chosen_parts,
    emit,
    emit_not_measured,
    log,
    set_setup_note,
)
from bench.console.demo import bench_demo_launch  # noqa: E402
from bench.console.launch import bench_launch  # noqa: E402
from bench.console.proc_stats import load_average  # noqa: E402

# What Qt WebEngine says on a machine without a GPU or display (tests/map/ui/test_map.py NO_GPU_NOISE).
NO_GPU_NOISE = ("QRhiGles2: Failed to create", "Failed to create RHI for backend", "This plugin does not support",
                "QVulkanInstance: Failed to initialize Vulkan", "GBM is not supported", "GPUInfo not initialized")


def quiet_qt_gpu_noise() -> None:
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_kind, _context, message):
        if not message.startswith(NO_GPU_NOISE):
            print(f"qt: {message}", file=sys.stderr)

    qInstallMessageHandler(handler)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run() -> None:
    from app.platform.settings import user_cache_dir
    from bench.console.fixtures import USERNAME, build_cache

    parts = chosen_parts()
    workdir = Path(tempfile.mkdtemp(prefix="onegrid-bench-console-"))
    try:
        if "demo" in parts:
            try:
                bench_demo_launch(workdir)
            except Exception as exc:
                traceback.print_exc()
                emit(NAME_DEMO, None, f"not measured: {type(exc).__name__}: {exc}")
        if not parts & {"launch", "map", "queue"}:
            return
        url = f"http://127.0.0.1:{free_port()}"  # nothing listens there: the console logs in offline
        root = workdir / "consoles"
        directory = user_cache_dir(root, url, USERNAME)
        log(f"building a {N_CASES:,}-case cache in {directory}")
        built = build_cache(directory, N_CASES, log=log)
        size = sum(p.stat().st_size for p in directory.iterdir() if p.is_file()) / 1e6
        setup_note = (f"setup, not measured: {N_CASES:,} cloned workflow cases fed to LocalCache.apply_changes in "
                      f"pages of 5,000 in {built.seconds:.1f} s ({built.apply_seconds:.1f} s inside apply_changes), "
                      f"{size:.0f} MB on disk; 2 cores, load average at start {load_average()}")
        set_setup_note(setup_note)
        log(setup_note)

        if "launch" in parts:
            empty_root = workdir / "empty"
            build_cache(user_cache_dir(empty_root, url, USERNAME), 0)
            try:
                bench_launch(workdir, root, url, empty_root, directory)
            except Exception as exc:
                traceback.print_exc()
                emit_not_measured(PART_ROWS["launch"], exc)
        if not parts & {"map", "queue"}:
            return

        from ui.shell.main import create_application

        app = create_application()
        quiet_qt_gpu_noise()
        from ui.shell import theme

        theme.apply_theme("light")
        from app.cache import LocalCache

        cache = LocalCache(directory)
        try:
            if "map" in parts:
                try:
                    bench_map(app, cache, built)
                except Exception as exc:
                    traceback.print_exc()
                    emit_not_measured(PART_ROWS["map"], exc)
            if "queue" in parts:
                try:
                    bench_queue(app, cache, built)
                except Exception as exc:
                    traceback.print_exc()
                    emit_not_measured(PART_ROWS["queue"], exc)
        finally:
            cache.close()
    except Exception as exc:
        traceback.print_exc()
        for part in parts:
            emit_not_measured(PART_ROWS[part], exc)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    started = time.perf_counter()
    run()
    log(f"bench_console done in {time.perf_counter() - started:.0f} s")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # skip Qt/WebEngine teardown at interpreter exit (slow, and noisy offscreen)


if __name__ == "__main__":
    sys.exit(main())
