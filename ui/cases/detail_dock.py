"""The selected case in full: header with number, status and the live countdown; the action bar with
exactly the actions this user may take now; fields, event timeline, attachments and a location sketch.

The dock loads the case, assembles and routes messages and actions; its parts live beside it: the header
and countdown (`case_header`), the Details tab (`case_fields`, with `location_sketch` and the alarm line
`alarm_link`), the Timeline (`timeline`), Tasks (`task_panel`) and Reports (`reports_panel`) tabs, the
action bar (`actions`) and the photo strip (`ui.photos.strip`).
"""
from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING
from uuid import UUID

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.cases.case import Case
from app.cases.commands import Command
from app.platform import labels
from app.sync.photo_upload import refresh_case_photos
from ui.cases.actions import CaseActionBar, CaseActionController
from ui.cases.alarm_link import CaseAlarmLink
from ui.cases.case_fields import CaseFieldsPanel, lookup
from ui.cases.case_header import CaseHeader
from ui.cases.issuing import now_utc, ui_language
from ui.cases.reports_panel import MergedReportsPanel
from ui.cases.task_panel import CaseTasksPanel
from ui.cases.timeline import CaseTimeline
from ui.photos.strip import PhotoStrip
from ui.shell import theme
from ui.shell.ops import run_op

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)


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
        self.header = CaseHeader(body)
        layout.addWidget(self.header)
        # the header's widgets under the dock's own names (callers and tests act on the dock)
        h = self.header
        self.title, self.status_badge, self.priority_badge = h.title, h.status_badge, h.priority_badge
        self.pending_badge, self.countdown_label = h.pending_badge, h.countdown_label

        self.actions_bar = CaseActionBar(body)
        layout.addWidget(self.actions_bar)
        self.message = QLabel(body)
        self.message.setObjectName("caseMessage")  # feedback="ok" or "error"
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        layout.addWidget(self.message)

        self.tabs = QTabWidget(body)
        self.details = CaseFieldsPanel(partial(unit_label, ctx))
        self._values = self.details.values
        self.sketch, self.attachments = self.details.sketch, self.details.attachments
        self.alarm_link = CaseAlarmLink(ctx, self._values["alarm"], lambda: self.case)
        self.timeline = CaseTimeline(unit_name=partial(unit_label, ctx), refdata=ctx.cache.refdata)  # no cycle
        self.tabs.addTab(self.details, "")
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
        if ctx.selected_case is not None:
            self.load(ctx.selected_case)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Case detail"))
        self.details.retranslate()
        self.tabs.setTabText(0, self.tr("Details"))
        self.tabs.setTabText(1, self.tr("Timeline"))
        self.tabs.setTabText(2, self.tr("Tasks"))
        self._reports_tab_text()
        self.reports_panel.retranslate()
        self.placeholder.setText(self.tr("Select a case in the queue, on the map or in the alarm list to see it here."))
        self.actions_bar.retranslate()
        self.timeline.retranslate()
        if self.case is not None:
            self._show(self.case, self.pending)
        else:
            self.header.show_case(None, [])

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
        self.header.show_case(case, pending)
        refdata = self.ctx.cache.refdata()
        self.actions_bar.set_case(case, self.ctx.actor, refdata)
        self.timeline.set_case(case, pending)
        self.task_panel.set_case(case)
        if case is None:
            self._show_reports(None, [])
            self.details.clear()
            return
        self.details.show_case(case, refdata, ui_language(self.ctx), self.ctx.actor.role)
        self.alarm_link.show(case)
        self._update_countdown()

    def _update_countdown(self) -> None:
        if self.case is not None:
            self._values["stage"].setText(self.header.tick(self.case, now_utc(self.ctx), self.ctx.cache.refdata()))

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


def photo_learner(ctx: ConsoleContext):
    """learn(case_id): the server's photos of a case into the console's store (None without a server)."""
    engine, store = getattr(ctx, "engine", None), getattr(ctx, "photos", None)
    client = getattr(engine, "client", None)
    if store is None or client is None or getattr(ctx.session, "offline", False):
        return None
    return lambda case_id: refresh_case_photos(client, store, case_id)


def unit_label(ctx: ConsoleContext, unit_id: str | None) -> str:
    """'Name (id)' of a unit in the UI's language; the bare id when unknown."""
    unit = lookup(ctx.cache.refdata(), "unit", unit_id)
    return f"{labels.localized_name(unit, ui_language(ctx))} ({unit_id})" if unit else (unit_id or "")
