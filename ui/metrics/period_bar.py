"""The Performance dock's filter bar: the period (a preset or two dates), the unit (with or without its
sub-units) and the jurisdiction the figures are for, with the Compute and Export buttons. It says when the
user changed the choice (`changed`); the dock decides when to compute."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.platform.labels import localized_name
from ui.shell.i18n import current_language

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

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


class PeriodBar(QWidget):
    changed = Signal()  # the user chose another period, unit, jurisdiction or roll-up

    def __init__(self, ctx: ConsoleContext, today: Callable[[], date], parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._today = today
        self.preset = QComboBox(self, objectName="metricsPreset")
        for _ in PRESETS:
            self.preset.addItem("")
        self.start_edit = QDateEdit(self, objectName="metricsStart")
        self.end_edit = QDateEdit(self, objectName="metricsEnd")
        for edit in (self.start_edit, self.end_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.unit_combo = QComboBox(self, objectName="metricsUnit")
        self.jurisdiction_combo = QComboBox(self, objectName="metricsJurisdiction")
        self.rollup = QCheckBox(self, objectName="metricsRollup")
        self.rollup.setChecked(True)
        self.compute_button = QPushButton(self, objectName="metricsCompute")
        self.export_button = QPushButton(self, objectName="metricsExport")
        self.export_button.setEnabled(False)
        self.period_label, self.unit_label = QLabel(self), QLabel(self)

        self.unit_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.unit_combo.setMinimumContentsLength(18)
        period_row, unit_row = QHBoxLayout(), QHBoxLayout()
        for w in (self.period_label, self.preset, self.start_edit, QLabel("–", self), self.end_edit):
            period_row.addWidget(w)
        period_row.addStretch(1)
        period_row.addWidget(self.compute_button)
        for w in (self.unit_label, self.unit_combo, self.rollup, self.jurisdiction_combo):
            unit_row.addWidget(w)
        unit_row.addStretch(1)
        unit_row.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(period_row)
        layout.addLayout(unit_row)

        self.preset.currentIndexChanged.connect(self._preset_changed)
        for edit in (self.start_edit, self.end_edit):
            edit.dateChanged.connect(self._dates_edited)
        self.unit_combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.jurisdiction_combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.rollup.toggled.connect(lambda _on: self.changed.emit())
        self._setting_preset = False
        self.fill_units()
        self.preset.setCurrentIndex(PRESETS.index("this_month"))
        self._preset_changed(self.preset.currentIndex())

    def set_allowed(self, allowed: bool) -> None:
        for w in (self.preset, self.start_edit, self.end_edit, self.unit_combo, self.rollup, self.compute_button,
                  self.jurisdiction_combo):
            w.setEnabled(allowed)

    # ------------------------------------------------------------------ units and jurisdictions

    def fill_units(self) -> None:
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
        self.fill_jurisdictions()

    def _own_jurisdictions(self) -> tuple[str, ...]:
        refdata, username = self.ctx.refdata, self.ctx.actor.username
        return refdata.user(username).jurisdictions if refdata is not None and any(
            u.username == username for u in refdata.users) else ()

    def fill_jurisdictions(self) -> None:
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

    # ------------------------------------------------------------------ the period

    def _preset_changed(self, index: int) -> None:
        span = preset_range(PRESETS[index], self._today())
        if span is None:
            return
        self._setting_preset = True
        self.start_edit.setDate(_qdate(span[0]))
        self.end_edit.setDate(_qdate(span[1]))
        self._setting_preset = False
        self.changed.emit()

    def _dates_edited(self, _date: QDate) -> None:
        if not self._setting_preset:
            self.preset.blockSignals(True)
            self.preset.setCurrentIndex(PRESETS.index("custom"))
            self.preset.blockSignals(False)
            self.changed.emit()

    def selection(self) -> tuple[date, date, str | None, bool]:
        return (_pydate(self.start_edit.date()), _pydate(self.end_edit.date()), self.unit_combo.currentData(),
                self.rollup.isChecked())

    def set_selection(self, start: date, end: date, unit_id: str | None = None, rollup: bool = True) -> None:
        """Choose a period and unit programmatically (the `changed` it emits is the caller's to ignore)."""
        self._setting_preset = True
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(PRESETS.index("custom"))
        self.preset.blockSignals(False)
        self.start_edit.setDate(_qdate(start))
        self.end_edit.setDate(_qdate(end))
        self._setting_preset = False
        self.unit_combo.setCurrentIndex(max(self.unit_combo.findData(unit_id), 0))
        self.rollup.setChecked(rollup)

    # ------------------------------------------------------------------ language

    def retranslate(self) -> None:
        self.fill_jurisdictions()
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
        self.fill_units()
