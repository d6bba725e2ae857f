"""calendar.json: the working calendar and the stage limits, in the TimeLimitPolicy format."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from app.refdata.errors import RefDataError
from app.refdata.files import read_json
from app.refdata.time_fields import TimeLimitError
from app.refdata.timelimits import TimeLimitPolicy

__all__ = ["parse_calendar", "policy_from_dict"]


def policy_from_dict(data: Any, file: str) -> TimeLimitPolicy:
    try:
        return TimeLimitPolicy.from_dict(data)
    except TimeLimitError as exc:
        raise RefDataError(str(exc), file=file) from None


def parse_calendar(path: Path) -> TimeLimitPolicy:
    """Read calendar.json into a TimeLimitPolicy (keys starting with ``_`` are comments)."""
    path = Path(path)
    return policy_from_dict(read_json(path), path.name)
