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

The cache is built once per run in a temporary folder (`bench.console_fixtures`: template cases made by
the real workflow, cloned, applied with `LocalCache.apply_changes` in pages of 5,000 as the sync engine
does) and removed at the end.

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

import functools  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

from bench import emit as _emit  # noqa: E402
from bench.result import Row  # noqa: E402

N_CASES = 100_000
N_MAP = 10_000
BATCH = 1_000
BATCH_ROUNDS = 3
MAP_UPDATE = 100
MAP_UPDATE_ROUNDS = 5
LAUNCH_RUNS = 3          # warm runs (plus one with the cache file cold and one with an empty cache)
LAUNCH_TIMEOUT_S = 120

NAME_FILTER = "console: queue filter (100k cases)"
NAME_SORT = "console: queue sort (100k cases)"
NAME_BATCH = "console: apply sync batch of 1,000 changes (GUI-thread time)"
NAME_LAUNCH = "console: launch to interactive window (100k cached cases)"
NAME_RSS = "console: RSS with 100k cached cases"
NAME_MAP_FIRST = "map: first render of 10,000 case markers"
NAME_MAP_UPDATE = "map: update 100 markers"
NAME_DEMO = "console: first `onegrid --demo` launch to a window with cases"
# a console never drops a frame to a sync (a 60 Hz frame is 16 ms) and starts in well under two seconds
ROWS = [(NAME_FILTER, "ms", 50), (NAME_SORT, "ms", 50), (NAME_BATCH, "ms", 10), (NAME_LAUNCH, "s", 1.5),
        (NAME_RSS, "MB", 300), (NAME_MAP_FIRST, "s", 1.5), (NAME_MAP_UPDATE, "ms", 16), (NAME_DEMO, "s", 10)]
UNITS = {name: (unit, target) for name, unit, target in ROWS}

_EMITTED: set[str] = set()
SETUP_NOTE = ""
PART_ROWS = {"demo": (NAME_DEMO,), "launch": (NAME_LAUNCH, NAME_RSS), "map": (NAME_MAP_FIRST, NAME_MAP_UPDATE),
             "queue": (NAME_FILTER, NAME_SORT, NAME_BATCH)}
PARTS = tuple(PART_ROWS)


def chosen_parts(value: str | None = None) -> set[str]:
    """The parts ONEGRID_BENCH_CONSOLE_ONLY selects (module docstring); an unknown name is an error, not a
    silently empty run."""
    value = os.environ.get("ONEGRID_BENCH_CONSOLE_ONLY", "") if value is None else value
    names = {name.strip().lower() for name in value.split(",") if name.strip()}
    unknown = names - set(PARTS)
    if unknown:
        raise SystemExit(f"ONEGRID_BENCH_CONSOLE_ONLY: unknown part(s) {', '.join(sorted(unknown))}; "
                         f"choose from {', '.join(PARTS)}")
    return names or set(PARTS)


def emit(name: str, value: float | None, note: str) -> None:
    unit, target = UNITS[name]
    _EMITTED.add(name)
    if SETUP_NOTE:
        note = f"{note} [{SETUP_NOTE}]"
    _emit.emit(Row(name, None if value is None else round(value, 3 if unit == "s" else 2), unit, target,
                   note=note))


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def median(values):
    return statistics.median(values) if values else float("nan")


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status_kb(pid: int | str = "self") -> dict[str, int]:
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                out[key] = int(rest.split()[0])
    except OSError:
        pass
    return out


def renderer_main_threads() -> list[Path]:
    """The schedstat files of the main threads (CrRendererMain: the process's own thread, which keeps the
    process's name) of the renderer processes below this one, known by their compositor thread (forked by
    the zygote, they keep its command line); [] where there is no /proc. Their first field is the thread's
    CPU time in ns: what the page's main thread really ran, which a loaded machine does not inflate as it
    does the page's own wall-clock timings."""
    out = []
    for pid in descendants(os.getpid()):
        try:
            names = {(task / "comm").read_text().strip() for task in Path(f"/proc/{pid}/task").iterdir()}
        except OSError:
            continue
        if "Compositor" in names:
            out.append(Path(f"/proc/{pid}/task/{pid}/schedstat"))
    return out


def cpu_ns(files: list[Path]) -> int:
    total = 0
    for f in files:
        try:
            total += int(f.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (QtWebEngineProcess zygote and renderers)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children[ppid].append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


# ====================================================================== Qt helpers (GUI thread)

def wait_for(condition, timeout_s: float, poll_ms: int = 5) -> bool:
    """Run the event loop (blocking in it, not spinning) until `condition()` or the timeout."""
    from PySide6.QtCore import QEventLoop, QTimer

    if condition():
        return True
    loop = QEventLoop()
    deadline = time.perf_counter() + timeout_s
    timer = QTimer()
    timer.setInterval(poll_ms)

    def check():
        if condition() or time.perf_counter() > deadline:
            loop.quit()

    timer.timeout.connect(check)
    timer.start()
    loop.exec()
    timer.stop()
    return bool(condition())


def idle(seconds: float) -> None:
    wait_for(lambda: False, seconds, poll_ms=20)


class Heartbeat:
    """A 1 ms precise QTimer on the GUI thread; gaps between its beats are time the loop was blocked."""

    def __init__(self):
        from PySide6.QtCore import Qt, QTimer

        self.stamps: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(1)
        self.timer.timeout.connect(lambda: self.stamps.append(time.perf_counter()))

    def start(self) -> None:
        self.stamps = [time.perf_counter()]
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.stamps.append(time.perf_counter())

    def blocked(self, threshold: float = 0.005) -> tuple[float, float]:
        """(sum of (gap - 1 ms) over gaps > threshold, longest gap), seconds."""
        gaps = [b - a for a, b in zip(self.stamps, self.stamps[1:])]
        return sum(g - 0.001 for g in gaps if g > threshold), max(gaps, default=0.0)


class SlotTimer:
    """Wraps methods at class level (before the objects connect them) and sums their wall time while
    `enabled`; nested wrapped calls are counted in their own bucket and not added to the total twice."""

    def __init__(self):
        self.enabled = False
        self.spans: dict[str, list[float]] = defaultdict(list)
        self.top: list[float] = []
        self._depth = 0
        self._undo: list = []

    def wrap(self, cls, name: str, label: str | None = None) -> None:
        original = cls.__dict__[name]
        timer, label = self, label or f"{cls.__name__}.{name}"

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            if not timer.enabled or threading.current_thread() is not threading.main_thread():
                return original(*args, **kwargs)
            timer._depth += 1
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                took = time.perf_counter() - started
                timer._depth -= 1
                timer.spans[label].append(took)
                if timer._depth == 0:
                    timer.top.append(took)

        setattr(cls, name, wrapper)
        self._undo.append((cls, name, original))

    def reset(self) -> None:
        self.spans.clear()
        self.top.clear()

    def restore(self) -> None:
        for cls, name, original in reversed(self._undo):
            setattr(cls, name, original)
        self._undo.clear()


class GcTimer:
    """Times the cyclic garbage collector's passes (gc.callbacks), by generation."""

    def __init__(self):
        import gc

        self._gc = gc
        self.passes: list[tuple[int, float]] = []
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.passes.append((info.get("generation", -1), time.perf_counter() - self._started))

    def mark(self) -> int:
        return len(self.passes)

    def since(self, mark: int) -> tuple[int, float, float]:
        """(full collections, their total seconds, longest pass of any generation) since `mark`."""
        passes = self.passes[mark:]
        full = [t for g, t in passes if g == 2]
        return len(full), sum(full), max((t for _g, t in passes), default=0.0)

    def close(self) -> None:
        if self._callback in self._gc.callbacks:
            self._gc.callbacks.remove(self._callback)


# ====================================================================== 4. launch (child process)

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


def launch_child() -> int:
    """`python -m bench.bench_console --launch-child URL ROOT`: run `ui.shell.main.main` (offline login against
    the prepared cache) and report, as LAUNCH json lines on stdout, when the window is interactive."""
    t_import = time.time()
    url, root, _expected, settle = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] == "settle"
    import ui.shell.login_dialog
    import ui.shell.main as console_main
    from bench.console_fixtures import PASSWORD, USERNAME

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


