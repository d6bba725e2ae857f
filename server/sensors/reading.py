"""One sensor reading as it arrives (an item of `POST /api/sensors/readings` or of an MQTT payload),
checked on its own before it joins the ingest writer's batch.

Both paths validate each reading with the one model `ReadingIn`, built from `app.platform.edge_types`: a
sensor id or unit with a NUL character or a lone surrogate, a time outside years 1970–2999 (or one a
±14:00 offset pushes out of datetime's range), a value that is not a finite number (NaN, ∞, 10^400, a
string) or is `true`/`false` — each makes that reading, and only that one, a rejection naming the
field. What reaches the writer is then a value every database column can hold, so a bad reading
cannot fail the transaction other gateways' readings share.

Texts that end up in a rejection (its sensor id, its message) are made displayable (`display`): a
rejection is stored in `sensor_rejections` and answered as JSON, so it must hold no character the
database or the caller cannot take.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from app.platform.edge_types import Number, Text, Time
from server.sensors.mqtt import ERROR_KEY

log = logging.getLogger(__name__)

SENSOR_ID_MAX = 64   # sensor_rejections.sensor_id, sensor_readings.sensor_id
MESSAGE_MAX = 500    # sensor_rejections.last_message


def _reading_time(value: Any) -> Any:
    """A number is epoch seconds (never milliseconds, whatever its size); a string is ISO-8601 as Python
    reads it (pydantic's parser would take "1700000000" for epoch seconds and refuse the basic format)."""
    if isinstance(value, bool):
        raise ValueError("must be an ISO-8601 time with zone or epoch seconds, not true/false")
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(float(value), timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise ValueError("is out of range (years 1970 to 2999)") from None
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("must be an ISO-8601 time with zone (e.g. 2026-05-01T08:00:00+08:00) or epoch "
                             "seconds as a number") from None
    return value


class ReadingIn(BaseModel):
    """One reading: `{sensor_id, time: ISO-8601 with zone or epoch seconds, value: number, unit}`."""

    model_config = ConfigDict(extra="forbid")

    sensor_id: Annotated[Text, Field(min_length=1, max_length=SENSOR_ID_MAX)]
    time: Annotated[Time, BeforeValidator(_reading_time)]
    # strict: "1.5" is not a number here (gateways send numbers; a string is a gateway fault)
    value: Annotated[Number, Field(strict=True)]
    unit: Annotated[Text, Field(max_length=64)] | None = None  # absent: answered as `wrong_unit`


@dataclass(frozen=True)
class CheckedItem:
    """One reading after the edge check, with its index in the batch it came in: `reading` when it is
    well formed, else `reason` (`malformed` or `not_finite`) and `message` naming the field."""

    index: int
    sensor_id: str                 # displayable; "" when it sent none
    reading: ReadingIn | None = None
    reason: str = ""
    message: str = ""


def display(text: str, limit: int = MESSAGE_MAX) -> str:
    """`text` with NUL and lone surrogates escaped (`\\x00`, `\\ud800`), cut to `limit` characters."""
    if "\x00" in text:
        text = text.replace("\x00", "\\x00")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text[:limit]


def _sensor_id_as_sent(data: Mapping[str, Any]) -> str:
    raw = data.get("sensor_id")
    if raw is None:
        return ""
    return display(raw if isinstance(raw, str) else str(raw)[:SENSOR_ID_MAX], SENSOR_ID_MAX)


def _not_finite(error: Mapping[str, Any]) -> bool:
    """A value error on a number too big for a float, NaN or ∞ (answered as `not_finite`)."""
    value = error.get("input")
    if tuple(error.get("loc", ())) != ("value",) or isinstance(value, bool):
        return False
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, int):
        try:
            float(value)
        except OverflowError:
            return True
    return False


def _message(error: Mapping[str, Any]) -> str:
    field = ".".join(display(str(p), 80) for p in error.get("loc", ())) or "reading"
    if _not_finite(error):
        return f"{field}: must be a finite number (not NaN, ±infinity, or beyond ±1.8e308)"
    msg = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    return f"{field}: {msg}"


def check_item(index: int, data: Any) -> CheckedItem:
    """Validate one reading as sent (a JSON object) with `ReadingIn`; never raises."""
    if not isinstance(data, Mapping):
        return CheckedItem(index, "", reason="malformed",
                           message=f"a reading must be a JSON object, not {type(data).__name__}")
    sid = _sensor_id_as_sent(data)
    if ERROR_KEY in data:  # an MQTT payload the subscriber could not read
        return CheckedItem(index, sid, reason="malformed", message=display(str(data[ERROR_KEY])))
    try:
        return CheckedItem(index, sid, reading=ReadingIn.model_validate(data))
    except ValidationError as exc:
        errors = exc.errors()
    except Exception:  # a validator failing in a way the model did not foresee: still this reading's fault only
        log.exception("checking a sensor reading failed unexpectedly")
        return CheckedItem(index, sid, reason="malformed", message="the reading could not be read")
    reason = "not_finite" if len(errors) == 1 and _not_finite(errors[0]) else "malformed"
    return CheckedItem(index, sid, reason=reason, message=display("; ".join(_message(e) for e in errors)))


__all__ = ["CheckedItem", "ReadingIn", "check_item", "display", "MESSAGE_MAX", "SENSOR_ID_MAX"]
