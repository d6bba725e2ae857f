"""The new-case form's likely duplicates: the open cases of the same category reported nearby lately (the
category's repeat rule, `app.cases.merging`), with the buttons that add the call to the selected one or
create the new case anyway."""
from __future__ import annotations

from datetime import datetime
from uuid import UUID

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.cases.duplicates import Duplicate
from app.cases.merging import MergeRule, rule_for
from app.platform import labels
from ui.cases.queue_model import format_duration

IdRole = Qt.ItemDataRole.UserRole + 1


class DuplicatesBox(QGroupBox):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.dup_list = QTreeWidget(self)
        self.dup_list.setHeaderLabels([self.tr("Number"), self.tr("Status"), self.tr("Distance"), self.tr("Age"),
                                       self.tr("Unit")])
        self.dup_list.setRootIsDecorated(False)
        self.dup_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        layout.addWidget(self.dup_list)
        buttons = QHBoxLayout()
        self.link_button = QPushButton(self.tr("Add the call to the selected case"), self)
        self.link_button.setToolTip(self.tr("Adds the caller's report as a note to the existing case instead "
                                            "of opening a new one"))
        self.create_anyway_button = QPushButton(self.tr("Create a new case anyway"), self)
        buttons.addWidget(self.link_button)
        buttons.addStretch(1)
        buttons.addWidget(self.create_anyway_button)
        layout.addLayout(buttons)

    def set_rule(self, code: str | None, refdata) -> None:
        """The title: the category's repeat rule, from the reference data (the defaults before a category is
        chosen)."""
        rule = rule_for(code, refdata) if code else MergeRule()
        self.setTitle(self.tr("Possible duplicates: same category, within {m:g} m, reported in the last "
                              "{h:g} h, still open").format(m=rule.radius_m, h=rule.window.total_seconds() / 3600))

    def show_duplicates(self, found: list[Duplicate], now: datetime, refdata, language: str) -> None:
        self.dup_list.clear()
        for d in found:
            s = d.summary
            unit = ""
            if s.unit_id and refdata is not None and refdata.has_unit(s.unit_id):
                unit = labels.localized_name(refdata.unit(s.unit_id), language)
            item = QTreeWidgetItem([s.display_number, labels.status_label(s.status), f"{d.distance_m:.0f} m",
                                    format_duration((now - s.created_at).total_seconds()), unit])
            item.setData(0, IdRole, s.id)
            self.dup_list.addTopLevelItem(item)
        if found:
            self.dup_list.setCurrentItem(self.dup_list.topLevelItem(0))
        self.setVisible(bool(found))

    def selected_case(self) -> UUID | None:
        item = self.dup_list.currentItem()
        return item.data(0, IdRole) if item is not None else None
