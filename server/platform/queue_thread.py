"""A thread of its own that takes work from a queue until it reads None: the base of the writers that group
what arrives together (`server.detections.writer`, `server.cases.combiner`)."""
from __future__ import annotations

import logging
import queue
import threading
from typing import Any

log = logging.getLogger(__name__)


class QueueThread:
    """Starts, reports and stops the thread; a subclass sets `thread_name`, `self._queue` (a `queue` queue),
    `_run`, the thread's loop, which ends when it reads None from the queue and then calls `_drain`, and
    `write`, which answers a list of jobs."""

    thread_name = "onegrid-queue"
    stop_timeout_s = 10.0
    _queue: Any
    _thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Ask the loop to end (after what is queued before the request) and wait for it."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(self.stop_timeout_s if timeout is None else timeout)
            if self._thread.is_alive():
                log.warning("%s did not stop within the time given", self.thread_name)
            self._thread = None

    def _run(self) -> None:
        raise NotImplementedError

    def write(self, jobs: list) -> None:
        raise NotImplementedError

    def _drain(self) -> None:
        """Write what is still queued once the loop has read its stop, one job at a time: nobody's wait is
        left unanswered."""
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                return
            if job is not None:
                self.write([job])
