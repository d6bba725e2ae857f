"""One live tile of the wall view: a title, one big figure and a few lines under it, sized from the wall's
height so that it reads from five metres on a 4K wall (the figure about a tenth of a tile's height)."""
from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

log = logging.getLogger(__name__)

TILE_STYLE = ("QFrame#wallTile { background: #111827; border: 2px solid #1f2937; border-radius: 10px; }"
              "QFrame#wallTile[alert=\"true\"] { border-color: #dc2626; }"
              "QLabel { color: #e5e7eb; background: transparent; }")


class Tile(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wallTile")
        self.setStyleSheet(TILE_STYLE)
        layout = QVBoxLayout(self)
        self.title = QLabel(self)
        self.value = QLabel(self)
        self.lines = QLabel(self)
        self.title.setStyleSheet("color: #93c5fd; font-weight: 600;")
        self.value.setStyleSheet("color: #f9fafb; font-weight: 800;")
        self.lines.setTextFormat(Qt.TextFormat.PlainText)
        self.lines.setWordWrap(True)
        self.lines.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.lines, 1)

    def set(self, title: str, value: str, lines: list[str] | None = None, *, alert: bool = False) -> None:
        self.title.setText(title)
        self.value.setText(value)
        self.lines.setText("\n".join(lines or []))
        if self.property("alert") != alert:
            self.setProperty("alert", alert)
            self.style().unpolish(self)
            self.style().polish(self)

    def scale(self, wall_height: int) -> None:
        """Font sizes from the wall's height: at 2160 px the figure is 96 px, the title 40 px, the lines 34 px."""
        for label, share in ((self.title, 40), (self.value, 96), (self.lines, 34)):
            font = label.font()
            font.setPixelSize(max(10, round(wall_height * share / 2160)))
            label.setFont(font)
