"""The wall view opening from the console's cache: its tiles show the cached cases, alarms and vehicles in
figures large enough for the wall, the emergency banner follows the setting, its map draws the vehicles,
the configured districts are cycled, and View → Wall opens it from the main window's menu."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from app.cases.workflow import Actor
from app.platform.enums import Role
from app.platform.settings import ConsoleSettings
from tests.avl.ui.test_vehicle_layer import T0, position
from tests.map.ui.test_map import LOAD_TIMEOUT_MS, NO_GPU_NOISE, js
from tests.support.sensor_fakes import make_ctx as fake_ctx
from tests.support.sensor_fakes import push
from ui.wall.wall_window import WallWindow

pytestmark = [pytest.mark.qt, pytest.mark.qt_log_ignore(*NO_GPU_NOISE)]


@pytest.fixture
def wall(qtbot, demo_cache, cases, refdata):
    ctx, _client = fake_ctx(demo_cache, Actor("lead1", Role.SHIFT_LEAD))
    ctx.now = lambda: T0 + timedelta(minutes=1)
    streets = sorted({g.street for g in refdata.grids})[:2]
    ctx.settings = ConsoleSettings(wall_districts=",".join(streets), wall_cycle_s=5)
    cases.make(status="dispatched")
    push(demo_cache, "position", {"PAT-R1": position("PAT-R1", "patrol_car", "roads", 30.26, 120.15, T0, heading=0)})
    push(demo_cache, "alarm", {"a1": {"id": "a1", "state": "raised", "level": "alarm"}})
    w = WallWindow(ctx)
    qtbot.addWidget(w)
    w.resize(1920, 1080)
    w.show()
    qtbot.waitUntil(lambda: w.refreshes >= 1, timeout=10_000)
    yield ctx, w, streets
    w.close()


def test_the_wall_opens_with_live_tiles_readable_from_afar(qtbot, wall, demo_cache):
    ctx, w, _streets = wall
    f = w.figures
    qtbot.waitUntil(lambda: w.figures.devices_total == 1, timeout=10_000)  # the fleet's first read
    f = w.figures
    assert f.open_total >= 1 and f.alarms_active == 1
    assert w.tiles["alarms"].value.text() == "1" and w.tiles["alarms"].property("alert") is True
    assert w.tiles["vehicles"].value.text() == "1 / 1"
    assert w.tiles["units"].value.text().startswith(f"{f.open_total} open")
    assert w.tiles["today"].value.font().pixelSize() >= 1080 * 96 // 2160  # 48 px at 1080p, 96 px at 4K
    assert not w.banner.isVisible()
    push(demo_cache, "setting", {"emergency_mode": {"key": "emergency_mode", "value": {
        "on": True, "reason": "台风", "by": "lead1", "at": T0.isoformat()}}})
    w.refresh()
    qtbot.waitUntil(lambda: w.banner.isVisible(), timeout=10_000)
    assert "台风" in w.banner.text()


def test_the_wall_map_shows_vehicles_and_cycles_districts(qtbot, wall):
    _ctx, w, streets = wall
    qtbot.waitUntil(lambda: w.map.is_ready, timeout=LOAD_TIMEOUT_MS)
    qtbot.waitUntil(lambda: js(qtbot, w.map, "OneGrid.vehicle('PAT-R1')") is not None, timeout=10_000)
    assert json.loads(js(qtbot, w.map, "OneGrid.vehicle('PAT-R1')"))["kind"] == "patrol_car"
    first = w.district_index
    assert w.districts[first][0] == streets[0]
    w.next_district()
    assert w.districts[w.district_index][0] == streets[1]
    assert w.cycle_timer.isActive() and w.cycle_timer.interval() == 5000
    # a wall is not typed on: no place search over its map, and nothing of it holds the focus
    assert not w.map.search.isVisible() and not w.map.search.field.hasFocus()


def test_escape_leaves_the_wall(qtbot, wall):
    _ctx, w, _streets = wall
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=5000)


def test_view_wall_opens_it_from_the_main_window(qtbot, make_ctx, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    from tests.support.stub_dock import stub_build_dock
    from ui.shell import main_window as mw
    from ui.wall import wall_window

    monkeypatch.setattr(mw, "build_dock", stub_build_dock)
    window = mw.MainWindow(make_ctx(Actor("lead1", Role.SHIFT_LEAD), offline=True),
                           window_state=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    assert window.wall_action.text() == "&Wall view" and window.wall_action.shortcut().toString() == "F11"
    opened = []
    monkeypatch.setattr(wall_window, "open_wall", lambda ctx, full_screen=True: opened.append((ctx, full_screen)))
    window.wall_action.trigger()
    assert opened == [(window.ctx, True)]
