"""Guards against a Qt binding that leaks references to None (PySide6 6.12.0 on CPython 3.11 dropped one
per void call; a live console then dies with `Fatal Python error: none_dealloc` within minutes)."""
from __future__ import annotations

import sys

from PySide6.QtCore import QObject


def test_void_qt_calls_keep_none_refcount_stable():
    if sys.version_info >= (3, 12):  # None is immortal there; the count is meaningless
        return
    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(500):
        obj.setObjectName("x")
    assert abs(sys.getrefcount(None) - before) < 50, "this PySide6 build leaks references to None"
