"""The sensor panel: the plot with a day of 1 Hz data, the dock (grouped list, search, up to four live
plots, following `sensor_selected`) over the simulated hub, and the alarm model (checked with pytest-qt's
model tester)."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.platform.events import EventGroup
from app.sensors.alarms import AlarmState
from app.sensors.levels import Reason, ThresholdEvaluator, Thresholds, level_runs
from app.sensors.series import SensorInfo, SensorSeries
from server.demo.sensor_readings import RainEvent, SimulatedSensorFeed
from tests.support.simulated_sensor_hub import SimulatedSensorHub
from tests.support.simulated_sensors import LevelChange, SimulatedThresholdAlarmSource
from ui.sensors.alarm_model import COLUMN_INDEX, AlarmModel
from ui.sensors.plot import SensorPlot, y_range
from ui.sensors.sensor_dock import MAX_PLOTS, SensorDock
from ui.shell.context import ConsoleContext, CoreSignals

pytestmark = pytest.mark.qt

T0 = 1_795_400_000.0


class FakeCache:
    def __init__(self, refdata):
        self._refdata = refdata
        self.events = EventGroup("cases_changed", "outbox_changed", "conflicts_changed", "settings_changed")

    def refdata(self):
        return self._refdata

    def summaries(self, ids=None):
        return []


class FakeSession:
    class actor:  # noqa: N801 - stands in for app.cases.workflow.Actor
        username = "op1"


@pytest.fixture
def ctx(refdata):
    return ConsoleContext(cache=FakeCache(refdata), session=FakeSession(), signals=CoreSignals())


@pytest.fixture
def clock():
    return [T0]


@pytest.fixture
def hub(refdata, qtbot, clock):
    """Two hours of simulated history with a storm at its peak now; ticks only when the test says."""
    feed = SimulatedSensorFeed(refdata.sensors, clock=lambda: clock[0], rain_events=[RainEvent(T0 - 2400)])
    hub = SimulatedSensorHub(feed, history_s=2 * 3600, interval_ms=3_600_000)
    hub.start()
    qtbot.waitUntil(lambda: hub.is_ready, timeout=60_000)
    yield hub
    hub.stop()


WATER = SensorInfo(id="wl-x", type="water_level", name="测试下穿", name_en="Test underpass", unit_of_measure="m",
                   thresholds=Thresholds(warning_high=0.15, alarm_high=0.27, hysteresis=0.02, min_duration_s=60))


def day_series(info=WATER):
    t = T0 + np.arange(86_400, dtype=float)
    v = 0.14 + 0.16 * np.sin((t - T0) / 86_400 * 6 * np.pi) + 0.003 * np.random.default_rng(1).standard_normal(len(t))
    levels, _ = ThresholdEvaluator(info.thresholds).evaluate(t, v)
    s = SensorSeries()
    s.extend(t, v, levels)
    return s


# ------------------------------------------------------------------ the plot


def test_plot_takes_a_day_of_1hz_readings(qtbot):
    series = day_series()
    plot = SensorPlot(WATER, window_s=24 * 3600)
    qtbot.addWidget(plot)
    plot.resize(900, 300)
    assert plot.update_from(series, T0 + 86_399)
    plot.grab()  # paint once, as the screen would
    x, y = plot.curve.getOriginalDataset()
    assert len(x) == len(y) == 86_400
    assert plot.curve.opts["autoDownsample"] and plot.curve.opts["downsampleMethod"] == "peak"
    assert plot.curve.opts["clipToView"]
    # one PlotDataItem per series: a second update reuses it
    items = [i for i in plot.plot.getPlotItem().listDataItems()]
    series.extend([T0 + 86_400], [0.5])
    assert plot.update_from(series, T0 + 86_400)
    assert plot.plot.getPlotItem().listDataItems() == items
    assert not plot.update_from(series, T0 + 86_400)  # unchanged: nothing to redraw


def test_plot_draws_thresholds_and_shades_alarm_periods(qtbot):
    series = day_series()
    plot = SensorPlot(WATER, window_s=24 * 3600)
    qtbot.addWidget(plot)
    plot.update_from(series, T0 + 86_399)
    assert sorted(line.value() for _, line in plot._lines) == [0.15, 0.27]
    t, _, lv = series.arrays()
    runs = level_runs(t, lv, 1)
    assert runs and len(plot.shaded_periods()) == len(runs)
    for (start, end), (run_start, run_end, _level) in zip(plot.shaded_periods(), runs):
        assert start == pytest.approx(run_start) and end == pytest.approx(run_end)


def test_y_range_keeps_near_thresholds_in_view():
    assert y_range(0.0, 0.1, [0.15, 0.27])[1] > 0.15      # warning line near the data: shown
    lo, hi = y_range(100.0, 200.0, [450.0, 650.0, -400.0])
    assert hi < 450 and lo > -400                          # far lines do not squash the curve


# ------------------------------------------------------------------ the dock and the hub


def test_sensor_list_grouped_by_type_and_searchable(qtbot, ctx, hub, refdata):
    dock = SensorDock(ctx, hub=hub)
    qtbot.addWidget(dock)
    types = {s.type for s in refdata.sensors}
    assert dock.tree.topLevelItemCount() == len(types)
    assert sum(dock.tree.topLevelItem(i).childCount() for i in range(len(types))) == len(refdata.sensors)
    dock.search.setText("underpass")
    visible = [sid for sid, item in dock._items.items() if not item.isHidden()]
    assert visible and all(hub.sensors[sid].type == "water_level" for sid in visible)
    dock.search.setText("")
    assert not any(item.isHidden() for item in dock._items.values())


def test_at_most_four_plots_and_the_oldest_gives_way(qtbot, ctx, hub, refdata):
    dock = SensorDock(ctx, hub=hub)
    qtbot.addWidget(dock)
    ids = [s.id for s in refdata.sensors[:MAX_PLOTS + 1]]
    for sid in ids:
        dock.show_sensor(sid)
    assert dock.shown() == ids[1:]
    assert dock._items[ids[0]].checkState(0) == Qt.CheckState.Unchecked
    assert len(dock.plots) == MAX_PLOTS
    dock._items[ids[2]].setCheckState(0, Qt.CheckState.Unchecked)
    assert ids[2] not in dock.plots and len(dock.plots) == MAX_PLOTS - 1


def test_plots_follow_sensor_selected_and_update_live(qtbot, ctx, hub, clock):
    dock = SensorDock(ctx, hub=hub)
    qtbot.addWidget(dock)
    ctx.signals.sensor_selected.emit("wl-001")
    plot = dock.plots["wl-001"]
    x, _ = plot.curve.getOriginalDataset()
    assert len(x) == 2 * 3600 + 1 and x[-1] == T0
    clock[0] += 5
    with qtbot.waitSignal(hub.updated, timeout=5_000):
        hub.tick()
    x, _ = plot.curve.getOriginalDataset()
    assert x[-1] == T0 + 5


def test_hub_publishes_states_and_raises_alarms_from_the_storm(qtbot, hub):
    states = hub.states()
    assert states["rf-001"]["state"] == "alarm"  # the storm peaks 40 minutes after it began
    active = [a for a in hub.alarms.alarms() if a.active]
    assert any(a.sensor_id == "rf-001" for a in active)


# ------------------------------------------------------------------ alarms


def alarm_source():
    source = SimulatedThresholdAlarmSource(clock=lambda: T0 + 500)
    source.apply([LevelChange("wl-001", T0, 0, 1, Reason.HIGH, 0.16),
                  LevelChange("rf-001", T0 + 10, 0, 2, Reason.HIGH, 55.0),
                  LevelChange("wl-001", T0 + 60, 1, 2, Reason.HIGH, 0.28),
                  LevelChange("rf-001", T0 + 100, 2, 0, Reason.NONE, 12.0)])
    return source


def test_alarm_model_rows_and_acknowledge(qtbot, qtmodeltester, refdata):
    from app.sensors.series import SensorInfo as Info

    sensors = {s.id: Info.from_refdata(s) for s in refdata.sensors}
    source = alarm_source()
    model = AlarmModel(source, sensors)
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    raised, cleared = model.alarm_at(0), model.alarm_at(1)  # the active alarm above the (newer) cleared one
    assert cleared.sensor_id == "rf-001" and cleared.state is AlarmState.CLEARED
    assert raised.sensor_id == "wl-001" and raised.level == 2 and raised.state is AlarmState.RAISED
    assert model.index(0, COLUMN_INDEX["level"]).data() == "Alarm"
    assert model.index(0, COLUMN_INDEX["value"]).data() == "0.28 m"
    assert "wl-001" in model.index(0, COLUMN_INDEX["sensor"]).data()
    with qtbot.waitSignal(model.dataChanged, timeout=1000):
        model.refresh([source.acknowledge(raised.id, "op1").id])
    assert model.alarm_at(0).state is AlarmState.ACKNOWLEDGED
    assert model.index(0, COLUMN_INDEX["acknowledged_by"]).data() == "op1"
    assert model.index(0, COLUMN_INDEX["state"]).data() == "Acknowledged"
    # a new alarm is inserted at the top, not by a reset
    with qtbot.waitSignal(model.rowsInserted, timeout=1000) as inserted:
        ids = source.apply([LevelChange("gs-002", T0 + 200, 0, 1, Reason.HIGH, 11.0)])
        model.refresh(ids)
    assert inserted.args[1:] == [0, 0] and model.alarm_at(0).sensor_id == "gs-002"
    qtmodeltester.check(model)


# the alarm dock (server-backed source, actions, selection): tests/sensors/ui/test_alarm_dock.py


# ------------------------------------------------------------------ colours in both themes


@pytest.fixture
def restyled_app(qapp):
    """Apply themes for real (widgets follow a switch in changeEvent); put the application back after."""
    from ui.shell import theme

    saved = (qapp.style().name(), qapp.palette(), qapp.styleSheet(), qapp.font(), theme.current_theme())
    yield theme
    style, palette, sheet, font, current = saved
    qapp.setStyleSheet(sheet)
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setFont(font)
    theme._current = current


def test_sensor_names_stay_readable_and_follow_a_theme_switch(qtbot, ctx, hub, restyled_app):
    theme = restyled_app
    theme.apply_theme("dark")
    dock = SensorDock(ctx, hub=hub)
    qtbot.addWidget(dock)
    dock._states_changed(hub.states())

    def foregrounds():
        return {sid: item.data(0, Qt.ItemDataRole.ForegroundRole) for sid, item in dock._items.items()}

    def expected(state):
        name = {"warning": "warn_text", "alarm": "danger_text"}.get(state)
        return theme.colors()[name] if name else None

    states = {sid: hub.states().get(sid, {}).get("state", "unknown") for sid in dock._items}
    assert {"warning", "alarm"} & set(states.values()), "the storm should put some sensors at warning or alarm"
    for theme_name in ("dark", "light"):
        theme.apply_theme(theme_name)
        shown = foregrounds()
        for sid, state in states.items():  # plain names keep the view's text colour; hot ones the theme's
            brush = shown[sid]
            assert (brush.color().name() if brush is not None else None) == expected(state), (theme_name, sid)


def test_plot_takes_its_colours_from_the_theme(qtbot, restyled_app):
    theme = restyled_app
    theme.apply_theme("dark")
    plot = SensorPlot(WATER, window_s=24 * 3600)
    qtbot.addWidget(plot)
    plot.update_from(day_series(), T0 + 86_399)
    for theme_name in ("dark", "light"):
        theme.apply_theme(theme_name)
        c = theme.colors()
        assert plot.plot.backgroundBrush().color().name() == c["plot_bg"]
        assert plot.curve.opts["pen"].color().name() == c["plot_curve"]
        assert plot.plot.getAxis("left").textPen().color().name() == c["plot_fg"]
        alarm_line = next(line for name, line in plot._lines if name == "alarm_high")
        assert alarm_line.pen.color().name() == c["plot_alarm"]
