"""The reference data on the wire: GET /api/refdata answers `RefData.to_dict()` (with its version), made of
the records of `app.refdata.entities` themselves, so the answer's schema is theirs.

The server sends bytes serialised once per version (`server.refdata.store`, `app.wire.raw.refdata_bytes`);
tests/wire/test_raw.py holds them to this model. The console keeps the bundle as JSON
(`app.cache`): it stores it as it came and `RefData.from_dict` reads it.
"""
from __future__ import annotations

from pydantic import Field

from app.refdata.entities import Category, Grid, ResponsibilityRule, Sensor, Unit, User
from app.refdata.timelimits import Limit
from app.wire.base import Answer


class CalendarData(Answer):
    """`TimeLimitPolicy.to_dict()`: the working calendar and the stage limits."""

    timezone: str
    periods: list[list[str]] = Field(description="[[start HH:MM, end HH:MM], …] of a working day")
    weekdays: list[int] = Field(description="working weekdays, 0 = Monday")
    holidays: list[str]
    extra_workdays: list[str]
    stage_limits: dict[str, Limit]


class RefDataAnswer(Answer):
    format: int
    units: list[Unit]
    categories: list[Category]
    grids: list[Grid]
    responsibility: list[ResponsibilityRule]
    users: list[User]
    sensors: list[Sensor]
    calendar: CalendarData
    version: str = Field(description="also the ETag")
