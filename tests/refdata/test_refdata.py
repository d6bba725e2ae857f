"""Reference data: the demo city, serialisation, validation errors, and the geometry helpers."""
from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

import pytest

from app.cases.routing import rank_units
from app.platform.enums import Priority, Role
from app.platform.geo import (
    GridIndex,
    area_m2,
    bbox,
    centroid,
    haversine_m,
    point_in_polygon,
)
from app.refdata.categories import format_limit, parse_categories, parse_limit
from app.refdata.errors import RefDataError
from app.refdata.grids import parse_grids
from app.refdata.loading import demo_dir, load_demo_refdata, load_refdata
from app.refdata.model import RefData
from app.refdata.timelimits import Limit
from app.refdata.units import parse_units
from tests.support import ROOT as CHECKOUT

ROOT = CHECKOUT


# --------------------------------------------------------------------------------------------------
# the demo city


def test_demo_city_counts(refdata):
    assert len(refdata.grids) >= 40
    assert len(refdata.units) >= 12
    assert {u.level for u in refdata.units} >= {0, 1, 2, 3}
    assert len(refdata.categories) >= 60
    assert {c.kind for c in refdata.categories} == {"component", "event"}
    assert len(refdata.sensors) >= 30
    assert len({g.street for g in refdata.grids}) >= 3
    for street in {g.street for g in refdata.grids}:
        assert len({g.community for g in refdata.grids if g.street == street}) >= 2
    assert refdata.root_unit.id == "city_office"


def test_demo_city_names_are_bilingual(refdata):
    for record in (*refdata.units, *refdata.categories, *refdata.grids, *refdata.sensors):
        assert record.name and record.name_en, record
        assert any("\u4e00" <= ch <= "\u9fff" for ch in record.name), record.name
        assert record.name_en.isascii(), record.name_en


def test_demo_grids_codes_and_geometry(refdata):
    for g in refdata.grids:
        assert len(g.code) == 14 and g.code[:6] in ("330106", "330108")  # the demo city's two districts
        assert g.code.startswith(g.community) and g.community.startswith(g.street)
        lat, lon = g.centroid
        assert 30.2 < lat < 30.3 and 120.1 < lon < 120.2
        assert refdata.grid_at(lat, lon) == g
        assert 20_000 < area_m2(g.geometry["coordinates"]) < 300_000
    # jittered, not identical squares
    assert len({round(area_m2(g.geometry["coordinates"])) for g in refdata.grids}) == len(refdata.grids)


def test_every_sensor_is_inside_its_grid(refdata):
    assert len({s.name for s in refdata.sensors}) == len(refdata.sensors)
    assert len({s.name_en for s in refdata.sensors}) == len(refdata.sensors)
    for s in refdata.sensors:
        assert refdata.grid(s.grid_code).contains(s.lat, s.lon), s.id
        assert refdata.grid_at(s.lat, s.lon).code == s.grid_code
        refdata.unit(s.owner_unit_id)
        assert refdata.category(s.category_code).emergency, s.id


def test_sensor_types_and_alarm_categories(refdata):
    types = {s.type for s in refdata.sensors}
    assert types == {"water_level", "rainfall", "bridge_displacement", "settlement", "strain", "tilt",
                     "gas_concentration", "manhole_cover"}
    assert sum(s.type == "water_level" for s in refdata.sensors) >= 10
    by_type = {}
    for s in refdata.sensors:
        by_type.setdefault(s.type, set()).add(s.category_code)
    names = {code: refdata.category(code).name_en.lower()
             for codes in by_type.values() for code in codes}
    assert any("waterlogging" in names[c] for c in by_type["water_level"])
    assert any("overflow" in names[c] for c in by_type["water_level"])
    assert any("bridge" in names[c] for c in by_type["bridge_displacement"])
    assert any("gas" in names[c] for c in by_type["gas_concentration"])
    assert any("manhole" in names[c] for c in by_type["manhole_cover"])
    wl = next(s for s in refdata.sensors if s.type == "water_level")
    assert wl.rules.alarm_high > wl.rules.warning_high and wl.unit_of_measure == "m"


