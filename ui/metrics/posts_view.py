"""The Performance dock's "Center posts" tab: the center's own posts (intake, dispatch, inspectors,
closing), each evaluated on its own stages, with every formula written out; and the caption over the
ranking that says what it ranks by, among whom, and the composite's weights."""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.metrics import figures as m
from app.platform.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex


def _metric_text(text: str) -> str:
    return QCoreApplication.translate("Metrics", text)


class PostsModel(QAbstractTableModel):
    """One row per (post, figure): post, figure, value, numerator / denominator, formula."""

    HEADERS = (QT_TRANSLATE_NOOP("PostsModel", "Post"), QT_TRANSLATE_NOOP("PostsModel", "Figure"),
               QT_TRANSLATE_NOOP("PostsModel", "Value"), QT_TRANSLATE_NOOP("PostsModel", "Numerator / denominator"),
               QT_TRANSLATE_NOOP("PostsModel", "Formula"))

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[tuple[str, m.Figure]] = []

    def set_report(self, report: m.Report | None) -> None:
        rows = [(p.label, f) for p in report.posts for f in p.figures] if report is not None else []
        if len(rows) == len(self.rows) and rows:
            self.rows = rows
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(self.HEADERS) - 1))
            return
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("PostsModel", self.HEADERS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        post, fig = self.rows[index.row()]
        col = index.column()
        if col == 0:
            return _metric_text(post)
        if col == 1:
            return _metric_text(fig.label)
        if col == 2:
            return m.format_value(fig)
        if col == 3:
            return m.format_fraction(fig)
        return _metric_text(fig.formula)


class PostsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, objectName="metricsPosts")
        self.model = PostsModel(self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setWordWrap(True)
        self.view.verticalHeader().hide()
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.view, 1)

    def update_from(self, report: m.Report | None) -> None:
        self.model.set_report(report)
        if report is not None and not report.posts:
            self.caption.setText(self.tr("The center's posts are evaluated city-wide only: choose no unit."))
        else:
            self.caption.setText(self.tr("Each post is evaluated on its own stages only; a unit's figures "
                                         "never include them."))


class RankingCaption(QLabel):
    """What the ranking ranks by, among whom, the threshold and the composite's weights."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, objectName="metricsRankingRule")
        self.setWordWrap(True)

    def update_from(self, report: m.Report | None) -> None:
        if report is None:
            self.setText("")
            return
        by = _metric_text(m.FIGURES_BY_KEY[report.ranking_by].label)
        peers = self.tr("same level") if report.unit_id is None else self.tr("same level and same parent")
        weights = m.FIGURES_BY_KEY["composite"]
        composite = next((f for f in report.figures if f.key == "composite"), None)
        text = self.tr("Ranked by {figure}, among peers ({peers}); a unit with fewer than {n} cases due is "
                       "listed but not ranked (the reason is in its row).").format(
            figure=by, peers=peers, n=report.min_cases_to_rank)
        if composite is not None:
            text += " " + _metric_text(weights.label) + ": " + composite.formula.split(": ", 1)[-1]
        self.setText(text)


def ranking_tab(view: QTableView, parent: QWidget) -> tuple[QWidget, RankingCaption]:
    """The ranking view under its caption, as one tab."""
    box = QWidget(parent)
    caption = RankingCaption(box)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(caption)
    layout.addWidget(view, 1)
    return box, caption
