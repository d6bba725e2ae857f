"""A searchable category tree: kind (components 部件 / events 事件) → major class → minor category, with
codes, names in the UI's language (the other language in the tooltip), emergency categories marked.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.platform import labels
from ui.cases.actions import ui_language
from ui.shell import theme

CodeRole = Qt.ItemDataRole.UserRole + 1


class CategoryTree(QWidget):
    category_chosen = Signal(str)  # the code of the chosen minor category ("" when none)

    def __init__(self, refdata, parent: QWidget | None = None):
        super().__init__(parent)
        self.refdata = refdata
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        self._leaves: dict[str, QTreeWidgetItem] = {}
        self.search.textChanged.connect(self.filter)
        self.tree.currentItemChanged.connect(self._current_changed)
        self.tree.itemActivated.connect(lambda item, _c: self._current_changed(item, None))
        self.rebuild()
        theme.follow_theme(self)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if theme.theme_switched(self, event):
            self.rebuild()  # emergency categories are marked in the theme's danger colour
        super().changeEvent(event)

    def rebuild(self) -> None:
        """(Re)build the tree in the current language, keeping the chosen category."""
        chosen = self.current_code()
        self.search.setPlaceholderText(self.tr("Search categories by code or name (中文 / English)…"))
        self.tree.blockSignals(True)
        self.tree.clear()
        self._leaves.clear()
        lang = ui_language()
        kinds: dict[str, QTreeWidgetItem] = {}
        majors: dict[tuple[str, str], QTreeWidgetItem] = {}
        for cat in self.refdata.categories if self.refdata is not None else ():
            kind_item = kinds.get(cat.kind)
            if kind_item is None:
                kind_item = QTreeWidgetItem([labels.kind_label(cat.kind)])
                kind_item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.tree.addTopLevelItem(kind_item)
                kinds[cat.kind] = kind_item
            major_item = majors.get((cat.kind, cat.major))
            if major_item is None:
                letter = cat.code[0]
                major_item = QTreeWidgetItem([f"{letter}{cat.major} {labels.major_label(cat.kind, cat.major)}"])
                major_item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                kind_item.addChild(major_item)
                majors[(cat.kind, cat.major)] = major_item
            mark = " ⚠" if cat.emergency else ""
            leaf = QTreeWidgetItem([f"{cat.code} {labels.localized_name(cat, lang)}{mark}"])
            leaf.setData(0, CodeRole, cat.code)
            leaf.setToolTip(0, self.tr("{code}\n{zh}\n{en}\nDefault priority: {priority}").format(
                code=cat.code, zh=cat.name, en=cat.name_en, priority=labels.priority_label(cat.default_priority)))
            if cat.emergency:
                leaf.setForeground(0, QBrush(theme.color("danger_text")))
            major_item.addChild(leaf)
            self._leaves[cat.code] = leaf
        for kind_item in kinds.values():
            kind_item.setExpanded(True)
        self.tree.blockSignals(False)
        self.filter(self.search.text())
        if chosen:
            self.set_category(chosen)

    def filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for code, leaf in self._leaves.items():
            cat = self.refdata.category(code)
            hay = f"{cat.code} {cat.name} {cat.name_en}".casefold()
            leaf.setHidden(bool(needle) and needle not in hay)
        for i in range(self.tree.topLevelItemCount()):
            kind = self.tree.topLevelItem(i)
            any_kind = False
            for j in range(kind.childCount()):
                major = kind.child(j)
                visible = any(not major.child(k).isHidden() for k in range(major.childCount()))
                major.setHidden(not visible)
                major.setExpanded(bool(needle) and visible)
                any_kind |= visible
            kind.setHidden(not any_kind)
        if needle:
            matches = self.visible_codes()
            if len(matches) == 1:
                self.set_category(matches[0])

    def visible_codes(self) -> list[str]:
        return [code for code, leaf in self._leaves.items() if not leaf.isHidden()]

    def set_category(self, code: str) -> None:
        leaf = self._leaves.get(code)
        if leaf is None:
            return
        parent = leaf.parent()
        while parent is not None:
            parent.setExpanded(True)
            parent = parent.parent()
        self.tree.setCurrentItem(leaf)
        self.tree.scrollToItem(leaf)

    def current_code(self) -> str:
        item = self.tree.currentItem() if hasattr(self, "tree") else None
        return (item.data(0, CodeRole) or "") if item is not None else ""

    def _current_changed(self, item: QTreeWidgetItem | None, _previous) -> None:
        self.category_chosen.emit((item.data(0, CodeRole) or "") if item is not None else "")
