"""The console's crash hooks: an exception nobody caught, on the GUI thread (a slot, an event handler)
or on a worker thread, writes a crash report (`app.platform.crash_report`) to the log folder and tells the
operator where it is: a message box when the GUI is up and interactive, stderr otherwise.

The console keeps running after a report (Qt carries on after an exception in a slot); the box says
to restart it if it misbehaves. Reports from worker threads reach the box through a queued signal,
so the box is always built on the GUI thread. At most `MAX_REPORTS_PER_RUN` reports are written per
run, and one box is shown at a time, so an exception in a paint handler cannot bury the screen.
"""
from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QObject, Qt, QThread, Signal, qVersion
from PySide6.QtWidgets import QApplication, QMessageBox

from app.platform.crash_report import write_crash_report

log = logging.getLogger(__name__)

MAX_REPORTS_PER_RUN = 10


class CrashHandler(QObject):
    """Create on the GUI thread after the QApplication, then `install()`."""

    report_written = Signal(str, str)  # report path, one-line summary

    def __init__(self, log_dir: Path, *, interactive: bool = True, parent: QObject | None = None):
        super().__init__(parent)
        self.log_dir = Path(log_dir)
        self.interactive = interactive
        self.reports: list[Path] = []
        self._box_open = False
        self._lock = threading.Lock()
        self.report_written.connect(self._tell_operator, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        sys.excepthook = self._gui_hook
        threading.excepthook = self._thread_hook

    def uninstall(self) -> None:
        if sys.excepthook == self._gui_hook:
            sys.excepthook = sys.__excepthook__
        if threading.excepthook == self._thread_hook:
            threading.excepthook = threading.__excepthook__

    def _gui_hook(self, exc_type, exc, tb) -> None:
        self.handle((exc_type, exc, tb), threading.current_thread().name)

    def _thread_hook(self, hook_args) -> None:
        if hook_args.exc_type is SystemExit:
            return
        thread = hook_args.thread.name if hook_args.thread is not None else "unknown thread"
        self.handle((hook_args.exc_type, hook_args.exc_value, hook_args.exc_traceback), thread)

    def handle(self, exc_info, thread: str) -> Path | None:
        exc_type, exc, tb = exc_info
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return None
        logging.getLogger("onegrid.uncaught").critical("uncaught exception in %s", thread, exc_info=exc_info)
        with self._lock:
            if len(self.reports) >= MAX_REPORTS_PER_RUN:
                return None
            path = write_crash_report(exc_info, self.log_dir, thread=thread,
                                      extra_versions={"Qt": qVersion(), "PySide6": pyside_version})
            if path is None:
                return None
            self.reports.append(path)
        summary = f"{exc_type.__name__}: {exc}"
        app = QApplication.instance()
        if self.interactive and app is not None:
            if QThread.currentThread() is app.thread():
                self._tell_operator(str(path), summary)  # also before/after the event loop runs
            else:
                self.report_written.emit(str(path), summary)  # queued to the GUI thread
        else:
            print(f"onegrid: unexpected error ({summary}); crash report written to {path}", file=sys.stderr)
        return path

    def _tell_operator(self, path: str, summary: str) -> None:
        if self._box_open:
            return
        self._box_open = True
        try:
            box = QMessageBox(QMessageBox.Icon.Critical, self.tr("OneGrid: unexpected error"),
                              self.tr("The console hit an unexpected error. A report was written to:\n\n{path}\n\n"
                                      "Please send this file to your IT support. The console keeps running; "
                                      "restart it if it does not behave as expected.").format(path=path),
                              QMessageBox.StandardButton.Ok)
            box.setDetailedText(summary)
            box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            box.exec()
        finally:
            self._box_open = False
