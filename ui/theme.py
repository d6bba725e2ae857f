"""Light (day shift) and dark (night shift) themes: Fusion style, a palette, and a style sheet from
`resources/styles/<theme>.qss`. Widgets style themselves by object name and dynamic properties
(`QLabel#connectionState[state="offline"]`), never by setting colours in code; `colors()` is for what a
style sheet cannot reach (plots, map overlays).
"""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

log = logging.getLogger(__name__)

STYLES_DIR = Path(__file__).resolve().parent.parent / "resources" / "styles"
ICONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
FONT_FAMILIES = ["Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei UI", "PingFang SC",
                 "WenQuanYi Micro Hei", "Segoe UI", "Noto Sans", "DejaVu Sans"]
BASE_POINT_SIZE = 10.5

_COLORS: dict[str, dict[str, str]] = {
    "light": {"window": "#eef1f5", "base": "#ffffff", "alt_base": "#f4f7fa", "text": "#0f1720",
              "muted": "#5c6773", "button": "#ffffff", "accent": "#0b5cad", "accent_text": "#ffffff",
              "border": "#c3ccd7", "ok": "#1a7f37", "warn": "#f0a202", "danger": "#c62828",
              "plot_bg": "#ffffff", "plot_fg": "#23303d", "link": "#0b5cad"},
    "dark": {"window": "#0d1117", "base": "#151b23", "alt_base": "#1a212b", "text": "#e6edf3",
             "muted": "#9aa7b5", "button": "#21262d", "accent": "#1f6feb", "accent_text": "#ffffff",
             "border": "#2b3542", "ok": "#3fb950", "warn": "#d29922", "danger": "#f85149",
             "plot_bg": "#151b23", "plot_fg": "#c9d3dd", "link": "#58a6ff"},
}

_current = "light"


def current_theme() -> str:
    return _current


def colors(theme: str | None = None) -> dict[str, str]:
    """Named colours of a theme (default: the current one)."""
    return dict(_COLORS[theme or _current])


def _palette(c: dict[str, str]) -> QPalette:
    pal = QPalette()
    role = QPalette.ColorRole
    for r, key in ((role.Window, "window"), (role.Base, "base"), (role.AlternateBase, "alt_base"),
                   (role.Text, "text"), (role.WindowText, "text"), (role.Button, "button"),
                   (role.ButtonText, "text"), (role.Highlight, "accent"), (role.HighlightedText, "accent_text"),
                   (role.ToolTipBase, "base"), (role.ToolTipText, "text"), (role.Link, "link"),
                   (role.PlaceholderText, "muted")):
        pal.setColor(r, QColor(c[key]))
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.Text, role.WindowText, role.ButtonText):
        pal.setColor(disabled, r, QColor(c["muted"]))
    return pal


def style_sheet(theme: str) -> str:
    """The theme's style sheet; `@ICONS@` in it stands for the icons folder."""
    text = (STYLES_DIR / f"{theme}.qss").read_text(encoding="utf-8")
    return text.replace("@ICONS@", ICONS_DIR.as_posix())


def apply_theme(theme: str, app: QApplication | None = None) -> None:
    """Apply `theme` ("light" or "dark") to the whole application; unknown names fall back to light."""
    global _current
    app = app or QApplication.instance()
    if theme not in _COLORS:
        log.warning("unknown theme %r; using light", theme)
        theme = "light"
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None:
        app.setStyle(fusion)
    font = QFont(app.font())
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(BASE_POINT_SIZE)
    app.setFont(font)
    app.setPalette(_palette(_COLORS[theme]))
    app.setStyleSheet(style_sheet(theme))
    _current = theme
    log.info("theme: %s", theme)


def repolish(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property used in a selector changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()
