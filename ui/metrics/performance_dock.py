"""The Performance dock (shift leads and admins): unit performance figures for a period and a unit, each
with its formula written out, the ranking of units, charts per day and per category, and CSV export.

Online the report is computed by the server (`ServerClient.metrics`, `GET /api/metrics`); offline, or
when the server cannot be reached, from this console's cache with the same definitions
(`app.metrics.figures.compute_offline` on the server's snapshots of the cached cases). The line under the
controls always says which, and when. The work runs in the background (`ui.shell.ops.run_op`).
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QEvent,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.metrics import csv_report as metrics_csv
from app.metrics import detection_rates
from app.metrics import figures as m
from app.platform import scope, times
from app.platform.enums import Role
from app.platform.labels import localized_name
from app.sync.client import AuthExpired, ServerRefused, ServerUnreachable
from app.sync.state import Connection
from ui.metrics.detection_rates_view import DetectionRatesPanel
from ui.metrics.models import FiguresModel, RankingModel, SortRole
from ui.metrics.posts_view import PostsPanel, ranking_tab
from ui.shell.i18n import current_language
from ui.shell.ops import run_op

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)

ROLES = (Role.SHIFT_LEAD, Role.ADMIN)
DETECTION = "detection"  # the feed's kind of a detection (server.detections.data)
PRESETS = ("today", "yesterday", "this_week", "this_month", "last_month", "custom")


def preset_range(preset: str, today: date) -> tuple[date, date] | None:
    """The local days of a period preset (None for "custom")."""
    if preset == "today":
        return today, today
    if preset == "yesterday":
        d = today - timedelta(days=1)
        return d, d
    if preset == "this_week":
        return today - timedelta(days=today.weekday()), today
    if preset == "this_month":
        return today.replace(day=1), today
    if preset == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    return None


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class FiguresView(QTableView):
    """The figures table: the formula column takes the room left, but never less than `MIN_FORMULA_PX`
    (a narrow dock scrolls sideways instead of wrapping a formula into a column of single words)."""

    MIN_FORMULA_PX = 380

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.fit_formula_column()

    def fit_formula_column(self) -> None:
        model = self.model()
        if model is None or model.columnCount() < 4:
            return
        others = sum(self.columnWidth(c) for c in range(3))
        self.setColumnWidth(3, max(self.MIN_FORMULA_PX, self.viewport().width() - others))
        self.resizeRowsToContents()


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
        self.preset = QComboBox(body, objectName="metricsPreset")
        for _ in PRESETS:
            self.preset.addItem("")
        self.start_edit = QDateEdit(body, objectName="metricsStart")
        self.end_edit = QDateEdit(body, objectName="metricsEnd")
        for edit in (self.start_edit, self.end_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.unit_combo = QComboBox(body, objectName="metricsUnit")
        self.jurisdiction_combo = QComboBox(body, objectName="metricsJurisdiction")
        self.rollup = QCheckBox(body, objectName="metricsRollup")
        self.rollup.setChecked(True)
        self.compute_button = QPushButton(body, objectName="metricsCompute")
        self.export_button = QPushButton(body, objectName="metricsExport")
        self.export_button.setEnabled(False)
        self.period_label, self.unit_label = QLabel(body), QLabel(body)
        self.source_label = QLabel(body, objectName="metricsSource")
        self.source_label.setWordWrap(True)

        self.figures_model = FiguresModel(self)
        self.figures_view = FiguresView(body, objectName="metricsFigures")
        self.figures_view.setModel(self.figures_model)
        self.figures_view.setWordWrap(True)
        self.figures_view.verticalHeader().hide()
        self.figures_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.figures_view.horizontalHeader()
        for col in range(3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)  # FiguresView keeps it wide enough

        self.ranking_model = RankingModel(ctx.refdata, current_language(), self)
        self.ranking_proxy = QSortFilterProxyModel(self)
        self.ranking_proxy.setSourceModel(self.ranking_model)
        self.ranking_proxy.setSortRole(SortRole)
        self.ranking_view = QTableView(body, objectName="metricsRanking")
        self.ranking_view.setModel(self.ranking_proxy)
        self.ranking_view.setSortingEnabled(True)
        self.ranking_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.ranking_view.verticalHeader().hide()
        self.ranking_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.ranking_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.ranking_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

        # pyqtgraph loads here: only a lead's console builds this dock
        from ui.metrics.charts import MetricsCharts

        self.charts = MetricsCharts(body)
        self.tabs = QTabWidget(body, objectName="metricsTabs")
        self.tabs.addTab(self.figures_view, "")
        ranking_box, self.ranking_caption = ranking_tab(self.ranking_view, body)
        self.posts = PostsPanel(body)
        self.tabs.addTab(ranking_box, "")
        self.tabs.addTab(self.charts, "")
        self.tabs.addTab(self.posts, "")
        self.detections = DetectionRatesPanel(body, current_language())
        self.tabs.addTab(self.detections, "")
        self.denied = QLabel(body, objectName="metricsDenied")
        self.denied.setWordWrap(True)

        self.unit_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.unit_combo.setMinimumContentsLength(18)
        period_row, unit_row = QHBoxLayout(), QHBoxLayout()
        for w in (self.period_label, self.preset, self.start_edit, QLabel("–", body), self.end_edit):
            period_row.addWidget(w)
        period_row.addStretch(1)
        period_row.addWidget(self.compute_button)
        for w in (self.unit_label, self.unit_combo, self.rollup, self.jurisdiction_combo):
            unit_row.addWidget(w)
        unit_row.addStretch(1)
        unit_row.addWidget(self.export_button)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(period_row)
        layout.addLayout(unit_row)
        layout.addWidget(self.source_label)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.denied)
        self.setWidget(body)

        self._debounce = QTimer(self, singleShot=True, interval=300)
        self._debounce.timeout.connect(self.compute)
        self.preset.currentIndexChanged.connect(self._preset_changed)
        for edit in (self.start_edit, self.end_edit):
            edit.dateChanged.connect(self._dates_edited)
        self.unit_combo.currentIndexChanged.connect(lambda _i: self._schedule())
        self.jurisdiction_combo.currentIndexChanged.connect(lambda _i: self._schedule())
        self.rollup.toggled.connect(lambda _on: self._schedule())
        self.compute_button.clicked.connect(self.compute)
        self.export_button.clicked.connect(self.export_csv_dialog)
        ctx.signals.language_changed.connect(lambda _lang: self._retranslate())
        ctx.signals.refdata_changed.connect(lambda _v: self._fill_units())

        self._fill_units()
        self._setting_preset = False
        self.preset.setCurrentIndex(PRESETS.index("this_month"))
        self._preset_changed(self.preset.currentIndex())
        self._retranslate()
        self.tabs.setVisible(self.allowed)
        for w in (self.preset, self.start_edit, self.end_edit, self.unit_combo, self.rollup, self.compute_button,
                  self.jurisdiction_combo):
            w.setEnabled(self.allowed)
        self.denied.setVisible(not self.allowed)
        # Computed when first shown (a tab behind the map costs nothing at start-up), then on every change.
        self._stale = self.allowed
        self.visibilityChanged.connect(self._visibility_changed)

    # ------------------------------------------------------------------ controls

    def today(self) -> date:
        refdata = self.ctx.refdata
        tz = refdata.policy.calendar.tz if refdata is not None else timezone.utc
        return self.clock().astimezone(tz).date()

    def _fill_units(self) -> None:
        refdata = self.ctx.refdata
        current = self.unit_combo.currentData()
        self.unit_combo.blockSignals(True)
        self.unit_combo.clear()
        self.unit_combo.addItem("", None)
        if refdata is not None:
            language = current_language()
            order = [refdata.root_unit_id, *refdata.descendants(refdata.root_unit_id)]
            for uid in order:
                unit = refdata.unit(uid)
                self.unit_combo.addItem("　" * unit.level + localized_name(unit, language), uid)
        index = self.unit_combo.findData(current)
        self.unit_combo.setCurrentIndex(max(index, 0))
        self.unit_combo.setItemText(0, self.tr("City-wide"))
        self.unit_combo.setItemData(0, self.tr("Every unit, and the cases not dispatched to any"), Qt.ItemDataRole.ToolTipRole)
        self.unit_combo.blockSignals(False)
        self.ranking_model.refdata = refdata
        self._fill_jurisdictions()

    def _own_jurisdictions(self) -> tuple[str, ...]:
        refdata, username = self.ctx.refdata, self.ctx.actor.username
        return refdata.user(username).jurisdictions if refdata is not None and any(
            u.username == username for u in refdata.users) else ()

    def _fill_jurisdictions(self) -> None:
        """Every jurisdiction the user's figures may be filtered by: its own (a district lead: its district and
        streets; else the whole reference data first), districts, then streets."""
        refdata, combo = self.ctx.refdata, self.jurisdiction_combo
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        own = self._own_jurisdictions()
        if not own:
            combo.addItem(self.tr("All jurisdictions"), None)
        if refdata is not None:
            names = {g.street: g.street_name for g in refdata.grids}
            codes = sorted({*refdata.cities, *(s[:6] for s in refdata.streets), *refdata.streets})
            for code in codes:
                if own and not any(code.startswith(o) for o in own):
                    continue
                label = {4: self.tr("City {code}"), 6: self.tr("District {code}")}.get(len(code), "　{name} {code}")
                combo.addItem(label.format(code=code, name=names.get(code, "")), code)
        combo.setCurrentIndex(max(combo.findData(current), 0))
        combo.blockSignals(False)

    def jurisdiction(self) -> str | None:
        """The jurisdiction the figures are filtered by (None: every case the user may see)."""
        return self.jurisdiction_combo.currentData()

    def _preset_changed(self, index: int) -> None:
        span = preset_range(PRESETS[index], self.today())
        if span is None:
            return
        self._setting_preset = True
        self.start_edit.setDate(_qdate(span[0]))
        self.end_edit.setDate(_qdate(span[1]))
        self._setting_preset = False
        self._schedule()

    def _dates_edited(self, _date: QDate) -> None:
        if not self._setting_preset:
            self.preset.blockSignals(True)
            self.preset.setCurrentIndex(PRESETS.index("custom"))
            self.preset.blockSignals(False)
            self._schedule()

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
        return (_pydate(self.start_edit.date()), _pydate(self.end_edit.date()), self.unit_combo.currentData(),
                self.rollup.isChecked())

    def set_selection(self, start: date, end: date, unit_id: str | None = None, rollup: bool = True) -> None:
        """Choose a period and unit programmatically (tests, links from other docks); computes."""
        self._setting_preset = True
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(PRESETS.index("custom"))
        self.preset.blockSignals(False)
        self.start_edit.setDate(_qdate(start))
        self.end_edit.setDate(_qdate(end))
        self._setting_preset = False
        self.unit_combo.setCurrentIndex(max(self.unit_combo.findData(unit_id), 0))
        self.rollup.setChecked(rollup)
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
        online = self._online()
        client = self.ctx.engine.client if online else None
        cache, refdata, now = self.ctx.cache, self.ctx.refdata, self.clock()
        where = self.jurisdiction()

        def work():
            why = ""
            if client is not None:
                try:
                    asked = {"jurisdiction": where} if where else {}
                    return client.metrics(start, end, unit_id, rollup, **asked), ""
                except (ServerUnreachable, AuthExpired) as exc:
                    why = str(exc)
                    log.info("metrics from the cache: the server did not answer (%s)", exc)
            if refdata is None:
                raise RuntimeError("no reference data in the cache yet")
            cases = cache.server_cases()
            if where:  # the cases that lie in it (`app.platform.scope.case_jurisdiction`)
                cases = (c for c in cases if (scope.case_jurisdiction(c) or "").startswith(where))
            report = m.compute_offline(cases, refdata, start, end, unit_id, rollup, now)
            if unit_id is None:  # from the detections this console holds (the desk's feed carries them)
                rates = detection_rates.report_rates(
                    cache.entities(DETECTION).values(), report.period.start_at, report.period.end_at,
                    detection_rates.seen_in(refdata, where) if where else None)
                report = report.model_copy(update={"detection_rates": rates})
            return (report.model_copy(update={"jurisdiction": where}) if where else report), why

        run_op(work, self._computed, self._failed)

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
        self.figures_model.set_report(report)
        self.figures_view.resizeColumnsToContents()
        self.figures_view.fit_formula_column()
        self.ranking_model.set_report(report, self.ctx.refdata)
        self.ranking_caption.update_from(report)
        self.posts.update_from(report)
        self.detections.update_from(report)
        self.charts.update_from(report, self.ctx.refdata, current_language())
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
        self._fill_jurisdictions()
        texts = {"today": self.tr("Today"), "yesterday": self.tr("Yesterday"), "this_week": self.tr("This week"),
                 "this_month": self.tr("This month"), "last_month": self.tr("Last month"),
                 "custom": self.tr("Custom period")}
        for i, key in enumerate(PRESETS):
            self.preset.setItemText(i, texts[key])
        self.period_label.setText(self.tr("Period:"))
        self.unit_label.setText(self.tr("Unit:"))
        self.rollup.setText(self.tr("Include sub-units"))
        self.rollup.setToolTip(self.tr("A unit's figures include those of every unit below it in the hierarchy"))
        self.compute_button.setText(self.tr("Compute"))
        self.export_button.setText(self.tr("Export CSV…"))
        self.tabs.setTabText(0, self.tr("Figures and formulas"))
        self.tabs.setTabText(1, self.tr("Ranking of units"))
        self.tabs.setTabText(2, self.tr("Charts"))
        self.tabs.setTabText(3, self.tr("Center posts"))
        self.tabs.setTabText(4, self.tr("Detections"))
        self.detections.language = current_language()
        self.detections.retranslate()
        if self.report is not None:
            self.detections.update_from(self.report)
        self.denied.setText(self.tr("Performance figures are for shift leads and administrators."))
        self._fill_units()
        self.figures_model.retranslate()
        self.ranking_model.set_language(current_language())
        self.charts.retranslate()
        if self.report is not None:
            self.charts.update_from(self.report, self.ctx.refdata, current_language())
        self._update_source()

