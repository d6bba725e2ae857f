"""The map's web view is made after the window's first frame (starting the web engine takes half a second):
until then the dock says the map is loading, and everything sent meanwhile reaches the page once it is up."""
from __future__ import annotations

import pytest

import ui.map.dock as dock_module
import ui.map.interceptor as interceptor
from tests.map.ui import test_map as base
from ui.map.dock import MapDock

pytestmark = [pytest.mark.qt, pytest.mark.qt_log_ignore(*base.NO_GPU_NOISE)]
small_hub, closing = base.small_hub, base.closing


def test_the_map_dock_shows_a_placeholder_then_the_map_with_every_marker(qtbot, refdata, small_hub, closing,
                                                                          monkeypatch):
    profile_asked = []
    original = interceptor.map_profile

    def map_profile():
        profile_asked.append(True)
        return original()

    monkeypatch.setattr(interceptor, "map_profile", map_profile)
    monkeypatch.setattr(dock_module, "map_profile", map_profile)
    ctx = base.map_ctx(refdata, 40)
    dock = MapDock(ctx, hub=small_hub)
    qtbot.addWidget(dock)
    closing(dock)
    # built: no web engine started yet (not even its profile), the placeholder says why the map is empty
    assert dock.view is None and dock.page is None and profile_asked == []
    assert dock._stack.currentWidget() is dock.placeholder
    assert dock.placeholder.text() == "Loading the map…"
    dock.run_js("OneGrid.stats()")  # a call before the page exists is dropped, not an error
    dock.resize(900, 600)
    dock.show()
    qtbot.waitUntil(lambda: dock.view is not None, timeout=5_000)  # the next turn of the event loop
    assert dock._stack.currentWidget() is dock.view
    qtbot.waitUntil(lambda: dock.is_ready, timeout=base.LOAD_TIMEOUT_MS)
    qtbot.waitUntil(lambda: base.stats(qtbot, dock)["cases"] == 40, timeout=base.LOAD_TIMEOUT_MS)


def test_a_pick_before_the_view_exists_makes_it_at_once(qtbot, refdata, small_hub, closing):
    ctx = base.map_ctx(refdata, 5)
    dock = MapDock(ctx, hub=small_hub)
    qtbot.addWidget(dock)
    closing(dock)
    picked = []
    dock.pick_location(lambda lat, lon: picked.append((lat, lon)))
    assert dock.view is not None and dock._stack.currentWidget() is dock.view
    qtbot.waitUntil(lambda: dock.is_ready, timeout=base.LOAD_TIMEOUT_MS)
    dock.cancel_pick()
