"""Help → About: the version (what a support call asks first), where the log and cache are, and the
server this console talks to."""
from __future__ import annotations

import html
import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QEvent, Qt, qVersion
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.platform.logging_setup import app_version
from app.platform.paths import resource

ICON_PATH = resource("icons", "onegrid.svg")


class AboutDialog(QDialog):
    def __init__(self, *, server_url: str = "", cache_dir: str = "", log_file: str = "",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self._details = (server_url, cache_dir, log_file)
        icon = QLabel(self)
        icon.setPixmap(QIcon(str(ICON_PATH)).pixmap(96, 96))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.title = QLabel(self, objectName="dialogTitle")
        self.body = QLabel(self)
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        text = QVBoxLayout()
        text.addWidget(self.title)
        text.addWidget(self.body)
        text.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self._retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("About OneGrid"))
        self.title.setText(self.tr("OneGrid operator console"))
        server, cache, log_file = (html.escape(x) for x in self._details)
        rows = [
            (self.tr("Version"), html.escape(app_version())),
            (self.tr("Server"), server or self.tr("none")),
            (self.tr("Local cache"), cache),
            (self.tr("Log file"), log_file),
            (self.tr("Built with"), f"Python {platform.python_version()}, Qt {qVersion()}, PySide6 {pyside_version}"),
        ]
        table = "".join(f"<tr><td><b>{name}</b>&nbsp;&nbsp;</td><td>{value}</td></tr>" for name, value in rows if value)
        intro = self.tr("Case dispatch and city operations for the command centre.")
        self.body.setText(f"<p>{html.escape(intro)}</p><table>{table}</table>")
