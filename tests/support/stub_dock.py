"""A stand-in dock for tests of the shell (the real docks have their own tests)."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QDockWidget

# The English titles the real docks give themselves (the View menu lists them).
TITLES = {"caseQueueDock": "Case queue", "mapDock": "Map", "caseDetailDock": "Case detail",
          "conflictsDock": "Conflicts", "caseTasksDock": "Tasks", "sensorDock": "Sensors", "alarmDock": "Alarms",
          "auditDock": "Audit trail", "performanceDock": "Performance", "handoverDock": "Shift handover",
          "disputeDock": "Ownership disputes", "supervisionDock": "Supervision orders", "callbacksDock": "Callbacks",
          "leadQueueDock": "Lead's work queue", "detectionReviewDock": "Detections to review"}


class StubDock(QDockWidget):
    def __init__(self, spec, ctx=None):
        super().__init__()
        self.spec = spec
        self.setObjectName(spec.name)
        self._retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        # the real dock's own translation (its class is the context), as it retranslates itself
        self.setWindowTitle(QCoreApplication.translate(self.spec.factory.__name__, TITLES[self.spec.name]))


def stub_build_dock(spec, ctx) -> StubDock:
    return StubDock(spec, ctx)
