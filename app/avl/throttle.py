"""At most one position per device per period reaches the feed: the latest one, once the period since
the device's last feed entry has passed. A position held back is not lost: it is stored (the track), and
the device's next report after the period carries the newest."""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

log = logging.getLogger(__name__)

DEFAULT_PERIOD_S = 10.0


class FeedThrottle:
    def __init__(self, period_s: float = DEFAULT_PERIOD_S) -> None:
        self.period = timedelta(seconds=period_s)
        self._last: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def due(self, device_id: str, now: datetime) -> bool:
        """Whether the device's position may go to the feed now (and, if so, counts it as sent)."""
        with self._lock:
            last = self._last.get(device_id)
            if last is not None and now - last < self.period:
                return False
            self._last[device_id] = now
            return True

    def forget(self, device_id: str) -> None:
        """The entry did not commit: the next report may go."""
        with self._lock:
            self._last.pop(device_id, None)
