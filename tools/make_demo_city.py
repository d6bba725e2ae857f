#!/usr/bin/env python3
"""Generate the fictional demo city in ``resources/demo_city/`` deterministically.

    .venv/bin/python tools/make_demo_city.py            # (re)write the data files
    .venv/bin/python tools/make_demo_city.py --check    # exit 1 if the files on disk differ

The district, its streets, communities, units, roads, bridges, people and phone numbers are all
invented ("清源区 / Qingyuan District"); only the county division code 330106 and the coordinates
(near lat 30.25, lon 120.16) look real. The output depends on nothing but this file and a fixed seed,
so running it twice gives byte-identical files. ``README.md`` in the output folder is hand-written
and is not touched.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "demo_city"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # its parts, however this file is loaded

from demo_city_places import (  # noqa: E402
    INSPECTORS,
    make_grids,
    make_grids2,
    make_sensors,
    make_sensors2,
)
from demo_city_tables import (  # noqa: E402
    CITY,
    COMPONENTS,
    COUNTY,
    COUNTY2,
    CRITERIA,
    ENFORCEMENT_SQUAD,
    EVENTS,
    PEOPLE,
    PROFILES,
    ROADS_SQUAD,
    SANITATION_SQUAD,
    SEED,
    STREETS,
    UNITS,
    UNITS2,
    street_prefix,
)

# --------------------------------------------------------------------------------------------------
# responsibility matrix


def make_responsibility() -> list[tuple[str, str, str, int]]:
    rules: list[tuple[str, str, str, int]] = []
    add = rules.append
    streets = [s[0] for s in STREETS]

    # --- components
    for code, unit in [("C0101", "water_supply"), ("C0105", "power"), ("C0106", "telecom"),
                       ("C0107", "gas"), ("C0108", "water_supply"), ("C0109", "power"),
                       ("C0110", "streetlights"), ("C0111", "gas"), ("C0112", "telecom")]:
        add((code, "*", unit, 1))
    for code in ("C0102", "C0103", "C0104"):
        add((code, "*", "drainage_maint", 1))
        add((code, "*", "drainage", 2))
    add(("C01", "*", "roads", 1))              # utility covers of unknown owner in the carriageway
    for s in streets:
        add(("C02", street_prefix(s), ROADS_SQUAD[s], 1))
    add(("C02", "*", "roads", 2))
    for code in ("C0201", "C0202"):
        add((code, "*", "traffic_police", 1))
    add(("C0203", "*", "traffic_police", 1))
    add(("C0203", "*", "roads", 2))
    for code in ("C0206", "C0207", "C0210"):
        add((code, "*", "bridges", 1))
        add((code, "*", "roads", 2))
    for s in streets:
        add(("C0211", street_prefix(s), ENFORCEMENT_SQUAD[s], 1))
        add(("C03", street_prefix(s), SANITATION_SQUAD[s], 1))
        add(("C0305", street_prefix(s), ENFORCEMENT_SQUAD[s], 1))
    add(("C03", "*", "sanitation", 2))
    add(("C04", "*", "greenery_maint", 1))
    add(("C04", "*", "greenery", 2))
    add(("C0401", "*", "greenery", 1))          # heritage trees: the department itself
    add(("C05", "*", "housing", 1))
    add(("C0601", "*", "city_office", 1))
    add(("C0602", "*", "drainage", 1))
    add(("C0603", "*", "bridges", 1))
    add(("C0604", "*", "drainage", 1))
    add(("C06", "*", "city_office", 1))

    # --- events
    order_e01 = ("E0106", "E0107", "E0110", "E0111")     # enforcement matters within E01
    for s in streets:
        sp = street_prefix(s)
        add(("E01", sp, SANITATION_SQUAD[s], 1))
        for code in order_e01:
            add((code, sp, ENFORCEMENT_SQUAD[s], 1))
        add(("E0109", sp, SANITATION_SQUAD[s], 1))      # cleaning
        add(("E0109", sp, ENFORCEMENT_SQUAD[s], 2))     # and finding who posted it
        add(("E02", sp, ENFORCEMENT_SQUAD[s], 1))
        add(("E03", sp, ENFORCEMENT_SQUAD[s], 1))
        add(("E0303", sp, SANITATION_SQUAD[s], 1))      # clean the spill first
        add(("E0303", sp, ENFORCEMENT_SQUAD[s], 2))     # then fine the haulier
        add(("E0304", sp, ROADS_SQUAD[s], 1))
        add(("E0304", sp, ENFORCEMENT_SQUAD[s], 2))
        add(("E0402", sp, ROADS_SQUAD[s], 2 if s in ("001", "002") else 1))
        add(("E0405", sp, ROADS_SQUAD[s], 1))
        add(("E0409", sp, ROADS_SQUAD[s], 1))
        add(("E05", sp, ENFORCEMENT_SQUAD[s], 1))
    # community-level: grid teams and a cleaning team
    add(("E01", "330106001001", "sanitation_west_team1", 1))
    add(("E01", "330106001002", "sanitation_west_team1", 1))
    add(("E05", "330106001001", "enf_minghu_hupan", 1))
    add(("E05", "330106001002", "enf_minghu_liuan", 1))
    # the emergency repair team leads on collapses in the north
    for s in ("001", "002"):
        add(("E0402", street_prefix(s), "roads_north_repair", 1))
    # grid-level: the lakeside park grid's litter is the greenery squad's
    add(("E01", "33010600100101", "greenery_maint", 1))
    add(("E0104", "*", "drainage", 1))
    add(("E0105", "*", "greenery_maint", 1))
    add(("E01", "*", "sanitation", 2))
    add(("E02", "*", "enforcement", 2))
    add(("E03", "*", "enforcement", 2))
    add(("E0306", "*", "housing", 2))
    add(("E0401", "*", "drainage_maint", 1))
    add(("E0401", "*", "drainage", 2))
    add(("E0402", "*", "roads", 2))
    add(("E0403", "*", "gas", 1))
    add(("E0404", "*", "greenery_maint", 1))
    add(("E0404", "*", "greenery", 2))
    add(("E0405", "*", "drainage_maint", 2))
    add(("E0406", "*", "drainage_maint", 1))
    add(("E0406", "*", "drainage", 2))
    add(("E0407", "*", "water_supply", 1))
    add(("E0408", "*", "bridges", 1))
    add(("E0408", "*", "roads", 2))
    add(("E0409", "*", "sanitation", 2))
    add(("E0410", "*", "power", 1))
    add(("E0411", "*", "housing", 1))
    add(("E0412", "*", "roads", 1))
    add(("E0412", "*", "housing", 2))
    add(("E04", "*", "city_office", 1))
    add(("E05", "*", "enforcement", 2))
    add(("E0504", "*", "traffic_police", 1))
    add(("E06", "*", "city_office", 1))
    add(("E0602", "*", "housing", 1))
    add(("E0603", "*", "drainage", 1))
    # the second district's own stations take its street cleaning and road repairs
    add(("C02", COUNTY2, "cj_roads", 1))
    add(("C03", COUNTY2, "cj_sanitation", 1))
    add(("E01", COUNTY2, "cj_sanitation", 1))
    add(("E0304", COUNTY2, "cj_roads", 1))
    add(("E06", COUNTY2, "cj_office", 1))
    return rules


# --------------------------------------------------------------------------------------------------
# users


def make_users() -> list[dict]:
    people = iter(PEOPLE)
    users = [{"username": "admin", "display_name": "系统管理员", "role": "admin", "unit_id": None,
              "password": "demo-admin"}]
    for role, prefix, count in (("operator", "operator", 3), ("shift_lead", "lead", 2),
                                ("inspector", "inspector", INSPECTORS)):
        for n in range(1, count + 1):
            username = f"{prefix}{n}"
            users.append({"username": username, "display_name": next(people), "role": role,
                          "unit_id": None, "password": f"demo-{username}"})
    handled = [u[0] for u in UNITS if u[3] == 1] + ["enf_minghu", "drainage_maint"]
    for unit_id in handled:
        username = f"handler_{unit_id}"
        users.append({"username": username, "display_name": next(people), "role": "unit_handler",
                      "unit_id": unit_id, "password": f"demo-{username}"})
    # the second district: its operator and lead see its cases only; the others above see the whole city
    for username, name, role, unit_id in (("operator_cj", "林晓", "operator", None),
                                          ("lead_cj", "高远", "shift_lead", None),
                                          ("inspector_cj", "罗琴", "inspector", None),
                                          ("handler_cj_office", "唐宁", "unit_handler", "cj_office"),
                                          ("handler_cj_sanitation", "梁超", "unit_handler", "cj_sanitation")):
        user = {"username": username, "display_name": name, "role": role, "unit_id": unit_id,
                "password": f"demo-{username}"}
        if role != "unit_handler":
            user["jurisdictions"] = [COUNTY2]
        users.append(user)
    return users


# --------------------------------------------------------------------------------------------------
# calendar: China's 2026 public holidays and make-up working days (as announced; verify locally)


def _days(start: str, end: str) -> list[str]:
    from datetime import date, timedelta
    d0, d1 = date.fromisoformat(start), date.fromisoformat(end)
    return [(d0 + timedelta(days=k)).isoformat() for k in range((d1 - d0).days + 1)]


def make_calendar() -> dict:
    holidays = (_days("2026-01-01", "2026-01-03")      # New Year's Day 元旦
                + _days("2026-02-15", "2026-02-23")    # Spring Festival 春节
                + _days("2026-04-04", "2026-04-06")    # Qingming 清明节
                + _days("2026-05-01", "2026-05-05")    # Labour Day 劳动节
                + _days("2026-06-19", "2026-06-21")    # Dragon Boat Festival 端午节
                + _days("2026-09-25", "2026-09-27")    # Mid-Autumn Festival 中秋节
                + _days("2026-10-01", "2026-10-07"))   # National Day 国庆节
    extra = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
    return {
        "_note": ("Demo calendar. China's 2026 public holidays (放假) and make-up working days "
                  "(调休上班) as announced by the State Council; each centre configures its own "
                  "calendar, working periods and stage limits. weekdays: 0 = Monday."),
        "timezone": "Asia/Shanghai",
        "periods": [["08:30", "12:00"], ["14:00", "17:30"]],
        "weekdays": [0, 1, 2, 3, 4],
        "holidays": holidays,
        "extra_workdays": extra,
        "stage_limits": {
            "register": {"minutes": 30, "working": False},
            "dispatch": {"minutes": 30, "working": False},
            "verify": {"hours": 2, "working": False},
        },
    }


# --------------------------------------------------------------------------------------------------
# output


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _geojson(features: list[dict]) -> str:
    # one feature per line keeps the file diffable and reasonably small
    lines = ['{"type": "FeatureCollection",',
             ' "name": "qingyuan_unit_grids",',
             ' "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},',
             ' "features": [']
    for k, f in enumerate(features):
        sep = "," if k < len(features) - 1 else ""
        lines.append("  " + json.dumps(f, ensure_ascii=False, separators=(",", ":")) + sep)
    lines.append(" ]}")
    return "\n".join(lines) + "\n"


def _csv(header: list[str], rows: list[list[object]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


# The repeat rule of the categories that differ from the defaults (200 m, 72 h): waterlogging is one
# flooded stretch, street vendors move on within hours; the three manhole covers a reporter cannot tell
# apart from the street are one group.
MERGE_RULES = {"E0401": ("300", "24", ""), "E0501": ("100", "12", ""), "C0101": ("", "", "manhole_cover"),
               "C0102": ("", "", "manhole_cover"), "C0103": ("", "", "manhole_cover")}


def _merge_rule(code: str) -> tuple[str, str, str]:
    return MERGE_RULES.get(code, ("", "", ""))


def _onsite_target(code: str) -> int:
    """Minutes from dispatch to the crew on site (docs/avl.md): floods and collapses (E04) 10, components 20,
    other events 15."""
    return 10 if code.startswith("E04") else 20 if code.startswith("C") else 15


def build() -> dict[str, str]:
    rng = random.Random(SEED)
    grids = make_grids(rng)
    sensors = make_sensors(rng, grids)
    grids2 = make_grids2(random.Random(SEED + 2))
    sensors += make_sensors2(random.Random(SEED + 3), grids2)
    grids = grids + grids2
    units = [{"id": i, "name": n, "name_en": e, "level": lv, "parent_id": p, "kind": k, "phone": ph,
              "jurisdiction": CITY if p is None else COUNTY if lv == 1 else ""}
             for i, n, e, lv, p, k, ph in UNITS]
    units += [{"id": i, "name": n, "name_en": e, "level": lv, "parent_id": p, "kind": k, "phone": ph,
               "jurisdiction": COUNTY2 if lv == 1 else ""} for i, n, e, lv, p, k, ph in UNITS2]
    cat_rows = []
    for kind, items in (("component", COMPONENTS), ("event", EVENTS)):
        for code, name, name_en, profile, prio, emergency in items:
            u, o, c = PROFILES[profile]
            rz, cz, re_, ce = CRITERIA[(kind, code[1:3])]
            cat_rows.append([code, kind, code[1:3], code[3:5], name, name_en, prio, u, o, c,
                             emergency, rz.format(n=name), cz.format(n=name), re_.format(e=name_en),
                             ce.format(e=name_en), _onsite_target(code), *_merge_rule(code)])
    resp = [list(r) for r in make_responsibility()]
    return {
        "units.json": _json(units),
        "categories.csv": _csv(["code", "kind", "major", "minor", "name", "name_en",
                                "default_priority", "urgent_limit", "ordinary_limit",
                                "complex_limit", "emergency", "register_criteria", "close_criteria",
                                "register_criteria_en", "close_criteria_en", "onsite_target_min",
                                "merge_radius_m", "merge_window_h", "merge_group"], cat_rows),
        "grids.geojson": _geojson(grids),
        "responsibility.csv": _csv(["category", "area", "unit_id", "rank"], resp),
        "users.json": _json(make_users()),
        "sensors.json": _json(sensors),
        "calendar.json": _json(make_calendar()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    args = parser.parse_args(argv)
    files = build()
    if args.check:
        stale = [name for name, text in files.items()
                 if not (args.out / name).exists()
                 or (args.out / name).read_text(encoding="utf-8") != text]
        for name in stale:
            print(f"out of date: {args.out / name}")
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.out / name).write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {args.out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
