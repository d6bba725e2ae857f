"""The alarm list over the server's alarms (a real LocalCache fed through its feed path, a fake sync
client): rows added and changed without a model reset, Acknowledge/Clear availability by role, state and
connection, the actions through a background op (and the server's refusal shown), alarm → sensor, plot
and case selection, the case detail's link back, and emergency mode growing the list."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel

from app.cases.workflow import Actor
from app.platform.enums import Role
from app.sensors.alarms import AlarmState
from app.sync.client import ServerRefused
from app.sync.state import Connection
from tests.support import sensor_fakes
from tests.support.sensor_fakes import alarm_data, push, sensor_data
from ui.sensors.alarm_action_dialog import AlarmActionDialog
from ui.sensors.alarm_dock import AlarmDock
from ui.sensors.alarm_model import COLUMN_INDEX, AlarmIdRole
from ui.sensors.hub import SensorHub

pytestmark = pytest.mark.qt

OPERATOR = Actor("operator1", Role.OPERATOR)
LEAD = Actor("lead1", Role.SHIFT_LEAD)
OWNER = Actor("handler_drainage_maint", Role.UNIT_HANDLER, "drainage_maint")  # owns wl-001
OTHER = Actor("handler_gas", Role.UNIT_HANDLER, "gas")


def make_ctx(cache, actor=OPERATOR, connection=Connection.ONLINE):
    return sensor_fakes.make_ctx(cache, actor, connection)


def make_dock(qtbot, ctx, client, alarms=None):
    rows = alarms if alarms is not None else {
        "a1": alarm_data("a1", "wl-001"), "a2": alarm_data("a2", "rf-001", level="warning", at=1_796_104_900.0),
        "a3": alarm_data("a3", "wl-002", state="cleared", at=1_796_104_700.0)}
    client.alarms.update(rows)
    push(ctx.cache, "alarm", rows)
    hub = SensorHub.for_context(ctx)
    qtbot.waitUntil(lambda: hub.is_ready, timeout=10_000)
    dock = AlarmDock(ctx, hub=hub)
    qtbot.addWidget(dock)
    dock.show_warnings.setChecked(True)
    return dock, hub


def select(dock, alarm_id):
    row = dock.model.row_of(alarm_id)
    dock.view.selectionModel().select(dock.proxy.mapFromSource(dock.model.index(row, 0)),
                                      QItemSelectionModel.SelectionFlag.ClearAndSelect
                                      | QItemSelectionModel.SelectionFlag.Rows)


def test_active_alarms_stay_above_cleared_ones(qtbot, qtmodeltester, demo_cache):
    ctx, client = make_ctx(demo_cache)
    rows = {"old": alarm_data("old", "wl-001", at=1_796_104_000.0),
            "gone": alarm_data("gone", "wl-002", state="cleared", at=1_796_105_500.0),  # the newest, but cleared
            "new": alarm_data("new", "rf-001", level="warning", at=1_796_104_900.0)}
    dock, _hub = make_dock(qtbot, ctx, client, rows)
    model = dock.model
    order = lambda: [model.alarm_at(r).id for r in range(model.rowCount())]  # noqa: E731
    assert order() == ["new", "old", "gone"]
    with qtbot.waitSignal(model.rowsInserted, timeout=5_000):  # "new" is cleared: it moves below "old"
        push(demo_cache, "alarm", {"new": alarm_data("new", "rf-001", level="warning", at=1_796_104_900.0,
                                                     state="cleared")})
    assert order() == ["old", "gone", "new"]
    qtmodeltester.check(model)


def test_feed_alarms_update_rows_without_a_reset(qtbot, qtmodeltester, demo_cache):
    ctx, client = make_ctx(demo_cache)
    dock, hub = make_dock(qtbot, ctx, client)
    model = dock.model
    qtmodeltester.check(model)
    assert [model.alarm_at(r).id for r in range(model.rowCount())] == ["a2", "a1", "a3"]  # newest first
    assert model.index(1, COLUMN_INDEX["level"]).data() == "Alarm"
    assert model.index(1, COLUMN_INDEX["value"]).data() == "0.31 m"
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    with qtbot.waitSignal(model.rowsInserted, timeout=5_000) as inserted:
        push(demo_cache, "alarm", {"a4": alarm_data("a4", "gs-002", at=1_796_105_000.0)})
    assert inserted.args[1:] == [0, 0] and model.alarm_at(0).id == "a4"
    with qtbot.waitSignal(model.dataChanged, timeout=5_000):
        push(demo_cache, "alarm", {"a1": alarm_data("a1", "wl-001", state="acknowledged", acknowledged_by="lead2",
                                                    acknowledged_at="2026-12-01T06:00:20+00:00",
                                                    updated_at="2026-12-01T06:00:20+00:00")})
    row = model.row_of("a1")
    assert model.index(row, COLUMN_INDEX["state"]).data() == "Acknowledged"
    assert model.index(row, COLUMN_INDEX["acknowledged_by"]).data() == "lead2"
    assert resets == []
    qtmodeltester.check(model)


@pytest.mark.parametrize("actor, ack, clear", [(OPERATOR, True, False), (LEAD, True, True), (OWNER, True, True),
                                               (OTHER, False, False)])
def test_acknowledge_and_clear_follow_the_role(qtbot, demo_cache, actor, ack, clear):
    ctx, client = make_ctx(demo_cache, actor)
    dock, _hub = make_dock(qtbot, ctx, client)
    select(dock, "a1")
    assert (dock.ack_button.isEnabled(), dock.clear_button.isEnabled()) == (ack, clear)
    select(dock, "a3")  # cleared: nothing to do
    assert not dock.ack_button.isEnabled() and not dock.clear_button.isEnabled()
    assert dock.ack_button.toolTip() == "This alarm is cleared"


def test_offline_the_actions_say_they_need_the_server(qtbot, demo_cache):
    ctx, client = make_ctx(demo_cache, LEAD, Connection.OFFLINE)
    dock, _hub = make_dock(qtbot, ctx, client)
    select(dock, "a1")
    assert not dock.ack_button.isEnabled() and not dock.clear_button.isEnabled()
    assert "Needs the server" in dock.ack_button.toolTip() and "Needs the server" in dock.clear_button.toolTip()
    assert dock.message.isVisibleTo(dock) and "needs the server" in dock.message.text()
    dock.acknowledge_selected()  # F8 while offline: explained, not silently ignored, nothing sent
    assert "Needs the server" in dock.message.text() and client.calls == []
    ctx.engine.set_connection(ctx, Connection.ONLINE)
    assert dock.ack_button.isEnabled() and dock.clear_button.isEnabled() and not dock.message.isVisibleTo(dock)


def test_acknowledge_and_clear_go_to_the_server(qtbot, demo_cache):
    ctx, client = make_ctx(demo_cache, LEAD)
    dock, hub = make_dock(qtbot, ctx, client)
    select(dock, "a1")
    dock.acknowledge("a1", "crew on the way")
    qtbot.waitUntil(lambda: hub.alarms.alarm("a1").state is AlarmState.ACKNOWLEDGED, timeout=5_000)
    assert client.calls[-1] == ("ack", "a1", "crew on the way", "acknowledged", "lead1", client.alarms["a1"]
                                ["acknowledged_at"], client.alarms["a1"]["updated_at"])
    # The hub knows first; the model's row follows on the GUI thread.
    qtbot.waitUntil(lambda: dock.model.index(dock.model.row_of("a1"), COLUMN_INDEX["acknowledged_by"]).data()
                    == "lead1", timeout=5_000)
    row = dock.model.row_of("a1")
    assert "crew on the way" in dock.model.index(row, 0).data(3)  # tooltip shows the note
    qtbot.waitUntil(lambda: dock.message.text() == "Alarm acknowledged.", timeout=5_000)
    assert not dock.ack_button.isEnabled()
    dock.clear("a1", "  ")
    assert dock.message.text() == "Clearing an alarm by hand needs a reason." and client.calls[-1][0] == "ack"
    client.refuse = ServerRefused(409, "wrong_state", "alarm a1 is already cleared")
    dock.clear("a1", "gauge washed away")
    qtbot.waitUntil(lambda: "already cleared" in dock.message.text(), timeout=5_000)
    assert dock.message.property("feedback") == "error"
    assert hub.alarms.alarm("a1").state is AlarmState.ACKNOWLEDGED  # refused: nothing changed here
    dock.clear("a1", "gauge washed away")
    qtbot.waitUntil(lambda: hub.alarms.alarm("a1").state is AlarmState.CLEARED, timeout=5_000)
    assert hub.alarms.alarm("a1").clear_reason == "gauge washed away"


def test_the_dialogs_want_a_reason_to_clear_but_not_to_acknowledge(qtbot):
    from PySide6.QtWidgets import QDialogButtonBox

    clear = AlarmActionDialog("Clear alarm", "Reason:", required=True)
    ack = AlarmActionDialog("Acknowledge alarm", "Note:", required=False)
    for dialog in (clear, ack):
        qtbot.addWidget(dialog)
    ok = clear.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    clear.text.setPlainText("   ")
    assert not ok.isEnabled()
    clear.text.setPlainText(" false alarm, gauge cleaned ")
    assert ok.isEnabled() and clear.value() == "false alarm, gauge cleaned"
    assert ack.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_the_dialogs_count_against_the_servers_limit_and_keep_the_text(qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialogButtonBox

    from app.sensors.alarms import ALARM_TEXT_MAX
    from server.sensors.api import ClearRequest

    assert ClearRequest.model_fields["reason"].metadata[-1].max_length == ALARM_TEXT_MAX  # one number
    clear = AlarmActionDialog("Clear alarm", "Reason:", required=True)
    qtbot.addWidget(clear)
    finished = []
    clear.finished.connect(finished.append)
    clear.text.setPlainText("r" * (ALARM_TEXT_MAX + 3))
    assert clear.counter.text() == f"{ALARM_TEXT_MAX + 3:,} / {ALARM_TEXT_MAX:,} — 3 characters too many"
    assert not clear.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    qtbot.keyClick(clear.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # refused: stays
    assert finished == [] and len(clear.text.toPlainText()) == ALARM_TEXT_MAX + 3
    clear.text.setPlainText("r" * ALARM_TEXT_MAX)
    qtbot.keyClick(clear.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert finished == [1]


def test_selecting_an_alarm_selects_its_sensor_plot_and_case(qtbot, demo_cache, cases):
    from ui.sensors.sensor_dock import SensorDock

    ctx, client = make_ctx(demo_cache)
    case_id = cases.make()
    dock, hub = make_dock(qtbot, ctx, client, {"a1": alarm_data("a1", "wl-001", case_id=str(case_id))})
    sensors = SensorDock(ctx, hub=hub)
    qtbot.addWidget(sensors)
    qtbot.waitUntil(lambda: bool(dock.model.case_numbers.get(str(case_id))), timeout=5_000)
    number = demo_cache.case(case_id).display_number
    assert dock.model.index(0, COLUMN_INDEX["case"]).data() == number
    with qtbot.waitSignal(ctx.signals.sensor_selected, timeout=2_000) as sensor:
        with qtbot.waitSignal(ctx.signals.case_selected, timeout=2_000) as case:
            select(dock, "a1")
    assert sensor.args == ["wl-001"] and case.args == [case_id] and ctx.selected_case == case_id
    assert "wl-001" in sensors.plots  # the sensor panel plots it
    qtbot.waitUntil(lambda: len(hub.series("wl-001")) > 0, timeout=5_000)  # its history came from the server
    assert any(c[0] == "readings" and c[1] == "wl-001" for c in client.calls)
    # the plot is shaded for the alarm's period (from the server's alarm, not a local evaluation)
    qtbot.waitUntil(lambda: len(sensors.plots["wl-001"].shaded_periods()) == 1, timeout=5_000)
    dock.view.clearSelection()
    assert dock.select_alarm("a1") and dock.model.alarm_at(dock.selected_row()).id == "a1"


def test_case_detail_links_back_to_its_alarm(qtbot, demo_cache, cases):
    from ui.cases.detail_dock import CaseDetailDock

    ctx, client = make_ctx(demo_cache)
    case_id = cases.make()
    dock, hub = make_dock(qtbot, ctx, client, {"a9": alarm_data("a9", "wl-001", case_id=str(case_id))})
    push(demo_cache, "sensor", {"wl-001": sensor_data()})
    detail = CaseDetailDock(ctx)
    qtbot.addWidget(detail)
    # a case opened by the server for an alarm names it (alarm_id); ours is a stand-in with the same link
    case = demo_cache.case(case_id).model_copy(update={"alarm_id": "a9", "source": "sensor_alarm"})
    detail._show(case, [])
    link = detail._values["alarm"]
    assert 'href="alarm:a9"' in link.text() and "wl-001" in link.text()
    dock.view.clearSelection()
    with qtbot.waitSignal(ctx.signals.alarm_selected, timeout=2_000) as chosen:
        with qtbot.waitSignal(ctx.signals.sensor_selected, timeout=2_000) as sensor:
            link.linkActivated.emit("alarm:a9")
    assert chosen.args == ["a9"] and sensor.args == ["wl-001"]
    assert dock.model.alarm_at(dock.selected_row()).id == "a9"  # the alarm list followed


def test_emergency_mode_grows_the_list(qtbot, demo_cache):
    ctx, client = make_ctx(demo_cache)
    dock, _hub = make_dock(qtbot, ctx, client)
    dock.show_warnings.setChecked(False)

    def shown():
        return {dock.proxy.index(r, 0).data(AlarmIdRole) for r in range(dock.proxy.rowCount())}

    assert shown() == {"a1", "a3"}  # normal operation: alarm level only
    ctx.signals.settings_changed.emit("emergency_mode", {"on": True, "reason": "storm", "by": "lead1", "at": "x"})
    assert shown() == {"a1", "a2", "a3"} and not dock.show_warnings.isEnabled()
    assert "Emergency mode" in dock.source_note.text()
    ctx.signals.settings_changed.emit("emergency_mode", {"on": False, "reason": "over", "by": "lead1", "at": "y"})
    assert shown() == {"a1", "a3"} and dock.show_warnings.isEnabled()
    dock.show_cleared.setChecked(False)
    assert shown() == {"a1"}
