"""Loading a reference-data folder (see the package docstring for its layout), and the demo city."""
from __future__ import annotations

from pathlib import Path

from app.platform.paths import resource
from app.refdata.calendar import parse_calendar
from app.refdata.categories import parse_categories_with_src
from app.refdata.cities import parse_cities
from app.refdata.entities import Sensor, User
from app.refdata.errors import RefDataError, Src
from app.refdata.files import read_json, require_list
from app.refdata.grids import parse_grids_with_src
from app.refdata.model import RefData
from app.refdata.responsibility import parse_responsibility_with_src
from app.refdata.sensors import sensors_from_items
from app.refdata.units import units_from_items
from app.refdata.users import users_from_items

__all__ = ["CALENDAR_FILE", "CATEGORIES_FILE", "GRIDS_FILE", "RESPONSIBILITY_FILE", "SENSORS_FILE", "UNITS_FILE",
           "USERS_FILE", "demo_dir", "load_demo_refdata", "load_refdata"]

UNITS_FILE = "units.json"
CATEGORIES_FILE = "categories.csv"
GRIDS_FILE = "grids.geojson"
RESPONSIBILITY_FILE = "responsibility.csv"
USERS_FILE = "users.json"
SENSORS_FILE = "sensors.json"
CALENDAR_FILE = "calendar.json"


def load_refdata(directory: Path) -> RefData:
    """Load and validate a reference-data folder. users.json and sensors.json may be absent (no
    users / no sensors); the other files are required."""
    directory = Path(directory)
    if not directory.is_dir():
        raise RefDataError(f"reference data folder not found: {directory}")
    policy = parse_calendar(directory / CALENDAR_FILE)
    units_path = directory / UNITS_FILE
    unit_items = require_list(read_json(units_path), UNITS_FILE, "units")
    units_src = Src.items(UNITS_FILE, len(unit_items))
    units = units_from_items(unit_items, units_src)
    categories, cat_src = parse_categories_with_src(directory / CATEGORIES_FILE, policy.calendar)
    grids, grid_src = parse_grids_with_src(directory / GRIDS_FILE)
    rules, rule_src = parse_responsibility_with_src(directory / RESPONSIBILITY_FILE)
    users: list[User] = []
    users_src = Src.items(USERS_FILE, 0)
    if (directory / USERS_FILE).exists():
        items = require_list(read_json(directory / USERS_FILE), USERS_FILE, "users")
        users_src = Src.items(USERS_FILE, len(items))
        users = users_from_items(items, users_src)
    sensors: list[Sensor] = []
    sensors_src = Src.items(SENSORS_FILE, 0)
    if (directory / SENSORS_FILE).exists():
        items = require_list(read_json(directory / SENSORS_FILE), SENSORS_FILE, "sensors")
        sensors_src = Src.items(SENSORS_FILE, len(items))
        sensors = sensors_from_items(items, sensors_src)
    cities = parse_cities(directory, policy.calendar)
    return RefData(units, categories, grids, rules, users, sensors, policy, cities=cities,
                   _sources={"units": units_src, "categories": cat_src, "grids": grid_src,
                             "responsibility": rule_src, "users": users_src,
                             "sensors": sensors_src})


def demo_dir() -> Path:
    """The packaged demo city folder (``resources/demo_city`` at the repository root)."""
    return resource("demo_city")


def load_demo_refdata() -> RefData:
    """The fictional demo city (清源区 / Qingyuan District), freshly loaded (about 10 ms)."""
    return load_refdata(demo_dir())
