"""Reference data: member units, categories, unit grids, the responsibility matrix, users, sensors and
the time-limit calendar, loaded from a folder of files and validated as a whole.

The folder layout (see ``resources/demo_city/README.md``)::

    units.json           member units (成员单位), a tree rooted at the city management office
    categories.csv       component (部件) and event (事件) categories with time limits per priority
    grids.geojson        unit grids (单元网格) as GeoJSON polygons
    responsibility.csv   category × area → unit, rank 1 = primary
    users.json           accounts (optional file; demo passwords only)
    sensors.json         IoT sensors and their alarm rules (optional file)
    calendar.json        working calendar and stage limits (TimeLimitPolicy format)

Every problem raises :class:`RefDataError` whose message starts with the file and the place in it
(``"categories.csv, line 7: ..."``, ``"grids.geojson, feature 3: ..."``, ``"units.json, item 2: ..."``)
and then says what is wrong. Lookups of unknown keys raise ``RefDataError("unknown unit 'x'")``.

``RefData.to_dict()`` / ``RefData.from_dict()`` carry the whole bundle as JSON to consoles; the bundle
is validated again on arrival, and ``RefData.version`` (first 16 hex digits of the SHA-256 of the
canonical JSON, passwords excluded) identifies its content.

Limit strings in categories.csv: a positive number and a unit — ``m`` minutes, ``h`` hours, ``d`` days
(calendar time), ``wm`` / ``wh`` / ``wd`` working minutes / hours / days (a working day is the
calendar's working minutes per day, 7 h for 08:30-12:00 + 14:00-17:30): ``30m``, ``2h``, ``4wh``,
``1wd``, ``3wd``.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.platform.enums import Priority, Role
from app.platform.geo import GridIndex, centroid, point_in_polygon, ring_is_closed
from app.platform.paths import resource
from app.refdata.timelimits import Limit, TimeLimitError, TimeLimitPolicy, WorkCalendar

__all__ = [
    "BUNDLE_FORMAT",
    "SENSOR_TYPES",
    "Category",
    "Grid",
    "RefData",
    "RefDataError",
    "ResponsibilityRule",
    "Sensor",
    "SensorRules",
    "Unit",
    "User",
    "demo_dir",
    "format_limit",
    "load_demo_refdata",
    "load_refdata",
    "parse_calendar",
    "parse_categories",
    "parse_grids",
    "parse_limit",
    "parse_responsibility",
    "parse_sensors",
    "parse_units",
    "parse_users",
]

BUNDLE_FORMAT = 1

UNITS_FILE = "units.json"
CATEGORIES_FILE = "categories.csv"
GRIDS_FILE = "grids.geojson"
RESPONSIBILITY_FILE = "responsibility.csv"
USERS_FILE = "users.json"
SENSORS_FILE = "sensors.json"
CALENDAR_FILE = "calendar.json"

# sensor type → accepted units of measure (the first is the usual one)
SENSOR_TYPES: dict[str, tuple[str, ...]] = {
    "water_level": ("m", "cm"),
    "rainfall": ("mm/h", "mm"),
    "bridge_displacement": ("mm",),
    "settlement": ("mm",),
    "strain": ("µε", "με"),
    "tilt": ("°", "deg"),
    "gas_concentration": ("%LEL", "ppm", "%VOL"),
    "manhole_cover": ("state",),
}

_UNIT_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
_CATEGORY_CODE_RE = re.compile(r"^[CE]\d{4}$")
_TWO_DIGITS_RE = re.compile(r"^\d{2}$")
_GRID_CODE_RE = re.compile(r"^\d{14}$")
_RULE_CATEGORY_RE = re.compile(r"^(\*|[CE]|[CE]\d{2}|[CE]\d{4})$")
_RULE_AREA_RE = re.compile(r"^(\*|\d{6}|\d{9}|\d{12}|\d{14})$")
_LIMIT_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*(wm|wh|wd|m|h|d)$")
_KIND_LETTER = {"component": "C", "event": "E"}


# --------------------------------------------------------------------------------------------------
# errors


class RefDataError(ValueError):
    """Bad or inconsistent reference data, or a lookup of an unknown key.

    ``file`` and ``where`` (e.g. ``"line 7"``) are set for problems found in a file or bundle;
    ``problem`` is the bare description.
    """

    def __init__(self, problem: str, *, file: str | None = None, where: str | None = None) -> None:
        self.problem = problem
        self.file = file
        self.where = where
        prefix = ", ".join(p for p in (file, where) if p)
        super().__init__(f"{prefix}: {problem}" if prefix else problem)


@dataclass(frozen=True)
class _Src:
    """Where a list of records came from: a file name and one location string per record."""

    file: str
    locs: tuple[str, ...]

    def at(self, index: int) -> str:
        return self.locs[index] if 0 <= index < len(self.locs) else f"item {index}"

    def error(self, index: int | None, problem: str) -> RefDataError:
        return RefDataError(problem, file=self.file, where=None if index is None else self.at(index))

    @classmethod
    def items(cls, file: str, n: int, label: str = "item") -> _Src:
        return cls(file, tuple(f"{label} {i}" for i in range(n)))


# --------------------------------------------------------------------------------------------------
# records


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

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "name_en": self.name_en, "level": self.level,
                "parent_id": self.parent_id, "kind": self.kind, "phone": self.phone}


@dataclass(frozen=True)
class Category:
    """A component (部件) or event (事件) category with its handling limit per priority."""

    code: str
    kind: str                # "component" | "event"
    major: str               # two digits
    minor: str               # two digits
    name: str
    name_en: str
    default_priority: Priority
    limits: dict[Priority, Limit] = field(hash=False)
    emergency: bool = False

    def limit(self, priority: Priority | str) -> Limit:
        return self.limits[_priority(priority)]

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "kind": self.kind, "major": self.major, "minor": self.minor,
                "name": self.name, "name_en": self.name_en,
                "default_priority": str(self.default_priority),
                "limits": {str(p): self.limits[p].to_dict() for p in Priority},
                "emergency": self.emergency}


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
    geometry: dict[str, Any] = field(hash=False, repr=False)
    centroid: tuple[float, float] = (0.0, 0.0)

    def contains(self, lat: float, lon: float) -> bool:
        return point_in_polygon(lon, lat, self.geometry["coordinates"])

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "name_en": self.name_en,
                "street": self.street, "street_name": self.street_name,
                "community": self.community, "community_name": self.community_name,
                "geometry": self.geometry, "centroid": [self.centroid[0], self.centroid[1]]}


@dataclass(frozen=True)
class User:
    """An account. ``password`` is only ever a demo/seed password (the server stores hashes)."""

    username: str
    display_name: str
    role: Role
    unit_id: str | None = None
    password: str | None = field(default=None, repr=False)

    def to_dict(self, include_secrets: bool = False) -> dict[str, Any]:
        return {"username": self.username, "display_name": self.display_name,
                "role": str(self.role), "unit_id": self.unit_id,
                "password": self.password if include_secrets else None}


_RULE_FIELDS = ("warning_high", "alarm_high", "warning_low", "alarm_low", "rate_per_min",
                "hysteresis", "min_duration_s", "silent_after_s", "min_valid", "max_valid")


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
        return {name: getattr(self, name) for name in _RULE_FIELDS}


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

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "name": self.name, "name_en": self.name_en,
                "unit_of_measure": self.unit_of_measure, "lat": self.lat, "lon": self.lon,
                "grid_code": self.grid_code, "owner_unit_id": self.owner_unit_id,
                "interval_s": self.interval_s, "category_code": self.category_code,
                "baseline": self.baseline, "rules": self.rules.to_dict()}


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


# --------------------------------------------------------------------------------------------------
# small parsing helpers


def _priority(value: Priority | str) -> Priority:
    try:
        return Priority(value)
    except ValueError:
        raise RefDataError(f"unknown priority {value!r} (expected one of "
                           f"{', '.join(p.value for p in Priority)})") from None


def parse_limit(text: str, calendar: WorkCalendar | None = None) -> Limit:
    """Parse ``30m``, ``2h``, ``1d`` (calendar) or ``30wm``, ``4wh``, ``1wd`` (working time).

    Working days are converted with ``calendar.minutes_per_day()`` (the default calendar when None).
    Raises RefDataError (without a file) for a bad string.
    """
    if not isinstance(text, str):
        raise RefDataError(f"bad limit {text!r} (expected e.g. 30m, 2h, 4wh, 1wd)")
    m = _LIMIT_RE.match(text.strip())
    if not m:
        raise RefDataError(f"bad limit {text!r} (expected a number and m, h, d, wm, wh or wd, "
                           "e.g. 30m, 2h, 4wh, 1wd)")
    number = float(m.group(1))
    value: int | float = int(number) if number.is_integer() else number
    unit = m.group(2)
    working = unit.startswith("w")
    key = {"m": "minutes", "h": "hours", "d": "days"}[unit[-1]]
    try:
        return Limit.from_dict({key: value, "working": working}, calendar)
    except TimeLimitError as exc:
        raise RefDataError(f"bad limit {text!r}: {exc}") from None


def format_limit(limit: Limit, calendar: WorkCalendar | None = None) -> str:
    """The compact string for a limit, the inverse of :func:`parse_limit` (``1wd``, ``2h``, ``30m``)."""
    minutes = limit.minutes
    if limit.working:
        per_day = (calendar or WorkCalendar()).minutes_per_day()
        if per_day and minutes % per_day == 0:
            return f"{minutes // per_day}wd"
        if minutes % 60 == 0:
            return f"{minutes // 60}wh"
        return f"{minutes}wm"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RefDataError("file not found", file=path.name) from None
    except UnicodeDecodeError as exc:
        raise RefDataError(f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                           file=path.name) from None
    except OSError as exc:
        raise RefDataError(f"cannot read: {exc.strerror}", file=path.name) from None


def _read_json(path: Path) -> Any:
    text = _read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RefDataError(f"invalid JSON: {exc.msg}", file=path.name,
                           where=f"line {exc.lineno} column {exc.colno}") from None


def _read_csv(path: Path, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV file with a header, as (line number, {column: stripped text})."""
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise RefDataError("empty file (expected a header row)", file=path.name) from None
    except csv.Error as exc:
        raise RefDataError(f"bad CSV: {exc}", file=path.name, where="line 1") from None
    header = [h.strip() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise RefDataError(f"header is missing column(s) {', '.join(missing)} "
                           f"(expected {','.join(required)})", file=path.name, where="line 1")
    dup = sorted({h for h in header if header.count(h) > 1 and h})
    if dup:
        raise RefDataError(f"duplicate column(s) {', '.join(dup)}", file=path.name, where="line 1")
    rows = []
    line = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise RefDataError(f"bad CSV: {exc}", file=path.name,
                               where=f"line {reader.line_num}") from None
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue                                     # blank line
        if values[0].lstrip().startswith("#"):
            continue                                     # comment line
        if len(values) != len(header):
            raise RefDataError(f"{len(values)} fields, expected {len(header)} ({','.join(header)})",
                               file=path.name, where=f"line {line}")
        rows.append((line, {h: v.strip() for h, v in zip(header, values)}))
    return rows


def _require_list(data: Any, file: str, what: str) -> list:
    if not isinstance(data, list):
        raise RefDataError(f"expected a JSON list of {what}, got {type(data).__name__}", file=file)
    return data


class _Fields:
    """Typed access to one JSON object's fields, raising errors located at that record."""

    def __init__(self, obj: Any, src: _Src, index: int) -> None:
        if not isinstance(obj, Mapping):
            raise src.error(index, f"expected an object, got {type(obj).__name__}")
        self.obj = obj
        self.src = src
        self.index = index

    def error(self, problem: str) -> RefDataError:
        return self.src.error(self.index, problem)

    def text(self, key: str, *, required: bool = True, default: str = "") -> str:
        value = self.obj.get(key)
        if value is None:
            if required:
                raise self.error(f"missing {key!r}")
            return default
        if not isinstance(value, str):
            raise self.error(f"{key!r} must be a string, got {value!r}")
        value = value.strip()
        if required and not value:
            raise self.error(f"{key!r} is empty")
        return value

    def opt_str(self, key: str) -> str | None:
        value = self.obj.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self.error(f"{key!r} must be a string or null, got {value!r}")
        return value.strip() or None

    def integer(self, key: str, *, minimum: int | None = None, default: int | None = None) -> int:
        value = self.obj.get(key, default)
        if value is None:
            raise self.error(f"missing {key!r}")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(f"{key!r} must be an integer, got {value!r}")
        if minimum is not None and value < minimum:
            raise self.error(f"{key!r} must be at least {minimum}, got {value}")
        return value

    def number(self, key: str, *, nullable: bool = False, default: float | None = None,
            obj: Mapping | None = None, label: str | None = None) -> float | None:
        src = self.obj if obj is None else obj
        label = label or key
        value = src.get(key, default)
        if value is None:
            if nullable:
                return None
            raise self.error(f"missing {label!r}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.error(f"{label!r} must be a number{' or null' if nullable else ''}, "
                             f"got {value!r}")
        return float(value)


# --------------------------------------------------------------------------------------------------
# units


def _units_from_items(items: list, src: _Src) -> list[Unit]:
    units = []
    for i, obj in enumerate(items):
        f = _Fields(obj, src, i)
        uid = f.text("id")
        if not _UNIT_ID_RE.match(uid):
            raise f.error(f"bad unit id {uid!r} (expected lowercase ASCII letters, digits, _ or -)")
        units.append(Unit(id=uid, name=f.text("name"), name_en=f.text("name_en", required=False),
                          level=f.integer("level", minimum=0), parent_id=f.opt_str("parent_id"),
                          kind=f.text("kind"), phone=f.text("phone", required=False)))
    _validate_units(units, src)
    return units


def _first_duplicate(keys: Iterable[str]) -> tuple[int, int, str] | None:
    seen: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key in seen:
            return seen[key], i, key
        seen[key] = i
    return None


def _validate_units(units: Sequence[Unit], src: _Src) -> None:
    dup = _first_duplicate(u.id for u in units)
    if dup:
        raise src.error(dup[1], f"duplicate unit id {dup[2]!r} (first at {src.at(dup[0])})")
    by_id = {u.id: u for u in units}
    index = {u.id: i for i, u in enumerate(units)}
    for i, u in enumerate(units):
        if u.parent_id is not None and u.parent_id not in by_id:
            raise src.error(i, f"unit {u.id!r}: parent_id {u.parent_id!r} is not a known unit")
    for i, u in enumerate(units):
        path = [u.id]
        seen = {u.id}
        parent = u.parent_id
        while parent is not None:
            if parent in seen:
                cycle = path[path.index(parent):] + [parent]
                first = min(index[c] for c in cycle)
                raise src.error(first, "cycle in the unit hierarchy: " + " -> ".join(cycle))
            seen.add(parent)
            path.append(parent)
            parent = by_id[parent].parent_id
    roots = [i for i, u in enumerate(units) if u.parent_id is None]
    if not units:
        raise RefDataError("no units", file=src.file)
    if len(roots) > 1:
        names = ", ".join(repr(units[i].id) for i in roots)
        raise src.error(roots[1], f"more than one root unit (parent_id null): {names}; "
                                  "the hierarchy needs exactly one (the city office)")
    for i, u in enumerate(units):
        expected = 0 if u.parent_id is None else by_id[u.parent_id].level + 1
        if u.level != expected:
            why = "a root unit" if u.parent_id is None else f"parent {u.parent_id!r} has level " \
                                                           f"{by_id[u.parent_id].level}"
            raise src.error(i, f"unit {u.id!r}: level {u.level} should be {expected} ({why})")


def parse_units(path: Path) -> list[Unit]:
    """Read units.json: a list of units forming one tree (exactly one root, no cycles)."""
    path = Path(path)
    items = _require_list(_read_json(path), path.name, "units")
    return _units_from_items(items, _Src.items(path.name, len(items)))


# --------------------------------------------------------------------------------------------------
# categories

CATEGORY_COLUMNS = ("code", "kind", "major", "minor", "name", "name_en", "default_priority",
                    "urgent_limit", "ordinary_limit", "complex_limit", "emergency")


def _category_from_row(row: Mapping[str, Any], err: Callable[[str], RefDataError],
                       calendar: WorkCalendar | None) -> Category:
    code, kind, major, minor = row["code"], row["kind"], row["major"], row["minor"]
    if kind not in _KIND_LETTER:
        raise err(f"category {code!r}: unknown kind {kind!r} (expected component or event)")
    for label, value in (("major", major), ("minor", minor)):
        if not _TWO_DIGITS_RE.match(value) or value == "00":
            raise err(f"category {code!r}: bad {label} {value!r} (expected two digits, 01-99)")
    expected = _KIND_LETTER[kind] + major + minor
    if not _CATEGORY_CODE_RE.match(code) or code != expected:
        raise err(f"bad category code {code!r}: must be kind letter + major + minor, "
                  f"here {expected!r}")
    if not row["name"]:
        raise err(f"category {code!r}: name is empty")
    try:
        default_priority = _priority(row["default_priority"])
    except RefDataError as exc:
        raise err(f"category {code!r}: {exc.problem}") from None
    limits: dict[Priority, Limit] = {}
    for p in Priority:
        raw = row["limits"][p] if "limits" in row else row[f"{p.value}_limit"]
        try:
            limits[p] = raw if isinstance(raw, Limit) else parse_limit(raw, calendar)
        except RefDataError as exc:
            raise err(f"category {code!r}: {p.value}_limit: {exc.problem}") from None
    emergency = row["emergency"]
    if isinstance(emergency, str):
        if emergency not in ("0", "1"):
            raise err(f"category {code!r}: emergency must be 0 or 1, got {emergency!r}")
        emergency = emergency == "1"
    return Category(code=code, kind=kind, major=major, minor=minor, name=row["name"],
                    name_en=row["name_en"], default_priority=default_priority, limits=limits,
                    emergency=bool(emergency))


def _validate_categories(categories: Sequence[Category], src: _Src) -> None:
    dup = _first_duplicate(c.code for c in categories)
    if dup:
        raise src.error(dup[1], f"duplicate category code {dup[2]!r} (first at {src.at(dup[0])})")


def parse_categories(path: Path, calendar: WorkCalendar | None = None) -> list[Category]:
    """Read categories.csv. Working-day limits are converted with ``calendar`` (default calendar
    when None: 7 working hours a day)."""
    path = Path(path)
    cats, _ = _parse_categories(path, calendar)
    return cats


def _parse_categories(path: Path, calendar: WorkCalendar | None) -> tuple[list[Category], _Src]:
    rows = _read_csv(path, CATEGORY_COLUMNS)
    src = _Src(path.name, tuple(f"line {line}" for line, _ in rows))
    cats = []
    for i, (_, row) in enumerate(rows):
        cats.append(_category_from_row(row, lambda p, i=i: src.error(i, p), calendar))
    _validate_categories(cats, src)
    return cats, src


# --------------------------------------------------------------------------------------------------
# grids


def _check_polygon_coords(coords: Any, err: Callable[[str], RefDataError], multi: bool) -> None:
    polygons = coords if multi else [coords]
    if not isinstance(polygons, list) or not polygons:
        raise err("geometry has no coordinates")
    for p, polygon in enumerate(polygons):
        if not isinstance(polygon, list) or not polygon:
            raise err(f"polygon {p} has no rings")
        for r, ring in enumerate(polygon):
            where = f"ring {r} of polygon {p}"
            if not isinstance(ring, list):
                raise err(f"{where} is not a list of positions")
            for k, pos in enumerate(ring):
                if (not isinstance(pos, list) or len(pos) < 2
                        or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                   and math.isfinite(v) for v in pos[:2])):
                    raise err(f"{where}: position {k} is not [lon, lat]: {pos!r}")
                if not (-180 <= pos[0] <= 180 and -90 <= pos[1] <= 90):
                    raise err(f"{where}: position {k} {pos[:2]!r} is outside lon -180..180 / "
                              "lat -90..90 (coordinates are [lon, lat])")
            if len(ring) < 4:
                raise err(f"polygon not closed: {where} has {len(ring)} positions "
                          "(a closed ring needs at least 4, the last equal to the first)")
            if not ring_is_closed(ring):
                raise err(f"polygon not closed: {where} starts at {ring[0][:2]!r} "
                          f"but ends at {ring[-1][:2]!r}")


