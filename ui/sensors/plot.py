"""One sensor's readings over time: a pyqtgraph plot with a date axis, the threshold lines (warning and
alarm, high and low) and shaded periods where the sensor was at warning or alarm level.

One `PlotDataItem` per series, refreshed with `setData`; peak downsampling and clip-to-view keep a day
of 1 Hz readings (86,400 points) smooth. Shading regions come from a small reused pool: the server's
alarm periods when given (`update_from(..., periods=...)`), else the series' own per-sample levels.
A note line under the title says when the history is incomplete (offline, loading, refused).
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.platform.i18n import QT_TRANSLATE_NOOP
from app.platform.labels import localized_name
from app.sensors.levels import level_runs
from app.sensors.series import SensorInfo, SensorSeries
from ui.shell import theme
from ui.shell.i18n import current_language

MAX_REGIONS = 60


def level_colour(level: int) -> QColor:
    """Threshold lines and shading: the theme's plot warning (level 1) or alarm (level 2+) colour."""
    return theme.color("plot_alarm" if level >= 2 else "plot_warn")

_LINE_TEXT = {
    "alarm_high": QT_TRANSLATE_NOOP("SensorPlot", "Alarm high"),
    "warning_high": QT_TRANSLATE_NOOP("SensorPlot", "Warning high"),
    "warning_low": QT_TRANSLATE_NOOP("SensorPlot", "Warning low"),
    "alarm_low": QT_TRANSLATE_NOOP("SensorPlot", "Alarm low"),
}


def y_range(vmin: float, vmax: float, thresholds: list[float]) -> tuple[float, float]:
    """The data range, widened to show thresholds that lie within one data span of it (so a
    reading far from every line is not squashed flat), with a little padding."""
    if not (math.isfinite(vmin) and math.isfinite(vmax)):
        vmin, vmax = 0.0, 1.0
    span = max(vmax - vmin, abs(vmax) * 0.05, 1e-6)
    lo, hi = vmin, vmax
    for value in thresholds:
        if vmin - span <= value <= vmax + span:
            lo, hi = min(lo, value), max(hi, value)
    pad = (hi - lo) * 0.08 or 0.5
    return lo - pad, hi + 2 * pad  # room above for the threshold labels


