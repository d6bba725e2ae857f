"""GCJ-02 conversion, against values worked out with the published formula."""
from __future__ import annotations

import pytest

from app.map.datum import (
    GCJ02,
    WGS84,
    gcj02_to_wgs84,
    offset,
    outside_china,
    to_tiles,
    wgs84_to_gcj02,
)


def test_the_demo_city_centre_moves_about_260_m_south_east_on_gcj02_tiles():
    # worked by hand from the formula: x = 120.16 - 105 = 15.16, y = 30.25 - 35 = -4.75;
    # dLat-poly = -262.36… → Δlat = -0.0023397°, dLon-poly = 442.15… → Δlon = +0.0046782°
    lat, lon = wgs84_to_gcj02(30.25, 120.16)
    assert lat == pytest.approx(30.2476603, abs=2e-7)
    assert lon == pytest.approx(120.1646782, abs=2e-7)


def test_tiananmen_matches_the_published_pair():
    lat, lon = wgs84_to_gcj02(39.9087, 116.3975)
    assert (round(lat, 4), round(lon, 4)) == (39.9101, 116.4037)


def test_the_inverse_returns_the_wgs84_point():
    for point in ((30.25, 120.16), (22.54, 114.06), (45.75, 126.63)):
        back = gcj02_to_wgs84(*wgs84_to_gcj02(*point))
        assert back == pytest.approx(point, abs=1e-8)


def test_outside_china_nothing_moves():
    assert outside_china(48.85, 2.35)
    assert wgs84_to_gcj02(48.85, 2.35) == (48.85, 2.35)
    assert gcj02_to_wgs84(48.85, 2.35) == (48.85, 2.35)


def test_wgs84_tiles_need_no_offset_and_gcj02_tiles_the_formula_s():
    assert offset(WGS84, 30.25, 120.16) == (0.0, 0.0)
    assert to_tiles(WGS84, 30.25, 120.16) == (30.25, 120.16)
    d_lat, d_lon = offset(GCJ02, 30.25, 120.16)
    assert d_lat == pytest.approx(-0.0023397, abs=2e-7) and d_lon == pytest.approx(0.0046782, abs=2e-7)
