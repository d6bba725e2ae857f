"""Qt item models of the Performance dock: the figures with their formulas, and the ranking of units.

Both hold keys (figure keys, unit ids) and build cells lazily from the current `app.metrics.figures.Report`. A new
report with the same rows updates them in place (`dataChanged`); only a different set of rows (another
unit scope) resets the ranking. `SortRole` gives the ranking's proxy numbers to sort by, n/a last.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from app.metrics import figures as m
from app.platform.i18n import QT_TRANSLATE_NOOP
from app.platform.labels import localized_name

SortRole = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex
UNRANKED_SORT = 1_000_000  # after every rank in ascending order
NA_SORT = -1.0  # below every rate (0 … 1) and count (≥ 0): n/a sorts last in descending order


def _metric_text(text: str) -> str:
    """A label or formula of `app.metrics.figures` (context "Metrics") in the current language."""
    return QCoreApplication.translate("Metrics", text)


class FiguresModel(QAbstractTableModel):
    """One row per figure of `app.metrics.figures.FIGURES`: name, value, = numerator / denominator, formula."""

    HEADERS = (QT_TRANSLATE_NOOP("FiguresModel", "Figure"), QT_TRANSLATE_NOOP("FiguresModel", "Value"),
               QT_TRANSLATE_NOOP("FiguresModel", "Numerator / denominator"),
               QT_TRANSLATE_NOOP("FiguresModel", "Formula"))

    def __init__(self, parent=None):
        super().__init__(parent)
        self.keys = [f.key for f in m.FIGURES]
        self.figures: dict[str, m.Figure] = {}

    def set_report(self, report: m.Report | None) -> None:
        self.figures = {f.key: f for f in report.figures} if report is not None else {}
        if self.keys:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.keys) - 1, len(self.HEADERS) - 1))

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.HEADERS) - 1)
        self.set_report_unchanged()

    def set_report_unchanged(self) -> None:
        if self.keys:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.keys) - 1, len(self.HEADERS) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.keys)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("FiguresModel", self.HEADERS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        key = self.keys[index.row()]
        d = m.FIGURES_BY_KEY[key]
        fig = self.figures.get(key)
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return _metric_text(d.label)
            if col == 3:
                text = _metric_text(d.formula)
                if fig is not None and fig.formula.startswith(d.formula):  # e.g. the composite's weights
                    text += fig.formula[len(d.formula):]
                return f"{text}; {_metric_text(m.PERCENTILE_NOTE)}" if d.kind == "duration" else text
            if fig is None:
                return "—"
            return m.format_value(fig) if col == 1 else m.format_fraction(fig)
        if role == Qt.ItemDataRole.ToolTipRole and col == 3:
            return _metric_text(d.formula)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (1, 2):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class RankingModel(QAbstractTableModel):
    """The ranking: rank, unit, then `app.metrics.figures.RANKING_KEYS` (counts and rates)."""

    FIXED = (QT_TRANSLATE_NOOP("RankingModel", "Rank"), QT_TRANSLATE_NOOP("RankingModel", "Unit"))

    def __init__(self, refdata=None, language: str | None = None, parent=None):
        super().__init__(parent)
        self.refdata = refdata
        self.language = language
        self.ids: list[str] = []
        self.rows: dict[str, m.UnitRanking] = {}

    def set_report(self, report: m.Report | None, refdata=None) -> None:
        if refdata is not None:
            self.refdata = refdata
        ranking = list(report.ranking) if report is not None else []
        ids = [r.unit_id for r in ranking]
        if set(ids) == set(self.ids) and len(ids) == len(self.ids):
            self.rows = {r.unit_id: r for r in ranking}
            if self.ids:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self.ids) - 1, self.columnCount() - 1))
            return
        self.beginResetModel()  # another scope: a different set of rows
        self.ids = ids
        self.rows = {r.unit_id: r for r in ranking}
        self.endResetModel()

    def set_language(self, language: str | None) -> None:
        self.language = language
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        if self.ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.ids) - 1, self.columnCount() - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.FIXED) + len(m.RANKING_KEYS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section < len(self.FIXED):
                return QCoreApplication.translate("RankingModel", self.FIXED[section])
            return _metric_text(m.FIGURES_BY_KEY[m.RANKING_KEYS[section - len(self.FIXED)]].label)
        if role == Qt.ItemDataRole.ToolTipRole and section >= len(self.FIXED):
            return _metric_text(m.FIGURES_BY_KEY[m.RANKING_KEYS[section - len(self.FIXED)]].formula)
        return None

    def figure(self, row: int, column: int) -> m.Figure | None:
        if column < len(self.FIXED):
            return None
        key = m.RANKING_KEYS[column - len(self.FIXED)]
        return next((f for f in self.rows[self.ids[row]].figures if f.key == key), None)

    def unit_name(self, unit_id: str) -> str:
        if self.refdata is not None and self.refdata.has_unit(unit_id):
            return localized_name(self.refdata.unit(unit_id), self.language)
        return unit_id

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        unit_id = self.ids[index.row()]
        row = self.rows[unit_id]
        col = index.column()
        if col == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return "—" if row.rank is None else row.rank
            if role == SortRole:  # unranked units after the ranked ones
                return UNRANKED_SORT if row.rank is None else row.rank
            if role == Qt.ItemDataRole.ToolTipRole:
                return row.unranked_reason or row.peer_group
            return None
        if col == 1:
            if role == Qt.ItemDataRole.DisplayRole:
                return "　" * max(0, row.level - 1) + self.unit_name(unit_id)
            if role == SortRole:
                return self.unit_name(unit_id)
            if role == Qt.ItemDataRole.ToolTipRole:
                return unit_id
            return None
        fig = self.figure(index.row(), col)
        if fig is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return m.format_value(fig)
        if role == SortRole:
            return NA_SORT if fig.value is None else float(fig.value)
        if role == Qt.ItemDataRole.ToolTipRole and fig.kind == "rate":
            return f"{m.format_fraction(fig)} — {_metric_text(fig.formula)}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
