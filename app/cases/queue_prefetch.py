"""The case queue's first read, started as soon as the cache is open (`ui.shell.main.start_console`), so
reading 100,000 summaries from SQLite overlaps building the main window instead of following it."""
from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from typing import Any

from app.cases.queue_columns import QueueColumns, load_columns

log = logging.getLogger(__name__)


class ColumnsPrefetch:
    """`load_columns(cache, cache.refdata())` on its own thread; `result()` waits for it once. A failed read
    gives None (the queue then reads again itself and reports the error)."""

    def __init__(self, cache: Any):
        self._future: Future[QueueColumns | None] = Future()
        self._cache = cache
        threading.Thread(target=self._run, name="queue-prefetch", daemon=True).start()

    def _run(self) -> None:
        # numpy loads numpy.ma at the first np.unique, otherwise in the first sync batch on the GUI thread
        import numpy.ma  # noqa: F401

        try:
            self._future.set_result(load_columns(self._cache, self._cache.refdata()))
        except Exception as exc:  # noqa: BLE001 - the queue's own read reports it
            log.warning("reading the case queue early failed (%s); the queue reads it again", exc)
            self._future.set_result(None)

    def result(self) -> QueueColumns | None:
        return self._future.result()
