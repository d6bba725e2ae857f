"""Traces of native crashes (a segfault in Qt, QtWebEngine or another C extension; an abort): Python's
`faulthandler` writes every thread's Python stack to a file in the log folder as the process dies, and the
next start turns that trace into an ordinary crash report (`app.platform.crash_report`), which the
operator hands to support like any other.

    enable_native_crash_traces(log_dir())   # once, at start, after logging is set up

Each process writes to its own `native-crash-<pid>.trace` (two consoles on one account do not clobber
each other's); an empty one is removed at a normal exit. A non-empty trace of another process becomes
`crash-<time>-native.txt` with the versions and the end of the log file, and is removed. The server
prints the same trace to stderr instead (its service manager keeps it; `server.cli`).
"""
from __future__ import annotations

import atexit
import faulthandler
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import TextIO

from app.platform.crash_report import MAX_REPORTS, PREFIX, _prune, _write, versions

log = logging.getLogger(__name__)

TRACE_PREFIX = "native-crash-"
TRACE_SUFFIX = ".trace"
LOG_TAIL_LINES = 200
_trace: TextIO | None = None


def enable_native_crash_traces(log_dir: Path, log_file: str = "onegrid.log") -> list[Path]:
    """Collect earlier runs' traces into crash reports (their paths are returned), then point
    faulthandler at this process's trace file. Never raises: without a writable folder, stderr. When
    faulthandler is on already (`python -X faulthandler`, PYTHONFAULTHANDLER, pytest), whoever turned it
    on chose where traces go, and that is kept."""
    global _trace
    folder = Path(log_dir)
    reports = collect_traces(folder, log_file)
    if faulthandler.is_enabled():
        log.info("faulthandler is already on; native crash traces go where it was pointed")
        return reports
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{TRACE_PREFIX}{os.getpid()}{TRACE_SUFFIX}"
        _trace = open(path, "w", encoding="utf-8")  # kept open: written by faulthandler as the process dies
    except OSError as exc:
        log.warning("native crash traces go to stderr: cannot write to %s (%s)", folder, exc)
        faulthandler.enable(all_threads=True)
        return reports
    faulthandler.enable(file=_trace, all_threads=True)
    atexit.register(_remove_if_empty, path)
    return reports


def collect_traces(folder: Path, log_file: str = "onegrid.log") -> list[Path]:
    """Turn every non-empty trace of another process in `folder` into a crash report; remove the trace."""
    reports = []
    own = f"{TRACE_PREFIX}{os.getpid()}{TRACE_SUFFIX}"
    for trace in sorted(folder.glob(f"{TRACE_PREFIX}*{TRACE_SUFFIX}")) if folder.is_dir() else []:
        if trace.name == own:
            continue
        try:
            text = trace.read_text(encoding="utf-8", errors="replace")
            when = datetime.fromtimestamp(trace.stat().st_mtime).astimezone()
        except OSError:
            continue
        if not text.strip():
            continue  # another console still running (or one killed outright): nothing to report
        report = _report(text, when, _log_tail(folder / log_file))
        try:
            path = _write(folder, f"{PREFIX}{when:%Y%m%d-%H%M%S}-native.txt", report)
            trace.unlink()
        except OSError as exc:
            log.error("could not turn the native crash trace %s into a report: %s", trace, exc)
            continue
        _prune(folder, MAX_REPORTS)
        log.critical("the previous run crashed in native code; crash report written to %s", path)
        reports.append(path)
    return reports


def _report(trace: str, when: datetime, log_lines: list[str]) -> str:
    lines = [f"OneGrid crash report, {when.isoformat(timespec='seconds')}",
             "Error: the process died in native code (a fatal signal); faulthandler's trace follows",
             "", "Versions (of the run that found the trace):"]
    lines += [f"  {name}: {value}" for name, value in versions().items()]
    lines += ["", trace.rstrip("\n"), "", f"Last {len(log_lines)} lines of the log file:"]
    lines += log_lines or ["  (none)"]
    return "\n".join(lines) + "\n"


def _log_tail(path: Path) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return [line.rstrip("\n") for line in fh.readlines()[-LOG_TAIL_LINES:]]
    except OSError:
        return []


def _remove_if_empty(path: Path) -> None:
    try:
        if _trace is not None and not _trace.closed:
            _trace.flush()
        if path.stat().st_size == 0:
            faulthandler.disable()
            if _trace is not None:
                _trace.close()
            path.unlink()
    except OSError:
        pass
