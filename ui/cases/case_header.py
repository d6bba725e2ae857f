"""The case detail's header: the case number, its status and priority badges, how many of this console's
commands on it wait to sync, and the live countdown to the stage's deadline (coloured by level, as the
queue's; `tick` also writes the stage-and-deadline line the Details tab shows)."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from app.cases import stage_clock
from app.cases.case import Case
from app.cases.commands import Command
from app.cases.countdown import Level, countdown
from app.platform import labels
from ui.cases.queue_model import format_duration
from ui.cases.timeline import format_time
from ui.shell import theme


class CaseHeader(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        header = QHBoxLayout(self)
        header.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(self)
        self.title.setObjectName("caseTitle")  # look: resources/styles/*.qss
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_badge = QLabel(self)
        self.priority_badge = QLabel(self)
        self.countdown_label = QLabel(self)
        self.countdown_label.setObjectName("caseCountdown")  # coloured by its `level` property
        self.countdown_label.setMinimumWidth(120)
        self.countdown_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pending_badge = QLabel(self)
        for badge in (self.status_badge, self.priority_badge, self.pending_badge):
            badge.setObjectName("caseBadge")  # an urgent one has urgent="true"
        header.addWidget(self.title)
        header.addWidget(self.status_badge)
        header.addWidget(self.priority_badge)
        header.addWidget(self.pending_badge)
        header.addStretch(1)
        header.addWidget(self.countdown_label)

    def show_case(self, case: Case | None, pending: list[Command]) -> None:
        has = case is not None
        for w in (self.status_badge, self.priority_badge, self.countdown_label):
            w.setVisible(has)
        if case is None:
            self.title.setText(self.tr("No case selected"))
            self.pending_badge.hide()
            return
        self.title.setText(case.display_number)
        self.status_badge.setText(labels.status_label(case.status))
        self.priority_badge.setText(labels.priority_label(case.priority))
        theme.set_style_property(self.priority_badge, "urgent", case.priority == "urgent")
        self.pending_badge.setVisible(bool(pending))
        self.pending_badge.setText(self.tr("{n} waiting to sync").format(n=len(pending)))
        self.pending_badge.setToolTip(self.tr("Commands issued on this console that the server has not "
                                              "confirmed yet"))

    def tick(self, case: Case, now: datetime, refdata) -> str:
        """Set the countdown of `case` at `now`; returns the stage-and-deadline line ("—" without a deadline)."""
        if case.due_at is None or refdata is None:
            self.countdown_label.setText("")
            theme.set_style_property(self.countdown_label, "level", "")
            return "—"
        left = stage_clock.remaining(case, now, refdata)
        total = (case.due_at - case.stage_started_at).total_seconds() if case.stage_started_at else None
        if case.due_working and case.stage_started_at is not None:
            total = refdata.policy.calendar.working_between(case.stage_started_at, case.due_at).total_seconds()
        c = countdown(case.due_at, now, total_seconds=total, left=left, paused=case.suspended_at is not None)
        if c.level == Level.OVERDUE:
            text = self.tr("overdue {time}").format(time=format_duration((now - case.due_at).total_seconds()))
        elif c.level == Level.PAUSED:
            text = self.tr("paused, {time} left").format(time=format_duration(c.seconds_left or 0))
        else:
            text = self.tr("{time} left").format(time=format_duration(c.seconds_left or 0))
        self.countdown_label.setText(text)
        theme.set_style_property(self.countdown_label, "level", str(c.level))  # as the queue's LEVEL_COLOURS
        mode = self.tr("working time") if case.due_working else self.tr("calendar time")
        return self.tr("{stage}: due {due} ({mode}) · {left}").format(
            stage=labels.stage_label(case.stage), due=format_time(case.due_at), mode=mode, left=text)
