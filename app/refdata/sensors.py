"""sensors.json: the IoT sensors and their alarm rules (an optional file)."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from app.refdata.entities import SENSOR_RULE_FIELDS, Sensor, SensorRules
from app.refdata.errors import Src
from app.refdata.files import Fields, first_duplicate, read_json, require_list

__all__ = ["SENSOR_TYPES", "parse_sensors", "sensors_from_items"]

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


def sensors_from_items(items: list, src: Src) -> list[Sensor]:
    sensors = []
    for i, obj in enumerate(items):
        f = Fields(obj, src, i)
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
        unknown = sorted(set(raw_rules) - set(SENSOR_RULE_FIELDS))
        if unknown:
            raise f.error(f"sensor {sid!r}: unknown rule field(s) {', '.join(unknown)} "
                          f"(expected {', '.join(SENSOR_RULE_FIELDS)})")

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
    dup = first_duplicate(s.id for s in sensors)
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
    items = require_list(read_json(path), path.name, "sensors")
    return sensors_from_items(items, Src.items(path.name, len(items)))
