"""A case's tasks, for the detail dock's "Tasks" tab: the lead unit (主办) and each co-handling unit (协办)
with its own state and deadline, the on-site check before registration (核实) and the verification's
inspector. Built from the case alone (`set_case`)."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.cases.case import Case
from app.platform import labels
from ui.cases.task_dialogs import task_state_label
from ui.cases.timeline import format_time
from ui.shell import theme

log = logging.getLogger(__name__)


class CaseTasksPanel(QWidget):
    def __init__(self, unit_name: Callable[[str | None], str], parent: QWidget | None = None):
        super().__init__(parent)
        self.unit_name = unit_name
        self.case: Case | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.tree = QTreeWidget(self)
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        layout.addWidget(self.tree, 1)
        self.check = QLabel(self)
        self.check.setWordWrap(True)
        layout.addWidget(self.check)
        self.retranslate()

    def retranslate(self) -> None:
        self.tree.setHeaderLabels([self.tr("Unit"), self.tr("Role"), self.tr("State"), self.tr("Due"),
                                   self.tr("Handled")])
        self.set_case(self.case)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def rows(self) -> list[list[str]]:
        """The table's text, row by row (what a test reads)."""
        return [[self.tree.topLevelItem(i).text(c) for c in range(5)] for i in range(self.tree.topLevelItemCount())]

    def set_case(self, case: Case | None) -> None:
        self.case = case
        self.tree.clear()
        self.check.clear()
        if case is None:
            return
        now = datetime.now(timezone.utc)
        if case.unit_id:
            self.tree.addTopLevelItem(QTreeWidgetItem([
                self.unit_name(case.unit_id), self.tr("Lead (主办)"), labels.status_label(case.status),
                format_time(case.deadlines.get("handle")) if case.deadlines.get("handle") else "—",
                format_time(case.finished.get("handle")) if case.finished.get("handle") else ""]))
        for t in case.co_tasks:
            item = QTreeWidgetItem([self.unit_name(t.unit_id), self.tr("Co-handling (协办)"),
                                    task_state_label(t.status), format_time(t.due_at),
                                    format_time(t.handled_at) if t.handled_at else ""])
            if t.status != "handled" and now > t.due_at:
                item.setForeground(3, theme.color("danger_text"))
            if t.escalated_at is not None:  # the system escalated the late task up its unit's hierarchy
                item.setToolTip(3, self.tr("Overdue: escalated to {unit} at {at}").format(
                    unit=self.unit_name(t.escalated_to) if t.escalated_to else self.tr("the center"),
                    at=format_time(t.escalated_at)))
                item.setText(3, self.tr("{due} ↑ escalated").format(due=item.text(3)))
            self.tree.addTopLevelItem(item)
        lines = []
        if case.check is not None:
            c = case.check
            result = {None: self.tr("pending"), "confirmed": self.tr("confirmed on site"),
                      "not_found": self.tr("not found on site")}.get(c.result, c.result or "")
            lines.append(self.tr("On-site check (核实) by {inspector}, sent {sent}: {result}").format(
                inspector=c.inspector, sent=format_time(c.sent_at), result=result)
                + (f" ({format_time(c.confirmed_at)})" if c.confirmed_at else ""))
        if case.inspector:
            lines.append(self.tr("Verification (核查) by {inspector}").format(inspector=case.inspector))
        self.check.setText("\n".join(lines))
