"""Dispatch suggestions from the responsibility matrix, on a small hand-made city and the demo city."""
from __future__ import annotations

import pytest

from app.cases.routing import (
    Suggestion,
    escalation_target,
    grid_matched,
    locate_grid,
    primary_unit,
    rank_units,
)
from app.platform.enums import Priority
from app.refdata.entities import Category, Grid, ResponsibilityRule, Unit
from app.refdata.errors import RefDataError
from app.refdata.model import RefData
from app.refdata.timelimits import Limit

G1 = "33010600100101"   # street 001, community 001
G2 = "33010600100201"   # street 001, community 002
G3 = "33010600200101"   # street 002


def _unit(uid, level, parent):
    return Unit(uid, f"单位{uid}", f"Unit {uid}", level, parent, "test", "")


UNITS = [
    _unit("office", 0, None),
    _unit("dept_a", 1, "office"),
    _unit("dept_b", 1, "office"),
    _unit("squad_a1", 2, "dept_a"),
    _unit("team_a1x", 3, "squad_a1"),
]


def _category(code):
    limits = {p: Limit(60, False) for p in Priority}
    kind = "component" if code[0] == "C" else "event"
    return Category(code, kind, code[1:3], code[3:5], code, code, Priority.ORDINARY, limits, False)


CATEGORIES = [_category(c) for c in ("C0101", "C0102", "C0201", "E0101", "E0102")]


def _grid(code, x):
    ring = [[120.0 + x, 30.0], [120.01 + x, 30.0], [120.01 + x, 30.01], [120.0 + x, 30.01],
            [120.0 + x, 30.0]]
    return Grid(code, code, code, code[:9], "", code[:12], "",
                {"type": "Polygon", "coordinates": [ring]}, (30.005, 120.005 + x))


GRIDS = [_grid(G1, 0.0), _grid(G2, 0.01), _grid(G3, 0.02)]

RULES = [
    ResponsibilityRule("*", "*", "office", 3),
    ResponsibilityRule("C", "*", "dept_b", 1),
    ResponsibilityRule("C01", "*", "dept_a", 1),
    ResponsibilityRule("C0101", "*", "squad_a1", 2),
    ResponsibilityRule("C0101", "330106001", "team_a1x", 1),
    ResponsibilityRule("C0101", "330106001", "dept_b", 2),
    ResponsibilityRule("C0101", G1, "squad_a1", 1),
    ResponsibilityRule("E0101", "*", "dept_b", 2),
    ResponsibilityRule("E0101", "*", "dept_a", 1),
]


def make(rules=RULES):
    return RefData(UNITS, CATEGORIES, GRIDS, rules, [], [])


@pytest.fixture(scope="module")
def city():
    return make()


def ids(suggestions):
    return [s.unit_id for s in suggestions]


def test_specificity_order_grid_community_street(city):
    s = rank_units(city, "C0101", G1)
    # exact code @ grid > exact code @ street (rank 1, then 2) > major class > `*`;
    # squad_a1 also matches "C0101 *" and dept_b "C *": both kept only at their best position
    assert ids(s) == ["squad_a1", "team_a1x", "dept_b", "dept_a", "office"]
    assert s[0].reason == f"primary for C0101 in grid {G1}"
    assert s[1].reason == "primary for C0101 in street 330106001"
    assert s[2].reason == "secondary for C0101 in street 330106001"
    assert s[3].reason == "primary for C01 in all areas"
    assert s[4].reason == "rank 3 for all categories in all areas"
    assert s[0].rule == ResponsibilityRule("C0101", G1, "squad_a1", 1)


def test_other_grid_in_the_same_street(city):
    assert ids(rank_units(city, "C0101", G2)) == ["team_a1x", "dept_b", "squad_a1", "dept_a", "office"]


def test_other_street_falls_back_to_wider_rules(city):
    assert ids(rank_units(city, "C0101", G3)) == ["squad_a1", "dept_a", "dept_b", "office"]


def test_major_and_kind_prefixes(city):
    assert ids(rank_units(city, "C0102", G1)) == ["dept_a", "dept_b", "office"]
    s = rank_units(city, "C0201", G1)
    assert ids(s) == ["dept_b", "office"]
    assert s[0].reason == "primary for all components (C) in all areas"
    assert s[0].reason_args["category_scope"] == "kind"


def test_rank_orders_equally_specific_rules(city):
    s = rank_units(city, "E0101", G1)
    assert ids(s) == ["dept_a", "dept_b", "office"]
    assert [x.reason_args["rank"] for x in s] == [1, 2, 3]


def test_de_duplication_keeps_the_best(city):
    s = rank_units(city, "C0101", G1)
    assert len(ids(s)) == len(set(ids(s)))
    squad = next(x for x in s if x.unit_id == "squad_a1")
    assert squad.reason_args == {"rank": 1, "rank_label": "primary", "category": "C0101",
                                 "category_scope": "code", "area": G1, "area_scope": "grid"}


def test_scores_never_increase_and_results_are_deterministic(city):
    for code in ("C0101", "C0102", "C0201", "E0101", "E0102"):
        for grid in (G1, G2, G3, None):
            s = rank_units(city, code, grid)
            assert all(0.0 <= x.score <= 1.0 for x in s)
            assert [x.score for x in s] == sorted((x.score for x in s), reverse=True)
            assert s == rank_units(city, code, grid)


def test_fallback_chain_up_the_hierarchy():
    city = make([ResponsibilityRule("E0102", "*", "team_a1x", 1)])
    s = rank_units(city, "E0102", G1)
    assert ids(s) == ["team_a1x", "squad_a1", "dept_a", "office"]
    assert [x.reason for x in s[1:]] == ["escalation level 1: parent of team_a1x",
                                         "escalation level 2: parent of squad_a1",
                                         "escalation level 3: parent of dept_a"]
    assert s[1].reason_key == "routing.escalation"
    assert s[1].reason_args == {"level": 1, "child": "team_a1x"}
    assert s[1].rule is None


