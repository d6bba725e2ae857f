"""Dialogs for the lead's decisions on time: approving an extension shows the deadline that results
before the lead approves (working time can move it by most of a day) and may grant fewer hours than
were asked (partial approval); suspending may set when the case should resume (the lead's work queue
reminds from then). The numbers come from `app.cases.deadlines`, computed as the workflow computes them.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QDateTime, QTimeZone
from PySide6.QtWidgets import QCheckBox, QDateTimeEdit, QDoubleSpinBox, QLabel, QWidget

from app.cases.case import Case
from app.cases.deadlines import extension_preview
from app.platform import times
from app.platform.enums import Action
from app.refdata.people import display_name
from ui.cases.payload_dialog import ConfirmDialog, TextDialog


class ApproveExtensionDialog(ConfirmDialog):
    def __init__(self, case: Case, refdata, parent: QWidget | None = None):
        super().__init__(Action.APPROVE_EXTENSION, case, parent)
        self.refdata = refdata
        ext = case.extension
        assert ext is not None
        mode = self.tr("working time") if ext.working else self.tr("calendar time")
        self.question.setText(self.tr("{who} asks for {hours:g} more hours ({mode}).\nReason: {reason}").format(
            who=display_name(refdata, ext.requested_by), hours=ext.minutes / 60, mode=mode, reason=ext.reason))
        self.hours = QDoubleSpinBox(self, objectName="grantedHours")
        self.hours.setDecimals(1)
        self.hours.setSingleStep(0.5)
        self.hours.setRange(0.5 if ext.minutes >= 30 else ext.minutes / 60, ext.minutes / 60)
        self.hours.setValue(ext.minutes / 60)
        self.hours.setSuffix(" h")
        self.form.addRow(self.tr("Grant"), self.hours)
        self.preview = QLabel(self, objectName="deadlinePreview")
        self.preview.setWordWrap(True)
        self.form.addRow(self.preview)
        self.hours.valueChanged.connect(lambda _v: self._update())
        self._update()

    def granted_minutes(self) -> int:
        return min(round(self.hours.value() * 60), self.case.extension.minutes)

    def _update(self) -> None:
        preview = extension_preview(self.case, self.refdata, self.granted_minutes()) if self.refdata else None
        self.preview.setText(preview.text() if preview is not None else "")

    def payload(self) -> dict[str, Any]:
        granted = self.granted_minutes()
        return {} if granted >= self.case.extension.minutes else {"minutes": granted}


class SuspendDialog(TextDialog):
    def __init__(self, case: Case, parent: QWidget | None = None):
        super().__init__(Action.SUSPEND, case, parent, key="reason")
        self.plan = QCheckBox(self.tr("Resume at"), self, objectName="resumeAtSet")
        self.resume_at = QDateTimeEdit(self, objectName="resumeAt")
        zone = times.city_zone()
        if zone is not None and hasattr(zone, "key"):
            self.resume_at.setTimeZone(QTimeZone(zone.key.encode()))
        self.resume_at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.resume_at.setCalendarPopup(True)
        tomorrow = datetime.now(UTC) + timedelta(days=1)
        self.resume_at.setDateTime(QDateTime.fromSecsSinceEpoch(int(tomorrow.timestamp())))
        self.resume_at.setEnabled(False)
        self.plan.toggled.connect(self.resume_at.setEnabled)
        self.form.addRow(self.plan, self.resume_at)
        hint = QLabel(self.tr("In city time. The lead's work queue lists the case from then; a lead resumes it."),
                      self)
        hint.setWordWrap(True)
        self.form.addRow(hint)

    def chosen_resume_at(self) -> datetime | None:
        if not self.plan.isChecked():
            return None
        return datetime.fromtimestamp(self.resume_at.dateTime().toSecsSinceEpoch(), UTC)

    def validate(self) -> str | None:
        problem = super().validate()
        if problem is None and (at := self.chosen_resume_at()) is not None and at <= datetime.now(UTC):
            return self.tr("The resume time must lie ahead.")
        return problem

    def payload(self) -> dict[str, Any]:
        body = super().payload()
        if (at := self.chosen_resume_at()) is not None:
            body["resume_at"] = at.isoformat()
        return body
