"""A master case's reporters called back from the console's callbacks dock (mouse and keyboard), offline:
the server merged a repeat and listed its reporter at the closure; the dock has a row per reporter, the
dialog names the report, the calls are queued offline and applied once by a real server."""
from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from app.cases import callbacks
from app.platform.enums import Action, Status
from tests.support.consoles import online_console
from tests.support.live_server import LiveServer
from ui.cases.callbacks_dock import CallbacksDock

USERS = ("operator1", "lead1", "handler_water_supply")
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def server(tmp_path, refdata):
    directory = tmp_path / "server"
    directory.mkdir()
    s = LiveServer(directory, refdata, users=USERS, repeat_merge=True).start()
    yield s
    s.stop()


def sync(console) -> None:
    asyncio.run(console.engine.sync_once())


def _do(console, action, case_id, payload, now):
    command = console.cache.issue(console.actor, action, case_id, payload, now, offline=False)
    sync(console)
    assert console.cache.conflicts() == [], console.cache.conflicts()
    return command


def test_every_reporter_called_from_the_dock_offline(qtbot, make_ctx, server, tmp_path, refdata, now):
    op, lead, water = (online_console(tmp_path / u, server.url, u) for u in USERS)
    for console in (op, lead, water):
        sync(console)
    lat, lon = refdata.grids[0].centroid
    place = {"lat": lat, "lon": lon, "address": "Hubin Rd 1"}
    base = {"source": "hotline", "category_code": "C0101", "description": "cover missing", "location": place}
    master = _do(op, Action.CREATE, None, base | {"reporter_name": "王先生", "reporter_phone": "13800000001"},
                 now).case_id
    repeat = _do(op, Action.CREATE, None, base | {"reporter_name": "李女士", "reporter_phone": "13800000002",
                                                  "location": place | {"lat": lat + 0.0002}}, now).case_id
    assert op.cache.case(repeat).merged_into == master  # the server merged it
    for console, action, payload in [(op, Action.REGISTER, {}), (op, Action.DISPATCH, {"unit_id": "water_supply"}),
                                     (water, Action.ACCEPT, {}), (water, Action.REPORT_HANDLED, {"note": "fixed"}),
                                     (op, Action.SEND_VERIFY, {}), (lead, Action.VERIFY_PASS, {}),
                                     (lead, Action.CLOSE, {})]:
        sync(console)
        _do(console, action, master, payload, now)
    sync(op)
    assert op.cache.case(master).status == Status.CLOSED
    assert [r.report_id for r in callbacks.to_call(op.cache.case(master))] == [None, repeat]

    dock = CallbacksDock(make_ctx(op.actor, offline=True, cache=op.cache))
    qtbot.addWidget(dock)
    dock.show()  # it searches once shown
    qtbot.waitUntil(lambda: dock.model.rowCount() == 2, timeout=5000)
    assert dock.counts == {"waiting": 2, "retry": 0, "dissatisfied": 0}
    assert dock.model.data(dock.model.index(1, 2)) == "13800000002"
    assert "李女士" in dock.model.data(dock.model.index(1, 1)) and "report" in dock.model.data(dock.model.index(1, 1))
    dock.table.setFocus()
    dock.select_row(0)
    qtbot.keyClick(dock.table, Qt.Key.Key_Down)  # the repeat's reporter
    qtbot.mouseClick(dock.call_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dock.dialog is not None, timeout=2000)
    dialog = dock.dialog
    assert "13800000002" in dialog.phone.text() and dialog.reporter.currentData() == str(repeat)
    dialog.satisfaction.setCurrentIndex(dialog.satisfaction.findData("dissatisfied"))
    qtbot.keyClicks(dialog.note, "still rocks")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dock.model.rowCount() == 1 and dock.counts["dissatisfied"] == 1, timeout=5000)
    (queued,) = [c for c in op.cache.pending_commands(master) if c.action == Action.RECORD_CALLBACK]
    assert queued.offline and queued.payload["report_id"] == str(repeat)

    sync(op)  # sent and applied once
    sync(op)
    assert op.cache.outbox_size() == 0 and op.cache.conflicts() == []
    called = op.cache.server_case(master)
    (cb,) = called.report_callbacks
    assert (cb.report_id, cb.satisfaction, cb.note) == (repeat, "dissatisfied", "still rocks")
    assert server.query("SELECT count(*) FROM case_events WHERE action = 'record_callback'") == [(1,)]
