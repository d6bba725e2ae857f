"""The alert chime of the lists that announce arrivals (the lead's work queue, the detections to review,
the conflict banner): made on first use, and sounded at most once every `MIN_SOUND_INTERVAL_S` however many
arrivals come, so a burst of sync pages is one chime."""
from __future__ import annotations

import time

from PySide6.QtCore import QObject

from ui.shell.notifier import MIN_SOUND_INTERVAL_S, Chime


class AlertSound:
    def __init__(self, owner: QObject):
        self._owner = owner
        self._chime: Chime | None = None
        self._last = 0.0

    def play(self) -> bool:
        """Sound the chime unless it sounded a moment ago; whether it did."""
        if time.monotonic() - self._last < MIN_SOUND_INTERVAL_S:
            return False
        if self._chime is None:
            self._chime = Chime(self._owner)
        self._chime.play()
        self._last = time.monotonic()
        return True
