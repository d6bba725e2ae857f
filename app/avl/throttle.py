"""At most one position per device per period reaches the feed: the latest one, once the period since
the device's last feed entry has passed. A position held back is not lost: it is stored (the track), and
the device's next report after the period carries the newest.

The rule only: when each device last went to the feed is kept in the database (`device_ingest.fed_at`,
`server.avl.gate`), so it holds across server processes."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

log = logging.getLogger(__name__)

DEFAULT_PERIOD_S = 10.0


class FeedThrottle:
    def __init__(self, period_s: float = DEFAULT_PERIOD_S) -> None:
        self.period = timedelta(seconds=period_s)

    def due(self, last_fed: datetime | None, now: datetime) -> bool:
        """Whether a device whose position last went to the feed at `last_fed` (None: never) may go now."""
        return last_fed is None or now - last_fed >= self.period
