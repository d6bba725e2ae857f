"""Shift handover, for shift leads: the shift under way (open / close), the handover reports, and the
review view of one shift — its timeline (the ledger events of the shift, filterable by operator, unit
and event type) next to its report, with the notes (outgoing lead), the signature (incoming lead), PDF
export and printing.

Opening and closing a shift are server actions (online only: the server drafts the report from its
ledger). Notes and the signature are queued in the console's entity outbox and work offline; a
signature the server refuses (the report changed since it was signed) is shown at the top of the report
until the lead dismisses it, and the lead signs the new version.

The dock assembles and acts; its parts live beside it: the open/close questions (`shift_dialogs`), the
Report tab (`handover_report_panel`), the Timeline tab (`shift_timeline_panel`), the signature dialog
(`sign_dialog`) and paper (`handover_pdf`).
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.platform.enums import Role
from app.shifts import handover as model
from app.shifts import handover_report
from app.sync.client import AuthExpired, ServerRefused, ServerUnreachable
from app.sync.state import Connection
from app.wire.shifts import HandoverAnswer, ScheduleAnswer
from ui.photos.report_pdf import handover_cases, handover_photos
from ui.shell.context import ConsoleContext
from ui.shell.i18n import current_language
from ui.shell.ops import run_op
from ui.shifts.handover_pdf import print_report, write_pdf
from ui.shifts.handover_report_panel import HandoverReportPanel
from ui.shifts.shift_dialogs import CloseShiftDialog, OpenShiftDialog
from ui.shifts.shift_timeline_panel import ShiftTimelinePanel
from ui.shifts.sign_dialog import SignDialog

log = logging.getLogger(__name__)

KINDS = frozenset({model.SHIFT, "handover"})


class _Relay(QObject):
    """Brings the entity outbox's plain-Python event to the GUI thread."""

    changed = Signal()


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, ServerRefused):
        return exc.message
    if isinstance(exc, (ServerUnreachable, AuthExpired)):
        return QCoreApplication.translate("HandoverDock", "The server cannot be reached; try again when the "
                                                          "console is online.")
    return str(exc)


