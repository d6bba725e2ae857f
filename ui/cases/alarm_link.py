"""The case detail's "Sensor alarm" line: a link back to the alarm that opened the case (the sensor's name,
its level, when it was raised) that selects the alarm in the alarm list and the sensor's readings; kept
up to date as the sensor hub's alarms change."""
from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLabel

from app.cases.case import Case
from app.platform import labels
from ui.cases.issuing import ui_language
from ui.cases.timeline import format_time

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext


class CaseAlarmLink(QObject):
    def __init__(self, ctx: ConsoleContext, label: QLabel, current: Callable[[], Case | None]):
        super().__init__(label)
        self.ctx = ctx
        self.label = label
        self._current = current
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        label.setOpenExternalLinks(False)
        label.linkActivated.connect(self._activated)
        hub = getattr(ctx, "sensor_hub", None)
        if hub is not None:
            hub.alarms_changed.connect(self._alarms_changed)

    def case_alarm(self, case: Case):
        """(alarm id, the hub's Alarm or None, sensor info or None) of the alarm that opened `case`."""
        hub = getattr(self.ctx, "sensor_hub", None)
        source = getattr(hub, "alarms", None)
        alarm = source.alarm(case.alarm_id) if source is not None and case.alarm_id else None
        if alarm is None and case.source == "sensor_alarm" and hasattr(source, "for_case"):
            alarm = source.for_case(case.id)
        alarm_id = alarm.id if alarm is not None else case.alarm_id
        sensor = hub.sensors.get(alarm.sensor_id) if alarm is not None and hub is not None else None
        return alarm_id, alarm, sensor

    def show(self, case: Case) -> None:
        label = self.label
        alarm_id, alarm, sensor = self.case_alarm(case)
        if not alarm_id:
            label.setText("—")
            return
        if alarm is None:
            text = self.tr("alarm {id}").format(id=alarm_id[:8])
        else:
            name = labels.localized_name(sensor, ui_language(self.ctx)) if sensor else alarm.sensor_id
            level = self.tr("alarm") if alarm.level >= 2 else self.tr("warning")
            text = self.tr("{sensor} ({id}): {level} raised {time}").format(
                sensor=name, id=alarm.sensor_id, level=level,
                time=format_time(datetime.fromtimestamp(alarm.raised_at, tz=timezone.utc)))
        label.setText(f'<a href="alarm:{html.escape(alarm_id)}">{html.escape(text)}</a>')
        label.setToolTip(self.tr("Show the alarm in the alarm list and the sensor's readings"))

    def _activated(self, href: str) -> None:
        case = self._current()
        if case is None or not href.startswith("alarm:"):
            return
        alarm_id, alarm, _sensor = self.case_alarm(case)
        if alarm is not None:
            self.ctx.signals.sensor_selected.emit(alarm.sensor_id)
        if alarm_id:
            self.ctx.signals.alarm_selected.emit(alarm_id)

    def _alarms_changed(self, ids: list) -> None:
        case = self._current()
        if case is None:
            return
        alarm_id, _alarm, _sensor = self.case_alarm(case)
        if alarm_id in ids or (alarm_id is None and case.source == "sensor_alarm"):
            self.show(case)