def _grid_from_props(props: Mapping[str, Any], geometry: Any, err: Callable[[str], RefDataError],
                     centroid_latlon: Any = None) -> Grid:
    code = props.get("code")
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    if not isinstance(code, str) or not _GRID_CODE_RE.match(code.strip()):
        raise err(f"grid code {code!r} is not 14 digits (county 6 + street 3 + community 3 + "
                  "grid 2)")
    code = code.strip()

    def text(key: str, required: bool = False) -> str:
        value = props.get(key)
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise err(f"grid {code}: {key!r} must be a string, got {value!r}")
        if required and not value.strip():
            raise err(f"grid {code}: {key!r} is missing or empty")
        return value.strip()

    def prefix(key: str, start: int, end: int) -> str:
        value = props.get(key)
        if value is None or value == "":
            return code[:end]
        value = str(value).strip()
        if value == code[:end] or value == code[start:end]:
            return code[:end]
        raise err(f"grid {code}: {key} {value!r} does not match the grid code "
                  f"(expected {code[:end]!r} or {code[start:end]!r})")

    if not isinstance(geometry, Mapping) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geometry.get("type") if isinstance(geometry, Mapping) else type(geometry).__name__
        raise err(f"grid {code}: geometry must be a Polygon or MultiPolygon, got {kind!r}")
    coords = geometry.get("coordinates")
    _check_polygon_coords(coords, lambda p: err(f"grid {code}: {p}"),
                          geometry["type"] == "MultiPolygon")
    geometry = {"type": geometry["type"], "coordinates": coords}
    if centroid_latlon is None:
        lon, lat = centroid(coords)
        cent = (round(lat, 7), round(lon, 7))
    else:
        if (not isinstance(centroid_latlon, (list, tuple)) or len(centroid_latlon) != 2
                or not all(isinstance(v, (int, float)) for v in centroid_latlon)):
            raise err(f"grid {code}: centroid must be [lat, lon], got {centroid_latlon!r}")
        cent = (float(centroid_latlon[0]), float(centroid_latlon[1]))
    return Grid(code=code, name=text("name", required=True), name_en=text("name_en"),
                street=prefix("street", 6, 9), street_name=text("street_name"),
                community=prefix("community", 9, 12), community_name=text("community_name"),
                geometry=geometry, centroid=cent)


