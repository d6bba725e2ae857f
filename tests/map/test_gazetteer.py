"""The map's place search: Chinese, toneless pinyin, initials, English, grid codes and case addresses,
over the demo city's reference data and its base map's names."""
from __future__ import annotations

import json

import pytest

from app.map import gazetteer
from app.map.gazetteer import Gazetteer, Place
from app.map.mbtiles import plan_names
from app.refdata.loading import demo_dir, load_demo_refdata


@pytest.fixture(scope="module")
def demo() -> Gazetteer:
    plan = json.loads((demo_dir() / "basemap.geojson").read_text(encoding="utf-8"))
    return gazetteer.build(load_demo_refdata(), basemap_names=plan_names(plan),
                           addresses=[("湖滨路12号附近", 30.2521, 120.1611), ("文澜路3号", 30.2466, 120.1655)])


def names(places: list[Place]) -> list[str]:
    return [p.name for p in places]


def test_initials_find_the_road(demo):
    assert names(demo.search("hbdd"))[0] == "湖滨大道"
    assert names(demo.search("hbl"))[:2] == ["湖滨路", "湖滨路12号附近"]   # the road before the address on it
    assert names(demo.search("HBDD")) == names(demo.search("hbdd"))


def test_chinese_and_pinyin_prefixes(demo):
    assert names(demo.search("湖滨", 4))[0] == "湖滨路"
    assert "湖滨大道" in names(demo.search("湖滨", 10))
    assert names(demo.search("songling", 3))[0] == "松岭路"
    assert names(demo.search("song ling lu"))[0] == "松岭路"   # spaces typed between syllables
    assert names(demo.search("明湖"))[0] in ("明湖", "明湖路")


def test_communities_subdistricts_landmarks_and_units(demo):
    kinds = {p.name: p.kind for p in demo.search("学府", 10)}
    assert kinds["学府街"] == "road" and kinds["学府社区"] == "community" and kinds["学府中学"] == "landmark"
    assert demo.search("桂园街道")[0].kind == "subdistrict"
    hospital = demo.search("yiyuan")[0]
    assert hospital.name == "清源区第一人民医院" and hospital.zoom == 17
    assert any(p.kind == "unit" for p in demo.search("环境卫生"))


def test_grid_codes_by_prefix_and_english_names(demo):
    found = demo.search("33010600200", 20)
    assert found and all(p.kind == "grid" and p.detail.startswith("33010600200") for p in found)
    assert demo.search("Songling Park")[0].name == "松岭公园"
    assert demo.search("minghu bridge")[0].name == "明湖大桥"


def test_case_addresses_fly_to_the_case(demo):
    place = demo.search("文澜路3")[0]
    assert (place.kind, place.lat, place.lon, place.zoom) == ("address", 30.2466, 120.1655, 18)


def test_nothing_for_nothing_and_unknown_text(demo):
    assert demo.search("") == [] and demo.search("   ") == []
    assert demo.search("zzzz") == []
    assert demo.search("北京") == []


def test_every_place_lies_in_the_city(demo):
    for p in demo.search("l", 500):
        assert 30.23 < p.lat < 30.27 and 120.13 < p.lon < 120.19, p


def test_bad_base_map_names_are_skipped():
    g = gazetteer.build(None, basemap_names=[{"name": "好路", "kind": "road", "lat": 30.0, "lon": 120.0},
                                             {"name": "坏路", "lat": "north"}, {"kind": "road"}])
    assert names(g.search("hl")) == ["好路"] and len(g) == 1