def evict_from_page_cache(directory: Path) -> None:
    """Drop this cache's files (only them) from the OS page cache: the next open reads them from disk, as
    the first start after a reboot does."""
    for path in directory.glob("*.sqlite*"):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def bytecode_env(workdir: Path) -> dict[str, str]:
    """The launch children read and write compiled bytecode in a folder of this run (PYTHONPYCACHEPREFIX),
    even where PYTHONDONTWRITEBYTECODE is set: an installed console (the PyInstaller bundle, a pip install)
    starts from bytecode, and compiling ~250 modules from source is no part of its start. The first
    (cold-file) launch compiles them; the runs measured after it do not."""
    return {"PYTHONPYCACHEPREFIX": str(workdir / "pycache")}


def run_launch_child(workdir: Path, root: Path, url: str, expected: int, tag: str, settle: bool) -> dict:
    config = workdir / f"config-{tag}"
    config.mkdir(parents=True, exist_ok=True)
    # every one of the 100,000 cases stays in this workstation's scope (the fixture's closed cases are older
    # than the 30 days a console keeps by default: pruned at start, they would leave the queue and the file)
    (config / "settings.json").write_text(json.dumps({"cache_closed_days": 3650}), encoding="utf-8")
    env = dict(os.environ, ONEGRID_CONFIG_DIR=str(config),
               ONEGRID_DATA_DIR=str(workdir / f"data-{tag}"), PYTHONUNBUFFERED="1", **bytecode_env(workdir))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    t0 = time.time()
    proc = subprocess.Popen([sys.executable, "-m", "bench.bench_console", "--launch-child", url, str(root),
                             str(expected), "settle" if settle else "quick"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=Path(__file__).resolve().parent.parent, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=LAUNCH_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        out, err = "", "timed out"
    finally:
        try:  # leave no WebEngine helper process behind (they share the child's process group)
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        if proc.poll() is None:
            out2, err2 = proc.communicate()
            out, err = out + out2, err + err2
    lines = [line for line in out.splitlines() if line.startswith("LAUNCH ")]
    if not lines:
        raise RuntimeError(f"launch child reported nothing (rc {proc.returncode}): {err.strip()[-300:]}")
    res = json.loads(lines[-1][len("LAUNCH "):])
    res["t0"] = t0
    if "error" in res:
        raise RuntimeError(f"launch child: {res['error']}")
    if "t_ready" not in res:
        raise RuntimeError(f"launch child never became interactive: {err.strip()[-300:]}")
    if res.get("rows") != expected:
        raise RuntimeError(f"queue held {res.get('rows')} rows, not {expected:,}")
    if not res.get("offline"):
        raise RuntimeError("the console did not log in offline")
    return res


def bench_launch(workdir: Path, root: Path, url: str, empty_root: Path, directory: Path) -> None:
    cold = source = None
    try:  # compiles the bytecode the later runs start from (see bytecode_env)
        source = run_launch_child(workdir, root, url, N_CASES, "source", settle=False)
        log(f"launch compiling from source first: interactive after {source['t_ready'] - source['t0']:.2f} s")
    except Exception as exc:  # a reference point only
        log(f"launch from source failed: {exc}")
    try:
        evict_from_page_cache(directory)
        cold = run_launch_child(workdir, root, url, N_CASES, "cold", settle=False)
        log(f"launch with the cache file cold: interactive after {cold['t_ready'] - cold['t0']:.2f} s "
            f"(log_in {cold.get('login_s', 0):.2f} s)")
    except Exception as exc:  # a reference point only
        log(f"cold launch failed: {exc}")
    runs = []
    for run in range(LAUNCH_RUNS):
        res = run_launch_child(workdir, root, url, N_CASES, f"warm{run}", settle=run == LAUNCH_RUNS - 1)
        runs.append(res)
        log(f"launch run {run + 1}: interactive after {res['t_ready'] - res['t0']:.2f} s, "
            f"RSS {res.get('rss_ready_kb', 0) / 1024:.0f} MB (settled {res.get('rss_settled_kb', 0) / 1024:.0f} MB)")
    try:
        empty = run_launch_child(workdir, empty_root, url, 0, "empty", settle=True)
        log(f"launch with an empty cache: interactive after {empty['t_ready'] - empty['t0']:.2f} s, "
            f"RSS {empty.get('rss_settled_kb', 0) / 1024:.0f} MB")
    except Exception as exc:  # only a reference point
        log(f"launch with an empty cache failed: {exc}")
        empty = None
    last = runs[-1]
    totals = [r["t_ready"] - r["t0"] for r in runs]
    value = median(totals)
    phases = (f"interpreter up {last['t_child_python'] - last['t0']:.2f} s; log_in (connection refused, then "
              f"offline) {last.get('login_s', float('nan')):.2f} s; MainWindow() "
              f"{last.get('main_window_s', float('nan')):.2f} s; window shown at "
              f"{last['t_window_shown'] - last['t0']:.2f} s; queue rows loaded at {last['t_loaded'] - last['t0']:.2f} s; "
              f"zero-timer fired at {last['t_ready'] - last['t0']:.2f} s")
    who = "; ".join(f"{name} x{n} {total:.2f} s (longest {longest * 1000:.0f} ms)"
                    for name, (n, total, longest) in sorted(last.get("after_ready_slots", {}).items(),
                                                             key=lambda kv: -kv[1][1]))
    after = (f"After that the GUI thread was still blocked {last.get('blocked_after_ready', 0):.1f} s in stalls "
             f"over 10 ms (longest {last.get('max_gap_after_ready', 0) * 1000:.0f} ms) while the queue indexed case "
             f"text and the map loaded {last.get('map_markers')} markers, settled at "
             f"{last['t_settled'] - last['t0']:.1f} s; GUI-thread slots in that time: {who}; full GC passes "
             f"{last.get('gc_full')} taking {last.get('gc_full_s', 0):.2f} s (longest GC pause "
             f"{last.get('gc_longest', 0) * 1000:.0f} ms)" if "t_settled" in last else "It did not settle in 60 s")
    baseline = (f" Same launch with an empty cache: {empty['t_ready'] - empty['t0']:.2f} s (window shown at "
                f"{empty['t_window_shown'] - empty['t0']:.2f} s, log_in {empty.get('login_s', 0):.2f} s)."
                if empty else "")
    cold_note = (f" With the cache files evicted from the page cache first (posix_fadvise DONTNEED, as after a "
                 f"reboot): {cold['t_ready'] - cold['t0']:.2f} s, of which log_in {cold.get('login_s', 0):.2f} s "
                 f"(LocalCache() runs PRAGMA quick_check over the whole file)." if cold else "")
    source_note = (f" The first launch of the run, compiling every module from source before it starts (as a "
                   f"checkout under PYTHONDONTWRITEBYTECODE does each time; an installed console never does): "
                   f"{source['t_ready'] - source['t0']:.2f} s." if source else "")
    emit(NAME_LAUNCH, value,
         f"subprocess running ui.shell.main.main(['--server', <unreachable 127.0.0.1 port>, '--cache', <root>, "
         f"'--user', 'operator1', '--password', ...]), i.e. the real start-up path: connection refused -> offline "
         f"login from the argon2 verifier stored with cache.store_credentials in setup. Clock from just before "
         f"Popen until a QTimer.singleShot(0) queued by the queue model's `loaded` signal fired "
         f"({last['rows']:,} rows in the model, {last['shown']:,} shown). Value = median of {len(runs)} runs with "
         f"the cache file in the OS page cache ({', '.join(f'{t:.2f}' for t in totals)} s). Phases of the last: "
         f"{phases}. {after}.{baseline}{cold_note}{source_note}")
    rss_ready = last["rss_ready_kb"] / 1024
    rss_settled = (last.get("rss_settled_kb") or 0) / 1024
    value_rss = max(rss_ready, rss_settled)
    mb = lambda kb: f"{(kb or 0) / 1024:.0f}"  # noqa: E731
    base = (f" With an empty cache the same process has {mb(empty.get('rss_settled_kb'))} MB (RssAnon "
            f"{mb(empty.get('anon_settled_kb'))} MB): the Qt/WebEngine/Python baseline." if empty else "")
    emit(NAME_RSS, value_rss,
         f"/proc/self/status VmRSS of the console process (the last launch run): {rss_ready:.0f} MB when "
         f"interactive (RssAnon {mb(last.get('anon_ready_kb'))}, RssFile {mb(last.get('file_ready_kb'))}), "
         f"{rss_settled:.0f} MB once text indexing and the map's load of every case had finished (RssAnon "
         f"{mb(last.get('anon_settled_kb'))}); value = the larger; VmHWM {mb(last.get('hwm_kb'))} MB.{base} Not "
         f"included: {last.get('helpers', 0)} QtWebEngine helper processes with {mb(last.get('helpers_rss_kb'))} MB "
         f"RSS together; the supervision and callbacks docks, tabs behind the case detail at start, have not "
         f"searched the cache yet (they do when first shown, and then hold their parsed cases)")


# ====================================================================== 5 + 6. the map

# What an update costs in the page, measured in the page (docs: the module docstring, row 6). The first
# `OneGrid.receive` after MAP_INSTRUMENT registers a requestAnimationFrame callback before the message is
# applied, so it runs first in the frame that draws the update (before Leaflet's canvas redraws); that
# callback posts a MessageChannel task, which runs once the frame's style, layout, paint and commit are done.
# So the page's work for the update is `receive` (parse and apply) + `frame` (that rAF callback until its
# task). MAP_PROBE, queued by a runJavaScript right after the push, reports them from a MessageChannel task
# of its own rAF callback. The probe often reaches the page only after the update's frame has begun (the
# frame's task goes first), and its rAF then waits for the next frame: its span from the update's rAF
# (`to_probe`, what `frame` was until the probe was found late) then holds an idle vsync interval and is
# reported apart, as is the wait for the update's frame to begin. Long tasks (>= 50 ms, the Long Tasks API)
# overlapping the update are reported too.
MAP_PROBE = """(function () {
  var t0 = performance.now(), start = OneGrid.__benchStart || t0;
  requestAnimationFrame(function () {
    var t1 = performance.now(), channel = new MessageChannel();
    channel.port1.onmessage = function () {
      var t2 = performance.now(), raf = OneGrid.__benchRaf || t1, drawn = OneGrid.__benchDrawn || t2;
      var longest = 0;
      (OneGrid.__benchLong || []).forEach(function (e) {
        if (e.end >= start && e.start <= t2) longest = Math.max(longest, e.ms);
      });
      OneGrid.post({type: "bench_drawn", tag: %s, stats: JSON.parse(OneGrid.stats()),
                    canvas: OneGrid.caseCanvas ? JSON.parse(OneGrid.caseCanvas()) : {},
                    receive_ms: OneGrid.__benchT || 0, frame_ms: drawn - raf, to_probe_ms: t2 - raf,
                    probe_late: !!OneGrid.__benchRaf && t0 > OneGrid.__benchRaf, wait_ms: Math.max(0, raf - start -
                    (OneGrid.__benchT || 0)), page_ms: t2 - start, raf_ms: t1 - t0,
                    redraw_ms: OneGrid.__benchRedraw || 0, longest_task_ms: longest});
    };
    channel.port2.postMessage(0);
  });
  return true;
})()"""
MAP_INSTRUMENT = """(function () {
  if (!OneGrid.__benchWrapped) {
    var original = OneGrid.receive;
    OneGrid.receive = function (m) {
      var t = performance.now();
      if (!OneGrid.__benchStart) {
        OneGrid.__benchStart = t;
        requestAnimationFrame(function () {
          OneGrid.__benchRaf = performance.now();
          var channel = new MessageChannel();  // a task after this frame's style, layout, paint and commit
          channel.port1.onmessage = function () { OneGrid.__benchDrawn = performance.now(); };
          channel.port2.postMessage(0);
        });
      }
      try { return original(m); } finally { OneGrid.__benchT = (OneGrid.__benchT || 0) + performance.now() - t; }
    };
    var renderer = OneGrid.caseRenderer, redraw = renderer && renderer._redraw;
    if (redraw) {  // the case canvas's own redraw, in the frame after the push
      renderer._redraw = function () {
        var t = performance.now();
        try { return redraw.apply(this, arguments); }
        finally { OneGrid.__benchRedraw = (OneGrid.__benchRedraw || 0) + performance.now() - t; }
      };
    }
    OneGrid.__benchLong = [];
    try {
      new PerformanceObserver(function (list) {
        list.getEntries().forEach(function (e) {
          OneGrid.__benchLong.push({start: e.startTime, end: e.startTime + e.duration, ms: e.duration});
        });
      }).observe({type: "longtask"});
    } catch (e) { /* no Long Tasks API: none reported */ }
    OneGrid.__benchWrapped = true;
  }
  OneGrid.__benchT = 0;
  OneGrid.__benchStart = 0;
  OneGrid.__benchRaf = 0;
  OneGrid.__benchDrawn = 0;
  OneGrid.__benchRedraw = 0;
  return true;
})()"""


class SubsetCache:
    """The real LocalCache seen through the first N_MAP case ids (the map reads every case it is given)."""

    def __init__(self, cache, ids):
        self._cache, self._ids = cache, list(ids)
        self._wanted = set(self._ids)
        self.events = cache.events
        self.directory = cache.directory

    def summaries(self, ids=None):
        if ids is None:
            return self._cache.summaries(self._ids)
        return self._cache.summaries([i for i in ids if i in self._wanted])

    summary_columns = None  # not offered: the map reads only these cases, through summary_rows

    def summary_rows(self, ids=None, chunk=10_000, coded=False):
        return self._cache.summary_rows(self._ids if ids is None else [i for i in ids if i in self._wanted], chunk,
                                        coded=coded)

    def __getattr__(self, name):
        return getattr(self._cache, name)


def bench_map(app, cache, built) -> None:
    import shiboken6

    from app.map import layers as map_layers
    from app.platform.enums import TERMINAL_STATUSES
    from app.sync.session import Session
    from bench.console_fixtures import OPERATOR
    from ui.map.dock import FLUSH_DELAY_MS, MapDock
    from ui.sensors.sensor_dock import SensorHub
    from ui.shell.context import ConsoleContext, CoreSignals

    factory = built.factory
    ids = [factory.case_id(i) for i in range(N_MAP)]
    ctx = ConsoleContext(cache=SubsetCache(cache, ids), signals=CoreSignals(),
                         session=Session(actor=OPERATOR, display_name="Operator 1", token=None, offline=False))
    cache.events.cases_changed.connect(ctx.signals.cases_changed.emit)
    hub = SensorHub.for_context(ctx)  # as MapDock would make it; started first so it is not part of the timing
    if not wait_for(lambda: hub.is_ready, 60):
        log("sensor hub not ready after 60 s; measuring anyway")

    t_build = time.perf_counter()
    dock = MapDock(ctx, hub=hub)
    build_ms = (time.perf_counter() - t_build) * 1000  # the GUI thread's share of a console's launch
    pushes: list[dict] = []
    drawn: dict[str, dict] = {}
    handled: list[float] = []  # GUI-thread time of each changed-cases handler (columns, markers, send)
    original_send = dock._send_markers
    original_got_changed = dock._got_changed

    probing = [0.0, 0.0]  # the GUI-thread wall and CPU time of the bench's own runJavaScript calls
    handled_cpu: list[float] = []  # the handler's GUI-thread CPU time (time.thread_time)
    page_threads: list[Path] = []  # found once the page runs (renderer_main_threads)

    def got_changed(result):
        t, c = time.perf_counter(), time.thread_time()
        probing[:] = [0.0, 0.0]
        try:
            return original_got_changed(result)
        finally:
            handled.append(time.perf_counter() - t - probing[0])
            handled_cpu.append(time.thread_time() - c - probing[1])

    def send_markers(upsert, remove, reset=False):
        tag = f"p{len(pushes)}"
        t0, c0 = time.perf_counter(), time.thread_time()
        dock.run_js(MAP_INSTRUMENT)
        t, c = time.perf_counter(), time.thread_time()
        page_cpu = cpu_ns(page_threads)
        original_send(upsert, remove, reset)
        sent, c_sent = time.perf_counter(), time.thread_time()
        dock.run_js(MAP_PROBE % json.dumps(tag))  # queued after the pushes: runs once they are applied
        probing[0] += (t - t0) + (time.perf_counter() - sent)
        probing[1] += (c - c0) + (time.thread_time() - c_sent)
        pushes.append({"tag": tag, "t": t, "sent": sent, "upsert": len(upsert), "remove": len(remove),
                       "reset": reset, "page_cpu": page_cpu})

    def on_message(text: str) -> None:
        msg = json.loads(text)
        if msg.get("type") == "bench_drawn":
            drawn[msg["tag"]] = dict(msg, t=time.perf_counter(), page_cpu=cpu_ns(page_threads))

    dock._send_markers = send_markers
    dock._got_changed = got_changed
    dock.bridge.message.connect(on_message)
    try:
        dock.resize(1200, 800)
        dock.show()
        t_created = time.perf_counter()
        if not wait_for(lambda: pushes and pushes[0]["tag"] in drawn, 90):
            raise RuntimeError(f"map never reported the first render (ready={dock.is_ready}, "
                               f"pushes={len(pushes)})")
        first, report = pushes[0], drawn[pushes[0]["tag"]]
        cases = report["stats"]["cases"]
        if cases != N_MAP:
            raise RuntimeError(f"page shows {cases} case markers after the first push, not {N_MAP:,}")
        value = report["t"] - first["t"]
        emit(NAME_MAP_FIRST, value,
             f"MapDock(ctx) over the real cache limited to {N_MAP:,} cases (statuses mixed; sensor hub "
             f"started beforehand), shown 1200x800 offscreen; clock from the dock's _send_markers(reset) call "
             f"(page ready and summaries read; dock built {first['t'] - t_created:.2f} s earlier) until a "
             f"MessageChannel task after the frame of a requestAnimationFrame callback queued by a runJavaScript "
             f"issued right after the pushes posted 'drawn' through the QWebChannel bridge with OneGrid.stats().cases == {cases:,}. Python side "
             f"(markers -> JSON -> {-(-N_MAP // 2500)} runJavaScript calls) {ms(first['sent'] - first['t'])} ms, "
             f"OneGrid.receive in the page {report['receive_ms']:.0f} ms")
    except Exception as exc:
        traceback.print_exc()
        emit(NAME_MAP_FIRST, None, f"not measured: {type(exc).__name__}: {exc}")
        emit(NAME_MAP_UPDATE, None, "not measured: the first render failed")
        _close_map(dock, hub, cache, ctx, shiboken6)
        return

    try:
        idle(1.0)
        page_threads.extend(renderer_main_threads())
        floor, floor_cpu = [], []  # the probe alone, nothing sent: a frame coming round, the page's CPU meanwhile
        for k in range(MAP_UPDATE_ROUNDS):
            tag = f"idle{k}"
            t, page_cpu = time.perf_counter(), cpu_ns(page_threads)
            dock.run_js(MAP_PROBE % json.dumps(tag))
            if wait_for(lambda tag=tag: tag in drawn, 10):
                floor.append(drawn[tag]["t"] - t)
                floor_cpu.append((drawn[tag]["page_cpu"] - page_cpu) / 1e6)
            idle(0.2)
        active = [i for i in range(N_MAP) if factory.status_of(i) not in TERMINAL_STATUSES]
        step = max(1, len(active) // (MAP_UPDATE * MAP_UPDATE_ROUNDS))
        chosen = active[::step][:MAP_UPDATE * MAP_UPDATE_ROUNDS]
        cursor = built.cursor
        rounds = {"value": [], "py": [], "receive": [], "frame": [], "wait": [], "trip": [], "e2e": [],
                  "redraw": [], "long": [], "zoom": [], "canvas": [], "to_probe": [], "late": [], "py_cpu": [],
                  "page_cpu": []}
        from app.wire.feed import Change

        def update_round(r: int, batch: list[int]) -> list[dict]:
            nonlocal cursor
            data = [factory.updated(i, bump=1 + r) for i in batch]
            changes = [Change(position=cursor + k + 1, kind="case", id=d["id"], data=d) for k, d in enumerate(data)]
            cursor += len(changes)
            before, handled_before = len(pushes), len(handled)
            box = {}

            def work(changes=changes, cursor=cursor):
                box["set"] = cache.apply_changes(changes, cursor)
                box["t"] = time.perf_counter()

            worker = threading.Thread(target=work)
            worker.start()
            if not wait_for(lambda: len(pushes) > before and pushes[-1]["tag"] in drawn, 30):
                raise RuntimeError(f"update round {r + 1}: the page never reported the update")
            worker.join()
            push, report = pushes[-1], drawn[pushes[-1]["tag"]]
            if push["upsert"] != MAP_UPDATE or len(pushes) != before + 1 or len(handled) != handled_before + 1:
                raise RuntimeError(f"update round {r + 1}: {len(pushes) - before} pushes, last with "
                                   f"{push['upsert']} markers (expected one push of {MAP_UPDATE})")
            py = handled[-1] * 1000
            rounds["value"].append(py + report["receive_ms"] + report["frame_ms"])
            rounds["py"].append(py)
            rounds["py_cpu"].append(handled_cpu[-1] * 1000)
            rounds["page_cpu"].append((report["page_cpu"] - push["page_cpu"]) / 1e6 if page_threads else 0.0)
            rounds["receive"].append(report["receive_ms"])
            rounds["frame"].append(report["frame_ms"])
            rounds["to_probe"].append(report["to_probe_ms"])
            rounds["late"].append(bool(report.get("probe_late")))
            rounds["wait"].append(report["wait_ms"])
            rounds["trip"].append((report["t"] - push["t"]) * 1000)
            rounds["e2e"].append((report["t"] - box["t"]) * 1000)
            rounds["redraw"].append(report.get("redraw_ms", 0))
            rounds["long"].append(report.get("longest_task_ms", 0))
            rounds["zoom"].append(report["stats"]["zoom"])
            rounds["canvas"].append(report.get("canvas") or {})
            idle(0.3)
            return data

        for r in range(MAP_UPDATE_ROUNDS):
            data = update_round(r, chosen[r * MAP_UPDATE:(r + 1) * MAP_UPDATE])
        # the page really shows the new states
        for d in data[-3:]:  # of the last round
            box = []
            dock.run_js(f"OneGrid.marker({json.dumps(d['id'])})", box.append)
            wait_for(lambda: bool(box), 10)
            marker = json.loads(box[0]) if box and box[0] else None
            expected = map_layers.STATUS_COLOURS[map_layers._STATUS_BY_VALUE[d["status"]]]
            if marker is None or marker["fill"] != expected or marker["status"] != d["status"]:
                raise RuntimeError(f"marker {d['id']} shows {marker}, expected status {d['status']}")
        city = {k: list(v) for k, v in rounds.items()}
        # the same at street zoom, where the case layer's own canvas draws every marker in view (reported in
        # the note; the row is the city view a console opens on)
        street = None
        try:
            for v in rounds.values():
                v.clear()
            dock.run_js("OneGrid.stopAutoFit(); OneGrid.map.setZoom(16, {animate: false}); true")
            idle(1.0)
            again = active[max(1, step // 2)::step][:MAP_UPDATE * MAP_UPDATE_ROUNDS]  # cases not updated yet
            for r in range(MAP_UPDATE_ROUNDS):
                update_round(MAP_UPDATE_ROUNDS + r, again[r * MAP_UPDATE:(r + 1) * MAP_UPDATE])
            street = {k: list(v) for k, v in rounds.items()}
        except Exception as exc:  # the note says so; the row stands
            log(f"street-zoom rounds failed: {exc}")

        def canvas_delta(seen: list[dict]) -> str:
            first, last = seen[0], seen[-1]
            return "/".join(str(last.get(k, 0) - first.get(k, 0)) for k in ("partial", "full"))

        def part(d, key):
            return f"{median(d[key]):.1f}"

        street_note = (f" At street zoom ({street['zoom'][0]:g}), the same rounds: median {part(street, 'value')} ms "
                       f"(Python {part(street, 'py')} (CPU {part(street, 'py_cpu')}), the page's main-thread CPU {part(street, 'page_cpu')}, receive {part(street, 'receive')}, frame "
                       f"{part(street, 'frame')} of which the case canvas's redraw {part(street, 'redraw')}; rounds "
                       f"{', '.join(f'{v:.1f}' for v in street['value'])} ms; the canvas's partial/full redraws over "
                       f"them: {canvas_delta(street['canvas'])})." if street else
                       " The street-zoom rounds failed (see the log).")
        emit(NAME_MAP_UPDATE, median(city["value"]),
             f"median of {MAP_UPDATE_ROUNDS} rounds, each {MAP_UPDATE} active cases among the {N_MAP:,} moved one "
             f"lifecycle step (new status colour, new due time) by LocalCache.apply_changes on a worker thread, "
             f"the map at the district view it opens on (zoom {city['zoom'][0]:g}, 1200x800: clusters). Value = the "
             f"GUI thread's time in the dock's handler (columns, markers, JSON, runJavaScript; not the bench's "
             f"own two runJavaScript calls around it) {part(city, 'py')} ms "
             f"+ the page's main-thread work for it: OneGrid.receive {part(city, 'receive')} ms + the frame that "
             f"draws it (its first rAF callback until after style, layout, paint and commit) {part(city, 'frame')} ms "
             f"(rounds: {', '.join(f'{v:.1f}' for v in city['value'])} ms). Not in the value: the wait for that "
             f"frame to begin {part(city, 'wait')} ms (vsync); the span from that frame's rAF to the probe's task "
             f"{part(city, 'to_probe')} ms (the probe reached the page after the update's frame began in "
             f"{sum(city['late'])} of {len(city['late'])} rounds and then waited for the next frame); and the wall-clock round trip from the push to the "
             f"page's post arriving back in Python {part(city, 'trip')} ms; longest task overlapping an update "
             f"{max(city['long']):.0f} ms (Long Tasks API, 0 = none >= 50 ms). End to end from the cache "
             f"commit (incl. the dock's {FLUSH_DELAY_MS} ms coalescing delay and the summaries read): median "
             f"{part(city, 'e2e')} ms. CPU time, which the machine's load does not inflate: the handler's GUI "
             f"thread {part(city, 'py_cpu')} ms, the page's main thread (CrRendererMain, /proc schedstat) from the "
             f"push until the probe's post reached Python {part(city, 'page_cpu')} ms (rounds "
             f"{', '.join(f'{v:.1f}' for v in city['page_cpu'])}; with the probe alone "
             f"{median(floor_cpu) if floor_cpu else 0:.1f} ms). The probe with nothing sent (a runJavaScript round "
             f"trip and the next frame): median {ms(median(floor))} ms.{street_note} Marker fill/status verified in the page; "
             f"MapDock built in {build_ms:.0f} ms on the GUI thread (the page itself is built on a worker)")
    except Exception as exc:
        traceback.print_exc()
        emit(NAME_MAP_UPDATE, None, f"not measured: {type(exc).__name__}: {exc}")
    finally:
        _close_map(dock, hub, cache, ctx, shiboken6)


def _close_map(dock, hub, cache, ctx, shiboken6) -> None:
    try:
        cache.events.cases_changed.disconnect(ctx.signals.cases_changed.emit)
    except Exception:
        pass
    hub.stop()
    dock.dispose()
    dock.close()
    shiboken6.delete(dock)
    idle(0.5)


# ====================================================================== 1-3. the case queue

def bench_queue(app, cache, built) -> None:
    from PySide6.QtCore import Qt

    import ui.shell.ops
    from app.cases.saved_views import View
    from app.platform.enums import TERMINAL_STATUSES
    from app.sync.session import Session
    from bench.console_fixtures import OPERATOR
    from ui.cases.queue_dock import CaseQueueDock
    from ui.cases.queue_model import CaseQueueModel, Column
    from ui.cases.queue_patch import QueuePatching
    from ui.shell.context import ConsoleContext, CoreSignals

    slots = SlotTimer()  # before the dock exists: its connections then take the wrapped methods
    slots.wrap(CaseQueueModel, "_on_cases_changed")
    slots.wrap(QueuePatching, "_apply_batch", "CaseQueueModel.apply")
    slots.wrap(CaseQueueDock, "update_counts")
    slots.wrap(ui.shell.ops.Op, "_finish")

    ctx = ConsoleContext(cache=cache, signals=CoreSignals(),
                         session=Session(actor=OPERATOR, display_name="Operator 1", token=None, offline=False))
    ctx.connect_core()
    t = time.perf_counter()
    dock = CaseQueueDock(ctx, sound=False)
    dock.resize(1100, 800)
    dock.show()
    model = dock.model
    if not wait_for(lambda: model.is_loaded, 120):
        raise RuntimeError("the queue never loaded")
    t_loaded = time.perf_counter() - t
    if len(model.cols) != N_CASES:
        raise RuntimeError(f"queue loaded {len(model.cols):,} cases, not {N_CASES:,}")
    if not wait_for(lambda: model.cols.texts_indexed >= N_CASES, 180):
        log(f"text index incomplete: {model.cols.texts_indexed:,}")
    t_indexed = time.perf_counter() - t
    log(f"queue loaded in {t_loaded:.1f} s, text indexed at {t_indexed:.1f} s")
    idle(0.5)

    resets = []
    model.modelReset.connect(lambda: resets.append(time.perf_counter()))

    def timed(step) -> tuple[float, float]:
        """(synchronous call incl. the view's slots, the same plus the repaint and posted events)"""
        started = time.perf_counter()
        step()
        called = time.perf_counter()
        app.processEvents()
        return called - started, time.perf_counter() - started

    # ---------------------------------------------------------------- 1. filter
    try:
        view_times, search_times, sync_only = [], [], []
        views = [v for v in dock.views() if v != View.ALL_ACTIVE]
        counts, per_view = {}, defaultdict(list)
        for _ in range(2):
            for view in views:
                for target in (view, View.ALL_ACTIVE):
                    call, total = timed(lambda target=target: dock.set_view(target))
                    view_times.append(total)
                    sync_only.append(call)
                    per_view[view.value].append(total)  # the switch to the view and the one back from it
                    counts[target] = model.rowCount()
                    idle(0.05)
        slow_view = max(per_view, key=lambda v: median(per_view[v]))
        queries = ["2026-0012", "湖滨路", "broken", "C0101", "water", "2026-01 湖滨", "33010600100101",
                   "王先生 破损", "zzzz-no-such-case"]
        hits = {}
        for q in queries:
            for text in (q, ""):
                call, total = timed(lambda text=text: dock.set_query(text))
                search_times.append(total)
                sync_only.append(call)
                if text:
                    hits[q] = model.rowCount()
                idle(0.05)
        if not hits.get("2026-0012") or hits.get("zzzz-no-such-case"):
            raise RuntimeError(f"search results look wrong: {hits}")
        all_times = view_times + search_times
        emit(NAME_FILTER, median(all_times) * 1000,
             f"CaseQueueDock (real model + QTableView shown 1100x800) over {N_CASES:,} cached cases, text "
             f"index complete; time of dock.set_view()/dock.set_query() incl. the view's slots plus "
             f"processEvents() for the repaint. {len(view_times)} view switches (each of "
             f"{len(views)} saved views and back to All active, twice; {min(counts.values()):,}-"
             f"{max(counts.values()):,} rows): median {ms(median(view_times))}, max {ms(max(view_times))} ms, slowest "
             f"view '{slow_view}' ({counts[View(slow_view)]:,} rows) median {ms(median(per_view[slow_view]))} ms "
             f"there and back; "
             f"{len(search_times)} searches set and cleared ({len(queries)} queries, 0-{max(hits.values()):,} "
             f"hits): median {ms(median(search_times))}, max {ms(max(search_times))} ms; synchronous call alone "
             f"median {ms(median(sync_only))} ms. Value = median of all {len(all_times)}; the 200 ms "
             f"search-as-you-type debounce is not included")
    except Exception as exc:
        traceback.print_exc()
        emit(NAME_FILTER, None, f"not measured: {type(exc).__name__}: {exc}")

    # ---------------------------------------------------------------- 2. sort
    try:
        dock.set_query("")
        dock.set_view(View.ALL)
        idle(0.2)
        if model.rowCount() != N_CASES:
            raise RuntimeError(f"All cases view shows {model.rowCount():,} rows")
        sort_times, cold, per_col = [], [], {}
        seen: set = set()
        for column in Column:
            for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                if (column, order == Qt.SortOrder.DescendingOrder) == (model.sort_column, model.sort_descending):
                    continue
                call, total = timed(lambda c=column, o=order: dock.table.sortByColumn(c, o))
                sort_times.append(total)
                per_col.setdefault(column.name.lower(), []).append(total)
                if column not in seen:
                    cold.append((column.name.lower(), total))
                seen.add(column)
                idle(0.05)
        worst = max(per_col.items(), key=lambda kv: max(kv[1]))
        emit(NAME_SORT, median(sort_times) * 1000,
             f"same dock, view 'All cases' ({N_CASES:,} rows); dock.table.sortByColumn(column, order) -> "
             f"model.sort (layoutChanged, persistent indexes) plus processEvents() for the repaint; "
             f"{len(sort_times)} sorts (10 columns x asc/desc, in that order); median of all, max "
             f"{ms(max(sort_times))} ms ({worst[0]}); first sort per column (string columns build their numpy "
             f"key array then): {', '.join(f'{n} {ms(t)}' for n, t in cold)} ms")
    except Exception as exc:
        traceback.print_exc()
        emit(NAME_SORT, None, f"not measured: {type(exc).__name__}: {exc}")

    # ---------------------------------------------------------------- 3. a sync batch lands
    try:
        from app.wire.feed import Change

        dock.set_view(View.ALL_ACTIVE)
        dock.table.sortByColumn(Column.TIME_LEFT, Qt.SortOrder.AscendingOrder)
        dock.table.scrollToTop()
        idle(1.0)
        factory = built.factory
        cursor = built.cursor + MAP_UPDATE * MAP_UPDATE_ROUNDS + 10
        heart = Heartbeat()
        gui_ms, apply_ms, beat_blocked, beat_max, summaries_ms, worker_ms = [], [], [], [], [], []
        moved = {"data": 0, "insert": 0, "remove": 0}
        counters = [(model.dataChanged, lambda *_a: moved.__setitem__("data", moved["data"] + 1)),
                    (model.rowsInserted, lambda *_a: moved.__setitem__("insert", moved["insert"] + 1)),
                    (model.rowsRemoved, lambda *_a: moved.__setitem__("remove", moved["remove"] + 1))]
        for sig, slot in counters:  # first round only: these Python slots cost GUI time too
            sig.connect(slot)
        baseline_beat = Heartbeat()
        baseline_beat.start()
        idle(1.5)
        baseline_beat.stop()
        base_blocked, base_max = baseline_beat.blocked()
        gc_timer = GcTimer()
        gc_rounds = []
        stride = (N_CASES - N_MAP) // (BATCH * BATCH_ROUNDS)
        for r in range(BATCH_ROUNDS):
            indices = [N_MAP + r + k * stride for k in range(BATCH)]  # not the cases the map test updated
            data = [factory.updated(i, bump=1) for i in indices]
            changes = [Change(position=cursor + k + 1, kind="case", id=d["id"], data=d) for k, d in enumerate(data)]
            cursor += len(changes)
            resets.clear()
            box = {}

            def work(changes=changes, cursor=cursor):
                started = time.perf_counter()
                box["set"] = cache.apply_changes(changes, cursor)
                box["took"] = time.perf_counter() - started

            slots.reset()
            slots.enabled = True
            gc_mark = gc_timer.mark()
            heart.start()
            t0 = time.perf_counter()
            worker = threading.Thread(target=work)
            worker.start()
            ok = wait_for(lambda: "took" in box and len(slots.spans.get("CaseQueueModel.apply", [])) > 0
                          and not model._fetching and not model._pending_ids, 60)
            t_applied = time.perf_counter()
            wait_for(lambda: len(slots.spans.get("CaseQueueDock.update_counts", [])) > 0, 2)  # 250 ms timer
            idle(0.3)  # repaints
            heart.stop()
            slots.enabled = False
            worker.join()
            if not ok:
                raise RuntimeError(f"round {r + 1}: the model never applied the batch")
            change_set = box["set"]
            if len(change_set.updated) != BATCH or change_set.added or change_set.removed:
                raise RuntimeError(f"round {r + 1}: cache reported {len(change_set.updated)} updated, "
                                   f"{len(change_set.added)} added, {len(change_set.removed)} removed")
            if resets:
                raise RuntimeError(f"round {r + 1}: the model was reset {len(resets)} times")
            # the model shows the new states
            for d in data[:: BATCH // 20]:
                s = model.cols.summaries[model.cols.slot_of[factory.case_id(indices[data.index(d)])]]
                row = model.row_of(s.id)
                if s.server_version != d["version"] or s.status.value != d["status"]:
                    raise RuntimeError(f"round {r + 1}: model holds v{s.server_version} {s.status}, "
                                       f"expected v{d['version']} {d['status']}")
                if (row is None) != (s.status in TERMINAL_STATUSES):
                    raise RuntimeError(f"round {r + 1}: case {s.display_number} ({s.status}) row {row}")
            top = sum(slots.top)
            gui_ms.append(top)
            apply_ms.append(sum(slots.spans.get("CaseQueueModel.apply", [])))
            blocked, longest = heart.blocked()
            beat_blocked.append(blocked)
            beat_max.append(longest)
            worker_ms.append(box["took"])
            gc_rounds.append(gc_timer.since(gc_mark))
            summaries_ms.append(t_applied - t0)
            if r == 0:
                for sig, slot in counters:
                    sig.disconnect(slot)
            log(f"batch {r + 1}: GUI slots {ms(top)} ms (model.apply {ms(apply_ms[-1])} ms), heartbeat blocked "
                f"{ms(blocked)} ms (longest {ms(longest)}), apply_changes {ms(box['took'])} ms on the worker")
            idle(0.5)
        spans = "; ".join(f"{k} x{len(v)} {ms(sum(v))} ms" for k, v in sorted(slots.spans.items()))
        emit(NAME_BATCH, median(gui_ms) * 1000,
             f"dock showing 'All active' sorted by time left over {N_CASES:,} cached cases; {BATCH_ROUNDS} rounds "
             f"of {BATCH:,} cases (spread over the cache) moved one lifecycle step with a new due time, applied by "
             f"LocalCache.apply_changes on a worker thread ({ms(median(worker_ms))} ms there, not counted). Value = "
             f"median over rounds of the wall time spent on the GUI thread inside the model's cases_changed slot, "
             f"the fetch op's completion (model._apply_batch: columns, merged order, a block in, a layout change, "
             f"a block out, the dock's row slots) "
             f"and the dock's update_counts that follows (methods wrapped at class level; the summaries + text "
             f"read runs on a reader thread and is not counted). Rounds: {', '.join(ms(t) for t in gui_ms)} ms, "
             f"of which model.apply {', '.join(ms(t) for t in apply_ms)} ms; last round: {spans}. "
             f"1 ms heartbeat over the whole episode (cache commit to repaint, incl. GIL waits on the worker and "
             f"reader threads), stalls over 5 ms summed: blocked {', '.join(ms(t) for t in beat_blocked)} ms, longest stall "
             f"{ms(max(beat_max))} ms (same measure idle for 1.5 s: {ms(base_blocked)} ms); from the start of "
             f"apply_changes to the model updated: median {ms(median(summaries_ms))} ms; full GC passes (any "
             f"thread, they hold the GIL) per round: "
             f"{', '.join(f'{n} = {ms(t)} ms' for n, t, _l in gc_rounds)}. Signals in round 1: "
             f"{moved['data']} dataChanged, {moved['remove']} rowsRemoved, {moved['insert']} rowsInserted, "
             f"0 modelReset in any round (dataChanged includes the 1 s countdown tick); new status/version of every "
             f"50th case checked in the model, terminal ones gone from the view")
    except Exception as exc:
        traceback.print_exc()
        emit(NAME_BATCH, None, f"not measured: {type(exc).__name__}: {exc}")
    finally:
        slots.enabled = False
        slots.restore()
        ev = cache.events
        for name in ("cases_changed", "outbox_changed", "conflicts_changed", "settings_changed"):
            try:
                getattr(ev, name).disconnect(getattr(ctx.signals, name).emit)
            except Exception:
                pass
        dock.close()
        dock.deleteLater()
        idle(0.3)


# ====================================================================== main

# What Qt WebEngine says on a machine without a GPU or display (tests/map/ui/test_map.py NO_GPU_NOISE).
NO_GPU_NOISE = ("QRhiGles2: Failed to create", "Failed to create RHI for backend", "This plugin does not support",
                "QVulkanInstance: Failed to initialize Vulkan", "GBM is not supported", "GPUInfo not initialized")


def quiet_qt_gpu_noise() -> None:
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_kind, _context, message):
        if not message.startswith(NO_GPU_NOISE):
            print(f"qt: {message}", file=sys.stderr)

    qInstallMessageHandler(handler)


def demo_child() -> int:
    """`python -m bench.bench_console --demo-child T0`: `onegrid --demo` as `make demo` runs it; prints one
    DEMO json line with the seconds since T0 (the parent's clock before it started this process) at each
    phase and when the queue first shows cases, then closes the console."""
    t0 = float(sys.argv[2])
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
    proc = subprocess.Popen([sys.executable, "-m", "bench.bench_console", "--demo-child", repr(t0)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=Path(__file__).resolve().parent.parent, start_new_session=True)
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


def run() -> None:
    global SETUP_NOTE
    from app.platform.settings import user_cache_dir
    from bench.console_fixtures import USERNAME, build_cache

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
        SETUP_NOTE = (f"setup, not measured: {N_CASES:,} cloned workflow cases fed to LocalCache.apply_changes in "
                      f"pages of 5,000 in {built.seconds:.1f} s ({built.apply_seconds:.1f} s inside apply_changes), "
                      f"{size:.0f} MB on disk; 2 cores, load average at start {load_average()}")
        log(SETUP_NOTE)

        if "launch" in parts:
            empty_root = workdir / "empty"
            build_cache(user_cache_dir(empty_root, url, USERNAME), 0)
            try:
                bench_launch(workdir, root, url, empty_root, directory)
            except Exception as exc:
                traceback.print_exc()
                for name in (NAME_LAUNCH, NAME_RSS):
                    if name not in _EMITTED:
                        emit(name, None, f"not measured: {type(exc).__name__}: {exc}")
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
                    for name in (NAME_MAP_FIRST, NAME_MAP_UPDATE):
                        if name not in _EMITTED:
                            emit(name, None, f"not measured: {type(exc).__name__}: {exc}")
            if "queue" in parts:
                try:
                    bench_queue(app, cache, built)
                except Exception as exc:
                    traceback.print_exc()
                    for name in (NAME_FILTER, NAME_SORT, NAME_BATCH):
                        if name not in _EMITTED:
                            emit(name, None, f"not measured: {type(exc).__name__}: {exc}")
        finally:
            cache.close()
    except Exception as exc:
        traceback.print_exc()
        for part in parts:
            for name in PART_ROWS[part]:
                if name not in _EMITTED:
                    emit(name, None, f"not measured: {type(exc).__name__}: {exc}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--launch-child":
        return launch_child()
    if len(sys.argv) > 1 and sys.argv[1] == "--demo-child":
        return demo_child()
    started = time.perf_counter()
    run()
    log(f"bench_console done in {time.perf_counter() - started:.0f} s")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # skip Qt/WebEngine teardown at interpreter exit (slow, and noisy offscreen)


if __name__ == "__main__":
    sys.exit(main())
