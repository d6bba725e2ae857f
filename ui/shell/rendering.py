"""The scene graph the web views are drawn with (`app.platform.map_rendering`), applied before the
QApplication exists: Qt reads it once, when the first Qt Quick window (a web view) is made."""
from __future__ import annotations

import logging
import os

from app.platform.map_rendering import RenderingChoice, choose_rendering

log = logging.getLogger(__name__)

_told: list[str] = []  # what was chosen, until the log (set up after the application) has been told


def apply_map_rendering(setting: str | None = None) -> RenderingChoice | None:
    """Draw the web views in software if the setting (read from the settings file when not given) asks
    for it or, on `auto`, where there is no graphics card. QT_QUICK_BACKEND already set in the
    environment (by IT, or to debug) is left as it is. Returns the choice, None when the environment
    decided."""
    if os.environ.get("QT_QUICK_BACKEND") or os.environ.get("QSG_RHI_BACKEND"):
        _told[:] = ["web views drawn as QT_QUICK_BACKEND/QSG_RHI_BACKEND say"]
        return None
    if setting is None:
        from app.platform.settings import SettingsStore

        setting = SettingsStore().load().settings.map_rendering
    choice = choose_rendering(setting)
    if choice.software:
        # the environment variable, not QQuickWindow.setGraphicsApi: the same effect without importing
        # the QtQuick and QtQml bindings (4 MB) for one call
        os.environ["QT_QUICK_BACKEND"] = "software"
    _told[:] = [f"web views drawn {'in software' if choice.software else 'by the graphics card'}: {choice.reason}"]
    return choice


def log_map_rendering() -> None:
    """Say in the log, once, how the web views are drawn (the choice is made before logging is set up)."""
    if _told:
        log.info("%s", _told.pop())
