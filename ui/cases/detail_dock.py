"""The selected case in full: header with number, status and the live countdown; the action bar with
exactly the actions this user may take now; fields, event timeline, attachments and a location sketch.
"""
from __future__ import annotations

import html
import logging
from datetime import datetime, timezone
from functools import partial
from typing import TYPE_CHECKING
from uuid import UUID

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QDockWidget,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.cases import reporters, workflow
from app.cases.case import Case
from app.cases.commands import Command
from app.cases.countdown import Level, countdown
from app.cases.evidence import photo_hashes
from app.platform import labels
from app.sync.photo_upload import refresh_case_photos
from ui.cases.actions import CaseActionBar, CaseActionController
from ui.cases.issuing import now_utc, ui_language
from ui.cases.queue_model import format_duration
from ui.cases.reports_panel import MergedReportsPanel
from ui.cases.task_panel import CaseTasksPanel
from ui.cases.timeline import CaseTimeline, format_time
from ui.photos.strip import PhotoStrip
from ui.shell import theme
from ui.shell.ops import run_op

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)


class LocationSketch(QWidget):
    """A small static sketch: the case's grid outline with the point; the map dock owns real maps."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumSize(220, 160)
        self._ring: list[tuple[float, float]] = []
        self._point: tuple[float, float] | None = None

    def set_location(self, lat: float, lon: float, grid=None) -> None:
        self._point = (lon, lat)
        self._ring = []
        if grid is not None:
            coords = grid.geometry.get("coordinates") or []
            ring = coords[0] if grid.geometry.get("type") == "Polygon" else (coords[0][0] if coords else [])
            self._ring = [(float(x), float(y)) for x, y, *_ in ring]
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        c = theme.colors()
        painter.fillRect(self.rect(), QColor(c["sketch_bg"]))
        if self._point is None:
            return
        xs = [p[0] for p in self._ring] + [self._point[0]]
        ys = [p[1] for p in self._ring] + [self._point[1]]
        span = max(max(xs) - min(xs), max(ys) - min(ys), 0.002) * 1.3
        cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        side = min(self.width(), self.height()) - 16
        ox, oy = (self.width() - side) / 2, (self.height() - side) / 2

        def to_px(x: float, y: float) -> QPointF:
            return QPointF(ox + (x - cx + span / 2) / span * side, oy + (cy + span / 2 - y) / span * side)

        if self._ring:
            line = QColor(c["sketch_line"])
            painter.setPen(QPen(line, 1.5))
            line.setAlpha(40)
            painter.setBrush(line)
            painter.drawPolygon([to_px(x, y) for x, y in self._ring])
        p = to_px(*self._point)
        painter.setPen(QPen(QColor(c["alert_text"]), 2))
        painter.setBrush(QColor(c["alert_bg"]))
        painter.drawEllipse(QRectF(p.x() - 6, p.y() - 6, 12, 12))


class CaseDetailDock(QDockWidget):
    def __init__(self, ctx: ConsoleContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("caseDetailDock")
        self.case: Case | None = None
        self.pending: list[Command] = []
        self._generation = 0

        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        header = QHBoxLayout()
        self.title = QLabel(body)
        self.title.setObjectName("caseTitle")  # look: resources/styles/*.qss
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_badge = QLabel(body)
        self.priority_badge = QLabel(body)
        self.countdown_label = QLabel(body)
        self.countdown_label.setObjectName("caseCountdown")  # coloured by its `level` property
        self.countdown_label.setMinimumWidth(120)
        self.countdown_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pending_badge = QLabel(body)
        for badge in (self.status_badge, self.priority_badge, self.pending_badge):
            badge.setObjectName("caseBadge")  # an urgent one has urgent="true"
        header.addWidget(self.title)
        header.addWidget(self.status_badge)
        header.addWidget(self.priority_badge)
        header.addWidget(self.pending_badge)
        header.addStretch(1)
        header.addWidget(self.countdown_label)
        layout.addLayout(header)

        self.actions_bar = CaseActionBar(body)
        layout.addWidget(self.actions_bar)
        self.message = QLabel(body)
        self.message.setObjectName("caseMessage")  # feedback="ok" or "error"
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        layout.addWidget(self.message)

        self.tabs = QTabWidget(body)
        self.fields_widget = QWidget()
        self.fields = QFormLayout(self.fields_widget)
        self.fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._values: dict[str, QLabel] = {}
        for key in self.FIELD_KEYS:
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._values[key] = value
            self.fields.addRow(QLabel(), value)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.fields_widget)
        details = QSplitter(Qt.Orientation.Horizontal)
        details.addWidget(scroll)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        self.sketch = LocationSketch(side)
        self.attachments_label = QLabel(side)
        self.attachments = QListWidget(side)
        side_layout.addWidget(self.sketch, 1)
        side_layout.addWidget(self.attachments_label)
        side_layout.addWidget(self.attachments, 1)
        details.addWidget(side)
        side.setMaximumWidth(360)
        details.setStretchFactor(0, 3)
        details.setStretchFactor(1, 1)
        details.setSizes([700, 300])
        self.timeline = CaseTimeline(unit_name=partial(unit_label, ctx), refdata=ctx.cache.refdata)  # no cycle
        self.tabs.addTab(details, "")
        self.tabs.addTab(self.timeline, "")
        self.task_panel = CaseTasksPanel(partial(unit_label, ctx))  # joint tasks, on-site check
        self.tabs.addTab(self.task_panel, "")
        self.reports_panel = MergedReportsPanel()  # a master's merged reports; a repeat's master
        self.reports_panel.open_case.connect(ctx.select_case)
        self.tabs.addTab(self.reports_panel, "")
        layout.addWidget(self.tabs, 1)
        self.photo_strip = PhotoStrip(getattr(ctx, "photos", None), body, refdata=ctx.cache.refdata,
                                      language=partial(ui_language, ctx), unit_name=partial(unit_label, ctx),
                                      learn=photo_learner(ctx))
        self.photo_strip.message.connect(lambda case_id, text, error: ctx.current.tell(case_id, text, error=error))
        self.photo_strip.install_on(self)  # drops and Ctrl+V on the whole dock
        layout.addWidget(self.photo_strip)
        self.placeholder = QLabel(body)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setObjectName("placeholderText")
        layout.addWidget(self.placeholder)
        self.setWidget(body)

        self.controller = CaseActionController(ctx, self)
        self.actions_bar.action_requested.connect(self._action_requested)
        self.controller.issued.connect(self._issued)
        self.controller.failed.connect(lambda text: self.show_error(text, self.controller.case_id))
        ctx.current.message_changed.connect(self._message_changed)
        self.controller.busy_changed.connect(lambda busy: self.actions_bar.setDisabled(busy))
        ctx.signals.case_selected.connect(self.load)
        ctx.signals.cases_changed.connect(self._cases_changed)
        ctx.signals.language_changed.connect(lambda _l: self.retranslate())
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._update_countdown)
        self._tick.start()
        self.retranslate()
        self._show(None, [])
        alarm_label = self._values["alarm"]  # a link back to the sensor alarm that opened the case
        alarm_label.setTextFormat(Qt.TextFormat.RichText)
        alarm_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        alarm_label.setOpenExternalLinks(False)
        alarm_label.linkActivated.connect(self._alarm_link_activated)
        hub = getattr(ctx, "sensor_hub", None)
        if hub is not None:
            hub.alarms_changed.connect(self._alarms_changed)
        if ctx.selected_case is not None:
            self.load(ctx.selected_case)

    FIELD_KEYS = ("number", "category", "source", "description", "address", "coordinates", "grid", "unit",
                  "escalation", "stage", "counts", "verification", "extension", "suspended", "reporter", "alarm",
                  "times", "version")

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Case detail"))
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
        for row, key in enumerate(self.FIELD_KEYS):
            label = self.fields.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
            label.setText(names[key] + ":")
        self.tabs.setTabText(0, self.tr("Details"))
        self.tabs.setTabText(1, self.tr("Timeline"))
        self.tabs.setTabText(2, self.tr("Tasks"))
        self._reports_tab_text()
        self.reports_panel.retranslate()
        self.attachments_label.setText(self.tr("Attachments"))
        self.placeholder.setText(self.tr("Select a case in the queue, on the map or in the alarm list to see it here."))
        self.actions_bar.retranslate()
        self.timeline.retranslate()
        if self.case is not None:
            self._show(self.case, self.pending)
        else:
            self.title.setText(self.tr("No case selected"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # ------------------------------------------------------------------ loading

    def load(self, case_id: UUID | None) -> None:
        """Read the case and its queued commands off the GUI thread, then show them."""
        if self.case is not None and self.case.id != case_id:
            self.actions_bar.set_allowed([])  # no key acts on the case still on screen while the next loads
        self._generation += 1
        generation = self._generation
        if case_id is None:
            self._show(None, [])
            return
        cache = self.ctx.cache
        run_op(lambda: (cache.case(case_id), cache.pending_commands(case_id), cache.merged_reports(case_id)),
               lambda result: self._loaded(generation, *result),
               lambda exc: self.show_error(self.tr("Cannot read the case: {error}").format(error=exc), case_id),
               owner=self)

    def _loaded(self, generation: int, case: Case | None, pending: list[Command], repeats: list[Case]) -> None:
        if generation == self._generation:  # a later selection wins
            self._show(case, pending)
            self._show_reports(case, repeats)

    def _cases_changed(self, change) -> None:
        if self.case is None:
            return
        if self.case.id in change.ids:
            self.load(self.case.id)
        else:  # a report merged into (or unmerged from) the case shown changes only the report's row
            case_id, generation, cache = self.case.id, self._generation, self.ctx.cache
            run_op(lambda: cache.merged_reports(case_id),
                   lambda repeats: self._reports_loaded(generation, repeats),
                   lambda exc: log.error("reading the merged reports failed", exc_info=exc), owner=self)

    def _reports_loaded(self, generation: int, repeats: list[Case]) -> None:
        if generation == self._generation and self.case is not None:
            self._show_reports(self.case, repeats)

    def _show_reports(self, case: Case | None, repeats: list[Case]) -> None:
        self.reports_panel.set_reports(case, repeats if case is not None else [], self.ctx.actor.role)
        self._reports_tab_text()

    def _reports_tab_text(self) -> None:
        n = len(self.reports_panel.rows)
        self.tabs.setTabText(3, self.tr("Reports ({n})").format(n=n) if n else self.tr("Reports"))

    # ------------------------------------------------------------------ showing

    def _show(self, case: Case | None, pending: list[Command]) -> None:
        self.case, self.pending = case, list(pending)
        has = case is not None
        self.tabs.setVisible(has)
        self.photo_strip.setVisible(has)
        self.photo_strip.set_case(case)
        self.placeholder.setVisible(not has)
        for w in (self.status_badge, self.priority_badge, self.countdown_label):
            w.setVisible(has)
        refdata = self.ctx.cache.refdata()
        self.actions_bar.set_case(case, self.ctx.actor, refdata)
        self.timeline.set_case(case, pending)
        self.task_panel.set_case(case)
        if case is None:
            self._show_reports(None, [])
            self.title.setText(self.tr("No case selected"))
            self.pending_badge.hide()
            self.attachments.clear()
            return
        lang = ui_language(self.ctx)
        self.title.setText(case.display_number)
        self.status_badge.setText(labels.status_label(case.status))
        self.priority_badge.setText(labels.priority_label(case.priority))
        theme.set_style_property(self.priority_badge, "urgent", case.priority == "urgent")
        self.pending_badge.setVisible(bool(pending))
        self.pending_badge.setText(self.tr("{n} waiting to sync").format(n=len(pending)))
        self.pending_badge.setToolTip(self.tr("Commands issued on this console that the server has not "
                                              "confirmed yet"))
        category = self._lookup(refdata, "category", case.category_code)
        grid = self._lookup(refdata, "grid", case.location.grid_code)
        v = self._values
        v["number"].setText(self.tr("{number} (provisional {provisional})").format(
            number=case.number, provisional=case.provisional_number)
            if case.number and case.provisional_number else case.display_number)
        cat_name = labels.localized_name(category, lang) if category else ""
        emergency = self.tr(" · emergency category") if category is not None and category.emergency else ""
        v["category"].setText(f"{case.category_code} {cat_name}{emergency}")
        v["source"].setText(labels.source_label(case.source))
        v["description"].setText(case.description)
        v["address"].setText(case.location.address or "—")
        v["coordinates"].setText(f"{case.location.lat:.6f}, {case.location.lon:.6f}")
        v["grid"].setText(f"{case.location.grid_code or '—'} {labels.localized_name(grid, lang) if grid else ''}")
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
        reporter = reporters.reporter_text(case.reporter_name, case.reporter_phone, self.ctx.actor.role)
        v["reporter"].setText(reporter or "—")
        self._show_alarm_link(case)
        v["times"].setText(f"{format_time(case.created_at)} / {format_time(case.updated_at)}")
        v["version"].setText(str(case.version))
        self.sketch.set_location(case.location.lat, case.location.lon, grid)
        self.attachments.clear()
        photos = set(photo_hashes(case.attachments))  # shown in the photo strip, not as hashes here
        others = [a for a in case.attachments if a not in photos]
        self.attachments.addItems(others)
        if not others:
            self.attachments.addItem(self.tr("(none)"))
        self._update_countdown()

    def _case_alarm(self, case: Case):
        """(alarm id, the hub's Alarm or None, sensor info or None) of the alarm that opened `case`."""
        hub = getattr(self.ctx, "sensor_hub", None)
        source = getattr(hub, "alarms", None)
        alarm = source.alarm(case.alarm_id) if source is not None and case.alarm_id else None
        if alarm is None and case.source == "sensor_alarm" and hasattr(source, "for_case"):
            alarm = source.for_case(case.id)
        alarm_id = alarm.id if alarm is not None else case.alarm_id
        sensor = hub.sensors.get(alarm.sensor_id) if alarm is not None and hub is not None else None
        return alarm_id, alarm, sensor

    def _show_alarm_link(self, case: Case) -> None:
        label = self._values["alarm"]
        alarm_id, alarm, sensor = self._case_alarm(case)
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

    def _alarm_link_activated(self, href: str) -> None:
        if self.case is None or not href.startswith("alarm:"):
            return
        alarm_id, alarm, _sensor = self._case_alarm(self.case)
        if alarm is not None:
            self.ctx.signals.sensor_selected.emit(alarm.sensor_id)
        if alarm_id:
            self.ctx.signals.alarm_selected.emit(alarm_id)

    def _alarms_changed(self, ids: list) -> None:
        if self.case is None:
            return
        alarm_id, _alarm, _sensor = self._case_alarm(self.case)
        if alarm_id in ids or (alarm_id is None and self.case.source == "sensor_alarm"):
            self._show_alarm_link(self.case)

    def _update_countdown(self) -> None:
        case = self.case
        v = self._values
        if case is None:
            return
        refdata = self.ctx.cache.refdata()
        now = now_utc(self.ctx)
        if case.due_at is None or refdata is None:
            self.countdown_label.setText("")
            theme.set_style_property(self.countdown_label, "level", "")
            v["stage"].setText("—")
            return
        left = workflow.remaining(case, now, refdata)
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
        v["stage"].setText(self.tr("{stage}: due {due} ({mode}) · {left}").format(
            stage=labels.stage_label(case.stage), due=format_time(case.due_at), mode=mode, left=text))

    def field_text(self, key: str) -> str:
        return self._values[key].text()

    # ------------------------------------------------------------------ actions

    def _action_requested(self, action) -> None:
        # Only ever the window's current case, and only once it is the one on screen.
        if self.case is not None and self.case.id == self.ctx.selected_case:
            self.ctx.current.clear_message()
            self.controller.request(action, self.case)

    def _issued(self, command: Command) -> None:
        number = self.controller.number if command.case_id == self.controller.case_id else ""
        text = self.tr("{action} queued for {number}.").format(action=labels.action_label(command.action),
                                                               number=number or str(command.case_id)[:8])
        if getattr(self.ctx.session, "offline", False):
            text += " " + self.tr("Offline: it will be sent when the server is reachable.")
        self.show_message(text, command.case_id)

    # Messages belong to their case (ui/shell/current_case.py): shown while it is the current case.
    def show_message(self, text: str, case_id: UUID | None = None) -> None:
        self.ctx.current.tell(case_id or self.ctx.selected_case, text)

    def show_error(self, text: str, case_id: UUID | None = None) -> None:
        self.ctx.current.tell(case_id or self.ctx.selected_case, text, error=True)

    def _message_changed(self, message) -> None:
        if message is None:
            self.message.hide()
            return
        theme.set_style_property(self.message, "feedback", "error" if message.error else "ok")
        self.message.setText(message.text)
        self.message.show()

    # ------------------------------------------------------------------ names

    @staticmethod
    def _lookup(refdata, kind: str, key: str | None):
        if refdata is None or not key:
            return None
        try:
            return getattr(refdata, kind)(key)
        except Exception:
            return None

    def _unit_name(self, unit_id: str | None) -> str:
        return unit_label(self.ctx, unit_id)


def photo_learner(ctx: ConsoleContext):
    """learn(case_id): the server's photos of a case into the console's store (None without a server)."""
    engine, store = getattr(ctx, "engine", None), getattr(ctx, "photos", None)
    client = getattr(engine, "client", None)
    if store is None or client is None or getattr(ctx.session, "offline", False):
        return None
    return lambda case_id: refresh_case_photos(client, store, case_id)


def unit_label(ctx: ConsoleContext, unit_id: str | None) -> str:
    """'Name (id)' of a unit in the UI's language; the bare id when unknown."""
    unit = CaseDetailDock._lookup(ctx.cache.refdata(), "unit", unit_id)
    return f"{labels.localized_name(unit, ui_language(ctx))} ({unit_id})" if unit else (unit_id or "")
