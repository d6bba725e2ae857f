"""Light (day shift) and dark (night shift) themes: Fusion style, a palette, and a style sheet from
`resources/styles/<theme>.qss`. Widgets style themselves by object name and dynamic properties
(`QLabel#connectionState[state="offline"]`), never by setting colours in code; `colors()` is for what a
style sheet cannot reach: item models' ForegroundRole/BackgroundRole (a tinted background always with its
own foreground: the theme's text colour is not made for the tint), tree items, plots, painted sketches,
map overlays. Those read the colours when they draw, or call `follow_theme(self)` and refresh them in
`changeEvent` when `theme_switched(self, event)`.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

from app.platform.paths import resource

log = logging.getLogger(__name__)

STYLES_DIR = resource("styles")
ICONS_DIR = resource("icons")
FONT_FAMILIES = ["Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei UI", "PingFang SC",
                 "WenQuanYi Micro Hei", "Segoe UI", "Noto Sans", "DejaVu Sans"]
BASE_POINT_SIZE = 10.5

# Named colours. Besides the palette's, pairs for tinted cells and chips (`*_text` on `*_bg`, readable in
# both themes: dark text on a pale tint by day, light text on a deep tint by night), the countdown/alert
# colours, and what a style sheet cannot reach (item models, plots, painted sketches).
# Chart series: from Okabe & Ito's colour-blind-safe palette (blue, orange, black, vermillion by day; sky
# blue, yellow, reddish purple, vermillion by night), four that stay apart with each common colour vision
# deficiency (tests/metrics/ui/test_chart_colours.py); each series also has its own marker shape.
SERIES = ("series_1", "series_2", "series_3", "series_4")

_COLORS: dict[str, dict[str, str]] = {
    "light": {"window": "#eef1f5", "base": "#ffffff", "alt_base": "#f4f7fa", "text": "#0f1720",
              "muted": "#5c6773", "button": "#ffffff", "accent": "#0b5cad", "accent_text": "#ffffff",
              "border": "#c3ccd7", "ok": "#1a7f37", "warn": "#f0a202", "danger": "#c62828",
              "plot_bg": "#ffffff", "plot_fg": "#23303d", "link": "#0b5cad",
              "ok_text": "#1b5e20", "ok_bg": "#e8f5e9", "warn_text": "#8a5300", "warn_bg": "#fff3e0",
              "danger_text": "#b71c1c", "danger_bg": "#ffebee", "paused_text": "#455a64", "paused_bg": "#eceff1",
              "alert_text": "#ffffff", "alert_bg": "#c62828", "badge_bg": "#e3e7eb", "pending_text": "#6d4c41",
              "plot_curve": "#1d4ed8", "plot_warn": "#f59e0b", "plot_alarm": "#dc2626",
              "sketch_bg": "#eef2f5", "sketch_line": "#1565c0",
              **dict(zip(SERIES, ("#0072B2", "#E69F00", "#000000", "#D55E00")))},
    "dark": {"window": "#0d1117", "base": "#151b23", "alt_base": "#1a212b", "text": "#e6edf3",
             "muted": "#9aa7b5", "button": "#21262d", "accent": "#1f6feb", "accent_text": "#ffffff",
             "border": "#2b3542", "ok": "#3fb950", "warn": "#d29922", "danger": "#f85149",
             "plot_bg": "#151b23", "plot_fg": "#c9d3dd", "link": "#58a6ff",
             "ok_text": "#7ee787", "ok_bg": "#12261e", "warn_text": "#f2cc60", "warn_bg": "#2e2614",
             "danger_text": "#ff8e85", "danger_bg": "#3a1619", "paused_text": "#b7c3cf", "paused_bg": "#232b35",
             "alert_text": "#ffffff", "alert_bg": "#b62324", "badge_bg": "#2b3542", "pending_text": "#e0b98a",
             "plot_curve": "#58a6ff", "plot_warn": "#d29922", "plot_alarm": "#f85149",
             "sketch_bg": "#1a212b", "sketch_line": "#58a6ff",
             **dict(zip(SERIES, ("#56B4E9", "#F0E442", "#CC79A7", "#D55E00")))},
}

_current = "light"


def current_theme() -> str:
    return _current


def colors(theme: str | None = None) -> dict[str, str]:
    """Named colours of a theme (default: the current one)."""
    return dict(_COLORS[theme or _current])


def color(name: str, theme: str | None = None) -> QColor:
    """One named colour of a theme (default: the current one) as a QColor."""
    return QColor(_COLORS[theme or _current][name])


def follow_theme(widget: QWidget) -> None:
    """Note the theme `widget` took its colours from (call it at the end of `__init__`); from then on
    `theme_switched(widget, event)` tells its `changeEvent` when to refresh them."""
    widget._onegrid_theme = _current  # type: ignore[attr-defined]


def theme_switched(widget: QWidget, event: QEvent) -> bool:
    """For `changeEvent`: True once per theme switch (`apply_theme` sends every widget several style and
    palette changes), so a widget that keeps colours from colors() (tree items, plots, style sheets of
    its own) refreshes them once. Always False before `follow_theme(widget)` (still being built)."""
    if event.type() not in (QEvent.Type.StyleChange, QEvent.Type.PaletteChange):
        return False
    seen = getattr(widget, "_onegrid_theme", None)
    if seen is None or seen == _current:
        return False
    widget._onegrid_theme = _current  # type: ignore[attr-defined]
    return True


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
    _current = theme  # first: widgets re-read colors() on the style and palette changes that follow
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None:
        app.setStyle(fusion)
    font = QFont(app.font())
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(BASE_POINT_SIZE)
    app.setFont(font)
    app.setPalette(_palette(_COLORS[theme]))
    app.setStyleSheet(style_sheet(theme))
    log.info("theme: %s", theme)


def set_style_property(widget: QWidget, name: str, value) -> None:
    """Set a dynamic property the style sheets select on (`QLabel[feedback="error"]`) and re-apply them."""
    if widget.property(name) != value:
        widget.setProperty(name, value)
        repolish(widget)


def repolish(widget: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property used in a selector changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()
