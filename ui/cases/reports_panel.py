"""The detail dock's "Reports" tab: a master case's merged repeat reports (number, source, time, reporter —
masked for a role that may not see personal data, `app.cases.reporters`), each with its reporter's callback
after the closure; activating one (double-click, Enter) opens that report. On a merged repeat it names its
master, a link that opens it. Read from the cache: it works offline."""
from __future__ import annotations

import logging
from uuid import UUID

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.cases import reporters
from app.cases.case import Case
from app.platform import labels
from app.platform.enums import Role
from ui.cases.timeline import format_time

log = logging.getLogger(__name__)


class MergedReportsPanel(QWidget):
    open_case = Signal(object)  # the UUID of the report (or master) to open

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.master_link = QLabel(self)
        self.master_link.setTextFormat(Qt.TextFormat.RichText)
        self.master_link.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.master_link.setOpenExternalLinks(False)
        self.master_link.linkActivated.connect(lambda link: self.open_case.emit(UUID(link)))
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.itemActivated.connect(self._activated)
        layout.addWidget(self.master_link)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        self.rows: list[reporters.MergedReport] = []
        self._case: Case | None = None
        self._repeats: list[Case] = []
        self._role: Role | str = Role.OPERATOR

    def set_reports(self, case: Case | None, repeats: list[Case], role: Role | str) -> None:
        self._case, self._repeats, self._role = case, list(repeats), role
        self.list.clear()
        self.rows = reporters.merged_reports(case, repeats, role) if case is not None else []
        if case is not None and case.merged_into is not None:
            number = case.merged_number or str(case.merged_into)
            self.master_link.setText(self.tr('Merged into <a href="{id}">{number}</a> (its reporter was told this '
                                             'number).').format(id=case.merged_into, number=number))
            self.master_link.show()
        else:
            self.master_link.hide()
        self.summary.setText(self.tr("{n} repeat report(s) merged into this case. Double-click one to open it.")
                             .format(n=len(self.rows)) if self.rows else
                             self.tr("No repeat reports merged into this case."))
        for row in self.rows:
            parts = [row.number, labels.source_label(row.source), format_time(row.reported_at),
                     row.reporter or self.tr("no reporter")]
            cb = row.callback
            if cb is not None:
                parts.append(self.tr("called back: {result}").format(
                    result=labels.label(cb.satisfaction) if cb.reached else self.tr("not reached")))
            item = QListWidgetItem(" · ".join(parts))
            item.setData(Qt.ItemDataRole.UserRole, row.case_id)
            self.list.addItem(item)

    def retranslate(self) -> None:
        self.set_reports(self._case, self._repeats, self._role)

    def _activated(self, item: QListWidgetItem) -> None:
        case_id = item.data(Qt.ItemDataRole.UserRole)
        if case_id is not None:
            self.open_case.emit(case_id)