def test_every_category_is_routable_by_a_rule_in_every_grid(refdata):
    for category in refdata.categories:
        for grid in refdata.grids:
            suggestions = rank_units(refdata, category.code, grid.code)
            assert suggestions[0].reason_key == "routing.rule", (category.code, grid.code)


def test_demo_users(refdata):
    roles = [u.role for u in refdata.users]
    assert roles.count(Role.ADMIN) >= 1
    assert roles.count(Role.OPERATOR) >= 3
    assert roles.count(Role.SHIFT_LEAD) >= 2
    assert roles.count(Role.INSPECTOR) >= 3
    handled = {u.unit_id for u in refdata.users if u.role is Role.UNIT_HANDLER}
    assert {u.id for u in refdata.units if u.level == 1} <= handled
    assert refdata.user("operator1").password == "demo-operator1"


def test_demo_calendar_and_limits(refdata):
    cal = refdata.policy.calendar
    assert cal.tz.key == "Asia/Shanghai"
    from datetime import date
    assert not cal.is_working_day(date(2026, 10, 1))      # National Day
    assert not cal.is_working_day(date(2026, 2, 17))      # Spring Festival
    assert cal.is_working_day(date(2026, 2, 14))          # make-up Saturday
    assert refdata.policy.stage_limit("register") == Limit(30, False)
    assert refdata.policy.stage_limit("dispatch") == Limit(30, False)
    assert refdata.policy.stage_limit("verify") == Limit(120, False)
    assert refdata.handle_limit("E0401", Priority.URGENT) == Limit(30, False)
    assert refdata.handle_limit("C0101", "ordinary") == Limit(cal.minutes_per_day(), True)
    emergency = {c.code for c in refdata.emergency_categories()}
    assert {"E0401", "E0402", "E0403", "E0404", "E0405", "E0406"} <= emergency


