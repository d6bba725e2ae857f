"""Timers of the GUI thread's work in the console benchmarks: running the event loop until a condition, a 1 ms
heartbeat whose gaps are time the loop was blocked, methods wrapped to sum their wall time, and the garbage
collector's passes."""
from __future__ import annotations

import functools
import threading
import time
from collections import defaultdict


def wait_for(condition, timeout_s: float, poll_ms: int = 5) -> bool:
    """Run the event loop (blocking in it, not spinning) until `condition()` or the timeout."""
    from PySide6.QtCore import QEventLoop, QTimer

    if condition():
        return True
    loop = QEventLoop()
    deadline = time.perf_counter() + timeout_s
    timer = QTimer()
    timer.setInterval(poll_ms)

    def check():
        if condition() or time.perf_counter() > deadline:
            loop.quit()

    timer.timeout.connect(check)
    timer.start()
    loop.exec()
    timer.stop()
    return bool(condition())


def idle(seconds: float) -> None:
    wait_for(lambda: False, seconds, poll_ms=20)


class Heartbeat:
    """A 1 ms precise QTimer on the GUI thread; gaps between its beats are time the loop was blocked."""

    def __init__(self):
        from PySide6.QtCore import Qt, QTimer

        self.stamps: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(1)
        self.timer.timeout.connect(lambda: self.stamps.append(time.perf_counter()))

    def start(self) -> None:
        self.stamps = [time.perf_counter()]
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.stamps.append(time.perf_counter())

    def blocked(self, threshold: float = 0.005) -> tuple[float, float]:
        """(sum of (gap - 1 ms) over gaps > threshold, longest gap), seconds."""
        gaps = [b - a for a, b in zip(self.stamps, self.stamps[1:])]
        return sum(g - 0.001 for g in gaps if g > threshold), max(gaps, default=0.0)


class SlotTimer:
    """Wraps methods at class level (before the objects connect them) and sums their wall time while
    `enabled`; nested wrapped calls are counted in their own bucket and not added to the total twice."""

    def __init__(self):
        self.enabled = False
        self.spans: dict[str, list[float]] = defaultdict(list)
        self.top: list[float] = []
        self._depth = 0
        self._undo: list = []

    def wrap(self, cls, name: str, label: str | None = None) -> None:
        original = cls.__dict__[name]
        timer, label = self, label or f"{cls.__name__}.{name}"

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            if not timer.enabled or threading.current_thread() is not threading.main_thread():
                return original(*args, **kwargs)
            timer._depth += 1
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                took = time.perf_counter() - started
                timer._depth -= 1
                timer.spans[label].append(took)
                if timer._depth == 0:
                    timer.top.append(took)

        setattr(cls, name, wrapper)
        self._undo.append((cls, name, original))

    def reset(self) -> None:
        self.spans.clear()
        self.top.clear()

    def restore(self) -> None:
        for cls, name, original in reversed(self._undo):
            setattr(cls, name, original)
        self._undo.clear()


class GcTimer:
    """Times the cyclic garbage collector's passes (gc.callbacks), by generation."""

    def __init__(self):
        import gc

        self._gc = gc
        self.passes: list[tuple[int, float]] = []
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.passes.append((info.get("generation", -1), time.perf_counter() - self._started))

    def mark(self) -> int:
        return len(self.passes)

    def since(self, mark: int) -> tuple[int, float, float]:
        """(full collections, their total seconds, longest pass of any generation) since `mark`."""
        passes = self.passes[mark:]
        full = [t for g, t in passes if g == 2]
        return len(full), sum(full), max((t for _g, t in passes), default=0.0)

    def close(self) -> None:
        if self._callback in self._gc.callbacks:
            self._gc.callbacks.remove(self._callback)