def _validate_grids(grids: Sequence[Grid], src: _Src) -> None:
    dup = _first_duplicate(g.code for g in grids)
    if dup:
        raise src.error(dup[1], f"duplicate grid code {dup[2]!r} (first at {src.at(dup[0])})")


def parse_grids(path: Path) -> list[Grid]:
    """Read a GeoJSON FeatureCollection of unit grids (Polygon/MultiPolygon, lon/lat WGS84)."""
    path = Path(path)
    grids, _ = _parse_grids(path)
    return grids


def _parse_grids(path: Path) -> tuple[list[Grid], _Src]:
    data = _read_json(path)
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection" \
            or not isinstance(data.get("features"), list):
        raise RefDataError("expected a GeoJSON FeatureCollection with a 'features' list",
                           file=path.name)
    features = data["features"]
    src = _Src.items(path.name, len(features), "feature")
    grids = []
    for i, feature in enumerate(features):
        def err(p: str, i: int = i) -> RefDataError:
            return src.error(i, p)
        if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
            raise err("not a GeoJSON Feature")
        props = feature.get("properties")
        if not isinstance(props, Mapping):
            raise err("feature has no properties object")
        grids.append(_grid_from_props(props, feature.get("geometry"), err))
    _validate_grids(grids, src)
    return grids, src


