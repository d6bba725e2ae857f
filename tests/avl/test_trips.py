"""The open trips' index for the arrival check: a position finds the trips of its own device near it
(the crew's unit and the units below, the inspector sent), every trip within the radius and no other
device's, at the demo city's latitude and far north; a trip moved or ended leaves its old cell."""
from __future__ import annotations

import random
import uuid

import pytest

from app.avl.trips import Trip, TripIndex
from app.cases import arrival
from app.platform.geo import haversine_m
from app.refdata.devices import Device

TRUCK = Device("SAN-W01", "sanitation_truck", "sanitation_west", None, "W01")
PATROL = Device("PAT-R1", "patrol_car", "roads", "handler_roads", "R1")
HANDSET = Device("HS-I1", "inspector_handset", "inspectors", "inspector1", "I1")
LAT, LON = 30.2500, 120.1600


def crew(lat=LAT, lon=LON, units=("sanitation", "sanitation_west")) -> Trip:
    return Trip(uuid.uuid4(), arrival.UNIT, frozenset(units), None, lat, lon, None)


def inspector(lat=LAT, lon=LON, who="inspector1") -> Trip:
    return Trip(uuid.uuid4(), arrival.INSPECTOR, frozenset(), who, lat, lon, None)


def north(metres: float) -> float:
    return LAT + metres / 111_195


def test_a_position_finds_its_own_devices_trips_near_it():
    index = TripIndex()
    a, b, c = crew(), crew(units=("roads",)), inspector()
    for t in (a, b, c):
        index.add(t)
    assert [t.case_id for t in index.near(TRUCK, north(90), LON, 100)] == [a.case_id]   # a unit below
    assert [t.case_id for t in index.near(PATROL, north(90), LON, 100)] == [b.case_id]
    assert [t.case_id for t in index.near(HANDSET, north(90), LON, 100)] == [c.case_id]
    assert list(index.near(TRUCK, north(900), LON, 100)) == []                       # 900 m off: not looked at
    # a handset is never a crew's vehicle, even of the crew's unit
    assert list(index.near(Device("HS-X", "inspector_handset", "sanitation_west", "nobody", ""), LAT, LON, 100)) == []


def test_the_current_case_is_the_first_trip_read_and_follows_changes():
    index = TripIndex()
    first, second = crew(lat=north(2000)), crew()
    index.add(first)
    index.add(second)
    assert index.first_for(TRUCK) == first
    index.put(first.case_id, None)                      # the crew arrived there (or it ended)
    assert index.first_for(TRUCK) == second and len(index) == 1
    moved = Trip(second.case_id, arrival.UNIT, second.units, None, north(5000), LON, None)
    index.put(second.case_id, moved)                    # its place corrected: found at the new one only
    assert list(index.near(TRUCK, LAT, LON, 100)) == []
    assert [t.case_id for t in index.near(TRUCK, north(5000), LON, 100)] == [second.case_id]
    assert index.all() == [moved]
    assert index.first_for(PATROL) is None


@pytest.mark.parametrize("lat0", [30.25, 62.0, -45.0])
def test_no_trip_within_the_radius_is_missed(lat0):
    """Against every trip measured one by one, at several latitudes (a degree of longitude shrinks north)."""
    rnd = random.Random(int(lat0 * 100))
    index = TripIndex()
    trips = [Trip(uuid.uuid4(), arrival.UNIT, frozenset({rnd.choice(["roads", "sanitation_west"])}), None,
                  lat0 + rnd.uniform(-0.01, 0.01), 120.16 + rnd.uniform(-0.01, 0.01), None) for _ in range(2000)]
    for t in trips:
        index.add(t)
    for _ in range(400):
        device = rnd.choice([TRUCK, PATROL])
        lat, lon = lat0 + rnd.uniform(-0.01, 0.01), 120.16 + rnd.uniform(-0.01, 0.01)
        want = {t.case_id for t in trips if TripIndex.goes(t, device) and haversine_m(lat, lon, t.lat, t.lon) <= 100}
        got = {t.case_id for t in index.near(device, lat, lon, 100) if haversine_m(lat, lon, t.lat, t.lon) <= 100}
        assert got == want