class SensorPlot(QWidget):
    """A titled plot of one sensor. `update_from(series, now)` redraws when the series changed;
    `window_s` is the visible time span (following the newest reading while `follow` is on)."""

    closed = Signal(str)

    def __init__(self, info: SensorInfo, parent: QWidget | None = None, *, window_s: float = 6 * 3600):
        super().__init__(parent)
        self.info = info
        self.window_s = window_s
        self.follow = True
        self._version = -1
        self._regions: list[pg.LinearRegionItem] = []
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        # a long sensor name must not widen the dock: it is cut instead (and shown whole as a tooltip)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.note = QLabel(self)
        self.note.setObjectName("dockNote")  # muted, per theme (resources/styles/*.qss)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.hide()
        self.plot = pg.PlotWidget(parent=self, axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setMouseEnabled(x=True, y=False)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.getAxis("left").enableAutoSIPrefix(False)  # "m" is metres, not milli-
        self.curve = self.plot.plot()
        self.curve.setDownsampling(auto=True, method="peak")
        self.curve.setClipToView(True)
        self.curve.setZValue(10)
        self._lines: list[tuple[str, pg.InfiniteLine]] = []
        self._line_levels: list[int] = []
        for name, level, value in info.thresholds.lines():
            line = pg.InfiniteLine(pos=value, angle=0, movable=False, label="",
                                   labelOpts={"position": 0.02, "anchors": [(0, 1), (0, 1)]})
            line.setZValue(5)
            self.plot.addItem(line)
            self._lines.append((name, line))
            self._line_levels.append(level)
        self._shaded_levels: list[int] = []
        self.plot.getViewBox().sigRangeChangedManually.connect(self._manual_range)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        layout.addWidget(self.plot, 1)
        self._last_range: tuple[float, float] | None = None
        self.restyle()
        self.retranslate()
        theme.follow_theme(self)

    # -- colours

    def restyle(self) -> None:
        """Take the plot's colours from the current theme (ui.shell.theme.colors(): a style sheet cannot reach a
        pyqtgraph scene): background, axes and their text, the curve, threshold lines and shading."""
        c = theme.colors()
        self.plot.setBackground(c["plot_bg"])
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.setPen(pg.mkPen(c["plot_fg"]))
            axis.setTextPen(pg.mkPen(c["plot_fg"]))  # tick labels and the axis label
        self.curve.setPen(pg.mkPen(c["plot_curve"], width=1.5))
        for (_name, line), level in zip(self._lines, self._line_levels):
            colour = level_colour(level)
            line.setPen(pg.mkPen(colour, width=1.2, style=Qt.PenStyle.DashLine))
            line.label.setColor(colour)
        for region, level in zip(self._regions, self._shaded_levels):
            region.setBrush(self._shade_brush(level))
            region.update()

    @staticmethod
    def _shade_brush(level: int) -> QColor:
        colour = level_colour(level)
        colour.setAlpha(55 if level >= 2 else 45)
        return colour

    # -- texts

    def retranslate(self) -> None:
        name = localized_name(self.info, current_language())
        unit = self.info.unit_of_measure
        self.title.setText(f"{name}  ({self.info.id}{', ' + unit if unit else ''})")
        self.title.setToolTip(self.title.text())
        self.plot.setLabel("left", unit)
        for name, line in self._lines:
            value = line.value()
            line.label.setFormat(f"{QCoreApplication.translate('SensorPlot', _LINE_TEXT[name])} {value:g}")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif theme.theme_switched(self, event):
            self.restyle()
        super().changeEvent(event)

    # -- data

    def set_window(self, seconds: float) -> None:
        self.window_s = seconds
        self.follow = True
        self._version = -1

    def _manual_range(self, *_args) -> None:
        self.follow = False  # the operator panned or zoomed: stop jumping to the newest reading

    def set_note(self, text: str) -> None:
        """A line under the title about the history shown ("" hides it)."""
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def update_from(self, series: SensorSeries, now: float | None = None, force: bool = False,
                    periods: list[tuple[float, float, int]] | None = None) -> bool:
        """Redraw from `series` (a `SensorSeries` or anything with `version` and `arrays()`) if it
        changed since the last call; returns True when redrawn. `periods` (start, end, level) shade the
        plot instead of the series' own levels."""
        if not force and series.version == self._version:
            return False
        self._version = series.version
        t, v, lv = series.arrays()
        self.curve.setData(t, v.astype(np.float64, copy=False))
        self._shade(t, lv, periods)
        if self.follow and len(t):
            end = t[-1] if now is None else max(now, t[-1])
            start = end - self.window_s
            self.plot.setXRange(start, end, padding=0.0)
            i = int(np.searchsorted(t, start))
            visible = v[i:]
            if len(visible):
                with np.errstate(invalid="ignore"):
                    lo, hi = float(np.nanmin(visible)), float(np.nanmax(visible))
                lines = [line.value() for _, line in self._lines]
                rng = y_range(lo, hi, lines)
                if rng != self._last_range:
                    self.plot.setYRange(*rng, padding=0.0)
                    self._last_range = rng
        return True

    def _shade(self, t: np.ndarray, lv: np.ndarray,
               periods: list[tuple[float, float, int]] | None = None) -> None:
        runs = (level_runs(t, lv, 1) if periods is None else sorted(periods))[-MAX_REGIONS:]
        while len(self._regions) < len(runs):
            region = pg.LinearRegionItem(movable=False)
            region.setZValue(-10)
            for line in region.lines:
                line.setPen(pg.mkPen(None))
            self.plot.addItem(region)
            self._regions.append(region)
        self._shaded_levels = [level for _start, _end, level in runs]
        for region, (start, end, level) in zip(self._regions, runs):
            region.setBrush(self._shade_brush(level))
            region.setRegion((start, max(end, start + 1)))
            region.show()
        for region in self._regions[len(runs):]:
            region.hide()

    def shaded_periods(self) -> list[tuple[float, float]]:
        return [tuple(r.getRegion()) for r in self._regions if r.isVisible()]
