"""Dispatch or reassign: the responsibility matrix's ranked suggestions with the reason for each (in the
UI's language), the nearest crews by live position, and the searchable tree of every unit.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.cases.case import Case
from app.cases.routing import Suggestion, rank_units
from app.platform import labels
from app.platform.enums import Action
from ui.cases.payload_dialog import PayloadDialog, UnitRole, unit_name
from ui.shell.i18n import current_language


def suggestion_reason(s: Suggestion, refdata, parent: QWidget | None = None) -> str:
    """The routing reason in the UI's language (routing.py's reason_key table). Literal
    `QCoreApplication.translate("DispatchDialog", ...)` calls, so pyside6-lupdate extracts every text."""
    a = s.reason_args
    if s.reason_key == "routing.rule":
        rank = {1: QCoreApplication.translate("DispatchDialog", "Primary"),
                2: QCoreApplication.translate("DispatchDialog", "Secondary")}.get(
            a.get("rank"), QCoreApplication.translate("DispatchDialog", "Rank {n}").format(n=a.get("rank")))
        category = a.get("category", "*")
        scope = a.get("category_scope")
        cat_text = {"all": QCoreApplication.translate("DispatchDialog", "all categories"),
                    "kind": QCoreApplication.translate("DispatchDialog", "all {kind}").format(
                        kind=labels.kind_label("component" if category == "C" else "event"))}.get(scope, category)
        if scope == "major" and len(category) == 3:
            kind = "component" if category[0] == "C" else "event"
            cat_text = f"{category} {labels.major_label(kind, category[1:])}"
        area, area_scope = a.get("area", "*"), a.get("area_scope", "all")
        area_text = QCoreApplication.translate("DispatchDialog", "all areas") if area == "*" else {
            "grid": QCoreApplication.translate("DispatchDialog", "grid {code}"),
            "community": QCoreApplication.translate("DispatchDialog", "community {code}"),
            "street": QCoreApplication.translate("DispatchDialog", "street {code}"),
            "county": QCoreApplication.translate("DispatchDialog", "county {code}")}.get(area_scope, "{code}").format(
            code=area)
        text = QCoreApplication.translate("DispatchDialog", "{rank} for {category} in {area}").format(
            rank=rank, category=cat_text, area=area_text)
        if a.get("no_grid"):
            text += QCoreApplication.translate("DispatchDialog", " — no grid matched the location")
        return text
    if s.reason_key == "routing.escalation":
        return QCoreApplication.translate("DispatchDialog", "Escalation level {level}: above {child}").format(
            level=a.get("level"), child=unit_name(refdata, a.get("child")))
    if s.reason_key == "routing.no_rule":
        return QCoreApplication.translate("DispatchDialog",
                                          "No responsibility rule matches; the city office coordinates")
    return s.reason


class UnitPicker(QWidget):
    """A searchable tree of every member unit (hierarchy), e.g. to dispatch outside the suggestions."""

    def __init__(self, refdata, parent: QWidget | None = None, *, exclude: set[str] = frozenset()):
        super().__init__(parent)
        self.refdata = refdata
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(self.tr("Search units by name or id…"))
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels([self.tr("Unit"), self.tr("Id"), self.tr("Phone")])
        self.tree.setColumnWidth(0, 300)
        self.tree.setUniformRowHeights(True)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        lang = current_language()
        items: dict[str, QTreeWidgetItem] = {}
        for unit in refdata.units:  # file order: parents come before children
            item = QTreeWidgetItem([labels.localized_name(unit, lang), unit.id, unit.phone])
            item.setData(0, UnitRole, unit.id)
            item.setToolTip(0, f"{unit.name}\n{unit.name_en}")
            if unit.id in exclude:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable)
                item.setDisabled(True)
            parent_item = items.get(unit.parent_id or "")
            if parent_item is None:
                self.tree.addTopLevelItem(item)
            else:
                parent_item.addChild(item)
            items[unit.id] = item
        self._items = items
        self.tree.expandAll()
        self.search.textChanged.connect(self.filter)

    def filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for unit in self.refdata.units:
            hay = f"{unit.id} {unit.name} {unit.name_en}".casefold()
            self._items[unit.id].setHidden(bool(needle) and needle not in hay)
        if needle:  # keep the parents of matches visible
            for unit in self.refdata.units:
                if not self._items[unit.id].isHidden():
                    parent = self._items[unit.id].parent()
                    while parent is not None:
                        parent.setHidden(False)
                        parent = parent.parent()

    def visible_unit_ids(self) -> list[str]:
        return [u.id for u in self.refdata.units if not self._items[u.id].isHidden()]

    def select(self, unit_id: str) -> None:
        item = self._items.get(unit_id)
        if item is not None:
            self.tree.setCurrentItem(item)


class DispatchDialog(PayloadDialog):
    """Dispatch or reassign: ranked suggestions from the responsibility matrix with the reason for each,
    and the full, searchable unit tree. The first suggestion is preselected."""

    def __init__(self, action: Action, case: Case, refdata, parent: QWidget | None = None, *, nearest=None):
        super().__init__(action, case, parent)
        self.refdata = refdata
        self.setMinimumSize(780, 600)
        exclude = {case.unit_id} if action == Action.REASSIGN and case.unit_id else set()
        try:
            self.suggestions = [s for s in rank_units(refdata, case.category_code, case.location.grid_code,
                                                      case.location.lat, case.location.lon)
                                if s.unit_id not in exclude]
        except Exception:  # unknown category/grid in old data: the full list still works
            self.suggestions = []
        self.suggestion_list = QTreeWidget(self)
        self.suggestion_list.setHeaderLabels([self.tr("Suggested unit"), self.tr("Match"), self.tr("Why")])
        self.suggestion_list.setRootIsDecorated(False)
        self.suggestion_list.setUniformRowHeights(True)
        self.suggestion_list.setWordWrap(False)
        header = self.suggestion_list.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.suggestion_list.setColumnWidth(0, 280)
        self.suggestion_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for s in self.suggestions:
            why = suggestion_reason(s, refdata, self)
            item = QTreeWidgetItem([unit_name(refdata, s.unit_id), f"{s.score:.0%}", why])
            item.setData(0, UnitRole, s.unit_id)
            item.setToolTip(0, f"{unit_name(refdata, s.unit_id)} ({s.unit_id})")
            item.setToolTip(2, why)
            self.suggestion_list.addTopLevelItem(item)
        rows = max(1, len(self.suggestions))
        self.suggestion_list.setMaximumHeight(self.suggestion_list.sizeHintForRow(0) * min(rows, 6)
                                              + header.sizeHint().height() + 8 if self.suggestions else 80)
        if self.suggestions and self.suggestions[0].reason_args.get("no_grid"):
            self.no_grid = QLabel(self.tr("No grid of the city matched this case's location: the suggestions "
                                          "below only follow the category. Check the place before dispatching."),
                                  self)
            self.no_grid.setWordWrap(True)
            self.no_grid.setProperty("feedback", "warning")
            self.form.addRow(self.no_grid)
        self.form.addRow(QLabel(self.tr("Suggestions (responsibility matrix: category × area):"), self))
        self.form.addRow(self.suggestion_list)
        # the nearest available crews by live position (ui/cases/nearest_panel.py), beside the matrix's ranking
        self.nearest = nearest(self) if nearest is not None else None
        if self.nearest is not None:
            self.form.addRow(QLabel(self.tr("Nearest crews now (live positions):"), self))
            self.form.addRow(self.nearest)
        self.form.addRow(QLabel(self.tr("Or choose any unit:"), self))
        self.units = UnitPicker(refdata, self, exclude=exclude)
        self.form.addRow(self.units)
        if self.nearest is not None:
            self.nearest.chosen.connect(lambda s: self.choose(s.unit_id))
        self.chosen_label = QLabel(self)
        self.chosen_label.setStyleSheet("font-weight: bold;")
        self.form.addRow(self.tr("Send to:"), self.chosen_label)
        self.note = QLineEdit(self)
        self.note.setPlaceholderText(self.tr("Optional note for the unit"))
        self.form.addRow(self.tr("Note:"), self.note)
        self._unit_id: str | None = None
        self.suggestion_list.currentItemChanged.connect(lambda item, _old: self._chosen(item))
        self.units.tree.currentItemChanged.connect(lambda item, _old: self._chosen(item))
        self.suggestion_list.itemDoubleClicked.connect(lambda *_: self.accept())
        if self.suggestions:
            self.suggestion_list.setCurrentItem(self.suggestion_list.topLevelItem(0))
        self._chosen(self.suggestion_list.currentItem())

    def _chosen(self, item: QTreeWidgetItem | None) -> None:
        if item is None or item.isDisabled():
            if self._unit_id is None:
                self.chosen_label.setText(self.tr("(choose a unit)"))
            return
        self._unit_id = item.data(0, UnitRole)
        self.chosen_label.setText(f"{unit_name(self.refdata, self._unit_id)} ({self._unit_id})")

    def choose(self, unit_id: str) -> None:
        self.units.select(unit_id)

    @property
    def unit_id(self) -> str | None:
        return self._unit_id

    def validate(self) -> str | None:
        return None if self._unit_id else self.tr("Choose the unit to send the case to.")

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"unit_id": self._unit_id}
        if self.note.text().strip():
            out["note"] = self.note.text().strip()
        return out
