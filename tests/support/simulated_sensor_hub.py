"""FOR TESTS AND BENCHMARKS ONLY: a sensor hub over a local `SensorFeed` (e.g. the simulated one) that
evaluates thresholds on this console and raises alarms with the stand-in
`tests.support.simulated_sensors.SimulatedThresholdAlarmSource`. The product uses `ui.sensors.hub.SensorHub`, which shows
the server's states and alarms; this one has the same face (signals, `series`, `watch`, `states`, …) so
the panels can be exercised with a day of 1 Hz data and no server.

The day of history is computed on a worker (`ui.shell.ops.Op`) and handed over whole; after that a timer pulls
the feed's new readings, evaluates thresholds and tells the views what changed.
"""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.sensors.alarms import AlarmSource
from app.sensors.series import HISTORY_S, SensorFeed, SensorInfo, SensorSeries
from tests.support.simulated_sensors import (
    SensorBank,
    SimulatedThresholdAlarmSource,
    bootstrap_bank,
)
from ui.shell.ops import run_op

log = logging.getLogger(__name__)


class SimulatedSensorHub(QObject):
    """Owns a local feed, a `SensorBank` and the stand-in alarm source (tests and benchmarks)."""

    ready = Signal()
    updated = Signal(list)
    states_changed = Signal(dict)
    alarms_changed = Signal(list)
    history_changed = Signal(str)

    online = True  # a local feed has all its history

    def __init__(self, feed: SensorFeed, alarms: AlarmSource | None = None, *, interval_ms: int = 1000,
                 history_s: float = HISTORY_S, parent: QObject | None = None):
        super().__init__(parent)
        self.feed = feed
        self.alarms: AlarmSource = alarms if alarms is not None else SimulatedThresholdAlarmSource(
            clock=feed.now)
        self.alarms.events.alarms_changed.connect(self.alarms_changed.emit)  # queued to the GUI thread
        self.sensors: dict[str, SensorInfo] = {s.id: s for s in feed.sensors()}
        self.bank: SensorBank | None = None
        self.history_s = history_s
        self._states: dict[str, dict[str, Any]] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.tick)
        self._starting = False

    @property
    def is_ready(self) -> bool:
        return self.bank is not None

    def start(self) -> None:
        if self._starting or self.bank is not None:
            return
        self._starting = True
        feed, seconds = self.feed, self.history_s
        run_op(lambda: bootstrap_bank(feed, seconds=seconds), self._installed, self._failed, owner=self)

    def stop(self) -> None:
        self._timer.stop()

    def _installed(self, result: tuple) -> None:
        bank, changes, _end = result
        self.bank = bank
        apply = getattr(self.alarms, "apply", None)
        if apply is not None:  # the stand-in source raises alarms from our own evaluation
            apply(changes)
        self._timer.start()
        self.ready.emit()
        self._publish_states(force=True)

    def _failed(self, exc: BaseException) -> None:
        self._starting = False
        log.error("sensor history could not be loaded: %s", exc, exc_info=exc)

    def tick(self) -> None:
        if self.bank is None:
            return
        readings = self.feed.poll()
        changes = self.bank.ingest(readings)
        apply = getattr(self.alarms, "apply", None)
        if changes and apply is not None:
            apply(changes)
        fresh = [sid for sid, (t, _v) in readings.items() if len(t)]
        if fresh:
            self.updated.emit(fresh)
        self._publish_states()

    def _publish_states(self, force: bool = False) -> None:
        if self.bank is None:
            return
        states = self.bank.states(self.feed.now())
        changed = force or any(states[k]["state"] != self._states.get(k, {}).get("state") for k in states)
        self._states = states
        if changed:
            self.states_changed.emit(states)

    def states(self) -> dict[str, dict[str, Any]]:
        return dict(self._states)

    # -- the face the panels use (see ui.sensors.hub.SensorHub)

    def series(self, sensor_id: str) -> SensorSeries | None:
        return self.bank.series[sensor_id] if self.bank is not None else None

    def watch(self, sensor_id: str, window_s: float | None) -> None:
        """Everything is local: nothing to fetch."""

    def request_history(self, sensor_id: str, window_s: float) -> None:
        """Everything is local: nothing to fetch."""

    def history_note(self, sensor_id: str) -> str:
        return ""

    def alarm_periods(self, sensor_id: str, now: float) -> None:
        """None: shade the plot from the bank's own per-sample levels."""
        return None

    def now(self) -> float:
        return self.feed.now()
