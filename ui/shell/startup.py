"""Start-up: the demo's server started early, and a small status window saying what the console waits for.

`onegrid --demo` needs its embedded server (imports, the demo city's database) before it can log in, and
the console needs Qt, Qt WebEngine and every dock's module before it can show a window. The two do not
depend on each other, so `DemoServerStart` begins the server on a thread before the QApplication exists
and the GUI thread prepares the window meanwhile. `StartupStatus` tells the operator what is being
waited for ("Preparing the demo city…", "Logging in as lead1…", "Building the console…") until the main
window is shown; from then on the queue's footer and the status bar say what is still loading.
"""
from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)


class DemoServerStart:
    """`start_embedded_server` on a thread of its own; `result()` waits for it (running `pump` meanwhile)."""

    def __init__(self, directory: Path | None = None):
        self.directory = Path(directory or tempfile.mkdtemp(prefix="onegrid-demo-"))
        self.started_at = time.monotonic()
        self._result: tuple[str, Callable[[], None]] | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        from ui.shell.embedded_server import preload

        preload()  # the imports here, so that no module is imported by two threads at once
        self._thread = threading.Thread(target=self._run, name="onegrid-demo-start", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            from ui.shell.embedded_server import start_embedded_server

            self._result = start_embedded_server(directory=self.directory)
            log.info("demo server ready after %.1f s", time.monotonic() - self.started_at)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread by result()
            self._error = exc
        finally:
            self._done.set()

    def done(self) -> bool:
        return self._done.is_set()

    def result(self, pump: Callable[[], None] | None = None, timeout_s: float = 120.0):
        """(url, stop) once the server answers; raises what stopped it from starting."""
        deadline = time.monotonic() + timeout_s
        while not self._done.wait(0.03):
            if pump is not None:
                pump()
            if time.monotonic() > deadline:
                raise RuntimeError("the demo server did not start in time")
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    def discard(self) -> None:
        """Stop the server (when it started) and remove its folder: the console did not start."""
        self._done.wait(30)
        if self._result is not None:
            self._result[1]()
        shutil.rmtree(self.directory, ignore_errors=True)


def status_window():
    """The small window that says what the console is waiting for (built once Qt and the language are)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QFrame, QLabel, QVBoxLayout

    class StartupStatus(QFrame):
        def __init__(self):
            super().__init__(None, Qt.WindowType.SplashScreen | Qt.WindowType.FramelessWindowHint)
            self.setObjectName("startupStatus")
            self.setFrameShape(QFrame.Shape.StyledPanel)
            layout = QVBoxLayout(self)
            layout.setContentsMargins(28, 22, 28, 22)
            title = QLabel("OneGrid", self)
            title.setObjectName("dialogTitle")
            self.label = QLabel(self)
            self.label.setMinimumWidth(380)
            layout.addWidget(title)
            layout.addWidget(self.label)
            self.started = time.monotonic()

        def say(self, text: str) -> None:
            """Show what is being waited for now (and let it paint before the next step blocks)."""
            log.info("start-up (%.1f s): %s", time.monotonic() - self.started, text)
            self.label.setText(text)
            if not self.isVisible():
                self.adjustSize()
                screen = QApplication.primaryScreen()
                if screen is not None:
                    self.move(screen.availableGeometry().center() - self.rect().center())
                self.show()
            QApplication.processEvents()

    return StartupStatus()
