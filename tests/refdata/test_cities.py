"""Per-city reference data (`app.refdata.cities`, cities.json): one server, several cities, each may give
categories its own handling limits. Worked example: the demo city 3301 handles an ordinary water-supply
manhole cover (C0101) within 2 hours instead of the category's own limit; a case dispatched at 10:00 is due
at 12:00."""
from __future__ import annotations

import json
import shutil
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from app.cases.workflow import Actor, apply, new_command
from app.platform.enums import Priority, Role
from app.refdata.errors import RefDataError
from app.refdata.loading import demo_dir, load_refdata
from app.refdata.model import RefData
from tests.support.sync_helpers import create_payload

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in Shanghai


def _with_cities(tmp_path, cities: dict) -> RefData:
    folder = tmp_path / "city"
    shutil.copytree(demo_dir(), folder)
    (folder / "cities.json").write_text(json.dumps(cities, ensure_ascii=False), encoding="utf-8")
    return load_refdata(folder)


def test_a_city_overrides_a_categorys_limit(tmp_path, refdata):
    own = _with_cities(tmp_path, {"3301": {"name": "清源市", "name_en": "Qingyuan",
                                           "limits": {"C0101": {"ordinary": "2h"}}}})
    grid = refdata.grids[0].code
    assert own.handle_limit("C0101", Priority.ORDINARY, grid).duration == timedelta(hours=2)
    assert own.handle_limit("C0101", Priority.ORDINARY) == refdata.handle_limit("C0101", Priority.ORDINARY)
    assert own.handle_limit("C0101", Priority.URGENT, grid) == refdata.handle_limit("C0101", Priority.URGENT)
    assert own.handle_limit("C0102", Priority.ORDINARY, grid) == refdata.handle_limit("C0102", Priority.ORDINARY)
    # the bundle carries it to consoles; a single city's bundle is as before (same version)
    again = RefData.from_dict(own.to_dict())
    assert again.handle_limit("C0101", Priority.ORDINARY, grid).duration == timedelta(hours=2)
    assert "cities" not in refdata.to_dict() and again.version == own.version != refdata.version
    # the workflow's deadline follows the city's limit
    operator = Actor("operator1", Role.OPERATOR)
    case_id = uuid.uuid4()
    case = apply(None, new_command(case_id, "create", {**create_payload(own), "priority": "ordinary"}, NOW),
                 operator, own, NOW)
    case = apply(case, new_command(case_id, "register", {}, NOW), operator, own, NOW)
    case = apply(case, new_command(case_id, "dispatch", {"unit_id": "water_supply"}, NOW), operator, own, NOW)
    assert case.location.grid_code.startswith("3301") and case.due_at - NOW == timedelta(hours=2)


@pytest.mark.parametrize("cities,words", [
    ({"33011": {}}, "'33011'"),
    ({"330106": {}}, "not a city code"),
    ({"4401": {}}, "city 4401 holds no grid"),
    ({"3301": {"limits": {"C9999": {"urgent": "1h"}}}}, "unknown category 'C9999'"),
    ({"3301": {"limits": {"C0101": {"soon": "1h"}}}}, "unknown priority 'soon'"),
    ({"3301": {"limits": {"C0101": {"urgent": "fast"}}}}, "bad limit 'fast'"),
])
def test_a_bad_cities_file_is_refused_naming_the_problem(tmp_path, cities, words):
    with pytest.raises(RefDataError) as err:
        _with_cities(tmp_path, cities)
    assert words in str(err.value)
