"""The nearest available person for a case, worked by hand: available ones first by distance (stale or busy
ones after, with the reason), the kind and unit filters, and the time estimate on foot and by car."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.avl.nearest import busy_people, rank_nearest

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
LAT, LON = 30.26, 120.15
M_PER_DEG_LAT = 111_195.0  # haversine's Earth (6,371,008.8 m) along a meridian


def pos(device_id, metres_north, minutes_ago=1, kind="inspector_handset", unit="city_office", person=None):
    return {"device_id": device_id, "kind": kind, "owner_unit_id": unit, "person": person or device_id.lower(),
            "name": device_id, "lat": LAT + metres_north / M_PER_DEG_LAT, "lon": LON,
            "time": (NOW - timedelta(minutes=minutes_ago)).isoformat()}


def test_available_first_nearest_first_with_the_reason():
    positions = [pos("B", 200, minutes_ago=10), pos("A", 500), pos("C", 300), pos("D", 1000, minutes_ago=3)]
    ranked = rank_nearest(positions, LAT, LON, NOW, busy={"c"})
    assert [(s.device_id, s.available) for s in ranked] == [("A", True), ("D", True), ("B", False), ("C", False)]
    a = ranked[0]
    assert a.distance_m == pytest.approx(500, abs=1)
    assert a.eta_min == pytest.approx(6.0, abs=0.05)  # 0.5 km on foot at 5 km/h
    assert a.minutes_since_report == pytest.approx(1)
    assert a.reason == "0.5 km away, about 6 min; reported 1 min ago"
    assert ranked[2].reason == "last report 10 min ago: position not current"
    assert ranked[3].reason == "on another open case"


def test_kinds_units_and_limit_narrow_the_candidates():
    positions = [pos("CAR", 900, kind="patrol_car", unit="roads"), pos("TRUCK", 100, kind="sanitation_truck",
                                                                     unit="sanitation_west"), pos("H", 50)]
    ranked = rank_nearest(positions, LAT, LON, NOW, kinds=("patrol_car", "sanitation_truck"))
    assert [s.device_id for s in ranked] == ["TRUCK", "CAR"]
    assert ranked[1].eta_min == pytest.approx(0.9 / 25 * 60, abs=0.05)  # by car at 25 km/h
    assert [s.device_id for s in rank_nearest(positions, LAT, LON, NOW, units={"roads"})] == ["CAR"]
    assert len(rank_nearest(positions, LAT, LON, NOW, limit=1)) == 1
    assert rank_nearest([{"device_id": "X"}], LAT, LON, NOW) == []  # a malformed entry is skipped


def test_inspectors_on_an_open_verification_or_check_are_busy(refdata):
    from tests.avl.test_arrival import DISPATCH, HANDLER, run

    verifying = run(refdata, [DISPATCH, (1, HANDLER, "accept", {}), (2, HANDLER, "report_handled", {"note": "ok"}),
                              (3, "operator1", "send_verify", {"inspector": "inspector2"})])
    assert busy_people([verifying, run(refdata, [DISPATCH])]) == {"inspector2"}