def test_fallback_skips_units_already_listed():
    city = make([ResponsibilityRule("E0102", "*", "team_a1x", 1),
                 ResponsibilityRule("E01", "*", "dept_a", 1)])
    assert ids(rank_units(city, "E0102", G1)) == ["team_a1x", "dept_a", "squad_a1", "office"]


def test_no_matching_rule_gives_the_city_office():
    city = make([ResponsibilityRule("C01", "*", "dept_a", 1)])
    s = rank_units(city, "E0101", G1)
    assert ids(s) == ["office"]
    assert s[0].reason_key == "routing.no_rule" and s[0].score == 0.0


def test_city_office_primary_has_no_fallbacks():
    city = make([ResponsibilityRule("E", "*", "office", 1)])
    assert ids(rank_units(city, "E0101", None)) == ["office"]


def test_without_a_grid_only_star_areas_match(city):
    assert ids(rank_units(city, "C0101", None)) == ["squad_a1", "dept_a", "dept_b", "office"]


def test_outside_every_grid_the_suggestions_say_no_grid_matched(city):
    # a point in another city: no grid holds it, so only the "all areas" rules can match, and they say why
    outside = rank_units(city, "C0101", None, lat=0.0, lon=0.0)
    rules = [s for s in outside if s.reason_key == "routing.rule"]
    assert rules and all(s.reason_args["no_grid"] for s in rules)
    assert rules[0].reason == "secondary for C0101 in all areas; no grid matched the location"
    assert not grid_matched(city, None, 0.0, 0.0)
    lat, lon = city.grid(G2).centroid
    assert grid_matched(city, None, lat, lon) and grid_matched(city, G1)
    # inside a grid, an "all areas" rule is a normal match and says nothing of the kind
    assert "no_grid" not in rank_units(city, "C0201", G1)[0].reason_args


def test_lat_lon_locates_the_grid(city):
    lat, lon = city.grid(G2).centroid
    assert locate_grid(city, None, lat, lon) == G2
    assert rank_units(city, "C0101", None, lat=lat, lon=lon) == rank_units(city, "C0101", G2)
    # an explicit grid wins over the coordinates
    assert rank_units(city, "C0101", G1, lat=lat, lon=lon) == rank_units(city, "C0101", G1)
    # outside every grid: as if no grid were known
    assert rank_units(city, "C0101", None, lat=0.0, lon=0.0) == rank_units(city, "C0101", None)


def test_unknown_category_or_grid_raises(city):
    with pytest.raises(RefDataError, match="unknown category 'C9999'"):
        rank_units(city, "C9999", G1)
    with pytest.raises(RefDataError, match="unknown grid '33010600100199'"):
        rank_units(city, "C0101", "33010600100199")


def test_escalation_target(city):
    assert escalation_target(city, "team_a1x") == "squad_a1"
    assert escalation_target(city, "dept_b") == "office"
    assert escalation_target(city, "office") is None
    with pytest.raises(RefDataError, match="unknown unit 'ghost'"):
        escalation_target(city, "ghost")


def test_suggestion_to_dict(city):
    d = rank_units(city, "E0101", G1)[0].to_dict()
    assert d["unit_id"] == "dept_a" and d["reason_key"] == "routing.rule"
    assert d["rule"] == {"category": "E0101", "area": "*", "unit_id": "dept_a", "rank": 1}
    assert isinstance(rank_units(city, "E0101", G1)[0], Suggestion)


def test_constructor_validates_rules():
    with pytest.raises(RefDataError, match=r"responsibility, item 0: .*unknown unit 'ghost'"):
        make([ResponsibilityRule("E01", "*", "ghost", 1)])


# --------------------------------------------------------------------------------------------------
# the demo city's matrix


def _grid_in_street(refdata, street):
    return next(g.code for g in refdata.grids if g.street == f"330106{street}")


@pytest.mark.parametrize("category, street, expected", [
    ("C0205", "001", "roads_north"),    # road defects: road squad of the street
    ("C0205", "003", "roads_south"),
    ("C0302", "002", "sanitation_east"),
    ("E0103", "003", "sanitation_west"),
    ("E0504", "004", "traffic_police"),  # illegal parking
    ("E0503", "002", "enf_guiyuan"),     # street order: the street's enforcement squad
    ("E0401", "001", "drainage_maint"),  # waterlogging
    ("C0402", "004", "greenery_maint"),
    ("E0403", "002", "gas"),
    ("E0408", "003", "bridges"),
    ("C0110", "001", "streetlights"),
])
def test_demo_matrix(refdata, category, street, expected):
    assert primary_unit(refdata, category, _grid_in_street(refdata, street)) == expected


def test_demo_grid_team_and_escalation(refdata):
    grid = next(g.code for g in refdata.grids if g.community == "330106001001"
                and g.code != "33010600100101")
    s = rank_units(refdata, "E0501", grid)
    assert ids(s)[:3] == ["enf_minghu_hupan", "enf_minghu", "enforcement"]
    assert s[-1].unit_id == "city_office"
    assert escalation_target(refdata, "enf_minghu_hupan") == "enf_minghu"


def test_demo_sensor_alarms_route_to_a_unit(refdata):
    for sensor in refdata.sensors:
        s = rank_units(refdata, sensor.category_code, None, lat=sensor.lat, lon=sensor.lon)
        assert s[0].reason_key == "routing.rule", sensor.id
        assert s == rank_units(refdata, sensor.category_code, sensor.grid_code)
