"""Plain-Python events: how the Qt-free core tells whoever listens (the UI, the CLI, tests) what changed.

The core never knows about Qt; `ui/` adapts these callbacks to Qt signals delivered on the GUI thread.
Callbacks run on the thread that emits, so listeners must be cheap and thread-safe (the Qt adapter only
queues a signal).
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

log = logging.getLogger(__name__)

Callback = Callable[..., Any]


class Event:
    """One named event with any number of listeners."""

    def __init__(self, name: str):
        self.name = name
        self._callbacks: list[Callback] = []
        self._lock = threading.Lock()

    def connect(self, callback: Callback) -> Callback:
        with self._lock:
            if callback not in self._callbacks:
                self._callbacks.append(callback)
        return callback

    def disconnect(self, callback: Callback) -> None:
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

    def emit(self, *args: Any, **kwargs: Any) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            try:
                callback(*args, **kwargs)
            except Exception:  # one broken listener must not stop the others or the sync loop
                log.exception("listener %r of event %r failed", callback, self.name)


class EventGroup:
    """A set of named events, e.g. `cache.events.cases_changed.connect(...)`."""

    def __init__(self, *names: str):
        for name in names:
            setattr(self, name, Event(name))