# --------------------------------------------------------------------------------------------------
# responsibility matrix

RESPONSIBILITY_COLUMNS = ("category", "area", "unit_id", "rank")


def _rule_from_row(row: Mapping[str, Any], err: Callable[[str], RefDataError]) -> ResponsibilityRule:
    category = str(row["category"]).strip()
    area = str(row["area"]).strip()
    unit_id = str(row["unit_id"]).strip()
    if not _RULE_CATEGORY_RE.match(category):
        raise err(f"bad category {category!r} (expected *, C, E, a major class such as C01 or a "
                  "category code such as C0101)")
    if not _RULE_AREA_RE.match(area):
        raise err(f"bad area {area!r} (expected * or a 6-digit county, 9-digit street, 12-digit "
                  "community or 14-digit grid code)")
    if not unit_id:
        raise err("unit_id is empty")
    rank = row["rank"]
    if isinstance(rank, str):
        if not rank.isdigit():
            raise err(f"rank must be a positive integer, got {rank!r}")
        rank = int(rank)
    if not isinstance(rank, int) or isinstance(rank, bool) or rank < 1:
        raise err(f"rank must be a positive integer, got {rank!r}")
    return ResponsibilityRule(category=category, area=area, unit_id=unit_id, rank=rank)


def _validate_rules(rules: Sequence[ResponsibilityRule], src: _Src) -> None:
    dup = _first_duplicate(f"{r.category}|{r.area}|{r.unit_id}" for r in rules)
    if dup:
        r = rules[dup[1]]
        raise src.error(dup[1], f"duplicate rule {r.category},{r.area},{r.unit_id} "
                                f"(first at {src.at(dup[0])})")


