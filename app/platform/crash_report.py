"""Crash reports: an unhandled exception writes one plain-text file to the log directory, which the
operator can hand to support as it is.

    path = write_crash_report(exc_info, log_dir(), thread="MainThread", extra_versions={"Qt": "6.9.1"})

A report holds the time, the thread, the traceback, the versions (OneGrid, Python, OS and whatever
`extra_versions` adds, e.g. Qt and PySide6 from the UI) and the last log lines. It is written to a
temporary name and renamed, so a report is either whole or absent. Writing a report never raises:
a crash handler that crashes hides the first crash. When the log directory cannot be written the
report goes to the system temporary folder instead, and the path returned says where it went.

The Qt half (hooks for the GUI thread and worker threads, the message box) is `ui/shell/crash_handler.py`.
"""
from __future__ import annotations

import logging
import os
import platform
import sys
import tempfile
import traceback
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType

from app.platform.logging_setup import recent_lines
from app.platform.version import app_version

log = logging.getLogger(__name__)

PREFIX = "crash-"
MAX_REPORTS = 50  # per folder: older reports are removed first, so a crash loop cannot fill the disk

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def versions(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Versions for a report: OneGrid, Python, the OS, plus `extra` (Qt and PySide6, given by the UI)."""
    found = {"OneGrid": app_version(),
             "Python": f"{platform.python_version()} ({platform.python_implementation()}, {sys.executable})",
             "OS": f"{platform.platform()} ({sys.platform}, {platform.machine()})"}
    found.update(extra or {})
    return found


def format_report(exc_info: ExcInfo, *, when: datetime, thread: str, versions_: Mapping[str, str],
                  log_lines: Iterable[str]) -> str:
    exc_type, exc, tb = exc_info
    lines = [f"OneGrid crash report, {when.isoformat(timespec='seconds')}",
             f"Thread: {thread}",
             f"Error: {exc_type.__name__}: {exc}",
             "",
             "Versions:"]
    lines += [f"  {name}: {value}" for name, value in versions_.items()]
    lines += [""]
    lines += ["".join(traceback.format_exception(exc_type, exc, tb)).rstrip("\n")]
    log_lines = list(log_lines)
    lines += ["", f"Last {len(log_lines)} log lines:"]
    lines += log_lines or ["  (none)"]
    return "\n".join(lines) + "\n"


def _prune(folder: Path, keep: int) -> None:
    reports = sorted(folder.glob(f"{PREFIX}*.txt"))
    for old in reports[:max(0, len(reports) - keep)]:
        try:
            old.unlink()
        except OSError:
            pass


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    n = 1
    while path.exists():  # two crashes in the same second
        n += 1
        path = folder / f"{Path(name).stem}-{n}.txt"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".crash-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def write_crash_report(exc_info: ExcInfo, directory: Path, *, thread: str = "MainThread",
                       extra_versions: Mapping[str, str] | None = None, log_lines: Iterable[str] | None = None,
                       now: datetime | None = None) -> Path | None:
    """Write a report and return its path (in `directory`, or the temporary folder if that fails);
    None only if nothing could be written anywhere."""
    when = now or datetime.now(timezone.utc).astimezone()
    try:
        text = format_report(exc_info, when=when, thread=thread, versions_=versions(extra_versions),
                             log_lines=recent_lines() if log_lines is None else log_lines)
    except Exception as exc:  # e.g. an exception whose __str__ raises
        text = f"OneGrid crash report, {when.isoformat(timespec='seconds')}\n(report could not be formatted: {exc!r})\n"
    name = f"{PREFIX}{when:%Y%m%d-%H%M%S}.txt"
    for folder in (Path(directory), Path(tempfile.gettempdir()) / "OneGrid"):
        try:
            path = _write(folder, name, text)
        except OSError as exc:
            log.error("could not write the crash report to %s: %s", folder, exc)
            continue
        _prune(folder, MAX_REPORTS)
        log.critical("crash report written to %s", path)
        return path
    return None
