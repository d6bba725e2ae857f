"""Ownership disputes (权属争议) in the console: the dispute queue as a dock with its count, and the shift
lead's decision dialog (the owner, from the same suggestions and unit tree as dispatch, with a required
reason). The rules live in `app.cases.disputes`; a decision is the `decide_owner` command.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.cases import disputes
from app.cases.case import Case
from app.cases.workflow import allowed_actions
from app.platform.enums import Action, Status
from ui.cases.dispatch_dialog import DispatchDialog
from ui.cases.issuing import issue, refusal_text
from ui.cases.payload_dialog import unit_name
from ui.cases.timeline import format_time

if TYPE_CHECKING:  # the docks' one context (built by the main window)
    from ui.shell.context import ConsoleContext

log = logging.getLogger(__name__)

CaseRole = Qt.ItemDataRole.UserRole + 1


def return_history(case: Case, refdata) -> list[str]:
    """`unit: reason` for each return of the case, oldest first."""
    out = []
    for e in case.events:
        if e.action == Action.RETURN:
            out.append(f"{unit_name(refdata, e.payload.get('unit_id'))}: {e.payload.get('reason', '')}")
    return out


class DecideOwnerDialog(DispatchDialog):
    """Decide the owner of a disputed case: the units that returned it and why, the unit decided, and
    the reason recorded with the decision (the units cannot return the case again)."""

    def __init__(self, case: Case, refdata, parent: QWidget | None = None):
        super().__init__(Action.DECIDE_OWNER, case, refdata, parent)
        history = QLabel("\n".join(return_history(case, refdata)) or "—", self)
        history.setWordWrap(True)
        self.form.insertRow(0, self.tr("Returned by:"), history)
        self.reason = QLineEdit(self, objectName="disputeReason")
        self.reason.setPlaceholderText(self.tr("Why this unit owns it (e.g. the asset register, the boundary map)"))
        self.form.addRow(self.tr("Reason:"), self.reason)
        self.warning.setVisible(True)
        self.warning.setText(self.tr("The decision is recorded with its reason; the unit decided cannot return "
                                     "the case again (a shift lead may still reassign it)."))

    def validate(self) -> str | None:
        if not self._unit_id:
            return self.tr("Choose the unit that owns the case.")
        if not self.reason.text().strip():
            return self.tr("Give the reason for the decision.")
        return None

    def payload(self) -> dict[str, Any]:
        return {"unit_id": self._unit_id, "reason": self.reason.text().strip()}


class DisputeDock(QDockWidget):
    """The dispute queue: every case in an open ownership dispute, oldest first, with its count in the
    title; a shift lead decides the selected one."""

    def __init__(self, ctx: ConsoleContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("disputeDock")
        self.cases: list[Case] = []
        self.dialog: DecideOwnerDialog | None = None
        body = QWidget(self)
        self.tree = QTreeWidget(body, objectName="disputeList")
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        self.decide_button = QPushButton(body, objectName="disputeDecide")
        self.message = QLabel(body)
        self.message.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.decide_button)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 1)
        layout.addLayout(row)
        self.setWidget(body)
        self.decide_button.clicked.connect(self.decide_selected)
        self.tree.currentItemChanged.connect(lambda *_: self._update_button())
        self.tree.itemDoubleClicked.connect(self._select_case)
        ctx.signals.cases_changed.connect(lambda _changes: self.refresh())
        ctx.signals.language_changed.connect(lambda _lang: self._retranslate())
        self._retranslate()
        self.refresh()

    def refresh(self) -> None:
        returned = self.ctx.cache.cases_with_status(Status.RETURNED)
        self.cases = disputes.dispute_queue(returned)
        refdata = self.ctx.cache.refdata()
        current = self.selected_case()
        self.tree.clear()
        for case in self.cases:
            item = QTreeWidgetItem([case.display_number, format_time(case.dispute_since),
                                    "; ".join(return_history(case, refdata)), case.description[:80]])
            item.setData(0, CaseRole, str(case.id))
            self.tree.addTopLevelItem(item)
            if current is not None and current.id == case.id:
                self.tree.setCurrentItem(item)
        if self.tree.currentItem() is None and self.cases:
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self.setWindowTitle(self.tr("Ownership disputes ({n})").format(n=len(self.cases)))
        self._update_button()

    def selected_case(self) -> Case | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        return next((c for c in self.cases if str(c.id) == item.data(0, CaseRole)), None)

    def _update_button(self) -> None:
        case = self.selected_case()
        refdata = self.ctx.cache.refdata()
        ok = case is not None and refdata is not None and \
            Action.DECIDE_OWNER in allowed_actions(case, self.ctx.actor, refdata)
        self.decide_button.setEnabled(ok)

    def _select_case(self, item: QTreeWidgetItem, _column: int) -> None:
        from uuid import UUID

        self.ctx.signals.case_selected.emit(UUID(item.data(0, CaseRole)))

    def decide_selected(self) -> DecideOwnerDialog | None:
        case = self.selected_case()
        if case is None or not self.decide_button.isEnabled():
            return None
        dialog = DecideOwnerDialog(case, self.ctx.cache.refdata(), self)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._issue(case, dialog.payload()))
        dialog.open()
        return dialog

    def _issue(self, case: Case, payload: dict) -> None:
        issue(self.ctx, Action.DECIDE_OWNER, case.id, payload,
              lambda _cmd: self.message.setText(self.tr("Owner decided for case {n}.").format(n=case.display_number)),
              lambda exc: self.message.setText(refusal_text(exc)), owner=self)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.tree.setHeaderLabels([self.tr("Case"), self.tr("In dispute since"), self.tr("Returned by"),
                                   self.tr("Description")])
        self.decide_button.setText(self.tr("Decide owner…"))
        self.decide_button.setToolTip(QCoreApplication.translate(
            "DisputeDock", "A shift lead decides which unit owns the case (权属争议)"))
        self.setWindowTitle(self.tr("Ownership disputes ({n})").format(n=len(self.cases)))
