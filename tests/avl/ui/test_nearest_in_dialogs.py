"""The dispatch and send-to-verify dialogs show the nearest available crews and inspectors from the cached
positions beside the matrix's suggestions; choosing one chooses its unit or inspector, and a dialog
without any known position shows no such list."""
from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from app.cases.workflow import Actor
from app.platform.enums import Action, Role
from tests.avl.ui.test_vehicle_layer import T0, position
from tests.support.sensor_fakes import make_ctx as fake_ctx
from tests.support.sensor_fakes import push
from ui.cases.action_dialogs import dialog_for

pytestmark = pytest.mark.qt
DEG = 1 / 111_195  # one metre north


def test_dispatch_offers_the_nearest_crew(qtbot, demo_cache, cases):
    ctx, _client = fake_ctx(demo_cache, Actor("operator1", Role.OPERATOR))
    ctx.now = lambda: T0 + timedelta(minutes=1)
    case = demo_cache.case(cases.make(status="registered"))
    lat, lon = case.location.lat, case.location.lon
    push(demo_cache, "position", {
        "PAT-R1": position("PAT-R1", "patrol_car", "roads", lat + 800 * DEG, lon, T0, person="handler_roads"),
        "SAN-W01": position("SAN-W01", "sanitation_truck", "sanitation_west", lat + 300 * DEG, lon, T0),
        "HS-I1": position("HS-I1", "inspector_handset", "city_office", lat + 10 * DEG, lon, T0, person="inspector1"),
    })
    dialog = dialog_for(Action.DISPATCH, case, ctx, None)
    qtbot.addWidget(dialog)
    rows = [dialog.nearest.topLevelItem(i).text(1) for i in range(dialog.nearest.topLevelItemCount())]
    assert len(rows) == 2  # the crews only, not the inspector's handset
    assert dialog.nearest.topLevelItem(0).text(2) == "0.3 km" and "about 1 min" in dialog.nearest.topLevelItem(0).text(3)
    first_matrix = dialog.unit_id
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(dialog.nearest.viewport(), Qt.MouseButton.LeftButton,
                     pos=dialog.nearest.visualItemRect(dialog.nearest.topLevelItem(1)).center())
    assert dialog.unit_id == "roads" and dialog.payload()["unit_id"] == "roads" != first_matrix


def test_send_verify_offers_the_nearest_free_inspector(qtbot, demo_cache, cases):
    ctx, _client = fake_ctx(demo_cache, Actor("operator1", Role.OPERATOR))
    ctx.now = lambda: T0 + timedelta(minutes=1)
    case = demo_cache.case(cases.make(status="handled"))
    lat, lon = case.location.lat, case.location.lon
    push(demo_cache, "position", {
        "HS-I1": position("HS-I1", "inspector_handset", "city_office", lat + 900 * DEG, lon, T0, person="inspector1"),
        "HS-I3": position("HS-I3", "inspector_handset", "city_office", lat + 400 * DEG, lon, T0, person="inspector3"),
    })
    dialog = dialog_for(Action.SEND_VERIFY, case, ctx, None)
    qtbot.addWidget(dialog)
    assert dialog.nearest.topLevelItem(0).text(2) == "0.4 km"
    chosen = dialog.nearest.choose_row(0)
    assert chosen.person == "inspector3" and dialog.payload()["inspector"] == "inspector3"


def test_no_positions_no_list(qtbot, demo_cache, cases):
    ctx, _client = fake_ctx(demo_cache, Actor("operator1", Role.OPERATOR))
    dialog = dialog_for(Action.DISPATCH, demo_cache.case(cases.make(status="registered")), ctx, None)
    qtbot.addWidget(dialog)
    assert dialog.nearest is None and dialog.unit_id  # the matrix's first suggestion as before
