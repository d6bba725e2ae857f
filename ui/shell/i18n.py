"""Installs the console's language: our catalogue plus Qt's own (standard buttons, dialogs), and makes Qt
the backend of the core's `app.platform.i18n.translate()`, so core labels and widgets speak one language.

Switching is live: installing or removing a QTranslator makes Qt send every widget a
`QEvent.LanguageChange`; widgets re-set their texts in `changeEvent`. Item models and web pages, which
get no such event, listen to `CoreSignals.language_changed` (the main window emits it).
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.platform import i18n as core_i18n
from app.platform.paths import resource

log = logging.getLogger(__name__)

TRANSLATIONS_DIR = resource("translations")
CATALOGUE = "onegrid"
SOURCE_LANGUAGE = "en"  # the texts in the code are English; other languages come from catalogues

_installed: list[QTranslator] = []
_language = SOURCE_LANGUAGE


def _qt_translate(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


def current_language() -> str:
    """The language now shown ("zh_CN" or "en"), e.g. for `app.platform.labels.localized_name`."""
    return _language


def install_language(language: str) -> bool:
    """Show the console in `language`. Returns False (and stays in English) when our catalogue for it is
    missing; Qt's own catalogue is optional."""
    global _language
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("install_language() needs a QApplication")
    core_i18n.set_backend(_qt_translate)
    new: list[QTranslator] = []
    ok = True
    if language != SOURCE_LANGUAGE:
        ours = QTranslator(app)
        if ours.load(f"{CATALOGUE}_{language}", str(TRANSLATIONS_DIR)):
            new.append(ours)
        else:
            ok = False
            log.error("no translation catalogue %s_%s.qm in %s; showing English", CATALOGUE, language,
                      TRANSLATIONS_DIR)
        qt_own = QTranslator(app)
        if ok and qt_own.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            new.append(qt_own)
    effective = language if ok else SOURCE_LANGUAGE
    if effective == _language and not new and not _installed:
        return ok
    for translator in _installed:
        QCoreApplication.removeTranslator(translator)
    _installed.clear()
    for translator in new:
        QCoreApplication.installTranslator(translator)
        _installed.append(translator)
    _language = effective
    QLocale.setDefault(QLocale("zh_CN" if effective == "zh_CN" else "en_GB"))
    log.info("language: %s", effective)
    return ok
