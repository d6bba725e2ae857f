"""A small static sketch of where a case is: its grid's outline with the point (the case detail's Details
tab); the map dock owns real maps."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from ui.shell import theme


class LocationSketch(QWidget):
    """A small static sketch: the case's grid outline with the point; the map dock owns real maps."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumSize(220, 160)
        self._ring: list[tuple[float, float]] = []
        self._point: tuple[float, float] | None = None

    def set_location(self, lat: float, lon: float, grid=None) -> None:
        self._point = (lon, lat)
        self._ring = []
        if grid is not None:
            coords = grid.geometry.get("coordinates") or []
            ring = coords[0] if grid.geometry.get("type") == "Polygon" else (coords[0][0] if coords else [])
            self._ring = [(float(x), float(y)) for x, y, *_ in ring]
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        c = theme.colors()
        painter.fillRect(self.rect(), QColor(c["sketch_bg"]))
        if self._point is None:
            return
        xs = [p[0] for p in self._ring] + [self._point[0]]
        ys = [p[1] for p in self._ring] + [self._point[1]]
        span = max(max(xs) - min(xs), max(ys) - min(ys), 0.002) * 1.3
        cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        side = min(self.width(), self.height()) - 16
        ox, oy = (self.width() - side) / 2, (self.height() - side) / 2

        def to_px(x: float, y: float) -> QPointF:
            return QPointF(ox + (x - cx + span / 2) / span * side, oy + (cy + span / 2 - y) / span * side)

        if self._ring:
            line = QColor(c["sketch_line"])
            painter.setPen(QPen(line, 1.5))
            line.setAlpha(40)
            painter.setBrush(line)
            painter.drawPolygon([to_px(x, y) for x, y in self._ring])
        p = to_px(*self._point)
        painter.setPen(QPen(QColor(c["alert_text"]), 2))
        painter.setBrush(QColor(c["alert_bg"]))
        painter.drawEllipse(QRectF(p.x() - 6, p.y() - 6, 12, 12))
