"""The case detail's Details tab: every field of the case as a labelled, selectable line (the names of its
category, grid and units in the UI's language; the reporter masked for roles without personal data),
beside the location sketch and the attachments that are not photos (the photo strip shows those).
The stage line is the header's countdown (`CaseHeader.tick`), the alarm line `CaseAlarmLink`'s."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QListWidget,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.cases import reporters
from app.cases.case import Case
from app.cases.evidence import photo_hashes
from app.platform import labels
from ui.cases.location_sketch import LocationSketch
from ui.cases.timeline import format_time

FIELD_KEYS = ("number", "category", "source", "description", "address", "coordinates", "grid", "unit",
              "escalation", "stage", "counts", "verification", "extension", "suspended", "reporter", "alarm",
              "times", "version")


def lookup(refdata, kind: str, key: str | None):
    """`refdata.<kind>(key)`, or None when there is no reference data, no key or no such entry."""
    if refdata is None or not key:
        return None
    try:
        return getattr(refdata, kind)(key)
    except Exception:
        return None


class CaseFieldsPanel(QSplitter):
    def __init__(self, unit_name: Callable[[str | None], str], parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._unit_name = unit_name
        self.fields_widget = QWidget()
        self.fields = QFormLayout(self.fields_widget)
        self.fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.values: dict[str, QLabel] = {}
        for key in FIELD_KEYS:
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[key] = value
            self.fields.addRow(QLabel(), value)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.fields_widget)
        self.addWidget(scroll)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        self.sketch = LocationSketch(side)
        self.attachments_label = QLabel(side)
        self.attachments = QListWidget(side)
        side_layout.addWidget(self.sketch, 1)
        side_layout.addWidget(self.attachments_label)
        side_layout.addWidget(self.attachments, 1)
        self.addWidget(side)
        side.setMaximumWidth(360)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 1)
        self.setSizes([700, 300])

    def retranslate(self) -> None:
        names = {
            "number": self.tr("Number"), "category": self.tr("Category"), "source": self.tr("Source"),
            "description": self.tr("Description"), "address": self.tr("Address"),
            "coordinates": self.tr("Coordinates"), "grid": self.tr("Grid"), "unit": self.tr("Responsible unit"),
            "escalation": self.tr("Escalation"), "stage": self.tr("Stage and deadline"),
            "counts": self.tr("Returns / rework"), "verification": self.tr("Verification"),
            "extension": self.tr("Extension request"), "suspended": self.tr("Suspended"),
            "reporter": self.tr("Reporter"), "alarm": self.tr("Sensor alarm"), "times": self.tr("Created / updated"),
            "version": self.tr("Version"),
        }
        for row, key in enumerate(FIELD_KEYS):
            label = self.fields.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
            label.setText(names[key] + ":")
        self.attachments_label.setText(self.tr("Attachments"))

    def clear(self) -> None:
        self.attachments.clear()

    def show_case(self, case: Case, refdata, language: str, role) -> None:
        """Every field but the stage line and the alarm line (their owners write them)."""
        category = lookup(refdata, "category", case.category_code)
        grid = lookup(refdata, "grid", case.location.grid_code)
        v = self.values
        v["number"].setText(self.tr("{number} (provisional {provisional})").format(
            number=case.number, provisional=case.provisional_number)
            if case.number and case.provisional_number else case.display_number)
        cat_name = labels.localized_name(category, language) if category else ""
        emergency = self.tr(" · emergency category") if category is not None and category.emergency else ""
        v["category"].setText(f"{case.category_code} {cat_name}{emergency}")
        v["source"].setText(labels.source_label(case.source))
        v["description"].setText(case.description)
        v["address"].setText(case.location.address or "—")
        v["coordinates"].setText(f"{case.location.lat:.6f}, {case.location.lon:.6f}")
        v["grid"].setText(f"{case.location.grid_code or '—'} {labels.localized_name(grid, language) if grid else ''}")
        v["unit"].setText(self._unit_name(case.unit_id) or self.tr("not dispatched"))
        v["escalation"].setText(self.tr("level {n}, with {unit}").format(
            n=case.escalation_level, unit=self._unit_name(case.escalated_to)) if case.escalation_level else "—")
        v["counts"].setText(self.tr("{returns} returns, {rework} rework rounds").format(
            returns=case.return_count, rework=case.rework_count))
        v["verification"].setText({"passed": self.tr("passed"), "failed": self.tr("failed")}.get(
            case.verification or "", "—") + (self.tr(" · inspector {name}").format(name=case.inspector)
                                              if case.inspector else ""))
        ext = case.extension
        v["extension"].setText(self.tr("{hours:g} h ({mode}) by {who}: {reason}").format(
            hours=ext.minutes / 60, mode=self.tr("working") if ext.working else self.tr("calendar"),
            who=ext.requested_by, reason=ext.reason) if ext else "—")
        v["suspended"].setText(self.tr("since {time} (from {status})").format(
            time=format_time(case.suspended_at), status=labels.status_label(case.suspended_from))
            if case.suspended_at else "—")
        reporter = reporters.reporter_text(case.reporter_name, case.reporter_phone, role)
        v["reporter"].setText(reporter or "—")
        v["times"].setText(f"{format_time(case.created_at)} / {format_time(case.updated_at)}")
        v["version"].setText(str(case.version))
        self.sketch.set_location(case.location.lat, case.location.lon, grid)
        self.attachments.clear()
        photos = set(photo_hashes(case.attachments))  # shown in the photo strip, not as hashes here
        others = [a for a in case.attachments if a not in photos]
        self.attachments.addItems(others)
        if not others:
            self.attachments.addItem(self.tr("(none)"))
