"""One rotating log file for the console, set up once at start (modules only ever call
`logging.getLogger(__name__)`).

Every log file starts with a line naming the app version, including each file started by a rollover,
so a file sent in by a control room says by itself which build wrote it. The version comes from the
git tag (`app.platform.version`). The last `RECENT_LINES` formatted lines are also kept in memory for crash
reports (`recent_lines()`, used by `app.platform.crash_report`).
"""
from __future__ import annotations

import logging
import logging.handlers
import platform
import sys
from collections import deque
from datetime import datetime
from pathlib import Path

from app.platform.version import app_version

LOG_FILE = "onegrid.log"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 10  # 10 × 5 MiB: several 12-hour shifts of INFO logging
FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"
RECENT_LINES = 200

__all__ = ["app_version", "recent_lines", "setup_logging", "VersionedRotatingFileHandler"]

_handler: logging.Handler | None = None


class RecentLinesHandler(logging.Handler):
    """Keeps the last `capacity` formatted records in memory (thread-safe through Handler's lock)."""

    def __init__(self, capacity: int = RECENT_LINES):
        super().__init__()
        self.lines: deque[str] = deque(maxlen=capacity)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:
            self.handleError(record)


_recent = RecentLinesHandler()


def recent_lines() -> list[str]:
    """The last log lines written since `setup_logging` (empty before it)."""
    with _recent.lock:
        return list(_recent.lines)


def _header() -> str:
    return (f"OneGrid console {app_version()} (Python {sys.version.split()[0]}, {sys.platform}, "
            f"{platform.platform(terse=True)})")


class VersionedRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose every file begins with the version line."""

    def _open(self):
        stream = super()._open()
        if stream.tell() == 0:
            stream.write(f"{datetime.now():%Y-%m-%d %H:%M:%S} {_header()}\n")
            stream.flush()
        return stream


def setup_logging(directory: Path, level: str = "INFO", *, stderr: bool = True) -> Path:
    """Install the file handler on the root logger (once; later calls only change the level).
    Returns the log file's path. Errors also go to stderr when `stderr` is true."""
    global _handler
    root = logging.getLogger()
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    path = Path(directory) / LOG_FILE
    if _handler is not None:
        return Path(getattr(_handler, "baseFilename", path))
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = VersionedRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    _recent.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(_recent)
    if stderr:
        console = logging.StreamHandler()
        console.setLevel(logging.ERROR)
        console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(console)
    _handler = handler
    logging.getLogger(__name__).info("logging to %s at level %s", path, level)
    return path
