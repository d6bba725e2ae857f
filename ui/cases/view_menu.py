"""The queue's views (ten tabs and more) always reachable: the tab bar scrolls when they do not fit,
and a "Views ▾" button beside it lists every view, the current one checked, with its count when the
tab shows one. Choosing one selects its tab."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QHBoxLayout, QMenu, QTabBar, QToolButton, QWidget


class ViewMenuButton(QToolButton):
    def __init__(self, tabs: QTabBar, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("queueViewMenu")
        self.tabs = tabs
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setAutoRaise(True)
        self.menu_ = QMenu(self)
        self.setMenu(self.menu_)
        self.menu_.aboutToShow.connect(self.refill)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setText(self.tr("Views ▾"))
        self.setToolTip(self.tr("Every view of the queue, also those the tab bar has no room for"))

    def refill(self) -> None:
        self.menu_.clear()
        group = QActionGroup(self.menu_)
        for index in range(self.tabs.count()):
            action = self.menu_.addAction(self.tabs.tabText(index))
            action.setCheckable(True)
            action.setChecked(index == self.tabs.currentIndex())
            action.setToolTip(self.tabs.tabToolTip(index))
            action.triggered.connect(lambda _=False, i=index: self.tabs.setCurrentIndex(i))
            group.addAction(action)

    def choose(self, text: str) -> bool:
        """Select the view whose tab reads `text` (tests, keyboard users)."""
        self.refill()
        for action in self.menu_.actions():
            if action.text() == text:
                action.trigger()
                return True
        return False


def tab_row(tabs: QTabBar, parent: QWidget) -> QHBoxLayout:
    """The tab bar and its views button in one row."""
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(2)
    row.addWidget(tabs, 1)
    row.addWidget(ViewMenuButton(tabs, parent))
    return row


def view_menu_of(parent: QObject) -> ViewMenuButton | None:
    return parent.findChild(ViewMenuButton, "queueViewMenu")
