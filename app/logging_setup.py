"""One rotating log file for the console, set up once at start (modules only ever call
`logging.getLogger(__name__)`).

Every log file starts with a line naming the app version, including each file started by a rollover,
so a file sent in by a control room says by itself which build wrote it.
"""
from __future__ import annotations

import logging
import logging.handlers
import sys
from datetime import datetime
from importlib import metadata
from pathlib import Path

LOG_FILE = "onegrid.log"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 10  # 10 × 5 MiB: several 12-hour shifts of INFO logging
FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"

_handler: logging.Handler | None = None


def app_version() -> str:
    try:
        return metadata.version("onegrid")
    except metadata.PackageNotFoundError:
        return "dev"


def _header() -> str:
    return f"OneGrid console {app_version()} (Python {sys.version.split()[0]}, {sys.platform})"


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
    if stderr:
        console = logging.StreamHandler()
        console.setLevel(logging.ERROR)
        console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(console)
    _handler = handler
    logging.getLogger(__name__).info("logging to %s at level %s", path, level)
    return path