class HandoverDock(QDockWidget):
    def __init__(self, ctx: ConsoleContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.is_lead = ctx.actor.role == Role.SHIFT_LEAD
        self.shift_id: str | None = None
        self.state: model.HandoverState | None = None
        self.last_pdf: str | None = None
        self.sign_dialog: SignDialog | None = None  # the open signature dialog (tests fill it in)
        self._open_shift: dict[str, Any] | None = None  # as `refresh` last read it (entities_changed keeps it)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        self.setWidget(body)
        self.leads_only = QLabel(body, objectName="handoverLeadsOnly")
        self.leads_only.setWordWrap(True)
        layout.addWidget(self.leads_only)

        bar = QHBoxLayout()
        self.shift_label = QLabel(body, objectName="currentShift")
        self.open_button = QPushButton(body, objectName="openShiftButton")
        self.close_button = QPushButton(body, objectName="closeShiftButton")
        bar.addWidget(self.shift_label, 1)
        bar.addWidget(self.open_button)
        bar.addWidget(self.close_button)
        layout.addLayout(bar)
        pick = QHBoxLayout()
        self.pick_label = QLabel(body)
        self.picker = QComboBox(body, objectName="handoverPicker")
        pick.addWidget(self.pick_label)
        pick.addWidget(self.picker, 1)
        layout.addLayout(pick)

        self.tabs = QTabWidget(body)
        layout.addWidget(self.tabs, 1)
        self.report = HandoverReportPanel(self.tabs)
        self.tabs.addTab(self.report, "")
        self.timeline = ShiftTimelinePanel(ctx, self.isVisible, self.tabs)
        self.tabs.addTab(self.timeline, "")
        # the tabs' widgets under the dock's own names (callers and tests act on the dock)
        r, t = self.report, self.timeline
        self.refusal, self.dismiss_button, self.report_view, self.notes_edit = (r.refusal, r.dismiss_button,
                                                                                 r.report_view, r.notes_edit)
        self.status_label, self.save_notes_button, self.sign_button = r.status_label, r.save_notes_button, r.sign_button
        self.pdf_button, self.print_button = r.pdf_button, r.print_button
        self.timeline_model, self.timeline_filter, self.timeline_count = (t.timeline_model, t.timeline_filter,
                                                                           t.timeline_count)
        self.actor_filter, self.unit_filter, self.action_filter = t.actor_filter, t.unit_filter, t.action_filter
        self._timeline_timer = t.timer

        for widget in (self.shift_label, self.open_button, self.close_button, self.pick_label, self.picker, self.tabs):
            widget.setVisible(self.is_lead)
        self.leads_only.setVisible(not self.is_lead)
        self._retranslate()
        if not self.is_lead:
            return
        self.open_button.clicked.connect(self.open_shift)
        self.close_button.clicked.connect(self.close_shift)
        self.picker.currentIndexChanged.connect(lambda _i: self.show_shift(self.picker.currentData()))
        self.save_notes_button.clicked.connect(self.save_notes)
        self.sign_button.clicked.connect(lambda: self.sign())
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        self.print_button.clicked.connect(self.print_report)
        self.dismiss_button.clicked.connect(self.dismiss_refusal)
        ctx.signals.entities_changed.connect(self._on_entities_changed)
        ctx.signals.cases_changed.connect(self._cases_changed)
        ctx.signals.sync_state_changed.connect(lambda _state: self._update_buttons())
        self._relay = _Relay(self)
        self._relay.changed.connect(self._refresh_state)
        ctx.cache.entity_outbox.events.changed.connect(self._outbox_changed)
        self.refresh()

    # ------------------------------------------------------------------ data

    def _outbox_changed(self, _pending: int) -> None:
        try:
            self._relay.changed.emit()
        except RuntimeError:  # the dock is gone (tests, shutdown)
            self.ctx.cache.entity_outbox.events.changed.disconnect(self._outbox_changed)

    def _on_entities_changed(self, kind: str, _ids) -> None:
        if kind in KINDS:
            self.refresh()

    def current_shift(self) -> dict[str, Any] | None:
        open_shifts = [s for s in self.ctx.cache.entities(model.SHIFT).values() if s.get("status") == "open"]
        return max(open_shifts, key=lambda s: s["opened_at"]) if open_shifts else None

    def refresh(self) -> None:
        """Re-read the shift and the handover list; keep the shift on screen if it is still there."""
        shift = self._open_shift = self.current_shift()
        tz = self.ctx.refdata.policy.calendar.tz if self.ctx.refdata else timezone.utc
        if shift is not None:
            opened = datetime.fromisoformat(shift["opened_at"]).astimezone(tz).strftime("%m-%d %H:%M")
            self.shift_label.setText(self.tr("{shift} open since {at}, led by {lead}").format(
                shift=model.shift_label(shift["name"]), at=opened, lead=shift["lead"]))
        else:
            self.shift_label.setText(self.tr("No shift is open."))
        wanted = self.shift_id or self.picker.currentData()
        self.picker.blockSignals(True)
        self.picker.clear()
        if shift is not None:
            self.picker.addItem(self.tr("Shift under way (timeline only)"), shift["id"])
        for item in model.handovers(self.ctx.cache):
            s = item.get("shift", {})
            opened = datetime.fromisoformat(s["opened_at"]).astimezone(tz).strftime("%Y-%m-%d %H:%M")
            status = self.tr("signed") if item["status"] == "signed" else self.tr("draft")
            self.picker.addItem(f"{model.shift_label(s.get('name', ''))} {opened} — {status}", item["shift_id"])
        index = max(0, self.picker.findData(wanted)) if wanted else 0
        self.picker.setCurrentIndex(index if self.picker.count() else -1)
        self.picker.blockSignals(False)
        self.show_shift(self.picker.currentData())
        self._update_buttons()

    def show_shift(self, shift_id: str | None) -> None:
        changed = shift_id != self.shift_id
        self.shift_id = shift_id
        self._refresh_state(reset_notes=changed)
        self.timeline.set_shift(shift_id)

    def _refresh_state(self, reset_notes: bool = False) -> None:
        self.state = model.handover_state(self.ctx.cache, self.shift_id) if self.shift_id else None
        html = handover_report.report_html(self.state, self.ctx.refdata, current_language()) if self.state else ""
        self.report.show_state(self.state, html, self.ctx.actor.username, self.ctx.actor.role,
                               reset_notes=reset_notes)

    def _cases_changed(self, _changes) -> None:
        self.timeline.cases_changed()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.timeline.refresh_if_stale()

    def _refresh_timeline(self) -> None:
        self.timeline.refresh()

    # ------------------------------------------------------------------ actions

    def _online(self) -> bool:
        engine = self.ctx.engine
        return engine is not None and engine.state.connection in (Connection.ONLINE, Connection.SYNCING)

    def _update_buttons(self) -> None:
        online = self._online()
        shift = self._open_shift  # not read again on every sync state change
        self.open_button.setEnabled(online and shift is None)
        self.close_button.setEnabled(online and shift is not None)
        hint = "" if online else self.tr("Opening and closing a shift needs the server.")
        self.open_button.setToolTip(hint)
        self.close_button.setToolTip(hint)

    def _offline(self) -> bool:
        return not self._online()

    def open_shift(self) -> None:
        client = self.ctx.engine.client

        def ask(schedule: ScheduleAnswer) -> None:
            dialog = OpenShiftDialog(schedule.shifts, self.ctx.refdata.users, self.ctx.actor.username, self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            on_duty, name = dialog.on_duty(), dialog.slot_name()
            run_op(lambda: client.open_shift(on_duty, name),
                   lambda shift: self.status_label.setText(self.tr("Shift opened.")), self._failed)

        run_op(client.shift_schedule, ask, self._failed)

    def close_shift(self) -> None:
        shift = self.current_shift()
        if shift is None:
            return
        dialog = CloseShiftDialog(shift, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        client, notes = self.ctx.engine.client, dialog.notes.toPlainText()

        def closed(draft: HandoverAnswer) -> None:
            self.shift_id = str(draft.shift_id)
            self.status_label.setText(self.tr("Shift closed; the handover report is drafted."))

        run_op(lambda: client.close_shift(shift["id"], notes), closed, self._failed)

    def _failed(self, exc: BaseException) -> None:
        log.info("shift action failed: %s", exc)
        QMessageBox.warning(self, self.tr("Shift handover"), _error_text(exc))

    def save_notes(self) -> None:
        state, text = self.state, self.notes_edit.toPlainText()
        cache, me, offline = self.ctx.cache, self.ctx.actor.username, self._offline()
        run_op(lambda: model.queue_notes(cache, me, state, text, datetime.now(timezone.utc), offline=offline),
               lambda _c: self._refresh_state(), self._failed, write=True)

    def sign(self, *, confirm: bool = True, remarks: str = "", start_shift: bool = False) -> None:
        """Sign the report on screen. With `confirm`, a dialog asks for the password again, the incoming
        lead's remarks and whether to start the incoming lead's shift (`ui.shifts.sign_dialog`)."""
        state = self.state
        if state is None:
            return
        if confirm:
            dialog = SignDialog(self.ctx, state, online=self._online(), parent=self)
            self.sign_dialog = dialog
            dialog.accepted.connect(lambda: self.sign(confirm=False, remarks=dialog.remarks_text(),
                                                      start_shift=dialog.start_shift.isChecked()))
            dialog.open()
            return
        cache, actor, offline = self.ctx.cache, self.ctx.actor, self._offline()

        def signed(_command) -> None:
            self._refresh_state()
            if start_shift and not offline and self._open_shift is None:
                client = self.ctx.engine.client
                run_op(lambda: client.open_shift([actor.username]),
                       lambda _shift: self.status_label.setText(self.tr("Handover signed; your shift has started.")),
                       self._failed)

        run_op(lambda: model.queue_signature(cache, actor.username, actor.role, state, datetime.now(timezone.utc),
                                             offline=offline, remarks=remarks),
               signed, self._failed, write=True)

    def dismiss_refusal(self) -> None:
        if self.state is None or not self.state.refusals:
            return
        command_id, cache = self.state.refusals[-1].command_id, self.ctx.cache
        run_op(lambda: cache.entity_outbox.dismiss(command_id), lambda _r: self._refresh_state(), self._failed,
               write=True)

    def report_html(self) -> str:
        return handover_report.report_html(self.state, self.ctx.refdata, current_language())

    def export_pdf(self, path: str | None = None) -> str | None:
        if self.state is None:
            return None
        if path is None:
            name = handover_report.pdf_file_name(self.state.server.get("shift") or {})
            path, _filter = QFileDialog.getSaveFileName(self, self.tr("Export the handover report"), name,
                                                        self.tr("PDF documents (*.pdf)"))
            if not path:
                return None
        photos, images = self.photo_section()
        write_pdf(self.report_html() + photos, path, title=self.tr("Shift handover report"), images=images)
        self.last_pdf = path
        self.status_label.setText(self.tr("Saved {path}").format(path=path))
        return path

    def print_report(self) -> None:
        if self.state is not None:
            photos, images = self.photo_section()
            print_report(self.report_html() + photos, self, images)

    def photo_section(self) -> tuple[str, dict]:
        """Before and after photos of the cases the report names, from the console's photo cache."""
        store = getattr(self.ctx, "photos", None)
        if store is None or self.state is None:
            return "", {}
        return handover_photos(store, handover_cases(self.state.report))

    # ------------------------------------------------------------------ language

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            if self.is_lead:
                self.refresh()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Shift handover"))
        self.leads_only.setText(self.tr("Shift handover is for shift leads."))
        self.open_button.setText(self.tr("Open shift…"))
        self.close_button.setText(self.tr("Close shift…"))
        self.pick_label.setText(self.tr("Shift:"))
        self.tabs.setTabText(0, self.tr("Report"))
        self.tabs.setTabText(1, self.tr("Timeline"))
        self.report.retranslate()
        self.timeline.retranslate()
