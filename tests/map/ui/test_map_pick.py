""""Pick on map" in the new case dialog, driven as the operator does: the dialog steps aside, the map says
which grid and which address lie under the cursor, and the click fills the form with the address snapped to
the nearest street."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, QRect, Qt

from app.map.mbtiles import plan_names
from app.platform.settings import ConsoleSettings
from app.refdata.loading import demo_dir
from tests.map.ui import test_map as base
from ui.cases.new_case_dialog import NewCaseDialog
from ui.map.dock import MapDock
from ui.map.pick import connect_pick

# the offscreen platform cannot raise a window (the dialog is raised back after the pick)
pytestmark = [pytest.mark.qt, pytest.mark.qt_log_ignore(*base.NO_GPU_NOISE, r"^This plugin does not support raise\(\)")]
small_hub, closing = base.small_hub, base.closing


def street_point(name: str) -> tuple[float, float]:
    """A point 15 m east of a street of the demo base map (between two of its vertices)."""
    plan = json.loads((demo_dir() / "basemap.geojson").read_text(encoding="utf-8"))
    road = next(n for n in plan_names(plan) if n["name"] == name)
    (a_lat, a_lon), (b_lat, b_lon) = road["line"][4], road["line"][5]
    return (a_lat + b_lat) / 2, (a_lon + b_lon) / 2 + 0.00015


def test_pick_on_map_steps_aside_shows_what_is_under_the_cursor_and_snaps_the_address(
        qtbot, make_ctx, small_hub, closing):
    ctx = make_ctx()
    ctx.settings = ConsoleSettings(base_map_file=str(demo_dir() / "basemap.mbtiles"), language="en")
    dock = MapDock(ctx, hub=small_hub)
    qtbot.addWidget(dock)
    closing(dock)
    dock.resize(900, 600)
    dock.move(0, 0)
    dock.show()
    qtbot.waitUntil(lambda: dock.is_ready, timeout=base.LOAD_TIMEOUT_MS)

    dialog = NewCaseDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    view = QRect(dock.view.mapToGlobal(QPoint(0, 0)), dock.view.size())
    dialog.move(view.center() - QPoint(dialog.width() // 2, dialog.height() // 2))  # right over the map
    before = dialog.geometry()
    connect_pick(dialog, dock)

    qtbot.mouseClick(dialog.pick_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: base.stats(qtbot, dock)["pick"] is True, timeout=10_000)
    # beside the map when the screen has room, else out of sight: the middle of the map can be clicked
    assert dialog.isMinimized() or not dialog.frameGeometry().contains(view.center())

    lat, lon = street_point("学府街")
    grid = ctx.refdata.grid_at(lat, lon)
    base.js(qtbot, dock, f"OneGrid.map.fire('mousemove', {{latlng: L.latLng({lat}, {lon})}}); true")
    qtbot.waitUntil(lambda: (base.js(qtbot, dock, "OneGrid.pickInfo()") or "").endswith("学府街附近"),
                    timeout=10_000)
    info = base.js(qtbot, dock, "OneGrid.pickInfo()")
    assert info.startswith(grid.code) if grid is not None else info.startswith("outside")

    base.js(qtbot, dock, f"OneGrid.clickMap({lat}, {lon})")
    qtbot.waitUntil(lambda: dialog.address.text() == "学府街附近", timeout=10_000)
    assert dialog.coordinates() == (pytest.approx(lat, abs=1e-6), pytest.approx(lon, abs=1e-6))
    if grid is not None:
        assert dialog.grid_code() == grid.code
    back = dialog.geometry()                                     # back where the operator had it (± the frame)
    assert back.size() == before.size() and (back.topLeft() - before.topLeft()).manhattanLength() <= 6
    assert not dock.picking


def test_far_from_any_street_the_address_is_left_alone(qtbot, make_ctx, small_hub, closing):
    ctx = make_ctx()
    ctx.settings = ConsoleSettings(base_map_file=str(demo_dir() / "basemap.mbtiles"), language="en")
    dock = MapDock(ctx, hub=small_hub)
    qtbot.addWidget(dock)
    closing(dock)
    dock.resize(900, 600)
    dock.show()
    qtbot.waitUntil(lambda: dock.is_ready, timeout=base.LOAD_TIMEOUT_MS)
    dialog = NewCaseDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.address.setText("typed by hand")
    connect_pick(dialog, dock)
    qtbot.mouseClick(dialog.pick_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: base.stats(qtbot, dock)["pick"] is True, timeout=10_000)
    base.js(qtbot, dock, "OneGrid.clickMap(30.30, 120.30)")   # kilometres from the city
    qtbot.waitUntil(lambda: not dock.picking, timeout=10_000)
    assert dialog.address.text() == "typed by hand" and dialog.coordinates() == (30.3, 120.3)
