"""The console's clock on a command, judged against the server's: one rule for every command kind."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

MAX_CLOCK_AHEAD = timedelta(days=1)  # a console clock further ahead than this is wrong, not early


def clock_refusal(issued_at: datetime, now: datetime) -> tuple[str, str] | None:
    """(reason, message) when a console's `issued_at` cannot be taken (commands of every kind);
    None when it can."""
    if issued_at.tzinfo is None:
        return "invalid_time", "issued_at must carry a time zone"
    if not _convertible_to_utc(issued_at):
        return "invalid_time", f"issued_at {issued_at.isoformat()} is outside the range of representable times"
    if issued_at > now + MAX_CLOCK_AHEAD:
        return "bad_clock", (f"issued_at {issued_at.isoformat()} is more than a day ahead of the server clock "
                             f"({now.isoformat()}); set the console's clock")
    return None


def _convertible_to_utc(moment: datetime) -> bool:
    """False for an aware time whose UTC form overflows (e.g. 0001-01-01T00:30+05:00): comparing or storing
    it would raise, and a console's bad clock must get a refusal, not a 500."""
    try:
        moment.astimezone(timezone.utc)
    except OverflowError:
        return False
    return True
