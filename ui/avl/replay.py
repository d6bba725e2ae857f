"""Replaying a device's track on the map: the server's raw track for a time window (the last hour by default,
at most 24 h), drawn as a line with a marker that a slider moves along it, the time of each point shown.
Needs the server (the console keeps only each device's latest position); offline it says so."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from app.platform.times import fmt
from ui.shell.ops import run_op

log = logging.getLogger(__name__)


class ReplayDialog(QDialog):
    def __init__(self, layer: Any, device_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layer = layer
        self.device_id = device_id
        self.points: list[dict] = []
        self.setWindowTitle(self.tr("Track of {device}").format(device=device_id))
        now = layer.now()
        self.start = QDateTimeEdit(QDateTime.fromSecsSinceEpoch(int((now - timedelta(hours=1)).timestamp())), self)
        self.end = QDateTimeEdit(QDateTime.fromSecsSinceEpoch(int(now.timestamp())), self)
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.load_button = QPushButton(self.tr("Show"), self)
        self.load_button.clicked.connect(self.load)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setEnabled(False)
        self.slider.valueChanged.connect(self.move_to)
        self.status = QLabel(self)
        form = QFormLayout()
        form.addRow(self.tr("From:"), self.start)
        form.addRow(self.tr("To:"), self.end)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.load_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(row)
        layout.addWidget(self.slider)
        layout.addWidget(self.status)

    def window(self) -> tuple[datetime, datetime]:
        return (datetime.fromtimestamp(self.start.dateTime().toSecsSinceEpoch(), timezone.utc),
                datetime.fromtimestamp(self.end.dateTime().toSecsSinceEpoch(), timezone.utc))

    def load(self) -> None:
        client = self.layer.client()
        if client is None:
            self.status.setText(self.tr("The track needs the server: this console is offline."))
            return
        start, end = self.window()
        self.status.setText(self.tr("Loading the track…"))
        run_op(lambda: client.device_track(self.device_id, start, end), self._loaded, self._failed, owner=self)

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(self.tr("The server did not give the track: {error}").format(error=exc))

    def _loaded(self, answer: Any) -> None:
        self.show_points([p.model_dump() if hasattr(p, "model_dump") else dict(p) for p in answer.points])

    def show_points(self, points: list[dict]) -> None:
        self.points = points
        if not points:
            self.slider.setEnabled(False)
            self.status.setText(self.tr("No positions in this window."))
            self.layer.dock.send({"op": "track", "id": self.device_id, "points": []})
            return
        self.slider.blockSignals(True)
        self.slider.setRange(0, len(points) - 1)
        self.slider.setValue(len(points) - 1)
        self.slider.blockSignals(False)
        self.slider.setEnabled(True)
        self.layer.dock.send({"op": "track", "id": self.device_id, "fit": True, "at": len(points) - 1,
                              "points": [[p["lat"], p["lon"]] for p in points]})
        self._say(len(points) - 1)

    def move_to(self, index: int) -> None:
        if not self.points:
            return
        self.layer.dock.send({"op": "track", "id": self.device_id, "at": index})
        self._say(index)

    def _say(self, index: int) -> None:
        p = self.points[index]
        speed = p.get("speed_kmh")
        self.status.setText(self.tr("{n} positions; {time}, {speed}").format(
            n=len(self.points), time=fmt(p["time"], "seconds"),
            speed=f"{speed:.0f} km/h" if isinstance(speed, (int, float)) else "—"))

    def done(self, result: int) -> None:
        self.layer.dock.send({"op": "track", "id": self.device_id, "points": []})  # the line goes with the dialog
        super().done(result)
