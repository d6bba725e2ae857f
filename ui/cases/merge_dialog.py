"""Merging a repeat into its master by hand (and unmerging): the master is chosen among the open cases the
server's rule finds near the case (`app.cases.duplicates`, from the cache, so it works offline), nearest
first; the reason is required. The command goes through the workflow and the outbox like any other."""
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
from ui.cases.action_dialogs import PayloadDialog, TextDialog


class MergeDialog(PayloadDialog):
    def __init__(self, case: Case, candidates: list[Duplicate], parent: QWidget | None = None):
        super().__init__(Action.MERGE, case, parent)
        rule = rule_for(case.category_code)
        self.warning.setVisible(True)
        self.warning.setText(self.tr("The case is closed as merged; its reporter is given the master's number. "
                                     "An unmerge brings it back."))
        self.candidates = [d for d in candidates if d.summary.id != case.id]
        self.list = QTreeWidget(self)
        self.list.setHeaderLabels([self.tr("Number"), self.tr("Status"), self.tr("Distance")])
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for d in self.candidates:
            s = d.summary
            item = QTreeWidgetItem([s.display_number, labels.status_label(s.status),
                                    self.tr("{m:.0f} m").format(m=d.distance_m)])
            item.setData(0, Qt.ItemDataRole.UserRole, str(s.id))
            self.list.addTopLevelItem(item)
        if self.candidates:
            self.list.setCurrentItem(self.list.topLevelItem(0))
        self.empty = QLabel(self.tr("No open case of a related category within {m:g} m.").format(m=rule.radius_m), self)
        self.empty.setVisible(not self.candidates)
        self.form.addRow(self.tr("Master case"), self.list)
        self.form.addRow(self.empty)
        self.reason = QPlainTextEdit(self)
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(80)
        self.form.addRow(self.tr("Reason") + " *", self.reason)

    def master_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def validate(self) -> str | None:
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
    now = datetime.now(timezone.utc)
    candidates = find_duplicates(ctx.cache.summaries(), case.category_code, case.location.lat, case.location.lon,
                                 max(now, case.created_at))
    return MergeDialog(case, candidates, parent)
