"""One translation system for the core and the Qt layer.

The core marks visible strings with `QT_TRANSLATE_NOOP(context, text)` (so `pyside6-lupdate` extracts them
into the same `.ts` catalogue as the widgets' `tr()` strings) and renders them with `translate()`. With no
UI the text stays English; the console installs Qt's translator as the backend at start-up.
"""
from __future__ import annotations

from typing import Callable

_backend: Callable[[str, str], str] | None = None


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate looks for
    return text


def set_backend(backend: Callable[[str, str], str] | None) -> None:
    global _backend
    _backend = backend


def translate(context: str, text: str) -> str:
    return _backend(context, text) if _backend else text
