"""The answer of GET /api/refdata (`app.refdata.model.RefData.to_dict()`), as a model for the OpenAPI schema.

The endpoint answers bytes serialised once per version (`server.refdata.store`); this model describes
them exactly (no field left out, none added), and the API fuzzer checks the answer against it.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.platform.enums import Role


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UnitData(_Answer):
    id: str
    name: str
    name_en: str
    level: int
    parent_id: str | None
    kind: str
    phone: str


class LimitData(_Answer):
    minutes: int
    working: bool = Field(description="true: working time (the calendar's periods); false: calendar time")


class CategoryData(_Answer):
    code: str
    kind: Literal["component", "event"]
    major: str
    minor: str
    name: str
    name_en: str
    default_priority: str
    limits: dict[str, LimitData] = Field(description="priority → handling limit")
    emergency: bool


class GridData(_Answer):
    code: str
    name: str
    name_en: str
    street: str
    street_name: str
    community: str
    community_name: str
    geometry: dict[str, Any] = Field(description="GeoJSON geometry")
    centroid: list[float] = Field(min_length=2, max_length=2, description="[lat, lon]")
    inspectors: list[str] = Field(default_factory=list,
                                  description="the grid's inspectors (usernames), the first the usual one; "
                                              "absent when none")


class ResponsibilityRuleData(_Answer):
    category: str
    area: str
    unit_id: str
    rank: int


class UserData(_Answer):
    username: str
    display_name: str
    role: Role
    unit_id: str | None
    password: None = Field(description="always null: passwords are never sent")


class SensorRulesData(_Answer):
    warning_high: float | None
    alarm_high: float | None
    warning_low: float | None
    alarm_low: float | None
    rate_per_min: float | None
    hysteresis: float
    min_duration_s: int
    silent_after_s: int
    min_valid: float | None
    max_valid: float | None


class SensorData(_Answer):
    id: str
    type: str
    name: str
    name_en: str
    unit_of_measure: str
    lat: float
    lon: float
    grid_code: str
    owner_unit_id: str
    interval_s: int
    category_code: str
    baseline: float
    rules: SensorRulesData


class CalendarData(_Answer):
    timezone: str
    periods: list[list[str]] = Field(description="[[start HH:MM, end HH:MM], …] of a working day")
    weekdays: list[int] = Field(description="working weekdays, 0 = Monday")
    holidays: list[str]
    extra_workdays: list[str]
    stage_limits: dict[str, LimitData]


class RefDataAnswer(_Answer):
    format: int
    units: list[UnitData]
    categories: list[CategoryData]
    grids: list[GridData]
    responsibility: list[ResponsibilityRuleData]
    users: list[UserData]
    sensors: list[SensorData]
    calendar: CalendarData
    version: str = Field(description="also the ETag")
