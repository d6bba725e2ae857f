"""Merging a repeat into its master by hand (and unmerging): the master is chosen among the open cases the
server's rule finds near the case (`app.cases.duplicates`, from the cache, so it works offline), nearest
first; the reason is required. The command goes through the workflow and the outbox like any other.

The cache is read off the GUI thread (`ui.shell.ops.run_op`): the dialog opens at once saying it is
looking, and the list fills when the read is back (a large cache takes a while to scan)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QPlainTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from app.cases.case import Case
from app.cases.duplicates import Duplicate, find_duplicates
from app.cases.merging import rule_for
from app.platform import labels
from app.platform.enums import Action
from ui.cases.payload_dialog import PayloadDialog, TextDialog
from ui.shell.ops import run_op


class MergeDialog(PayloadDialog):
    def __init__(self, case: Case, candidates: list[Duplicate] | None, parent: QWidget | None = None, *,
                 refdata=None):
        super().__init__(Action.MERGE, case, parent)
        self.rule = rule_for(case.category_code, refdata)
        self.warning.setVisible(True)
        self.warning.setText(self.tr("The case is closed as merged; its reporter is given the master's number. "
                                     "An unmerge brings it back."))
        self.candidates: list[Duplicate] = []
        self.loading = True
        self.list = QTreeWidget(self)
        self.list.setHeaderLabels([self.tr("Number"), self.tr("Status"), self.tr("Distance")])
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.empty = QLabel(self.tr("Looking for open cases nearby…"), self)
        self.form.addRow(self.tr("Master case"), self.list)
        self.form.addRow(self.empty)
        self.reason = QPlainTextEdit(self)
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(80)
        self.form.addRow(self.tr("Reason") + " *", self.reason)
        if candidates is not None:
            self.set_candidates(candidates)

    def set_candidates(self, candidates: list[Duplicate]) -> None:
        """The open cases the rule finds near the case, nearest first (the read's answer)."""
        self.loading = False
        self.candidates = [d for d in candidates if d.summary.id != self.case.id]
        self.list.clear()
        for d in self.candidates:
            s = d.summary
            item = QTreeWidgetItem([s.display_number, labels.status_label(s.status),
                                    self.tr("{m:.0f} m").format(m=d.distance_m)])
            item.setData(0, Qt.ItemDataRole.UserRole, str(s.id))
            self.list.addTopLevelItem(item)
        if self.candidates:
            self.list.setCurrentItem(self.list.topLevelItem(0))
        self.empty.setText(self.tr("No open case of a related category within {m:g} m.").format(m=self.rule.radius_m))
        self.empty.setVisible(not self.candidates)

    def read_failed(self, exc: BaseException) -> None:
        self.loading = False
        self.empty.setText(self.tr("The open cases could not be read: {error}").format(error=exc))
        self.empty.setVisible(True)

    def master_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def validate(self) -> str | None:
        if self.loading:
            return self.tr("Still looking for open cases nearby; a moment.")
        if self.master_id() is None:
            return self.tr("Choose the master case.")
        if not self.reason.toPlainText().strip():
            return self.tr("Please write the reason.")
        return None

    def payload(self) -> dict[str, Any]:
        return {"master_id": self.master_id(), "reason": self.reason.toPlainText().strip()}


def merge_dialog_for(action: Action, case: Case, ctx, parent: QWidget | None) -> PayloadDialog | None:
    if action == Action.UNMERGE:
        return TextDialog(action, case, parent, key="reason")
    if action != Action.MERGE:
        return None
    cache = ctx.cache
    refdata = cache.refdata()
    dialog = MergeDialog(case, None, parent, refdata=refdata)
    now = max(datetime.now(timezone.utc), case.created_at)
    run_op(lambda: find_duplicates(cache.summaries(), case.category_code, case.location.lat, case.location.lon,
                                   now, refdata=refdata),
           dialog.set_candidates, dialog.read_failed, owner=dialog)
    return dialog
