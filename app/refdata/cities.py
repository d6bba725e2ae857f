"""cities.json (optional): what differs per city when one server serves several — each city's name and its
own handling limits for some categories (a city whose drainage squads work around the clock gives the storm
drains shorter limits). Everything not overridden is the reference data's.

    {"3301": {"name": "清源市", "name_en": "Qingyuan", "limits": {"C0103": {"urgent": "1h", "ordinary": "4h"}}}}

A limit is written as in categories.csv (`30m`, `2h`, `4wh`, `1wd`); a priority not named keeps the
category's. `RefData.handle_limit(category, priority, grid_code)` takes the override of the grid's city.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.platform.enums import Priority
from app.refdata.categories import format_limit, parse_limit
from app.refdata.errors import RefDataError
from app.refdata.files import read_json
from app.refdata.jurisdictions import CITY, check_code, level_of
from app.refdata.timelimits import Limit
from app.refdata.work_calendar import WorkCalendar

__all__ = ["City", "cities_from_dict", "cities_to_dict", "parse_cities"]

CITIES_FILE = "cities.json"


@dataclass(frozen=True)
class City:
    code: str
    name: str = ""
    name_en: str = ""
    limits: Mapping[str, Mapping[Priority, Limit]] = field(default_factory=dict)  # category code → priority → limit


def cities_from_dict(data: Any, calendar: WorkCalendar | None = None, file: str = CITIES_FILE) -> dict[str, City]:
    if not isinstance(data, Mapping):
        raise RefDataError("expected an object of cities by code", file=file)
    cities = {}
    for code, obj in data.items():
        if (why := check_code(code)) or level_of(code) != CITY:
            raise RefDataError(why or f"{code!r} is not a city code (4 digits)", file=file)
        if not isinstance(obj, Mapping):
            raise RefDataError(f"city {code}: expected an object", file=file)
        limits: dict[str, dict[Priority, Limit]] = {}
        for category, by_priority in (obj.get("limits") or {}).items():
            if not isinstance(by_priority, Mapping):
                raise RefDataError(f"city {code}: limits.{category} must be an object of limits by priority",
                                   file=file)
            for priority, text in by_priority.items():
                try:
                    p = Priority(priority)
                except ValueError:
                    raise RefDataError(f"city {code}: limits.{category}: unknown priority {priority!r}",
                                       file=file) from None
                try:
                    limits.setdefault(category, {})[p] = parse_limit(str(text), calendar)
                except RefDataError as exc:
                    raise RefDataError(f"city {code}: limits.{category}.{priority}: {exc.problem}", file=file) from None
        cities[code] = City(code, str(obj.get("name", "")), str(obj.get("name_en", "")), limits)
    return cities


def cities_to_dict(cities: Mapping[str, City], calendar: WorkCalendar | None = None) -> dict[str, Any]:
    return {code: {"name": c.name, "name_en": c.name_en,
                   "limits": {cat: {str(p): format_limit(limit, calendar) for p, limit in by.items()}
                              for cat, by in c.limits.items()}}
            for code, c in sorted(cities.items())}


def parse_cities(directory: Path, calendar: WorkCalendar | None = None) -> dict[str, City]:
    path = Path(directory) / CITIES_FILE
    return cities_from_dict(read_json(path), calendar) if path.exists() else {}
