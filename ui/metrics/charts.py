"""The Performance dock's two pyqtgraph charts: cases per day (registered, dispatched, handled, closed)
and the distribution per category (registered and closed as horizontal bars, busiest category on top,
named on the left axis so long names stay legible).

One `PlotDataItem` per trend series and two `BarGraphItem`s, refreshed with `setData`/`setOpts`; colours
come from the theme (a style sheet cannot reach a pyqtgraph scene) and follow a theme switch.
"""
from __future__ import annotations

from datetime import datetime, time

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QHBoxLayout, QWidget

from app.metrics import figures as m
from app.platform.labels import localized_name
from ui.shell import theme

MAX_CATEGORIES = 12
MAX_NAME = 14
DAY_S = 86400
# Colour-blind-safe colours (ui/shell/theme.py SERIES) and a marker shape of its own for each series, so
# the curves stay apart even printed in grey.
_SERIES = (("registered", "series_1"), ("dispatched", "series_2"), ("handled", "series_3"), ("closed", "series_4"))
SYMBOLS = {"registered": "o", "dispatched": "s", "handled": "t", "closed": "d"}


def _tr(text: str) -> str:
    return QCoreApplication.translate("Metrics", text)


class MetricsCharts(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.trend = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self.trend.setObjectName("metricsTrendPlot")
        self.trend.showGrid(x=True, y=True, alpha=0.25)
        self.trend.setMouseEnabled(y=False)
        self.legend = self.trend.addLegend(offset=(8, 8))
        self.curves = {key: self.trend.plot([], [], symbol=SYMBOLS[key], symbolSize=7, name=key) for key, _ in _SERIES}
        self.bars_plot = pg.PlotWidget()
        self.bars_plot.setObjectName("metricsCategoryPlot")
        self.bars_plot.showGrid(x=True, alpha=0.25)
        self.bars_plot.setMouseEnabled(x=False, y=False)
        self.bars_legend = self.bars_plot.addLegend(offset=(-8, -8))
        self.bars_registered = pg.BarGraphItem(x0=[], y=[], width=[], height=0.38)
        self.bars_closed = pg.BarGraphItem(x0=[], y=[], width=[], height=0.38)
        self.bars_plot.addItem(self.bars_registered)
        self.bars_plot.addItem(self.bars_closed)
        self.bars_legend.addItem(self.bars_registered, "registered")
        self.bars_legend.addItem(self.bars_closed, "closed")
        row.addWidget(self.trend, 3)
        row.addWidget(self.bars_plot, 2)
        self.category_codes: list[str] = []
        self.restyle()
        self.retranslate()
        theme.follow_theme(self)

    def changeEvent(self, event: QEvent) -> None:
        if theme.theme_switched(self, event):
            self.restyle()
        super().changeEvent(event)

    def restyle(self) -> None:
        c = theme.colors()
        for plot in (self.trend, self.bars_plot):
            plot.setBackground(c["plot_bg"])
            for side in ("left", "bottom"):
                axis = plot.getAxis(side)
                axis.setPen(pg.mkPen(c["plot_fg"]))
                axis.setTextPen(pg.mkPen(c["plot_fg"]))
            plot.getPlotItem().titleLabel.setAttr("color", c["plot_fg"])
        for key, colour in _SERIES:
            self.curves[key].setPen(pg.mkPen(c[colour], width=2))
            self.curves[key].setSymbolBrush(c[colour])
            self.curves[key].setSymbolPen(c[colour])
        self.bars_registered.setOpts(brush=c["series_1"], pen=c["series_1"])
        self.bars_closed.setOpts(brush=c["series_4"], pen=c["series_4"])
        for legend in (self.legend, self.bars_legend):
            legend.setLabelTextColor(c["plot_fg"])

    def retranslate(self) -> None:
        self.trend.setTitle(QCoreApplication.translate("Metrics", "Cases per day"))
        self.bars_plot.setTitle(QCoreApplication.translate("Metrics", "Per category (busiest on top)"))
        for (key, _), (_sample, label) in zip(_SERIES, self.legend.items):
            label.setText(_tr(m.FIGURES_BY_KEY[key].label))
        texts = (_tr(m.FIGURES_BY_KEY["registered"].label), _tr(m.FIGURES_BY_KEY["closed"].label))
        for (_sample, label), text in zip(self.bars_legend.items, texts):
            label.setText(text)

    def update_from(self, report: m.Report | None, refdata=None, language: str | None = None) -> None:
        trend = report.trend if report is not None else []
        cats = report.categories[:MAX_CATEGORIES] if report is not None else []
        tz = refdata.policy.calendar.tz if refdata is not None else None
        xs = [datetime.combine(p.day, time(12), tzinfo=tz).timestamp() for p in trend]
        if tz is not None:  # the date axis in the city's time zone, not this machine's
            offset = tz.utcoffset(datetime.combine(trend[0].day, time(12))) if trend else None
            self.trend.getAxis("bottom").utcOffset = -int(offset.total_seconds()) if offset is not None else None
        top = 0
        for key, _ in _SERIES:
            ys = [getattr(p, key) for p in trend]
            top = max([top, *ys])
            self.curves[key].setData(xs, ys)
        if xs:
            self.trend.setXRange(xs[0] - DAY_S / 2, xs[-1] + DAY_S / 2, padding=0.02)
        self.trend.setYRange(0, max(top, 1) * 1.12, padding=0)

        self.category_codes = [c.category_code for c in cats]
        ys = [len(cats) - 1 - i for i in range(len(cats))]  # busiest on top
        self.bars_registered.setOpts(x0=[0] * len(cats), y=[y + 0.2 for y in ys], width=[c.registered for c in cats])
        self.bars_closed.setOpts(x0=[0] * len(cats), y=[y - 0.2 for y in ys], width=[c.closed for c in cats])
        ticks = []
        for y, c in zip(ys, cats):
            name = c.category_code
            if refdata is not None and refdata.has_category(c.category_code):
                name = localized_name(refdata.category(c.category_code), language)
            ticks.append((y, name if len(name) <= MAX_NAME else name[:MAX_NAME - 1] + "…"))
        self.bars_plot.getAxis("left").setTicks([ticks])
        widest = max([1, *(c.registered for c in cats)])
        self.bars_plot.setXRange(0, widest * 1.15, padding=0)
        self.bars_plot.setYRange(-0.7, max(len(cats), 1) - 0.3, padding=0)
