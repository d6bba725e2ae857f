"""The Performance dock's "Detections" tab: each camera's (or drone's) false-positive rate per detection
type over the period, with its formula written out (`app.metrics.detection_rates`): rejected ÷ (confirmed
+ rejected) of the detections an operator decided. City-wide only: a camera is no unit's."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.metrics import figures as m
from app.metrics.detection_rates import FORMULA
from app.metrics.report_model import DetectionRate
from app.platform.i18n import QT_TRANSLATE_NOOP

HEADERS = (QT_TRANSLATE_NOOP("DetectionRatesPanel", "Camera or drone"),
           QT_TRANSLATE_NOOP("DetectionRatesPanel", "Detection type"),
           QT_TRANSLATE_NOOP("DetectionRatesPanel", "Confirmed"),
           QT_TRANSLATE_NOOP("DetectionRatesPanel", "Rejected"),
           QT_TRANSLATE_NOOP("DetectionRatesPanel", "False-positive rate"))


def rate_text(rate: DetectionRate) -> str:
    """`66.7 %`, or n/a when none was decided: as every rate of the report."""
    return m.format_value(m.Figure(key="detection_false_positive_rate", kind="rate", label="", formula="",
                                   value=rate.value, numerator=rate.rejected, denominator=rate.confirmed
                                   + rate.rejected))


class DetectionRatesPanel(QWidget):
    def __init__(self, parent: QWidget | None = None, language: str = "en"):
        super().__init__(parent, objectName="metricsDetectionRates")
        self.language = language
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.table, 1)
        self.rates: list[DetectionRate] = []
        self.city_wide = True
        self.retranslate()

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels([QCoreApplication.translate("DetectionRatesPanel", h) for h in HEADERS])
        self._caption()

    def _caption(self) -> None:
        formula = QCoreApplication.translate("Metrics", FORMULA)
        if not self.city_wide:
            text = self.tr("Cameras and drones belong to no unit: their false-positive rates are in the city-wide "
                           "report (choose no unit).")
        elif not self.rates:
            text = self.tr("No detection was confirmed or rejected in the period.")
        else:
            text = self.tr("False-positive rate per camera and detection type = {formula}, in the period.").format(
                formula=formula)
        self.caption.setText(text)

    def update_from(self, report: m.Report | None) -> None:
        self.rates = list(report.detection_rates) if report is not None else []
        self.city_wide = report is None or report.unit_id is None
        self.table.setRowCount(len(self.rates))
        for row, r in enumerate(self.rates):
            type_name = r.type_name_zh if self.language.startswith("zh") and r.type_name_zh else r.type_name
            cells = (r.camera_name, type_name, str(r.confirmed), str(r.rejected), rate_text(r))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(f"{r.camera_id} · {r.type_code}" if col < 2 else text)
                self.table.setItem(row, col, item)
        self._caption()
