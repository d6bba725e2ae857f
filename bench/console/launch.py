"""Row 4 of bench/bench_console.py: the console launched against the 100k cache (`bench.console.launch_child`
in a process of its own, each run with fresh config and data folders), until the window is interactive, and
the RSS it then has. One launch compiles the bytecode the measured runs start from; one runs with the cache
file evicted from the page cache and one with an empty cache, both reported in the note."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.console.common import (
    LAUNCH_TIMEOUT_S,
    N_CASES,
    NAME_LAUNCH,
    NAME_RSS,
    REPO,
    emit,
    log,
    median,
)

LAUNCH_RUNS = 3          # warm runs (plus one with the cache file cold and one with an empty cache)


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
    proc = subprocess.Popen([sys.executable, "-m", "bench.console.launch_child", url, str(root),
                             str(expected), "settle" if settle else "quick"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=REPO, start_new_session=True)
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
