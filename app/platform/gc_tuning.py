"""The garbage collector of a long-running OneGrid process: the server's serving process (its CLI), the
console and `onegrid-ctl` (their entry points); tests leave it alone.

Under load (500 long-polls and 100 commands a second) the default thresholds ran a full collection
every ~4.5 s, and each took 70–125 ms with the GIL held: every request in flight then stood still, the
largest part of the p99 command latency (bench_server_load). In a console, an initial sync parses
100,000 case snapshots, and the default thresholds spent a third of it in collections that found
nothing (bench_server_load, initial sync: 14.8 s with them, 9.9 s with none). Two changes, both in
CPython's own API:

- once started, `gc.freeze()` moves everything built at start-up (FastAPI's routes and schemas,
  SQLAlchemy's metadata, the reference data's grid polygons) out of the collector's sight: it is kept
  for the process's lifetime anyway, so scanning it again and again found nothing (the server only);
- a larger first-generation threshold, so short-lived request objects are freed by reference counting
  long before a collection looks at them, and the older generations are reached far less often.

Cycles are still collected; only the cadence changes (the server's setting `gc_gen0_threshold`; 0 =
Python's default).
"""
from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)

DEFAULT_GEN0_THRESHOLD = 50_000
SLOW_COLLECTION_S = 0.05  # a collection this long stalls every request in flight: say so in the log


def tune_collector(gen0_threshold: int = DEFAULT_GEN0_THRESHOLD, *, report_slow: bool = True) -> None:
    """Call once, early in the process (its entry point; never from a library or a test). `report_slow`
    logs collections long enough to stall a server's requests; a command-line tool leaves it off, since
    a warning on its terminal would say nothing its user can act on."""
    if gen0_threshold > 0:
        _gen0, gen1, gen2 = gc.get_threshold()
        gc.set_threshold(gen0_threshold, gen1, gen2)
    if report_slow and _report_slow_collections not in gc.callbacks:
        gc.callbacks.append(_report_slow_collections)


_started: list[float] = []


def _report_slow_collections(phase: str, info: dict) -> None:
    if phase == "start":
        _started[:] = [time.perf_counter()]
    elif _started:
        took = time.perf_counter() - _started[0]
        if took >= SLOW_COLLECTION_S:
            log.warning("garbage collection of generation %d took %.0f ms (%d objects collected)",
                        info["generation"], took * 1000, info["collected"])


def freeze_after_startup(ctx=None) -> None:
    """A lifespan start-up hook (`server.app.create_app(on_startup=...)`), placed last. The reference
    data (loaded on first use, kept for good: tens of thousands of objects, the grids' polygons) is
    loaded first, so that it is frozen too."""
    if ctx is not None:
        try:
            ctx.refdata  # noqa: B018 - loads it
        except Exception:  # noqa: BLE001 - e.g. none stored yet: the first request says so, properly
            log.warning("reference data not loaded before the collector freeze", exc_info=True)
    reporting = _report_slow_collections in gc.callbacks
    if reporting:  # this one is expected to take a while, and nothing is being served yet
        gc.callbacks.remove(_report_slow_collections)
    try:
        gc.collect()  # the start-up garbage goes first
    finally:
        if reporting:
            gc.callbacks.append(_report_slow_collections)
    gc.freeze()
    log.info("garbage collector: %d start-up objects frozen, thresholds %s", gc.get_freeze_count(),
             gc.get_threshold())
