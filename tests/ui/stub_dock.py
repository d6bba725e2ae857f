"""A stand-in dock for tests of the shell (the real docks have their own tests)."""
from __future__ import annotations

from PySide6.QtWidgets import QDockWidget


class StubDock(QDockWidget):
    def __init__(self, spec, ctx=None):
        super().__init__()
        self.spec = spec
        self.setObjectName(spec.name)
        self.setWindowTitle(spec.name)


def stub_build_dock(spec, ctx) -> StubDock:
    return StubDock(spec, ctx)