def parse_responsibility(path: Path) -> list[ResponsibilityRule]:
    """Read responsibility.csv (format checks only; unit, category and area references are checked
    when the whole folder is loaded)."""
    rules, _ = _parse_responsibility(Path(path))
    return rules


def _parse_responsibility(path: Path) -> tuple[list[ResponsibilityRule], _Src]:
    rows = _read_csv(path, RESPONSIBILITY_COLUMNS)
    src = _Src(path.name, tuple(f"line {line}" for line, _ in rows))
    rules = [_rule_from_row(row, lambda p, i=i: src.error(i, p)) for i, (_, row) in enumerate(rows)]
    _validate_rules(rules, src)
    return rules, src


# --------------------------------------------------------------------------------------------------
# users


def _users_from_items(items: list, src: _Src) -> list[User]:
    users = []
    for i, obj in enumerate(items):
        f = _Fields(obj, src, i)
        username = f.text("username")
        role_text = f.text("role")
        try:
            role = Role(role_text)
        except ValueError:
            raise f.error(f"user {username!r}: unknown role {role_text!r} (expected one of "
                          f"{', '.join(r.value for r in Role)})") from None
        unit_id = f.opt_str("unit_id")
        if role is Role.UNIT_HANDLER and unit_id is None:
            raise f.error(f"user {username!r}: a unit_handler needs a unit_id")
        password = obj.get("password")
        if password is not None and not isinstance(password, str):
            raise f.error(f"user {username!r}: password must be a string or null")
        users.append(User(username=username,
                          display_name=f.text("display_name", required=False) or username,
                          role=role, unit_id=unit_id, password=password or None))
    dup = _first_duplicate(u.username for u in users)
    if dup:
        raise src.error(dup[1], f"duplicate username {dup[2]!r} (first at {src.at(dup[0])})")
    return users


def parse_users(path: Path) -> list[User]:
    path = Path(path)
    items = _require_list(_read_json(path), path.name, "users")
    return _users_from_items(items, _Src.items(path.name, len(items)))


# --------------------------------------------------------------------------------------------------
# sensors


def _sensors_from_items(items: list, src: _Src) -> list[Sensor]:
    sensors = []
    for i, obj in enumerate(items):
        f = _Fields(obj, src, i)
        sid = f.text("id")
        stype = f.text("type")
        if stype not in SENSOR_TYPES:
            raise f.error(f"sensor {sid!r}: unknown type {stype!r} (expected one of "
                          f"{', '.join(SENSOR_TYPES)})")
        uom = f.text("unit_of_measure")
        if uom not in SENSOR_TYPES[stype]:
            raise f.error(f"sensor {sid!r}: unit_of_measure {uom!r} does not fit type {stype} "
                          f"(expected {' or '.join(SENSOR_TYPES[stype])})")
        lat = f.number("lat")
        lon = f.number("lon")
        assert lat is not None and lon is not None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise f.error(f"sensor {sid!r}: lat/lon ({lat}, {lon}) out of range")
        interval = f.integer("interval_s", minimum=1)
        raw_rules = obj.get("rules", {})
        if not isinstance(raw_rules, Mapping):
            raise f.error(f"sensor {sid!r}: rules must be an object")
        unknown = sorted(set(raw_rules) - set(_RULE_FIELDS))
        if unknown:
            raise f.error(f"sensor {sid!r}: unknown rule field(s) {', '.join(unknown)} "
                          f"(expected {', '.join(_RULE_FIELDS)})")

        def rnum(key: str, nullable: bool = True, default: float | None = None) -> float | None:
            return f.number(key, nullable=nullable, default=default, obj=raw_rules,
                         label=f"rules.{key}")

        def rint(key: str, default: int) -> int:
            value = raw_rules.get(key, default)
            if value is None:
                value = default
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise f.error(f"sensor {sid!r}: rules.{key} must be a non-negative integer, "
                              f"got {value!r}")
            return value

        rules = SensorRules(
            warning_high=rnum("warning_high"), alarm_high=rnum("alarm_high"),
            warning_low=rnum("warning_low"), alarm_low=rnum("alarm_low"),
            rate_per_min=rnum("rate_per_min"),
            hysteresis=rnum("hysteresis") or 0.0,
            min_duration_s=rint("min_duration_s", 0),
            silent_after_s=rint("silent_after_s", 3 * interval),
            min_valid=rnum("min_valid"), max_valid=rnum("max_valid"))
        problem = _rules_problem(rules)
        if problem:
            raise f.error(f"sensor {sid!r}: {problem}")
        sensors.append(Sensor(
            id=sid, type=stype, name=f.text("name"), name_en=f.text("name_en", required=False),
            unit_of_measure=uom, lat=lat, lon=lon, grid_code=f.text("grid_code"),
            owner_unit_id=f.text("owner_unit_id"), interval_s=interval,
            category_code=f.text("category_code"),
            baseline=f.number("baseline", default=0.0) or 0.0, rules=rules))
    dup = _first_duplicate(s.id for s in sensors)
    if dup:
        raise src.error(dup[1], f"duplicate sensor id {dup[2]!r} (first at {src.at(dup[0])})")
    return sensors


