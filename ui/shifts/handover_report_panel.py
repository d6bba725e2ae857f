"""The handover dock's Report tab: one shift's handover report as the console holds it — the report, the
outgoing lead's notes (editable by that lead until the report is signed), a refusal from the server at
the top until it is dismissed, the state in words, and the buttons the dock acts on (save notes, sign,
PDF, print). It shows a `HandoverState`; the dock does the work."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.shifts import handover as model


class HandoverReportPanel(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        refusal_row = QHBoxLayout()
        self.refusal = QLabel(self, objectName="handoverRefusal")
        self.refusal.setWordWrap(True)
        self.refusal.setProperty("severity", "danger")
        self.dismiss_button = QPushButton(self, objectName="dismissRefusalButton")
        refusal_row.addWidget(self.refusal, 1)
        refusal_row.addWidget(self.dismiss_button)
        layout.addLayout(refusal_row)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
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
        layout.addWidget(splitter, 1)
        actions = QHBoxLayout()
        self.status_label = QLabel(self, objectName="handoverStatus")
        self.status_label.setWordWrap(True)
        self.save_notes_button = QPushButton(self, objectName="saveNotesButton")
        self.sign_button = QPushButton(self, objectName="signHandoverButton")
        self.pdf_button = QPushButton(self, objectName="exportPdfButton")
        self.print_button = QPushButton(self, objectName="printHandoverButton")
        actions.addWidget(self.status_label, 1)
        for button in (self.save_notes_button, self.sign_button, self.pdf_button, self.print_button):
            actions.addWidget(button)
        layout.addLayout(actions)
        self.retranslate()

    def retranslate(self) -> None:
        self.dismiss_button.setText(self.tr("Dismiss"))
        self.notes_label.setText(self.tr("Notes of the outgoing lead"))
        self.save_notes_button.setText(self.tr("Save notes"))
        self.sign_button.setText(self.tr("Sign…"))
        self.pdf_button.setText(self.tr("Export PDF…"))
        self.print_button.setText(self.tr("Print…"))

    def show_state(self, state: model.HandoverState | None, html: str, me: str, role, *,
                   reset_notes: bool = False) -> None:
        """`html`: the report as `app.shifts.handover_report.report_html` writes it (unused without a state)."""
        if state is None:
            self.report_view.setHtml("<p>" + self.tr("The report is drafted when the shift is closed.") + "</p>")
            self.refusal.hide()
            self.dismiss_button.hide()
        else:
            self.report_view.setHtml(html)
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
        self.sign_button.setEnabled(state is not None and state.can_sign(me, role))
        self.pdf_button.setEnabled(state is not None)
        self.print_button.setEnabled(state is not None)
        self.status_label.setText(self.status_text(state, me))

    def status_text(self, state: model.HandoverState | None, me: str) -> str:
        if state is None:
            return ""
        if state.signed:
            return self.tr("Signed by {lead}; the report can no longer change.").format(lead=state.server["signed_by"])
        if state.signature_pending:
            return self.tr("Signed here; waiting to be sent to the server.")
        if state.notes_pending:
            return self.tr("Notes saved here; waiting to be sent to the server.")
        if state.server.get("outgoing_lead") == me:
            return self.tr("Draft: the incoming lead signs it.")
        return self.tr("Draft by {lead}: review it and sign.").format(lead=state.server.get("outgoing_lead", ""))
