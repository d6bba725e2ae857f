"""The Performance dock (shift leads and admins): unit performance figures for a period and a unit, each
with its formula written out, the ranking of units, charts per day and per category, and CSV export.

Online the report is computed by the server (`ServerClient.metrics`, `GET /api/metrics`); offline, or
when the server cannot be reached, from this console's cache with the same definitions
(`ui.metrics.report_source`). The line under the controls always says which, and when. The work runs in
the background (`ui.shell.ops.run_op`).

The dock assembles and decides when to compute; its parts live beside it: the filter bar
(`period_bar`), the five tabs (`report_tabs`) and where a report comes from (`report_source`).
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QVBoxLayout, QWidget

from app.metrics import csv_report as metrics_csv
from app.metrics import figures as m
from app.platform import times
from app.platform.enums import Role
from app.sync.client import ServerRefused
from app.sync.state import Connection
from ui.metrics.period_bar import PeriodBar
from ui.metrics.report_source import compute_report
from ui.metrics.report_tabs import ReportTabs
from ui.shell.i18n import current_language
from ui.shell.ops import run_op

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)

ROLES = (Role.SHIFT_LEAD, Role.ADMIN)


class PerformanceDock(QDockWidget):
    def __init__(self, ctx: ConsoleContext, parent: QWidget | None = None, *, clock=None):
        super().__init__(parent)
        self.setObjectName("PerformanceDock")
        self.ctx = ctx
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.report: m.Report | None = None
        self.computing = False
        self.last_error: str | None = None
        self._pending = False
        self._why_cache = ""
        self.allowed = ctx.actor.role in ROLES

        body = QWidget(self)
        self.bar = PeriodBar(ctx, self.today, body)
        self.source_label = QLabel(body, objectName="metricsSource")
        self.source_label.setWordWrap(True)
        self.tabs = ReportTabs(ctx.refdata, body)
        self.denied = QLabel(body, objectName="metricsDenied")
        self.denied.setWordWrap(True)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.bar)
        layout.addWidget(self.source_label)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.denied)
        self.setWidget(body)
        # the parts' widgets under the dock's own names (callers and tests act on the dock)
        b, t = self.bar, self.tabs
        self.preset, self.start_edit, self.end_edit = b.preset, b.start_edit, b.end_edit
        self.unit_combo, self.jurisdiction_combo, self.rollup = b.unit_combo, b.jurisdiction_combo, b.rollup
        self.compute_button, self.export_button = b.compute_button, b.export_button
        self.figures_model, self.figures_view = t.figures_model, t.figures_view
        self.ranking_model, self.ranking_proxy, self.ranking_view = t.ranking_model, t.ranking_proxy, t.ranking_view
        self.ranking_caption, self.charts, self.posts, self.detections = (t.ranking_caption, t.charts, t.posts,
                                                                          t.detections)

        self._debounce = QTimer(self, singleShot=True, interval=300)
        self._debounce.timeout.connect(self.compute)
        self.bar.changed.connect(self._schedule)
        self.compute_button.clicked.connect(self.compute)
        self.export_button.clicked.connect(self.export_csv_dialog)
        ctx.signals.language_changed.connect(lambda _lang: self._retranslate())
        ctx.signals.refdata_changed.connect(lambda _v: self._refdata_changed())

        self._retranslate()
        self.tabs.setVisible(self.allowed)
        self.bar.set_allowed(self.allowed)
        self.denied.setVisible(not self.allowed)
        # Computed when first shown (a tab behind the map costs nothing at start-up), then on every change.
        self._stale = self.allowed
        self.visibilityChanged.connect(self._visibility_changed)

    # ------------------------------------------------------------------ controls

    def today(self) -> date:
        refdata = self.ctx.refdata
        tz = refdata.policy.calendar.tz if refdata is not None else timezone.utc
        return self.clock().astimezone(tz).date()

    def _refdata_changed(self) -> None:
        self.bar.fill_units()
        self.ranking_model.refdata = self.ctx.refdata

    def jurisdiction(self) -> str | None:
        """The jurisdiction the figures are filtered by (None: every case the user may see)."""
        return self.bar.jurisdiction()

    def _schedule(self) -> None:
        if not self.allowed:
            return
        if self.isVisible():
            self._debounce.start()
        else:
            self._stale = True

    def _visibility_changed(self, visible: bool) -> None:
        if visible and self._stale:
            self._stale = False
            self._debounce.start()

    def selection(self) -> tuple[date, date, str | None, bool]:
        return self.bar.selection()

    def set_selection(self, start: date, end: date, unit_id: str | None = None, rollup: bool = True) -> None:
        """Choose a period and unit programmatically (tests, links from other docks); computes."""
        self.bar.set_selection(start, end, unit_id, rollup)
        self._debounce.stop()
        self.compute()

    # ------------------------------------------------------------------ computing

    def _online(self) -> bool:
        engine = self.ctx.engine
        if engine is None or self.ctx.session.offline or getattr(engine, "client", None) is None:
            return False
        state = getattr(engine, "state", None)
        return state is None or state.connection in (Connection.ONLINE, Connection.SYNCING)

    def compute(self) -> None:
        if not self.allowed:
            return
        if self.computing:
            self._pending = True
            return
        start, end, unit_id, rollup = self.selection()
        if end < start:
            self._show_error(self.tr("The end of the period is before its start."))
            return
        self.computing = True
        self.compute_button.setEnabled(False)
        self.source_label.setText(self.tr("Computing…"))
        client = self.ctx.engine.client if self._online() else None
        cache, refdata, now, where = self.ctx.cache, self.ctx.refdata, self.clock(), self.jurisdiction()
        run_op(lambda: compute_report(client, cache, refdata, start, end, unit_id, rollup, now, where),
               self._computed, self._failed)

    def _computed(self, result) -> None:
        if not shiboken6.isValid(self):  # the dock was closed while the report was computed
            return
        report, why = result
        self.computing = False
        self.compute_button.setEnabled(True)
        self.last_error = None
        self._why_cache = why
        self.show_report(report)
        if self._pending:
            self._pending = False
            self.compute()

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.computing = False
        self.compute_button.setEnabled(True)
        if isinstance(exc, ServerRefused):
            text = self.tr("The server refused the report: {message}").format(message=exc.message)
        elif isinstance(exc, m.MetricsError):
            text = str(exc)
        else:
            log.error("performance report failed", exc_info=exc)
            text = self.tr("The report could not be computed: {error}").format(error=exc)
        self._show_error(text)
        if self._pending:
            self._pending = False
            self.compute()

    def _show_error(self, text: str) -> None:
        self.last_error = text
        self.source_label.setText(text)

    def show_report(self, report: m.Report) -> None:
        self.report = report
        self.tabs.show_report(report, self.ctx.refdata)
        self.export_button.setEnabled(True)
        self._update_source()

    def _update_source(self) -> None:
        report = self.report
        if report is None:
            self.source_label.setText("")
            return
        when = times.fmt(report.period.as_of)  # city time, like every time the console shows
        if report.source == "server":
            text = self.tr("Computed by the server at {time}.").format(time=when)
        else:
            text = self.tr("Computed from this console's cache at {time} (offline): changes made on the server "
                           "since the last sync are not included.").format(time=when)
            if self._why_cache:
                text += " " + self.tr("The server could not be reached.")
            if report.note:
                text += " " + QCoreApplication.translate("Metrics", report.note)
        self.source_label.setText(text)

    # ------------------------------------------------------------------ export

    def csv_text(self) -> str:
        if self.report is None or self.ctx.refdata is None:
            raise RuntimeError("no report to export yet")
        return metrics_csv.report_csv(self.report, self.ctx.refdata, current_language())

    def export_csv(self, path: Path) -> None:
        """Write the report as CSV, UTF-8 with a BOM (Excel then shows the Chinese)."""
        Path(path).write_text(self.csv_text(), encoding=metrics_csv.CSV_ENCODING, newline="")

    def export_csv_dialog(self) -> None:
        if self.report is None:
            return
        p = self.report.period
        name = f"performance-{p.start.isoformat()}-{p.end.isoformat()}{'-' + self.report.unit_id if self.report.unit_id else ''}.csv"
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export performance report"), name,
                                              self.tr("CSV files (*.csv)"))
        if not path:
            return
        try:
            self.export_csv(Path(path))
        except OSError as exc:
            self._show_error(self.tr("Could not write {path}: {error}").format(path=path, error=exc.strerror or exc))
            return
        self.source_label.setText(self.source_label.text() + " " + self.tr("Exported to {path}.").format(path=path))

    # ------------------------------------------------------------------ language

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Performance"))
        self.bar.retranslate()
        self.tabs.retranslate(self.report, self.ctx.refdata)
        self.denied.setText(self.tr("Performance figures are for shift leads and administrators."))
        self._update_source()