def _rules_problem(r: SensorRules) -> str | None:
    if all(v is None for v in (r.warning_high, r.alarm_high, r.warning_low, r.alarm_low,
                               r.rate_per_min)):
        return "rules set no threshold and no rate (nothing could ever alarm)"
    pairs = [("warning_high", r.warning_high, "alarm_high", r.alarm_high),
             ("alarm_low", r.alarm_low, "warning_low", r.warning_low),
             ("warning_low", r.warning_low, "warning_high", r.warning_high),
             ("alarm_low", r.alarm_low, "alarm_high", r.alarm_high),
             ("min_valid", r.min_valid, "max_valid", r.max_valid)]
    for a_name, a, b_name, b in pairs:
        if a is not None and b is not None and a > b:
            return f"rules.{a_name} ({a:g}) is above rules.{b_name} ({b:g})"
    if r.min_valid is not None and r.max_valid is not None and r.min_valid == r.max_valid:
        return "rules.min_valid equals rules.max_valid"
    if r.hysteresis < 0:
        return f"rules.hysteresis must not be negative, got {r.hysteresis:g}"
    if r.rate_per_min is not None and r.rate_per_min <= 0:
        return f"rules.rate_per_min must be positive, got {r.rate_per_min:g}"
    return None


def parse_sensors(path: Path) -> list[Sensor]:
    path = Path(path)
    items = _require_list(_read_json(path), path.name, "sensors")
    return _sensors_from_items(items, _Src.items(path.name, len(items)))


# --------------------------------------------------------------------------------------------------
# calendar


def _policy_from_dict(data: Any, file: str) -> TimeLimitPolicy:
    try:
        return TimeLimitPolicy.from_dict(data)
    except TimeLimitError as exc:
        raise RefDataError(str(exc), file=file) from None


def parse_calendar(path: Path) -> TimeLimitPolicy:
    """Read calendar.json into a TimeLimitPolicy (keys starting with ``_`` are comments)."""
    path = Path(path)
    return _policy_from_dict(_read_json(path), path.name)


# --------------------------------------------------------------------------------------------------
# the bundle

_KINDS = ("units", "categories", "grids", "responsibility", "users", "sensors")


def _canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)


