"""Shift handover, for shift leads: the shift under way (open / close), the handover reports, and the
review view of one shift — its timeline (the ledger events of the shift, filterable by operator, unit
and event type) next to its report, with the notes (outgoing lead), the signature (incoming lead), PDF
export and printing.

Opening and closing a shift are server actions (online only: the server drafts the report from its
ledger). Notes and the signature are queued in the console's entity outbox and work offline; a
signature the server refuses (the report changed since it was signed) is shown at the top of the report
until the lead dismisses it, and the lead signs the new version.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.platform.enums import Action, Role
from app.platform.labels import action_label, localized_name
from app.refdata.people import person_text
from app.shifts import handover as model
from app.sync.client import AuthExpired, ServerRefused, ServerUnreachable
from app.sync.state import Connection
from app.wire.shifts import HandoverAnswer, ScheduleAnswer, SlotAnswer
from ui.photos.report_pdf import handover_cases, handover_photos
from ui.shell.context import ConsoleContext
from ui.shell.i18n import current_language
from ui.shell.ops import run_op
from ui.shifts.handover_pdf import print_report, write_pdf
from ui.shifts.sign_dialog import SignDialog
from ui.shifts.timeline_model import ShiftTimelineModel, TimelineFilter

log = logging.getLogger(__name__)

KINDS = frozenset({model.SHIFT, "handover"})
TIMELINE_DELAY_MS = 1000  # case changes re-read the shift's timeline at most this often


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


class OpenShiftDialog(QDialog):
    """Which shift (by the clock, or a named slot of the schedule) and who is on duty."""

    def __init__(self, slots: list[SlotAnswer], users, me: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("openShiftDialog")
        self.setWindowTitle(self.tr("Open a shift"))
        self.slot = QComboBox(self)
        self.slot.addItem(self.tr("The current shift (by the clock)"), None)
        for slot in slots:
            self.slot.addItem(f"{model.shift_label(slot.name)} {slot.start}–{slot.end}", slot.name)
        self.people = QListWidget(self)
        for user in users:
            if user.username == me or user.role in (Role.ADMIN, Role.SYSTEM, Role.UNIT_HANDLER):
                continue
            item = QListWidgetItem(f"{user.display_name} ({user.username})", self.people)
            item.setData(Qt.ItemDataRole.UserRole, user.username)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        form = QFormLayout()
        form.addRow(self.tr("Shift"), self.slot)
        form.addRow(self.tr("On duty (you lead it)"), self.people)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def on_duty(self) -> list[str]:
        return [self.people.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.people.count())
                if self.people.item(i).checkState() == Qt.CheckState.Checked]

    def slot_name(self) -> str | None:
        return self.slot.currentData()


class CloseShiftDialog(QDialog):
    def __init__(self, shift: dict[str, Any], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("closeShiftDialog")
        self.setWindowTitle(self.tr("Close the shift"))
        prompt = QLabel(self.tr("Close the {shift} opened at {at}? The handover report is drafted from the "
                                "server's records; you can add notes until the incoming lead signs it.")
                        .format(shift=model.shift_label(shift.get("name", "")), at=shift.get("opened_at", "")[:16]),
                        self)
        prompt.setWordWrap(True)
        self.notes = QPlainTextEdit(self)
        self.notes.setPlaceholderText(self.tr("Notes for the incoming lead (optional)"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(prompt)
        layout.addWidget(self.notes)
        layout.addWidget(buttons)


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
        # The timeline reads every case updated since the shift opened: after case changes it is read
        # again at most once a second, and only while the dock is visible (else when it is shown).
        self._timeline_generation = 0
        self._timeline_stale = False
        self._timeline_timer = QTimer(self, singleShot=True, interval=TIMELINE_DELAY_MS)
        self._timeline_timer.timeout.connect(self._timeline_due)
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
        # -- report tab
        report_tab = QWidget(self.tabs)
        report_layout = QVBoxLayout(report_tab)
        refusal_row = QHBoxLayout()
        self.refusal = QLabel(report_tab, objectName="handoverRefusal")
        self.refusal.setWordWrap(True)
        self.refusal.setProperty("severity", "danger")
        self.dismiss_button = QPushButton(report_tab, objectName="dismissRefusalButton")
        refusal_row.addWidget(self.refusal, 1)
        refusal_row.addWidget(self.dismiss_button)
        report_layout.addLayout(refusal_row)
        splitter = QSplitter(Qt.Orientation.Vertical, report_tab)
        self.report_view = QTextBrowser(splitter, objectName="handoverReport")
        notes_box = QWidget(splitter)
        notes_layout = QVBoxLayout(notes_box)
        notes_layout.setContentsMargins(0, 0, 0, 0)
        self.notes_label = QLabel(notes_box)
        self.notes_edit = QPlainTextEdit(notes_box, objectName="handoverNotes")
        notes_layout.addWidget(self.notes_label)
        notes_layout.addWidget(self.notes_edit)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        report_layout.addWidget(splitter, 1)
        actions = QHBoxLayout()
        self.status_label = QLabel(report_tab, objectName="handoverStatus")
        self.status_label.setWordWrap(True)
        self.save_notes_button = QPushButton(report_tab, objectName="saveNotesButton")
        self.sign_button = QPushButton(report_tab, objectName="signHandoverButton")
        self.pdf_button = QPushButton(report_tab, objectName="exportPdfButton")
        self.print_button = QPushButton(report_tab, objectName="printHandoverButton")
        actions.addWidget(self.status_label, 1)
        for button in (self.save_notes_button, self.sign_button, self.pdf_button, self.print_button):
            actions.addWidget(button)
        report_layout.addLayout(actions)
        self.tabs.addTab(report_tab, "")
        # -- timeline tab
        timeline_tab = QWidget(self.tabs)
        timeline_layout = QVBoxLayout(timeline_tab)
        filters = QHBoxLayout()
        self.actor_filter = QComboBox(timeline_tab, objectName="timelineActorFilter")
        self.unit_filter = QComboBox(timeline_tab, objectName="timelineUnitFilter")
        self.action_filter = QComboBox(timeline_tab, objectName="timelineActionFilter")
        self.filter_labels = [QLabel(timeline_tab) for _ in range(3)]
        for label, combo in zip(self.filter_labels, (self.actor_filter, self.unit_filter, self.action_filter)):
            filters.addWidget(label)
            filters.addWidget(combo, 1)
            combo.currentIndexChanged.connect(self._apply_filter)
        timeline_layout.addLayout(filters)
        refdata = ctx.refdata
        self.timeline_model = ShiftTimelineModel(refdata, refdata.policy.calendar.tz if refdata else None,
                                                 current_language(), self)
        self.timeline_filter = TimelineFilter(self)
        self.timeline_filter.setSourceModel(self.timeline_model)
        self.timeline_view = QTableView(timeline_tab, objectName="shiftTimeline")
        self.timeline_view.setModel(self.timeline_filter)
        self.timeline_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.timeline_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timeline_view.verticalHeader().hide()
        self.timeline_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.timeline_view.horizontalHeader().setStretchLastSection(True)
        self.timeline_view.doubleClicked.connect(self._select_case)
        self.timeline_count = QLabel(timeline_tab)
        timeline_layout.addWidget(self.timeline_view, 1)
        timeline_layout.addWidget(self.timeline_count)
        self.tabs.addTab(timeline_tab, "")

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
        self._refresh_timeline()

    def _shift_data(self) -> dict[str, Any] | None:
        if self.shift_id is None:
            return None
        return self.ctx.cache.entity(model.SHIFT, self.shift_id)

    def _refresh_state(self, reset_notes: bool = False) -> None:
        self.state = model.handover_state(self.ctx.cache, self.shift_id) if self.shift_id else None
        state, me = self.state, self.ctx.actor.username
        if state is None:
            self.report_view.setHtml("<p>" + self.tr("The report is drafted when the shift is closed.") + "</p>")
            self.refusal.hide()
            self.dismiss_button.hide()
        else:
            self.report_view.setHtml(model.report_html(state, self.ctx.refdata, current_language()))
            if reset_notes or not self.notes_edit.hasFocus():
                self.notes_edit.setPlainText(state.notes)
            refusal = state.refusals[-1] if state.refusals else None
            self.refusal.setVisible(refusal is not None)
            self.dismiss_button.setVisible(refusal is not None)
            if refusal is not None:
                what = self.tr("Your signature") if refusal.action == "sign" else self.tr("Your notes")
                self.refusal.setText(self.tr("{what} was refused by the server: {message}").format(
                    what=what, message=refusal.message))
        editable = state is not None and state.can_edit_notes(me)
        self.notes_edit.setReadOnly(not editable)
        self.save_notes_button.setVisible(editable)
        self.sign_button.setEnabled(state is not None and state.can_sign(me, self.ctx.actor.role))
        self.pdf_button.setEnabled(state is not None)
        self.print_button.setEnabled(state is not None)
        self.status_label.setText(self._status_text())

    def _status_text(self) -> str:
        state = self.state
        if state is None:
            return ""
        if state.signed:
            return self.tr("Signed by {lead}; the report can no longer change.").format(lead=state.server["signed_by"])
        if state.signature_pending:
            return self.tr("Signed here; waiting to be sent to the server.")
        if state.notes_pending:
            return self.tr("Notes saved here; waiting to be sent to the server.")
        if state.server.get("outgoing_lead") == self.ctx.actor.username:
            return self.tr("Draft: the incoming lead signs it.")
        return self.tr("Draft by {lead}: review it and sign.").format(lead=state.server.get("outgoing_lead", ""))

    def _cases_changed(self, _changes) -> None:
        # Started only when idle (not restarted): a steady stream of changes still re-reads once a second
        # instead of putting the read off for as long as the stream lasts.
        if not self._timeline_timer.isActive():
            self._timeline_timer.start()

    def _timeline_due(self) -> None:
        if self.isVisible():
            self._refresh_timeline()
        else:
            self._timeline_stale = True

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._timeline_stale:
            self._refresh_timeline()

    def _refresh_timeline(self) -> None:
        self._timeline_stale = False
        self._timeline_timer.stop()
        self._timeline_generation += 1
        generation = self._timeline_generation
        shift = self._shift_data()
        if shift is None:
            self.timeline_model.set_events([])
            self._fill_filters()
            return
        start = datetime.fromisoformat(shift["opened_at"])
        end = datetime.fromisoformat(shift["closed_at"]) if shift.get("closed_at") else None
        cache, shift_id = self.ctx.cache, self.shift_id

        def done(events) -> None:
            if not shiboken6.isValid(self):  # the dock was destroyed while the read ran
                return
            if generation == self._timeline_generation and shift_id == self.shift_id:  # not an older read
                self.timeline_model.set_events(events)
                self._fill_filters()

        run_op(lambda: model.timeline(cache, start, end), done,
               lambda exc: log.error("cannot read the shift's timeline", exc_info=exc))

    def _fill_filters(self) -> None:
        events = self.timeline_model.events()
        language = current_language()
        refdata = self.ctx.refdata
        options = (
            (self.actor_filter, sorted({e.actor for e in events}), lambda a: person_text(refdata, a)),
            (self.unit_filter, sorted({e.unit_id for e in events if e.unit_id}),
             lambda u: localized_name(refdata.unit(u), language) if refdata and refdata.has_unit(u) else u),
            (self.action_filter, sorted({str(e.action) for e in events}), lambda a: action_label(Action(a))),
        )
        for combo, values, label in options:
            keep = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self.tr("All"), None)
            for value in values:
                combo.addItem(label(value), value)
            combo.setCurrentIndex(max(0, combo.findData(keep)) if keep else 0)
            combo.blockSignals(False)
        self._apply_filter()

    def _apply_filter(self) -> None:
        self.timeline_filter.set_filter(actor=self.actor_filter.currentData(), unit=self.unit_filter.currentData(),
                                        action=self.action_filter.currentData())
        self.timeline_count.setText(self.tr("{shown} of {total} events").format(
            shown=self.timeline_filter.rowCount(), total=self.timeline_model.rowCount()))

    def _select_case(self, index) -> None:
        source = self.timeline_filter.mapToSource(index)
        self.ctx.select_case(self.timeline_model.event_at(source.row()).case_id)

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
        return model.report_html(self.state, self.ctx.refdata, current_language())

    def export_pdf(self, path: str | None = None) -> str | None:
        if self.state is None:
            return None
        if path is None:
            path, _filter = QFileDialog.getSaveFileName(self, self.tr("Export the handover report"),
                                                        model.pdf_file_name(self.state.server.get("shift") or {}),
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
        self.dismiss_button.setText(self.tr("Dismiss"))
        self.notes_label.setText(self.tr("Notes of the outgoing lead"))
        self.save_notes_button.setText(self.tr("Save notes"))
        self.sign_button.setText(self.tr("Sign…"))
        self.pdf_button.setText(self.tr("Export PDF…"))
        self.print_button.setText(self.tr("Print…"))
        for label, text in zip(self.filter_labels, (self.tr("Operator"), self.tr("Unit"), self.tr("Event"))):
            label.setText(text)
