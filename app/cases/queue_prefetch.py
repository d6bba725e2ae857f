"""The case queue's first read, started as soon as the login knows which cache it opens
(`ui.shell.login_dialog.log_in`), so reading 100,000 summaries from SQLite overlaps the password check and
building the main window instead of following them. Both the read and argon2 release the GIL.

The read belongs to the login that started it: the login hands it over only once the password is accepted
(`LoginOutcome.queue_prefetch`), and cancels it when the login fails, so a refused password never leaves the
cache's rows in memory and no other cache's login can take them.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from uuid import UUID

if TYPE_CHECKING:
    from app.cases.queue_columns import QueueColumns

log = logging.getLogger(__name__)


class ColumnsPrefetch:
    """`load_columns(cache, cache.refdata())` on its own thread; `result()` waits for it once. A failed or
    cancelled read gives None (the queue then reads again itself and reports the error)."""

    def __init__(self, cache: Any):
        self.cache = cache
        self._cols: QueueColumns | None = None
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._cancelled = False
        self._forgotten: set[UUID] = set()
        threading.Thread(target=self._run, name="queue-prefetch", daemon=True).start()

    def _run(self) -> None:
        # numpy and the columns load here, not before the login dialog shows: the imports (~0.1 s) overlap
        # the password check. numpy.ma loads at the first np.unique, otherwise in the first sync batch on
        # the GUI thread.
        import numpy.ma  # noqa: F401

        from app.cases import queue_columns

        cols: QueueColumns | None = None
        try:
            if not self.cancelled:
                cols = queue_columns.load_columns(self.cache, self.cache.refdata())
        except Exception as exc:  # noqa: BLE001 - the queue's own read reports it
            if not self.cancelled:  # a cancelled login may have closed the cache under the read
                log.warning("reading the case queue early failed (%s); the queue reads it again", exc)
        with self._lock:
            if self._cancelled:
                cols = None  # dropped here: nothing of a refused login's cache stays in memory
            elif cols is not None:
                self._drop(cols, self._forgotten)
            self._cols = cols
            self._done.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        """The login this read was started for failed: drop the rows (now, or when the read ends)."""
        with self._lock:
            self._cancelled = True
            self._cols = None
            self._forgotten.clear()
        log.debug("queue prefetch of %s cancelled", getattr(self.cache, "directory", self.cache))

    def forget(self, case_ids: Iterable[UUID]) -> None:
        """Cases deleted from the cache after the read may have started (the retention prune at start-up):
        removed from the rows, whether the read has finished or not."""
        with self._lock:
            if self._cancelled:
                return
            if self._done.is_set():
                if self._cols is not None:
                    self._drop(self._cols, case_ids)
            else:
                self._forgotten.update(case_ids)

    @staticmethod
    def _drop(cols: QueueColumns, case_ids: Iterable[UUID]) -> None:
        for case_id in case_ids:
            cols.remove(case_id)

    def done(self) -> bool:
        return self._done.is_set()

    def result(self) -> QueueColumns | None:
        """The rows (waiting for the read); None after `cancel()` or a failed read."""
        self._done.wait()
        with self._lock:
            return self._cols
