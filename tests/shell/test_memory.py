"""What the console gives back once its start-up load is done (`ui.shell.memory`)."""
from __future__ import annotations

import gc
import linecache
import types

from PySide6.QtCore import QObject, Signal

from ui.shell import memory


class _Model(QObject):
    loaded = Signal()
    texts_indexed = Signal()


class _Cache:
    released = 0

    def release_memory(self) -> None:
        self.released += 1


def test_the_source_lines_read_at_import_are_dropped_once_the_queue_has_loaded(qtbot, tmp_path):
    """shiboken's import hook reads every module's source into linecache (~30 MB for the console): the
    first load's end lets them go, as it lets go of the heap the load freed."""
    source = tmp_path / "some_module.py"
    source.write_text("x = 1\n" * 1000, encoding="utf-8")
    assert len(linecache.getlines(str(source))) == 1000
    model, cache = _Model(), _Cache()
    window = types.SimpleNamespace(docks={"caseQueueDock": types.SimpleNamespace(model=model)},
                                   ctx=types.SimpleNamespace(cache=cache))
    memory.settle_memory_after_load(window)
    assert str(source) in linecache.cache  # nothing happens before the load ends
    model.loaded.emit()
    qtbot.waitUntil(lambda: cache.released == 1, timeout=2000)
    assert str(source) not in linecache.cache
    assert gc.get_freeze_count() > 0
    gc.unfreeze()  # the test process keeps its collector as it was
