"""The Performance dock's tabs: one report shown five ways — every figure with its formula, the ranking of
units (peers only), the charts per day and per category, the centre's posts, and the detections'
false-positive rates."""
from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableView,
    QTabWidget,
    QWidget,
)

from app.metrics import figures as m
from ui.metrics.detection_rates_view import DetectionRatesPanel
from ui.metrics.models import FiguresModel, RankingModel, SortRole
from ui.metrics.posts_view import PostsPanel, ranking_tab
from ui.shell.i18n import current_language


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


class ReportTabs(QTabWidget):
    def __init__(self, refdata, parent: QWidget | None = None):
        super().__init__(parent, objectName="metricsTabs")
        self.figures_model = FiguresModel(self)
        self.figures_view = FiguresView(self, objectName="metricsFigures")
        self.figures_view.setModel(self.figures_model)
        self.figures_view.setWordWrap(True)
        self.figures_view.verticalHeader().hide()
        self.figures_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.figures_view.horizontalHeader()
        for col in range(3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)  # FiguresView keeps it wide enough

        self.ranking_model = RankingModel(refdata, current_language(), self)
        self.ranking_proxy = QSortFilterProxyModel(self)
        self.ranking_proxy.setSourceModel(self.ranking_model)
        self.ranking_proxy.setSortRole(SortRole)
        self.ranking_view = QTableView(self, objectName="metricsRanking")
        self.ranking_view.setModel(self.ranking_proxy)
        self.ranking_view.setSortingEnabled(True)
        self.ranking_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.ranking_view.verticalHeader().hide()
        self.ranking_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.ranking_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.ranking_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

        # pyqtgraph loads here: only a lead's console builds this dock
        from ui.metrics.charts import MetricsCharts

        self.charts = MetricsCharts(self)
        self.addTab(self.figures_view, "")
        ranking_box, self.ranking_caption = ranking_tab(self.ranking_view, self)
        self.posts = PostsPanel(self)
        self.addTab(ranking_box, "")
        self.addTab(self.charts, "")
        self.addTab(self.posts, "")
        self.detections = DetectionRatesPanel(self, current_language())
        self.addTab(self.detections, "")

    def show_report(self, report: m.Report, refdata) -> None:
        self.figures_model.set_report(report)
        self.figures_view.resizeColumnsToContents()
        self.figures_view.fit_formula_column()
        self.ranking_model.set_report(report, refdata)
        self.ranking_caption.update_from(report)
        self.posts.update_from(report)
        self.detections.update_from(report)
        self.charts.update_from(report, refdata, current_language())

    def retranslate(self, report: m.Report | None, refdata) -> None:
        self.setTabText(0, self.tr("Figures and formulas"))
        self.setTabText(1, self.tr("Ranking of units"))
        self.setTabText(2, self.tr("Charts"))
        self.setTabText(3, self.tr("Center posts"))
        self.setTabText(4, self.tr("Detections"))
        self.detections.language = current_language()
        self.detections.retranslate()
        if report is not None:
            self.detections.update_from(report)
        self.figures_model.retranslate()
        self.ranking_model.set_language(current_language())
        self.charts.retranslate()
        if report is not None:
            self.charts.update_from(report, refdata, current_language())
