"""The reference-data records: units, categories, grids, users, sensors with their alarm rules, and the
rows of the responsibility matrix. Frozen dataclasses, each with its ``to_dict()`` for the bundle.

They are the domain and the wire at once: the answer of GET /api/refdata (`app.wire.refdata.RefDataAnswer`)
is made of these very classes, so its schema cannot drift from them; `WIRE` gives each the schema's
`additionalProperties: false`, and a test holds ``to_dict()`` to what the schema's model would write."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import ConfigDict, Field, with_config

from app.platform.enums import Priority, Role
from app.platform.geo import point_in_polygon
from app.refdata.errors import RefDataError
from app.refdata.timelimits import Limit

# Documented strictly (the API fuzzer fails on a field the schema does not name); never validated on the server.
WIRE = with_config(ConfigDict(json_schema_extra={"additionalProperties": False}))

__all__ = ["SENSOR_RULE_FIELDS", "Category", "Grid", "ResponsibilityRule", "Sensor", "SensorRules", "Unit",
           "User", "as_priority"]


@WIRE
@dataclass(frozen=True)
class Unit:
    """A member unit (成员单位): the city office, a department, a squad (中队) or a team (班组)."""

    id: str
    name: str
    name_en: str
    level: int
    parent_id: str | None
    kind: str
    phone: str = ""
    jurisdiction: Annotated[str, Field(description="the city, district or street code the unit works in "
                                                   "(`app.refdata.jurisdictions`); empty: its parent's")] = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "name_en": self.name_en, "level": self.level,
                "parent_id": self.parent_id, "kind": self.kind, "phone": self.phone,
                "jurisdiction": self.jurisdiction}


CRITERIA_FIELDS = ("register_criteria", "close_criteria", "register_criteria_en", "close_criteria_en")
PHOTO_FIELDS = ("photo_on_handled", "photo_on_verify")  # optional columns of categories.csv, 0 or 1
MERGE_FIELDS = ("merge_radius_m", "merge_window_h", "merge_group")  # optional columns: the repeat rule


@WIRE
@dataclass(frozen=True)
class Category:
    """A component (部件) or event (事件) category with its handling limit per priority."""

    code: str
    kind: Annotated[str, Field(description="component or event")]
    major: str               # two digits
    minor: str               # two digits
    name: str
    name_en: str
    default_priority: Priority
    limits: Annotated[dict[Priority, Limit], Field(description="priority → handling limit")] = field(hash=False)
    emergency: bool = False
    # 立案标准 / 结案标准: what must be true to register a case of this category, and to close it
    register_criteria: str = ""
    close_criteria: str = ""
    register_criteria_en: str = ""
    close_criteria_en: str = ""
    # evidence required (the standard practice): a photo with "handled", and with a passed verification
    photo_on_handled: bool = False
    photo_on_verify: bool = False
    # minutes from dispatch to the crew on site ("on site within target"); None: the default (15)
    onsite_target_min: int | None = None
    # the repeat rule (app.cases.merging): how near in metres and hours a report must be to an open case of
    # the category to be its repeat (None: the defaults, 200 m / 72 h), and the group of categories a
    # reporter cannot tell apart ("" : none; every category of a group is related to the others)
    merge_radius_m: float | None = None
    merge_window_h: float | None = None
    merge_group: str = ""

    def limit(self, priority: Priority | str) -> Limit:
        return self.limits[as_priority(priority)]

    def to_dict(self) -> dict[str, Any]:
        out = {"code": self.code, "kind": self.kind, "major": self.major, "minor": self.minor,
               "name": self.name, "name_en": self.name_en,
               "default_priority": str(self.default_priority),
               "limits": {str(p): self.limits[p].to_dict() for p in Priority},
               "emergency": self.emergency}
        criteria = {k: getattr(self, k) for k in CRITERIA_FIELDS if getattr(self, k)}
        # the photo rules always (the wire model names them); RefData.version leaves them out while off
        out = out | criteria | {k: getattr(self, k) for k in PHOTO_FIELDS}
        if self.onsite_target_min is not None:  # in the fields' order: the answer's bytes are the model's
            out["onsite_target_min"] = self.onsite_target_min
        # always, as the wire model names them; RefData.version leaves them out while unset
        out |= {k: getattr(self, k) for k in MERGE_FIELDS}
        return out


@WIRE
@dataclass(frozen=True)
class Grid:
    """A unit grid (单元网格). ``street`` and ``community`` are the 9- and 12-digit code prefixes;
    ``geometry`` is the GeoJSON geometry (treat it as read-only); ``centroid`` is **(lat, lon)**."""

    code: str
    name: str
    name_en: str
    street: str
    street_name: str
    community: str
    community_name: str
    geometry: Annotated[dict[str, Any], Field(description="GeoJSON geometry")] = field(hash=False, repr=False)
    centroid: Annotated[tuple[float, float], Field(description="[lat, lon]")] = (0.0, 0.0)
    inspectors: Annotated[tuple[str, ...], Field(description="the grid's inspectors (监督员), usernames, the first "
                                                  "the usual one")] = ()

    @property
    def jurisdiction(self) -> str:
        """The street the grid lies in (`app.refdata.jurisdictions`)."""
        return self.code[:9]

    def contains(self, lat: float, lon: float) -> bool:
        return point_in_polygon(lon, lat, self.geometry["coordinates"])

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "name_en": self.name_en,
                "street": self.street, "street_name": self.street_name,
                "community": self.community, "community_name": self.community_name,
                "geometry": self.geometry, "centroid": [self.centroid[0], self.centroid[1]],
                **({"inspectors": list(self.inspectors)} if self.inspectors else {})}


@WIRE
@dataclass(frozen=True)
class User:
    """An account. ``password`` is only ever a demo/seed password (the server stores hashes)."""

    username: str
    display_name: str
    role: Role
    unit_id: str | None = None
    password: Annotated[str | None, Field(description="null in GET /api/refdata: passwords are never sent")] = field(
        default=None, repr=False)
    jurisdictions: Annotated[tuple[str, ...], Field(description="the city, district or street codes the user works "
                                                                "in; none: the whole reference data")] = ()

    def to_dict(self, include_secrets: bool = False) -> dict[str, Any]:
        return {"username": self.username, "display_name": self.display_name,
                "role": str(self.role), "unit_id": self.unit_id,
                "password": self.password if include_secrets else None,
                "jurisdictions": list(self.jurisdictions)}


SENSOR_RULE_FIELDS = ("warning_high", "alarm_high", "warning_low", "alarm_low", "rate_per_min",
                      "hysteresis", "min_duration_s", "silent_after_s", "min_valid", "max_valid")


@WIRE
@dataclass(frozen=True)
class SensorRules:
    """Alarm rules of one sensor. Thresholds and rate are nullable (None = not checked);
    ``rate_per_min`` is the largest plausible change per minute (a faster change alarms);
    ``hysteresis`` is how far back past a threshold a reading must come to clear it;
    ``min_duration_s`` how long a threshold must be exceeded before it counts; ``silent_after_s``
    how long without data before the sensor counts as silent; readings outside
    [``min_valid``, ``max_valid``] are invalid (sensor fault), not alarms."""

    warning_high: float | None = None
    alarm_high: float | None = None
    warning_low: float | None = None
    alarm_low: float | None = None
    rate_per_min: float | None = None
    hysteresis: float = 0.0
    min_duration_s: int = 0
    silent_after_s: int = 0
    min_valid: float | None = None
    max_valid: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in SENSOR_RULE_FIELDS}


@WIRE
@dataclass(frozen=True)
class Sensor:
    """An IoT sensor in a grid; an alarm opens a case of ``category_code`` for ``owner_unit_id``."""

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
    rules: SensorRules

    @property
    def jurisdiction(self) -> str:
        """The street of its grid (`app.refdata.jurisdictions`)."""
        return self.grid_code[:9]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "name": self.name, "name_en": self.name_en,
                "unit_of_measure": self.unit_of_measure, "lat": self.lat, "lon": self.lon,
                "grid_code": self.grid_code, "owner_unit_id": self.owner_unit_id,
                "interval_s": self.interval_s, "category_code": self.category_code,
                "baseline": self.baseline, "rules": self.rules.to_dict()}


@WIRE
@dataclass(frozen=True)
class ResponsibilityRule:
    """One row of the responsibility matrix.

    ``category``: ``*``, a kind letter (``C``/``E``), a major class (``C01``) or a full code;
    ``area``: ``*`` or a grid-code prefix (6-digit county, 9-digit street, 12-digit community or the
    14-digit grid code); ``rank`` 1 = primary.
    """

    category: str
    area: str
    unit_id: str
    rank: int = 1

    def category_level(self, code: str) -> int | None:
        """How specifically this rule matches category ``code``: 3 exact code, 2 major class,
        1 kind letter, 0 ``*``; None when it does not match."""
        if self.category == "*":
            return 0
        if not code.startswith(self.category):
            return None
        return {1: 1, 3: 2}.get(len(self.category), 3)

    def area_level(self, grid_code: str | None) -> int | None:
        """Length of the matching grid-code prefix (0 for ``*``); None when it does not match.
        With no grid (``None``) only ``*`` matches."""
        if self.area == "*":
            return 0
        if grid_code is None or not grid_code.startswith(self.area):
            return None
        return len(self.area)

    def to_dict(self) -> dict[str, Any]:
        return {"category": self.category, "area": self.area, "unit_id": self.unit_id,
                "rank": self.rank}


def as_priority(value: Priority | str) -> Priority:
    try:
        return Priority(value)
    except ValueError:
        raise RefDataError(f"unknown priority {value!r} (expected one of "
                           f"{', '.join(p.value for p in Priority)})") from None
