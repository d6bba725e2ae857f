"""Field types for everything that crosses the edge (HTTP bodies and queries, MQTT payloads, commands).

A value the database cannot store must be refused where it arrives, naming the field, not fail deep
inside a transaction: PostgreSQL refuses a NUL character in text and a lone surrogate cannot be
encoded as UTF-8; a year-1 time with a +14:00 offset overflows when converted to UTC; an integer
beyond 64 bits overflows a BIGINT; and JSON's `true` is not the number 1. Each type below makes one of
those a validation error (a 4xx with the field's name) instead of a 500.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Annotated

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    StrictFloat,
    StrictInt,
    ValidationError,
)

# Far enough apart for any real report, reading or period; near enough that a ±14:00 offset, a
# working-time deadline or a year-long period computed from it never leaves datetime's range.
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2999, 12, 31, tzinfo=timezone.utc)
INT64_MAX = 2**63 - 1


def check_text(value: str) -> str:
    """The one text rule: no NUL character, no lone surrogate (neither can be stored)."""
    if "\x00" in value:
        raise ValueError("must not contain a NUL character (U+0000)")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (it contains a lone surrogate)") from None
    return value


def check_time(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must carry a time-zone offset (e.g. 2026-05-01T08:00:00+08:00)")
    try:
        in_utc = value.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError("is out of range (years 1970 to 2999)") from None
    if not EARLIEST - timedelta(days=1) <= in_utc <= LATEST:
        raise ValueError("is out of range (years 1970 to 2999)")
    return value


def _not_bool(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("must be a number, not true/false")
    return value


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


Text = Annotated[str, AfterValidator(check_text)]
"""Any text from outside. Combine with Field(max_length=…) for the field's limit."""

Time = Annotated[datetime, AfterValidator(check_time)]
"""An aware time within years 1970–2999."""

Int64 = Annotated[StrictInt, Field(ge=-INT64_MAX - 1, le=INT64_MAX)]
"""A whole number a BIGINT column can hold; JSON `true` and `1.5` are refused."""

QueryInt64 = Annotated[int, Field(ge=-INT64_MAX - 1, le=INT64_MAX)]
"""`Int64` for a query or path parameter: those arrive as text, which `Int64` (strict) refuses outright;
the text must still be a whole number (no `true`, no `1.5`)."""

Number = Annotated[float, BeforeValidator(_not_bool), AfterValidator(_finite)]
"""A finite number (an integer is accepted as a float); JSON `true` is refused."""

Latitude = Annotated[Number, Field(ge=-90, le=90)]
Longitude = Annotated[Number, Field(ge=-180, le=180)]


def printable(value: str) -> str:
    """`value` safe to put in an answer or a stored message: a NUL as `\\x00`, a lone surrogate as
    `\\udXXX`. For echoing what came from outside (an unknown field's name, a parse error quoting the
    input) without failing on it a second time."""
    return value.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")


def problems(exc: ValidationError, whole: str = "command") -> str:
    """Every field `exc` found wrong, as `field: why; …` (`whole` names the object itself), printable:
    an unknown field's name or a parse error may quote the very character that was refused."""
    return printable("; ".join(f"{'.'.join(str(p) for p in err['loc']) or whole}: {err['msg']}"
                               for err in exc.errors()))


__all__ = ["EARLIEST", "INT64_MAX", "LATEST", "Int64", "Latitude", "Longitude", "Number", "QueryInt64",
           "StrictFloat", "Text", "Time", "check_text", "check_time", "printable", "problems"]
