"""The reference data as a whole: :class:`RefData`, validated together (cross-file references included),
with lookups, and carried to consoles as one JSON bundle.

``RefData.to_dict()`` / ``RefData.from_dict()`` carry the whole bundle as JSON to consoles; the bundle
is validated again on arrival, and ``RefData.version`` (first 16 hex digits of the SHA-256 of the
canonical JSON, passwords excluded) identifies its content. Lookups of unknown keys raise
``RefDataError("unknown unit 'x'")``.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from app.platform.enums import Priority, Role
from app.platform.geo import GridIndex
from app.refdata import jurisdictions as jurisdiction_rule
from app.refdata.calendar import policy_from_dict
from app.refdata.categories import category_from_row, validate_categories
from app.refdata.cities import City, cities_from_dict, cities_to_dict
from app.refdata.entities import (
    CRITERIA_FIELDS,
    MERGE_FIELDS,
    PHOTO_FIELDS,
    Category,
    Grid,
    ResponsibilityRule,
    Sensor,
    Unit,
    User,
    as_priority,
)
from app.refdata.errors import RefDataError, Src
from app.refdata.files import Fields, first_duplicate
from app.refdata.grids import grid_from_props, validate_grids
from app.refdata.responsibility import (
    RESPONSIBILITY_COLUMNS,
    rule_from_row,
    validate_rules,
)
from app.refdata.sensors import sensors_from_items
from app.refdata.time_fields import TimeLimitError
from app.refdata.timelimits import Limit, TimeLimitPolicy
from app.refdata.units import units_from_items, validate_units
from app.refdata.users import users_from_items

__all__ = ["BUNDLE_FORMAT", "RefData"]

BUNDLE_FORMAT = 1

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
                 *, cities: Mapping[str, City] | None = None, _sources: Mapping[str, Src] | None = None) -> None:
        self.units: tuple[Unit, ...] = tuple(units)
        self.categories: tuple[Category, ...] = tuple(categories)
        self.grids: tuple[Grid, ...] = tuple(grids)
        self.responsibility: tuple[ResponsibilityRule, ...] = tuple(responsibility)
        self.users: tuple[User, ...] = tuple(users)
        self.sensors: tuple[Sensor, ...] = tuple(sensors)
        self.policy: TimeLimitPolicy = policy if policy is not None else TimeLimitPolicy()
        # what differs per city (`app.refdata.cities`); empty for a single-city reference data
        self.city_overrides: dict[str, City] = dict(cities or {})
        sources = dict(_sources or {})
        for kind in _KINDS:
            if kind not in sources:
                sources[kind] = Src.items(kind, len(getattr(self, kind)))
        self._validate(sources)
        for code, city in self.city_overrides.items():
            if not any(g.code.startswith(code) for g in self.grids):
                raise RefDataError(f"cities: city {code} holds no grid")
            for category in city.limits:
                if not any(c.code == category for c in self.categories):
                    raise RefDataError(f"cities: city {code}: unknown category {category!r}")
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
        self._streets = frozenset(g.jurisdiction for g in self.grids)
        self._user_streets: dict[tuple[str, ...], frozenset[str] | None] = {}
        self._version: str | None = None

    # ---- validation ---------------------------------------------------------------------------

    def _validate(self, src: Mapping[str, Src]) -> None:
        validate_units(self.units, src["units"])
        validate_categories(self.categories, src["categories"])
        validate_grids(self.grids, src["grids"])
        validate_rules(self.responsibility, src["responsibility"])
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
        dup = first_duplicate(u.username for u in self.users)
        if dup:
            raise usrc.error(dup[1], f"duplicate username {dup[2]!r} (first at {usrc.at(dup[0])})")
        for i, u in enumerate(self.users):
            if u.role is Role.UNIT_HANDLER and not u.unit_id:
                raise usrc.error(i, f"user {u.username!r}: a unit_handler needs a unit_id")
            if u.unit_id is not None and u.unit_id not in unit_ids:
                raise usrc.error(i, f"user {u.username!r}: unknown unit {u.unit_id!r}")
        for i, u in enumerate(self.users):
            for code in u.jurisdictions:
                if not any(g.startswith(code) for g in grid_codes):
                    raise usrc.error(i, f"user {u.username!r}: jurisdiction {code!r} holds no grid")
        for i, unit in enumerate(self.units):
            if unit.jurisdiction and not any(g.startswith(unit.jurisdiction) for g in grid_codes):
                raise src["units"].error(i, f"unit {unit.id!r}: jurisdiction {unit.jurisdiction!r} holds no grid")
        users = {u.username: u for u in self.users}
        gsrc = src["grids"]
        for i, g in enumerate(self.grids):
            for name in g.inspectors:
                if users and (name not in users or users[name].role is not Role.INSPECTOR):
                    raise gsrc.error(i, f"grid {g.code}: {name!r} is not an inspector among the users")
        ssrc = src["sensors"]
        dup = first_duplicate(s.id for s in self.sensors)
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

    # ---- jurisdictions (`app.refdata.jurisdictions`) ----------------------------------------------

    @property
    def streets(self) -> frozenset[str]:
        """Every street that holds a grid."""
        return self._streets

    @property
    def cities(self) -> tuple[str, ...]:
        """The cities the grids lie in, sorted."""
        return tuple(sorted({g.code[:4] for g in self.grids}))

    def unit_jurisdiction(self, unit_id: str) -> str:
        """The code a unit works in: its own, else its nearest ancestor's, else (the root) its city's when
        the grids lie in one city ("" when they lie in several)."""
        for uid in (unit_id, *self.ancestors(unit_id)):
            if self._units[uid].jurisdiction:
                return self._units[uid].jurisdiction
        cities = self.cities
        return cities[0] if len(cities) == 1 else ""

    def user_streets(self, jurisdictions: tuple[str, ...] | list[str]) -> frozenset[str] | None:
        """The streets a user assigned `jurisdictions` sees; None when that is every street (no code
        assigned, or codes covering the whole reference data)."""
        if not jurisdictions:
            return None
        key = tuple(jurisdictions)
        if key not in self._user_streets:  # asked once per long-poll: remembered
            mine = jurisdiction_rule.streets_within(key, self._streets)
            self._user_streets[key] = None if mine == self._streets else mine
        return self._user_streets[key]

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

    def inspectors_for(self, grid_code: str | None) -> tuple[str, ...]:
        """The inspectors responsible for a grid (the first the usual one); none for an unknown grid."""
        grid = self._grids.get(grid_code) if grid_code else None
        return grid.inspectors if grid is not None else ()

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

    def handle_limit(self, category_code: str, priority: Priority | str, grid_code: str | None = None) -> Limit:
        """The handling (处置) time limit of a category at a priority; in the city of `grid_code`, that city's
        own when it overrides it (`app.refdata.cities`)."""
        priority = as_priority(priority)
        limit = self.category(category_code).limit(priority)
        city = self.city_overrides.get(grid_code[:4]) if grid_code and self.city_overrides else None
        if city is not None:
            return city.limits.get(category_code, {}).get(priority, limit)
        return limit

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
            # only when there are any: a single city's bundle (and its version) stays as it was
            **({"cities": cities_to_dict(self.city_overrides, self.policy.calendar)} if self.city_overrides else {}),
        }

    @property
    def version(self) -> str:
        """First 16 hex digits of the SHA-256 of the canonical JSON (passwords excluded)."""
        if self._version is None:
            content = self._content(False)
            # photo rules that are off and repeat rules that are unset are left out, so a bundle without them
            # keeps the version it had
            content["categories"] = [{k: v for k, v in c.items() if (k not in PHOTO_FIELDS or v)
                                      and (k not in MERGE_FIELDS or v not in (None, ""))}
                                     for c in content["categories"]]
            digest = hashlib.sha256(_canonical_json(content).encode("utf-8"))
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
        srcs = {kind: Src(file, tuple(f"{kind}[{i}]" for i in range(len(lists[kind]))))
                for kind in _KINDS}
        policy = policy_from_dict(data.get("calendar", {}), f"{file} calendar")
        units = units_from_items(lists["units"], srcs["units"])
        cats = []
        for i, obj in enumerate(lists["categories"]):
            f = Fields(obj, srcs["categories"], i)
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
            row |= {k: f.text(k, required=False) for k in CRITERIA_FIELDS}
            row |= {k: obj[k] for k in PHOTO_FIELDS if k in obj}
            row["onsite_target_min"] = obj.get("onsite_target_min")
            row |= {k: obj.get(k) for k in MERGE_FIELDS}
            cats.append(category_from_row(row, f.error, policy.calendar))
        grids = []
        for i, obj in enumerate(lists["grids"]):
            f = Fields(obj, srcs["grids"], i)
            grids.append(grid_from_props(obj, obj.get("geometry"), f.error, obj.get("centroid")))
        rules = []
        for i, obj in enumerate(lists["responsibility"]):
            f = Fields(obj, srcs["responsibility"], i)
            row = {k: obj.get(k, "") for k in RESPONSIBILITY_COLUMNS}
            rules.append(rule_from_row(row, f.error))
        users = users_from_items(lists["users"], srcs["users"])
        sensors = sensors_from_items(lists["sensors"], srcs["sensors"])
        cities = cities_from_dict(data.get("cities", {}), policy.calendar, f"{file} cities")
        refdata = cls(units, cats, grids, rules, users, sensors, policy, cities=cities, _sources=srcs)
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