class RefData:
    """All reference data, validated together, with lookups.

    Record tuples keep the order of their files. Instances are treated as immutable; build a new
    one to change anything. Equality compares the full content (passwords included).
    """

    def __init__(self, units: Iterable[Unit], categories: Iterable[Category],
                 grids: Iterable[Grid], responsibility: Iterable[ResponsibilityRule],
                 users: Iterable[User], sensors: Iterable[Sensor],
                 policy: TimeLimitPolicy | None = None,
                 *, _sources: Mapping[str, _Src] | None = None) -> None:
        self.units: tuple[Unit, ...] = tuple(units)
        self.categories: tuple[Category, ...] = tuple(categories)
        self.grids: tuple[Grid, ...] = tuple(grids)
        self.responsibility: tuple[ResponsibilityRule, ...] = tuple(responsibility)
        self.users: tuple[User, ...] = tuple(users)
        self.sensors: tuple[Sensor, ...] = tuple(sensors)
        self.policy: TimeLimitPolicy = policy if policy is not None else TimeLimitPolicy()
        sources = dict(_sources or {})
        for kind in _KINDS:
            if kind not in sources:
                sources[kind] = _Src.items(kind, len(getattr(self, kind)))
        self._validate(sources)
        self._units = {u.id: u for u in self.units}
        self._children: dict[str, list[str]] = {u.id: [] for u in self.units}
        for u in self.units:
            if u.parent_id is not None:
                self._children[u.parent_id].append(u.id)
        self._categories = {c.code: c for c in self.categories}
        self._grids = {g.code: g for g in self.grids}
        self._users = {u.username: u for u in self.users}
        self._sensors = {s.id: s for s in self.sensors}
        self._grid_index: GridIndex | None = None
        self._version: str | None = None

    # ---- validation ---------------------------------------------------------------------------

    def _validate(self, src: Mapping[str, _Src]) -> None:
        _validate_units(self.units, src["units"])
        _validate_categories(self.categories, src["categories"])
        _validate_grids(self.grids, src["grids"])
        _validate_rules(self.responsibility, src["responsibility"])
        unit_ids = {u.id for u in self.units}
        codes = {c.code for c in self.categories}
        grid_codes = sorted(g.code for g in self.grids)
        rsrc = src["responsibility"]
        for i, r in enumerate(self.responsibility):
            if r.unit_id not in unit_ids:
                raise rsrc.error(i, f"rule {r.category},{r.area}: unknown unit {r.unit_id!r}")
            if r.category != "*" and not any(c.startswith(r.category) for c in codes):
                raise rsrc.error(i, f"rule category {r.category!r} matches no category")
            if r.area != "*" and not any(g.startswith(r.area) for g in grid_codes):
                raise rsrc.error(i, f"rule area {r.area!r} matches no grid")
        usrc = src["users"]
        dup = _first_duplicate(u.username for u in self.users)
        if dup:
            raise usrc.error(dup[1], f"duplicate username {dup[2]!r} (first at {usrc.at(dup[0])})")
        for i, u in enumerate(self.users):
            if u.role is Role.UNIT_HANDLER and not u.unit_id:
                raise usrc.error(i, f"user {u.username!r}: a unit_handler needs a unit_id")
            if u.unit_id is not None and u.unit_id not in unit_ids:
                raise usrc.error(i, f"user {u.username!r}: unknown unit {u.unit_id!r}")
        ssrc = src["sensors"]
        dup = _first_duplicate(s.id for s in self.sensors)
        if dup:
            raise ssrc.error(dup[1], f"duplicate sensor id {dup[2]!r} (first at {ssrc.at(dup[0])})")
        grids = {g.code: g for g in self.grids}
        for i, s in enumerate(self.sensors):
            if s.owner_unit_id not in unit_ids:
                raise ssrc.error(i, f"sensor {s.id!r}: unknown owner unit {s.owner_unit_id!r}")
            if s.category_code not in codes:
                raise ssrc.error(i, f"sensor {s.id!r}: unknown category {s.category_code!r}")
            grid = grids.get(s.grid_code)
            if grid is None:
                raise ssrc.error(i, f"sensor {s.id!r}: unknown grid {s.grid_code!r}")
            if not grid.contains(s.lat, s.lon):
                raise ssrc.error(i, f"sensor {s.id!r} at lat {s.lat}, lon {s.lon} is outside "
                                    f"its grid {s.grid_code}")

    # ---- lookups ------------------------------------------------------------------------------

    def unit(self, unit_id: str) -> Unit:
        try:
            return self._units[unit_id]
        except (KeyError, TypeError):
            raise RefDataError(f"unknown unit {unit_id!r}") from None

    def has_unit(self, unit_id: str) -> bool:
        return unit_id in self._units

    @property
    def root_unit(self) -> Unit:
        """The root of the hierarchy (the city management office)."""
        return self._units[self.root_unit_id]

    @property
    def root_unit_id(self) -> str:
        """The id of the root unit (the city management office)."""
        return next(u.id for u in self.units if u.parent_id is None)

    def children(self, unit_id: str) -> list[str]:
        """Ids of the direct children, in file order."""
        self.unit(unit_id)
        return list(self._children[unit_id])

    def ancestors(self, unit_id: str) -> list[str]:
        """Ids of the parent, grandparent, … up to the root (nearest first); empty for the root."""
        out = []
        parent = self.unit(unit_id).parent_id
        while parent is not None:
            out.append(parent)
            parent = self._units[parent].parent_id
        return out

    def descendants(self, unit_id: str) -> list[str]:
        """Ids of every unit below ``unit_id`` (not itself), depth-first in file order."""
        self.unit(unit_id)
        out: list[str] = []
        stack = list(reversed(self._children[unit_id]))
        while stack:
            uid = stack.pop()
            out.append(uid)
            stack.extend(reversed(self._children[uid]))
        return out

    def category(self, code: str) -> Category:
        try:
            return self._categories[code]
        except (KeyError, TypeError):
            raise RefDataError(f"unknown category {code!r}") from None

    def has_category(self, code: str) -> bool:
        return code in self._categories

    def grid(self, code: str) -> Grid:
        try:
            return self._grids[code]
        except (KeyError, TypeError):
            raise RefDataError(f"unknown grid {code!r}") from None

    def has_grid(self, code: str) -> bool:
        return code in self._grids

    def grid_at(self, lat: float, lon: float) -> Grid | None:
        """The grid containing the point (latitude first), or None outside every grid."""
        if self._grid_index is None:
            self._grid_index = GridIndex((g.code, g.geometry["coordinates"]) for g in self.grids)
        code = self._grid_index.find(lon, lat)
        return None if code is None else self._grids[code]

    def sensor(self, sensor_id: str) -> Sensor:
        try:
            return self._sensors[sensor_id]
        except (KeyError, TypeError):
            raise RefDataError(f"unknown sensor {sensor_id!r}") from None

    def user(self, username: str) -> User:
        try:
            return self._users[username]
        except (KeyError, TypeError):
            raise RefDataError(f"unknown user {username!r}") from None

    def handle_limit(self, category_code: str, priority: Priority | str) -> Limit:
        """The handling (处置) time limit of a category at a priority."""
        return self.category(category_code).limit(_priority(priority))

    def emergency_categories(self) -> list[Category]:
        """Categories an emergency-mode console opens on, in file order."""
        return [c for c in self.categories if c.emergency]

    # ---- serialisation ------------------------------------------------------------------------

    def _content(self, include_secrets: bool) -> dict[str, Any]:
        return {
            "format": BUNDLE_FORMAT,
            "units": [u.to_dict() for u in self.units],
            "categories": [c.to_dict() for c in self.categories],
            "grids": [g.to_dict() for g in self.grids],
            "responsibility": [r.to_dict() for r in self.responsibility],
            "users": [u.to_dict(include_secrets) for u in self.users],
            "sensors": [s.to_dict() for s in self.sensors],
            "calendar": self.policy.to_dict(),
        }

    @property
    def version(self) -> str:
        """First 16 hex digits of the SHA-256 of the canonical JSON (passwords excluded)."""
        if self._version is None:
            digest = hashlib.sha256(_canonical_json(self._content(False)).encode("utf-8"))
            self._version = digest.hexdigest()[:16]
        return self._version

    def to_dict(self, include_secrets: bool = False) -> dict[str, Any]:
        """The whole bundle as JSON-ready data, with ``version``. Passwords are sent as null unless
        ``include_secrets``; ``from_dict(to_dict(True)) == self`` and without secrets the result
        equals self with passwords removed."""
        out = self._content(include_secrets)
        out["version"] = self.version
        return out

    def canonical_json(self, include_secrets: bool = False) -> str:
        return _canonical_json(self.to_dict(include_secrets))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RefData:
        """Rebuild and re-validate a bundle made by :meth:`to_dict`. A ``version`` that does not
        match the content raises RefDataError."""
        file = "bundle"
        if not isinstance(data, Mapping):
            raise RefDataError(f"expected an object, got {type(data).__name__}", file=file)
        if data.get("format") != BUNDLE_FORMAT:
            raise RefDataError(f"unsupported format {data.get('format')!r} "
                               f"(expected {BUNDLE_FORMAT})", file=file)
        lists: dict[str, list] = {}
        for kind in _KINDS:
            value = data.get(kind, [])
            if not isinstance(value, list):
                raise RefDataError(f"{kind!r} must be a list", file=file)
            lists[kind] = value
        srcs = {kind: _Src(file, tuple(f"{kind}[{i}]" for i in range(len(lists[kind]))))
                for kind in _KINDS}
        policy = _policy_from_dict(data.get("calendar", {}), f"{file} calendar")
        units = _units_from_items(lists["units"], srcs["units"])
        cats = []
        for i, obj in enumerate(lists["categories"]):
            f = _Fields(obj, srcs["categories"], i)
            raw_limits = obj.get("limits")
            if not isinstance(raw_limits, Mapping):
                raise f.error("missing 'limits'")
            limits: dict[Priority, Limit] = {}
            for p in Priority:
                if p.value not in raw_limits:
                    raise f.error(f"missing limits.{p.value}")
                try:
                    limits[p] = Limit.from_dict(raw_limits[p.value], policy.calendar)
                except TimeLimitError as exc:
                    raise f.error(f"bad limits.{p.value}: {exc}") from None
            emergency = obj.get("emergency", False)
            if not isinstance(emergency, bool):
                raise f.error(f"'emergency' must be true or false, got {emergency!r}")
            row = {"code": f.text("code"), "kind": f.text("kind"), "major": f.text("major"),
                   "minor": f.text("minor"), "name": f.text("name"),
                   "name_en": f.text("name_en", required=False),
                   "default_priority": f.text("default_priority"), "limits": limits,
                   "emergency": emergency}
            cats.append(_category_from_row(row, f.error, policy.calendar))
        grids = []
        for i, obj in enumerate(lists["grids"]):
            f = _Fields(obj, srcs["grids"], i)
            grids.append(_grid_from_props(obj, obj.get("geometry"), f.error, obj.get("centroid")))
        rules = []
        for i, obj in enumerate(lists["responsibility"]):
            f = _Fields(obj, srcs["responsibility"], i)
            row = {k: obj.get(k, "") for k in RESPONSIBILITY_COLUMNS}
            rules.append(_rule_from_row(row, f.error))
        users = _users_from_items(lists["users"], srcs["users"])
        sensors = _sensors_from_items(lists["sensors"], srcs["sensors"])
        refdata = cls(units, cats, grids, rules, users, sensors, policy, _sources=srcs)
        version = data.get("version")
        if version is not None and version != refdata.version:
            raise RefDataError(f"version {version!r} does not match the content "
                               f"(computed {refdata.version!r}); the bundle was altered",
                               file=file)
        return refdata

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RefData):
            return NotImplemented
        return self._content(True) == other._content(True)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"RefData(version={self.version}, units={len(self.units)}, "
                f"categories={len(self.categories)}, grids={len(self.grids)}, "
                f"rules={len(self.responsibility)}, users={len(self.users)}, "
                f"sensors={len(self.sensors)})")


