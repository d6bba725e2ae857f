"""Sensor-panel and alarm-list benchmarks (PySide6, offscreen):

* a live update of a plot holding 24 h of 1 Hz readings (86,400 points): one new reading, `update_from`
  (setData on the one PlotDataItem, peak downsampling, clip to view) and a repaint, median GUI time;
* the alarm list taking a feed batch of 1,000 alarm changes (half new, half updated) on top of 5,000
  cached alarms: `FeedAlarmSource.apply_rows` + `AlarmModel.refresh` (rows inserted / dataChanged, no
  reset), GUI-thread time.

Timings on a shared machine are noisy; the rows say so.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import datetime, timezone

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.emit import emit  # noqa: E402
from bench.harness import log  # noqa: E402
from bench.result import Row  # noqa: E402

T0 = 1_796_104_800.0
N_ALARMS = 5000
N_BATCH = 1000


def iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, tz=timezone.utc).isoformat()


def alarm_row(i: int, state: str = "raised") -> dict:
    at = T0 + i * 7.0
    return {"id": f"00000000-0000-4000-8000-{i:012d}", "sensor_id": f"wl-{1 + i % 15:03d}",
            "episode_id": f"e{i}", "kind": "high", "level": "alarm" if i % 3 else "warning", "state": state,
            "raised_at": iso(at), "updated_at": iso(at + (30 if state != "raised" else 0)), "value": 0.3,
            "peak_value": 0.31, "threshold": 0.27, "message": "", "acknowledged_by": "lead1" if state != "raised"
            else None, "acknowledged_at": iso(at + 30) if state != "raised" else None, "ack_note": None,
            "cleared_at": None, "cleared_by": None, "clear_reason": None, "case_id": None}


class RowsCache:
    def __init__(self, rows):
        self.rows = rows

    def entities(self, kind, ids=None):
        return dict(self.rows) if ids is None else {i: self.rows[i] for i in ids if i in self.rows}


def bench_plot(app) -> None:
    import numpy as np

    from app.sensors.levels import ThresholdEvaluator, Thresholds
    from app.sensors.series import SensorInfo, SensorSeries
    from ui.sensors.plot import SensorPlot

    info = SensorInfo(id="wl-x", type="water_level", name="测试", unit_of_measure="m",
                      thresholds=Thresholds(warning_high=0.15, alarm_high=0.27, hysteresis=0.02))
    t = T0 + np.arange(86_400, dtype=float)
    v = 0.14 + 0.16 * np.sin((t - T0) / 86_400 * 6 * np.pi) + 0.003 * np.random.default_rng(1).standard_normal(t.size)
    series = SensorSeries()
    series.extend(t, v, ThresholdEvaluator(info.thresholds).evaluate(t, v)[0])
    plot = SensorPlot(info, window_s=24 * 3600)
    plot.resize(900, 300)
    plot.show()
    plot.update_from(series, float(t[-1]))
    plot.grab()
    times = []
    last = float(t[-1])
    for i in range(30):
        last += 1
        series.append(last, 0.2)
        started = time.perf_counter()
        plot.update_from(series, last)
        plot.repaint()
        app.processEvents()
        times.append((time.perf_counter() - started) * 1000)
    emit(Row("sensor plot: live update with 24 h of 1 Hz readings", round(statistics.median(times), 2), "ms", 50,
             note=f"median of 30 updates (86,400 points, one PlotDataItem, peak downsampling, clip to view, "
                  f"900x300 offscreen repaint); max {max(times):.1f} ms; shared machine, noisy"))


def bench_alarms(app) -> None:
    from app.sensors.alarm_source import FeedAlarmSource
    from app.sensors.series import SensorInfo
    from ui.sensors.alarm_model import AlarmModel

    rows = {r["id"]: r for r in (alarm_row(i) for i in range(N_ALARMS))}
    source = FeedAlarmSource(RowsCache(rows))
    source.load()
    sensors = {f"wl-{i:03d}": SensorInfo(id=f"wl-{i:03d}", type="water_level", name=f"wl {i}",
                                         unit_of_measure="m") for i in range(1, 16)}
    model = AlarmModel(source, sensors)
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    source.events.alarms_changed.connect(model.refresh)
    batch = {}
    for i in range(N_BATCH // 2):
        r = alarm_row(N_ALARMS + i)
        batch[r["id"]] = r                            # new
        u = alarm_row(i * 7, "acknowledged")
        batch[u["id"]] = u                            # changed
    started = time.perf_counter()
    source.apply_rows(batch)
    took = (time.perf_counter() - started) * 1000
    assert model.rowCount() == N_ALARMS + N_BATCH // 2 and not resets
    emit(Row("alarm list: apply a feed batch of 1,000 alarm changes", round(took, 2), "ms", 50,
             note=f"{N_BATCH // 2} new + {N_BATCH // 2} changed over {N_ALARMS:,} alarms: parse, rowsInserted / "
                  f"dataChanged, no reset; GUI-thread time; shared machine, noisy"))


def main() -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    for bench in (bench_plot, bench_alarms):
        log(f"running {bench.__name__}")
        bench(app)  # a crash becomes a row with the error (bench/__main__.py)
    return 0


if __name__ == "__main__":
    sys.exit(main())
