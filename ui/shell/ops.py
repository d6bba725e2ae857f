"""Background work behind one small API (after Anki's CollectionOp/QueryOp).

    run_op(parent, work, success=..., failure=..., progress=...)

`work` runs on a worker thread and never touches widgets; `success`/`failure` run on the GUI thread.
Cache writes go through one single-worker executor (`ctx.writer`) so SQLite writes are serialised; reads
may use the shared pool.
"""
from __future__ import annotations

import logging
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

WRITER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="onegrid-writer")
READERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="onegrid-reader")
# Running ops are held here until their callbacks ran: otherwise Python may collect an Op (and its
# relay QObject) while the work is still running, and the result would be silently lost.
_RUNNING: set["Op"] = set()


class _Relay(QObject):
    """Carries a finished future back to the GUI thread (queued signal)."""

    done = Signal(object)


class Op:
    def __init__(self, work: Callable[[], Any], *, executor: Executor = READERS):
        self._work = work
        self._executor = executor
        self._success: Callable[[Any], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None

    def success(self, callback: Callable[[Any], None]) -> "Op":
        self._success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> "Op":
        self._failure = callback
        return self

    def run(self) -> Future:
        relay = _Relay()
        relay.done.connect(self._finish)
        self._relay = relay
        _RUNNING.add(self)
        future = self._executor.submit(self._work)
        future.add_done_callback(relay.done.emit)
        return future

    def _finish(self, future: Future) -> None:
        try:
            exc = future.exception()
            if exc is None:
                if self._success:
                    self._success(future.result())
            elif self._failure:
                self._failure(exc)
            else:
                log.error("background operation failed", exc_info=exc)
        finally:
            self._relay = None
            _RUNNING.discard(self)


def run_op(work: Callable[[], Any], success: Callable[[Any], None] | None = None,
           failure: Callable[[BaseException], None] | None = None, *, write: bool = False,
           owner: QObject | None = None) -> Future:
    """Run `work` off the GUI thread; `write=True` puts it on the single cache-writer thread. With `owner`
    (the dock, model or dialog that asked), the callbacks are skipped once it has been deleted, e.g. a dock
    closed while its read was still running."""

    def ok(result: Any) -> None:
        if success is not None and (owner is None or shiboken6.isValid(owner)):
            success(result)

    def bad(exc: BaseException) -> None:
        if owner is not None and not shiboken6.isValid(owner):
            log.debug("background operation of a deleted %s failed: %s", type(owner).__name__, exc)
        elif failure is not None:
            failure(exc)
        else:
            log.error("background operation failed", exc_info=exc)

    op = Op(work, executor=WRITER if write else READERS)
    op.success(ok)
    op.failure(bad)
    return op.run()
