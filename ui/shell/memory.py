"""What the console gives back once its start-up load is done: the heap the load used and freed, the
source lines PySide6 read at import, and the start-up objects' share of every full garbage collection."""
from __future__ import annotations

import gc
import linecache
import logging

log = logging.getLogger(__name__)


def release_startup_memory(cache=None) -> None:
    """Freeze what exists into the GC's permanent generation (start-up objects are never freed, so full
    collections need not walk them again: shorter GC pauses on the GUI thread); drop the source lines
    `linecache` holds (those shiboken's per-import check would read are no longer among them:
    `ui.shell.pyside_import`; a traceback reads its lines again); and hand the heap the load used and freed back to the OS
    (glibc keeps it otherwise: ~100 MB of RSS with 100,000 cases)."""
    if hasattr(cache, "release_memory"):
        cache.release_memory()
    linecache.clearcache()
    gc.freeze()
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (Windows, macOS): nothing to trim
        pass
    log.info("start-up load done: %d objects frozen", gc.get_freeze_count())


def settle_memory_after_load(window) -> None:
    """`release_startup_memory` each time one of the start-up loads finishes: the queue's rows, its case
    text, the map's markers."""
    queue = getattr(window, "docks", {}).get("caseQueueDock")
    model = getattr(queue, "model", None)
    if model is None or not hasattr(model, "texts_indexed"):
        return

    cache = getattr(getattr(window, "ctx", None), "cache", None)
    from PySide6.QtCore import QTimer

    def soon() -> None:  # after the emitting slot has returned and dropped what it read
        QTimer.singleShot(0, lambda: release_startup_memory(cache))

    model.loaded.connect(soon)
    model.texts_indexed.connect(soon)
    map_dock = window.docks.get("mapDock")
    if hasattr(map_dock, "markers_loaded"):
        map_dock.markers_loaded.connect(soon)
