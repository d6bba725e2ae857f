"""Help → Keyboard shortcuts (F1): every shortcut of the window, read from the window's own actions when
the dialog opens, so the list cannot drift from what the keys do. Shortcuts that are not actions (the
keys of a table or a dialog) are the few fixed rows of `EXTRA`.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger(__name__)

EXTRA = (  # (group, keys, what): keys that belong to a widget, not to an action
    (QT_TRANSLATE_NOOP("ShortcutsDialog", "Case queue"), "Up / Down",
     QT_TRANSLATE_NOOP("ShortcutsDialog", "Make the previous / next case the current case")),
    (QT_TRANSLATE_NOOP("ShortcutsDialog", "Case queue"), "Enter",
     QT_TRANSLATE_NOOP("ShortcutsDialog", "Open the highlighted case")),
    (QT_TRANSLATE_NOOP("ShortcutsDialog", "Dialogs"), "Ctrl+Enter",
     QT_TRANSLATE_NOOP("ShortcutsDialog", "Submit a dialog with a multi-line field")),
    (QT_TRANSLATE_NOOP("ShortcutsDialog", "Dialogs"), "Esc",
     QT_TRANSLATE_NOOP("ShortcutsDialog", "Cancel the dialog")),
)


def plain(text: str) -> str:
    """An action's text without its mnemonic '&', the trailing "…" and a "(key)" suffix."""
    text = text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()
    if text.endswith(")") and " (" in text:
        text = text[:text.rindex(" (")]
    return text


def key_text(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


def action_group(action: QAction) -> str:
    """Where the action lives: its menu's title, else the title of the dock (or window) holding it."""
    for widget in action.associatedObjects():
        if isinstance(widget, QMenu) and widget.title():
            return plain(widget.title())
    parent = action.parent()
    while parent is not None:
        if isinstance(parent, QWidget) and parent.windowTitle() and parent.isWindow() is False:
            return parent.windowTitle()
        parent = parent.parent()
    return QCoreApplication.translate("ShortcutsDialog", "Window")


def collect(window: QWidget) -> list[tuple[str, str, str]]:
    """(group, keys, what) of every action and named shortcut in `window`, then the fixed rows."""
    rows: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for action in window.findChildren(QAction):
        keys = [key_text(k) for k in action.shortcuts() if not k.isEmpty()]
        text = plain(action.text())
        if not keys or not text:
            continue
        row = (action_group(action), ", ".join(keys), text)
        if (row[0], row[1]) not in seen:
            seen.add((row[0], row[1]))
            rows.append(row)
    for shortcut in window.findChildren(QShortcut):
        if shortcut.whatsThis() and not shortcut.key().isEmpty():
            parent = shortcut.parent()
            group = parent.windowTitle() if isinstance(parent, QWidget) else ""
            rows.append((group or QCoreApplication.translate("ShortcutsDialog", "Window"),
                         key_text(shortcut.key()), shortcut.whatsThis()))
    rows += [(QCoreApplication.translate("ShortcutsDialog", group), keys,
              QCoreApplication.translate("ShortcutsDialog", what)) for group, keys, what in EXTRA]
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, window: QWidget, parent: QWidget | None = None):
        super().__init__(parent or window)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.resize(640, 620)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("Case actions act on the current case: the one highlighted in the queue and "
                               "shown in the case detail."), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.filter = QLineEdit(self)
        self.filter.setClearButtonEnabled(True)
        self.filter.setPlaceholderText(self.tr("Filter…"))
        layout.addWidget(self.filter)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels([self.tr("Keys"), self.tr("Action")])
        self.tree.setRootIsDecorated(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.tree, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.rows = collect(window)
        groups: dict[str, QTreeWidgetItem] = {}
        for group, keys, what in self.rows:
            parent_item = groups.get(group)
            if parent_item is None:
                parent_item = groups[group] = QTreeWidgetItem(self.tree, [group])
                parent_item.setFirstColumnSpanned(True)
                font = parent_item.font(0)
                font.setBold(True)
                parent_item.setFont(0, font)
            QTreeWidgetItem(parent_item, [keys, what])
        self.tree.expandAll()
        self.filter.textChanged.connect(self._filter)

    def _filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            shown = 0
            for j in range(group.childCount()):
                item = group.child(j)
                hide = bool(needle) and needle not in f"{item.text(0)} {item.text(1)}".casefold()
                item.setHidden(hide)
                shown += not hide
            group.setHidden(shown == 0)

    def keys_for(self, what: str) -> str | None:
        """The keys listed for the action called `what` (tests)."""
        return next((keys for _g, keys, w in self.rows if w == what), None)


def with_shortcut(action: QAction) -> None:
    """The action's tooltip names its shortcut, as its menu entry does (call after setting the text)."""
    keys = ", ".join(key_text(k) for k in action.shortcuts() if not k.isEmpty())
    text = plain(action.text())
    action.setToolTip(f"{text} ({keys})" if keys else text)


__all__ = ["ShortcutsDialog", "collect", "plain", "with_shortcut"]
