"""The countdown of a case's current stage: the time left and its colour (green, amber, red, overdue)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Level(StrEnum):
    NONE = "none"          # no running deadline (closed, voided)
    PAUSED = "paused"      # suspended: the clock is stopped
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    OVERDUE = "overdue"


AMBER_FRACTION = 0.5    # amber once half of the stage's time is used up
RED_FRACTION = 0.2      # red in the last fifth
AMBER_SECONDS = 2 * 3600  # without a known stage length: amber under 2 hours,
RED_SECONDS = 30 * 60     # red under 30 minutes


@dataclass(frozen=True)
class Countdown:
    seconds_left: int | None  # negative when overdue; None without a deadline
    level: Level


def countdown(due_at: datetime | None, now: datetime, *, total_seconds: float | None = None,
              left: timedelta | None = None, paused: bool = False) -> Countdown:
    """Time left on the current stage and its colour.

    `left` overrides `due_at - now` (e.g. the working time left for a working-time limit); overdue is
    always `now > due_at`. With `total_seconds` (the stage's whole limit) the level is amber at or below
    AMBER_FRACTION of it and red at or below RED_FRACTION; without it, AMBER_SECONDS and RED_SECONDS."""
    if due_at is None:
        return Countdown(None, Level.NONE)
    seconds = (left if left is not None else due_at - now).total_seconds()
    if paused:
        return Countdown(int(seconds), Level.PAUSED)
    if now > due_at:
        return Countdown(min(int(math.floor(seconds)), 0), Level.OVERDUE)
    if total_seconds and total_seconds > 0:
        amber, red = AMBER_FRACTION * total_seconds, RED_FRACTION * total_seconds
    else:
        amber, red = AMBER_SECONDS, RED_SECONDS
    level = Level.RED if seconds <= red else Level.AMBER if seconds <= amber else Level.GREEN
    return Countdown(int(seconds), level)
