"""The fonts the console ships (`resources/fonts/`), registered with Qt at start-up.

WenQuanYi Micro Hei (文泉驿微米黑, Apache-2.0 or GPLv3 with font exception; see
`resources/fonts/wqy-microhei.LICENSE`) covers Chinese and Latin, so a printed or exported handover is
legible on any machine, whatever fonts it has installed. Qt embeds the glyphs it uses in the PDF.
"""
from __future__ import annotations

import logging

from PySide6.QtGui import QFontDatabase

from app.platform.paths import resource

log = logging.getLogger(__name__)

CJK_FONT_FILE = resource("fonts", "wqy-microhei.ttc")
_families: list[str] | None = None


def register_bundled_fonts() -> list[str]:
    """Register the shipped fonts once (needs a QGuiApplication); returns their family names."""
    global _families
    if _families is None:
        font_id = QFontDatabase.addApplicationFont(str(CJK_FONT_FILE))
        if font_id < 0:
            log.error("cannot load the bundled font %s", CJK_FONT_FILE)
            _families = []
        else:
            _families = list(QFontDatabase.applicationFontFamilies(font_id))
            log.info("registered bundled font families %s", _families)
    return list(_families)


def document_font_family() -> str:
    """The family printed documents use: the bundled CJK font (its first face, Micro Hei)."""
    families = register_bundled_fonts()
    return families[0] if families else "sans-serif"