def test_demo_files_match_the_generator():
    spec = importlib.util.spec_from_file_location("make_demo_city", ROOT / "tools" / "make_demo_city.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    files = module.build()
    assert files == module.build()                         # deterministic
    for name, text in files.items():
        assert (demo_dir() / name).read_text(encoding="utf-8") == text, f"{name} is out of date"


def test_hierarchy_lookups(refdata):
    assert refdata.ancestors("enf_minghu_hupan") == ["enf_minghu", "enforcement", "city_office"]
    assert refdata.ancestors("city_office") == []
    assert refdata.descendants("roads") == ["roads_north", "roads_north_repair", "roads_south",
                                            "bridges", "streetlights"]
    assert refdata.children("roads") == ["roads_north", "roads_south", "bridges", "streetlights"]
    assert refdata.descendants("roads_north_repair") == []
    assert len(refdata.descendants("city_office")) == len(refdata.units) - 1
    assert refdata.root_unit_id == "city_office" == refdata.root_unit.id


@pytest.mark.parametrize("call, message", [
    (lambda r: r.unit("x"), "unknown unit 'x'"),
    (lambda r: r.ancestors("x"), "unknown unit 'x'"),
    (lambda r: r.children("x"), "unknown unit 'x'"),
    (lambda r: r.descendants("x"), "unknown unit 'x'"),
    (lambda r: r.category("Z9999"), "unknown category 'Z9999'"),
    (lambda r: r.grid("123"), "unknown grid '123'"),
    (lambda r: r.sensor("nope"), "unknown sensor 'nope'"),
    (lambda r: r.user("nobody"), "unknown user 'nobody'"),
    (lambda r: r.handle_limit("E0401", "asap"), "unknown priority 'asap'"),
    (lambda r: r.handle_limit("X", "urgent"), "unknown category 'X'"),
])
def test_unknown_keys_raise(refdata, call, message):
    with pytest.raises(RefDataError, match=message):
        call(refdata)


def test_grid_at_outside_is_none(refdata):
    assert refdata.grid_at(31.0, 121.0) is None


# --------------------------------------------------------------------------------------------------
# serialisation


def test_round_trip_through_json(refdata):
    bundle = json.loads(json.dumps(refdata.to_dict(include_secrets=True), ensure_ascii=False))
    again = RefData.from_dict(bundle)
    assert again == refdata
    assert again.to_dict(include_secrets=True) == refdata.to_dict(include_secrets=True)
    assert again.version == refdata.version
    public = RefData.from_dict(json.loads(json.dumps(refdata.to_dict())))
    assert public.to_dict() == refdata.to_dict()
    assert all(u.password is None for u in public.users)
    assert public.version == refdata.version              # passwords are not part of the version


def test_version_is_stable_and_content_addressed(refdata):
    assert len(refdata.version) == 16 and int(refdata.version, 16) >= 0
    assert load_demo_refdata().version == refdata.version
    assert refdata.to_dict()["version"] == refdata.version
    bundle = refdata.to_dict()
    bundle["units"][1]["phone"] = "110"
    del bundle["version"]
    assert RefData.from_dict(bundle).version != refdata.version


def test_altered_bundle_is_refused(refdata):
    bundle = refdata.to_dict()
    bundle["categories"][0]["name"] = "改过的"
    with pytest.raises(RefDataError, match="version .* does not match"):
        RefData.from_dict(bundle)


def test_bundle_is_validated_on_arrival(refdata):
    bundle = refdata.to_dict()
    del bundle["version"]
    bundle["responsibility"][0]["unit_id"] = "ghost"
    with pytest.raises(RefDataError, match=r"bundle, responsibility\[0\]: .*unknown unit 'ghost'"):
        RefData.from_dict(bundle)


# --------------------------------------------------------------------------------------------------
# validation errors on small files

SQUARE_1 = [[[120.0, 30.0], [120.01, 30.0], [120.01, 30.01], [120.0, 30.01], [120.0, 30.0]]]
SQUARE_2 = [[[120.01, 30.0], [120.02, 30.0], [120.02, 30.01], [120.01, 30.01], [120.01, 30.0]]]


def _feature(code, coords):
    return {"type": "Feature", "properties": {"code": code, "name": f"网格{code[-2:]}",
                                              "name_en": f"Grid {code[-2:]}"},
            "geometry": {"type": "Polygon", "coordinates": coords}}


MINI = {
    "units.json": [
        {"id": "office", "name": "城管办", "name_en": "Office", "level": 0, "parent_id": None,
         "kind": "coordination", "phone": "1"},
        {"id": "roads", "name": "道路", "name_en": "Roads", "level": 1, "parent_id": "office",
         "kind": "roads", "phone": "2"},
        {"id": "roads_sq", "name": "道路中队", "name_en": "Road squad", "level": 2,
         "parent_id": "roads", "kind": "roads", "phone": "3"},
    ],
    "categories.csv": (
        "code,kind,major,minor,name,name_en,default_priority,urgent_limit,ordinary_limit,"
        "complex_limit,emergency\n"
        "C0205,component,02,05,车行道路面,Carriageway,ordinary,4h,3wd,5wd,0\n"
        "E0401,event,04,01,道路积水,Waterlogging,urgent,30m,2h,24h,1\n"),
    "grids.geojson": {"type": "FeatureCollection",
                      "features": [_feature("33010600100101", SQUARE_1),
                                   _feature("33010600100102", SQUARE_2)]},
    "responsibility.csv": "category,area,unit_id,rank\nC02,330106001,roads_sq,1\n*,*,office,1\n",
    "users.json": [
        {"username": "admin", "display_name": "管理员", "role": "admin", "unit_id": None,
         "password": "demo-admin"},
        {"username": "h1", "display_name": "处置员", "role": "unit_handler", "unit_id": "roads",
         "password": "demo-h1"},
    ],
    "sensors.json": [
        {"id": "wl-1", "type": "water_level", "name": "水位计", "name_en": "Water level",
         "unit_of_measure": "m", "lat": 30.005, "lon": 120.005, "grid_code": "33010600100101",
         "owner_unit_id": "roads", "interval_s": 60, "category_code": "E0401", "baseline": 0.0,
         "rules": {"warning_high": 0.15, "alarm_high": 0.27, "warning_low": None, "alarm_low": None,
                   "rate_per_min": None, "hysteresis": 0.02, "min_duration_s": 60,
                   "silent_after_s": 300, "min_valid": 0, "max_valid": 3}},
    ],
    "calendar.json": {"timezone": "Asia/Shanghai",
                      "stage_limits": {"register": {"minutes": 30, "working": False}}},
}


def write_city(directory: Path, **overrides) -> Path:
    """Write the mini city, with some files replaced (``units_json=[...]`` for units.json)."""
    files = copy.deepcopy(MINI)
    for key, value in overrides.items():
        name = key.replace("_json", ".json").replace("_csv", ".csv").replace("_geojson", ".geojson")
        assert name in files, key
        files[name] = value
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if content is None:
            continue
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def mini(key):
    return copy.deepcopy(MINI[key])


def test_mini_city_loads(tmp_path):
    r = load_refdata(write_city(tmp_path))
    assert [u.id for u in r.units] == ["office", "roads", "roads_sq"]
    assert r.category("C0205").limits[Priority.ORDINARY] == Limit(3 * 420, True)
    assert r.grid_at(30.005, 120.015).code == "33010600100102"
    assert r.grid("33010600100101").street == "330106001"
    assert r.grid("33010600100101").community == "330106001001"


def _units_with(change):
    units = mini("units.json")
    change(units)
    return units


def _cats(*rows):
    return mini("categories.csv") + "".join(r + "\n" for r in rows)


def _grids_with(change):
    grids = mini("grids.geojson")
    change(grids["features"])
    return grids


def _sensor_with(**fields):
    sensors = mini("sensors.json")
    sensors[0].update(fields)
    return sensors


def _users_with(*extra):
    return mini("users.json") + list(extra)


BAD_CASES = {
    "duplicate unit id": (
        {"units_json": _units_with(lambda u: u.append(dict(u[1])))},
        ["units.json, item 3", "duplicate unit id 'roads'"]),
    "unknown parent": (
        {"units_json": _units_with(lambda u: u[2].update(parent_id="nope"))},
        ["units.json, item 2", "parent_id 'nope' is not a known unit"]),
    "cycle": (
        {"units_json": _units_with(lambda u: u[1].update(parent_id="roads_sq"))},
        ["units.json, item 1", "cycle in the unit hierarchy: roads -> roads_sq -> roads"]),
    "two roots": (
        {"units_json": _units_with(lambda u: u[2].update(parent_id=None, level=0))},
        ["units.json, item 2", "more than one root"]),
    "wrong level": (
        {"units_json": _units_with(lambda u: u[2].update(level=5))},
        ["units.json, item 2", "level 5 should be 2"]),
    "bad unit id": (
        {"units_json": _units_with(lambda u: u[2].update(id="Road Squad"))},
        ["units.json, item 2", "bad unit id 'Road Squad'"]),
    "category code disagrees with major": (
        {"categories_csv": _cats("C0301,component,02,01,x,x,ordinary,1h,1wd,2wd,0")},
        ["categories.csv, line 4", "bad category code 'C0301'", "'C0201'"]),
    "category code letter disagrees with kind": (
        {"categories_csv": _cats("C0101,event,01,01,x,x,ordinary,1h,1wd,2wd,0")},
        ["categories.csv, line 4", "bad category code 'C0101'", "'E0101'"]),
    "unknown kind": (
        {"categories_csv": _cats("X0101,thing,01,01,x,x,ordinary,1h,1wd,2wd,0")},
        ["categories.csv, line 4", "unknown kind 'thing'"]),
    "unknown priority": (
        {"categories_csv": _cats("C0101,component,01,01,x,x,asap,1h,1wd,2wd,0")},
        ["categories.csv, line 4", "unknown priority 'asap'"]),
    "bad limit": (
        {"categories_csv": _cats("C0101,component,01,01,x,x,ordinary,2x,1wd,2wd,0")},
        ["categories.csv, line 4", "urgent_limit", "bad limit '2x'"]),
    "zero limit": (
        {"categories_csv": _cats("C0101,component,01,01,x,x,ordinary,1h,0wd,2wd,0")},
        ["categories.csv, line 4", "ordinary_limit", "'0wd'"]),
    "bad emergency flag": (
        {"categories_csv": _cats("C0101,component,01,01,x,x,ordinary,1h,1wd,2wd,yes")},
        ["categories.csv, line 4", "emergency must be 0 or 1"]),
    "duplicate category": (
        {"categories_csv": _cats("C0205,component,02,05,x,x,ordinary,1h,1wd,2wd,0")},
        ["categories.csv, line 4", "duplicate category code 'C0205'", "line 2"]),
    "missing column": (
        {"categories_csv": "code,kind,major\nC0101,component,01\n"},
        ["categories.csv, line 1", "missing column(s) minor"]),
    "grid code not 14 digits": (
        {"grids_geojson": _grids_with(lambda f: f[1]["properties"].update(code="3301060010010"))},
        ["grids.geojson, feature 1", "'3301060010010' is not 14 digits"]),
    "polygon not closed": (
        {"grids_geojson": _grids_with(lambda f: f[0]["geometry"]["coordinates"][0].pop())},
        ["grids.geojson, feature 0", "polygon not closed"]),
    "duplicate grid": (
        {"grids_geojson": _grids_with(lambda f: f[1]["properties"].update(code="33010600100101"))},
        ["grids.geojson, feature 1", "duplicate grid code '33010600100101'"]),
    "grid street mismatch": (
        {"grids_geojson": _grids_with(lambda f: f[0]["properties"].update(street="330106002"))},
        ["grids.geojson, feature 0", "street '330106002' does not match"]),
    "lat/lon swapped": (
        {"grids_geojson": _grids_with(lambda f: f[0]["geometry"].update(
            coordinates=[[[30.0, 120.0], [30.01, 120.0], [30.01, 120.01], [30.0, 120.0]]]))},
        ["grids.geojson, feature 0", "outside lon -180..180 / lat -90..90"]),
    "rule with unknown unit": (
        {"responsibility_csv": mini("responsibility.csv") + "E04,*,ghost,1\n"},
        ["responsibility.csv, line 4", "unknown unit 'ghost'"]),
    "rule with bad category": (
        {"responsibility_csv": mini("responsibility.csv") + "X1,*,office,1\n"},
        ["responsibility.csv, line 4", "bad category 'X1'"]),
    "rule category matching nothing": (
        {"responsibility_csv": mini("responsibility.csv") + "C09,*,office,1\n"},
        ["responsibility.csv, line 4", "'C09' matches no category"]),
    "rule area matching nothing": (
        {"responsibility_csv": mini("responsibility.csv") + "C02,330106009,office,1\n"},
        ["responsibility.csv, line 4", "'330106009' matches no grid"]),
    "rule with bad area": (
        {"responsibility_csv": mini("responsibility.csv") + "C02,3301,office,1\n"},
        ["responsibility.csv, line 4", "bad area '3301'"]),
    "rule with bad rank": (
        {"responsibility_csv": mini("responsibility.csv") + "C02,*,office,0\n"},
        ["responsibility.csv, line 4", "rank must be a positive integer"]),
    "duplicate rule": (
        {"responsibility_csv": mini("responsibility.csv") + "C02,330106001,roads_sq,2\n"},
        ["responsibility.csv, line 4", "duplicate rule", "line 2"]),
    "sensor outside its grid": (
        {"sensors_json": _sensor_with(lon=120.015)},
        ["sensors.json, item 0", "'wl-1'", "outside its grid 33010600100101"]),
    "sensor with unknown owner": (
        {"sensors_json": _sensor_with(owner_unit_id="ghost")},
        ["sensors.json, item 0", "unknown owner unit 'ghost'"]),
    "sensor with unknown category": (
        {"sensors_json": _sensor_with(category_code="E0999")},
        ["sensors.json, item 0", "unknown category 'E0999'"]),
    "sensor with unknown grid": (
        {"sensors_json": _sensor_with(grid_code="33010600100199")},
        ["sensors.json, item 0", "unknown grid '33010600100199'"]),
    "sensor with unknown type": (
        {"sensors_json": _sensor_with(type="radar")},
        ["sensors.json, item 0", "unknown type 'radar'"]),
    "sensor thresholds inverted": (
        {"sensors_json": _sensor_with(rules={"warning_high": 0.5, "alarm_high": 0.2})},
        ["sensors.json, item 0", "warning_high (0.5) is above rules.alarm_high (0.2)"]),
    "user with unknown role": (
        {"users_json": _users_with({"username": "boss", "role": "boss"})},
        ["users.json, item 2", "unknown role 'boss'"]),
    "unit_handler without unit": (
        {"users_json": _users_with({"username": "h2", "role": "unit_handler", "unit_id": None})},
        ["users.json, item 2", "'h2'", "unit_handler needs a unit_id"]),
    "user with unknown unit": (
        {"users_json": _users_with({"username": "h2", "role": "unit_handler", "unit_id": "zz"})},
        ["users.json, item 2", "unknown unit 'zz'"]),
    "duplicate username": (
        {"users_json": _users_with({"username": "admin", "role": "admin"})},
        ["users.json, item 2", "duplicate username 'admin'"]),
    "bad calendar": (
        {"calendar_json": {"timezone": "Mars/Olympus"}},
        ["calendar.json", "unknown time zone"]),
    "missing file": (
        {"categories_csv": None},
        ["categories.csv: file not found"]),
    "invalid json": (
        {"units_json": "[{"},
        ["units.json, line 1", "invalid JSON"]),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_validation_errors_name_file_place_and_problem(tmp_path, case):
    overrides, expected = BAD_CASES[case]
    directory = write_city(tmp_path / "city", **overrides)
    with pytest.raises(RefDataError) as info:
        load_refdata(directory)
    message = str(info.value)
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_optional_files_may_be_missing(tmp_path):
    r = load_refdata(write_city(tmp_path, users_json=None, sensors_json=None))
    assert r.users == () and r.sensors == ()


def test_error_attributes(tmp_path):
    directory = write_city(tmp_path, units_json=_units_with(lambda u: u[2].update(parent_id="nope")))
    with pytest.raises(RefDataError) as info:
        load_refdata(directory)
    assert info.value.file == "units.json"
    assert info.value.where == "item 2"
    assert "parent_id 'nope'" in info.value.problem


def test_parse_pieces_on_their_own(tmp_path):
    write_city(tmp_path)
    assert [u.id for u in parse_units(tmp_path / "units.json")] == ["office", "roads", "roads_sq"]
    cats = parse_categories(tmp_path / "categories.csv")
    assert [c.code for c in cats] == ["C0205", "E0401"] and cats[1].emergency
    grids = parse_grids(tmp_path / "grids.geojson")
    assert [g.code for g in grids] == ["33010600100101", "33010600100102"]
    assert grids[0].centroid == pytest.approx((30.005, 120.005))
    (tmp_path / "bad.csv").write_text(_cats("C0101,component,01,01,x,x,ordinary,2x,1wd,2wd,0"),
                                      encoding="utf-8")
    with pytest.raises(RefDataError, match=r"bad\.csv, line 4: .*bad limit '2x'"):
        parse_categories(tmp_path / "bad.csv")
    (tmp_path / "bad.json").write_text(json.dumps(
        _units_with(lambda u: u[1].update(parent_id="roads_sq"))), encoding="utf-8")
    with pytest.raises(RefDataError, match=r"bad\.json, item 1: cycle"):
        parse_units(tmp_path / "bad.json")


def test_csv_with_bom_crlf_and_comments(tmp_path):
    text = "\ufeff" + mini("categories.csv") + "# note,,,,,,,,,,\n"
    write_city(tmp_path, categories_csv=text.replace("\n", "\r\n"))
    assert len(load_refdata(tmp_path).categories) == 2
    bad = text.replace("C0205,component,02,05", "C0205,component,02,5").replace("\n", "\r\n")
    write_city(tmp_path, categories_csv=bad)
    with pytest.raises(RefDataError, match="categories.csv, line 2: .*bad minor '5'"):
        load_refdata(tmp_path)


@pytest.mark.parametrize("text, minutes, working", [
    ("30m", 30, False), ("2h", 120, False), ("24h", 1440, False), ("1d", 1440, False),
    ("4wh", 240, True), ("1wd", 420, True), ("3wd", 1260, True), ("0.5wd", 210, True),
    ("90wm", 90, True),
])
def test_parse_limit(text, minutes, working):
    assert parse_limit(text) == Limit(minutes, working)


@pytest.mark.parametrize("text", ["", "2", "h2", "2x", "0h", "-1h", "2 hours", "1.2345m"])
def test_parse_limit_rejects(text):
    with pytest.raises(RefDataError, match="bad limit"):
        parse_limit(text)


def test_format_limit_inverts_parse():
    for text in ("30m", "2h", "4wh", "1wd", "3wd", "90wm"):
        assert format_limit(parse_limit(text)) == text


# --------------------------------------------------------------------------------------------------
# geometry

OUTER = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
HOLE = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]


def test_point_in_polygon_with_hole():
    poly = [OUTER, HOLE]
    assert point_in_polygon(1, 1, poly)
    assert point_in_polygon(5, 3, poly)
    assert not point_in_polygon(5, 5, poly)            # inside the hole
    assert not point_in_polygon(11, 5, poly)
    assert not point_in_polygon(-0.1, 5, poly)


def test_point_in_multipolygon_and_concave():
    multi = [[OUTER, HOLE], [[[20, 0], [30, 0], [30, 10], [20, 10], [20, 0]]]]
    assert point_in_polygon(25, 5, multi) and point_in_polygon(1, 1, multi)
    assert not point_in_polygon(15, 5, multi) and not point_in_polygon(5, 5, multi)
    u_shape = [[[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]]
    assert point_in_polygon(0.5, 2, u_shape)
    assert not point_in_polygon(1.5, 2, u_shape)


def test_centroid_bbox_and_distance():
    assert centroid([OUTER]) == pytest.approx((5.0, 5.0))
    assert centroid([[[0, 0], [4, 0], [4, 2], [0, 2], [0, 0]]]) == pytest.approx((2.0, 1.0))
    # a hole on the right pulls the centroid left
    lon, lat = centroid([OUTER, [[6, 4], [8, 4], [8, 6], [6, 6], [6, 4]]])
    assert lon < 5.0 and lat == pytest.approx(5.0)
    assert bbox([OUTER, HOLE]) == (0, 0, 10, 10)
    assert haversine_m(30.25, 120.16, 30.25, 120.16) == 0
    assert haversine_m(30.0, 120.0, 31.0, 120.0) == pytest.approx(111_195, rel=1e-3)


def test_grid_index():
    index = GridIndex([("b", [[[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]]),
                       ("a", [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]),
                       ("holed", [OUTER, HOLE])])
    assert index.find(0.5, 0.5) == "a"
    assert index.find(1.5, 0.5) == "b"
    assert index.find(5, 5) is None                     # in the hole of "holed", outside the others
    assert index.find(5, 8) == "holed"
    assert index.find(50, 50) is None
    assert index.find_all(0.5, 0.5) == ["a", "holed"]
    assert len(GridIndex([])) == 0 and GridIndex([]).find(0, 0) is None