# --------------------------------------------------------------------------------------------------
# loading a folder


def load_refdata(directory: Path) -> RefData:
    """Load and validate a reference-data folder. users.json and sensors.json may be absent (no
    users / no sensors); the other files are required."""
    directory = Path(directory)
    if not directory.is_dir():
        raise RefDataError(f"reference data folder not found: {directory}")
    policy = parse_calendar(directory / CALENDAR_FILE)
    units_path = directory / UNITS_FILE
    unit_items = _require_list(_read_json(units_path), UNITS_FILE, "units")
    units_src = _Src.items(UNITS_FILE, len(unit_items))
    units = _units_from_items(unit_items, units_src)
    categories, cat_src = _parse_categories(directory / CATEGORIES_FILE, policy.calendar)
    grids, grid_src = _parse_grids(directory / GRIDS_FILE)
    rules, rule_src = _parse_responsibility(directory / RESPONSIBILITY_FILE)
    users: list[User] = []
    users_src = _Src.items(USERS_FILE, 0)
    if (directory / USERS_FILE).exists():
        items = _require_list(_read_json(directory / USERS_FILE), USERS_FILE, "users")
        users_src = _Src.items(USERS_FILE, len(items))
        users = _users_from_items(items, users_src)
    sensors: list[Sensor] = []
    sensors_src = _Src.items(SENSORS_FILE, 0)
    if (directory / SENSORS_FILE).exists():
        items = _require_list(_read_json(directory / SENSORS_FILE), SENSORS_FILE, "sensors")
        sensors_src = _Src.items(SENSORS_FILE, len(items))
        sensors = _sensors_from_items(items, sensors_src)
    return RefData(units, categories, grids, rules, users, sensors, policy,
                   _sources={"units": units_src, "categories": cat_src, "grids": grid_src,
                             "responsibility": rule_src, "users": users_src,
                             "sensors": sensors_src})


def demo_dir() -> Path:
    """The packaged demo city folder (``resources/demo_city`` at the repository root)."""
    return resource("demo_city")


def load_demo_refdata() -> RefData:
    """The fictional demo city (清源区 / Qingyuan District), freshly loaded (about 10 ms)."""
    return load_refdata(demo_dir())
