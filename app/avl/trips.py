"""The open trips to cases (a crew dispatched, an inspector sent), indexed for the arrival check: by who
goes (each unit of a crew trip — the case's unit and those below it — and the inspector of an inspector
trip) and by grid cell, so a position is compared only with the trips of its own device near it.

Cells are `CELL_DEG` of latitude by `CELL_LON_DEG` of longitude (~111 m by ~145 m at the demo city's
latitude, wider than the 100 m radius up to 53° N, so a search looks at 3 × 3 cells in every Chinese city);
a search reaches as many cells east and west as the radius needs at the position's latitude, so no trip
within the radius is missed anywhere short of the poles.
"""
from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from app.cases import arrival
from app.refdata.devices import Device

log = logging.getLogger(__name__)

CELL_DEG = 0.001
CELL_LON_DEG = 0.0015
_M_PER_DEG_LAT = 111_320.0
HANDSET = "inspector_handset"


@dataclass(frozen=True)
class Trip:
    case_id: uuid.UUID
    who: str                 # arrival.UNIT or arrival.INSPECTOR
    units: frozenset[str]    # a unit trip: the devices of these units go (the case's unit and those below)
    inspector: str | None
    lat: float
    lon: float
    started: datetime | None


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / CELL_DEG), math.floor(lon / CELL_LON_DEG)


def _keys(trip: Trip) -> list[tuple[str, str]]:
    """Who may end this trip, as index keys: ("u", unit) for a crew, ("p", username) for an inspector."""
    if trip.who == arrival.INSPECTOR:
        return [("p", trip.inspector)] if trip.inspector else []
    return [("u", u) for u in sorted(trip.units)]


class TripIndex:
    def __init__(self) -> None:
        self._trips: dict[uuid.UUID, tuple[int, Trip]] = {}        # case → (order read, trip)
        self._by_key: dict[tuple[str, str], dict[uuid.UUID, Trip]] = {}
        self._cells: dict[tuple[tuple[str, str], tuple[int, int]], dict[uuid.UUID, Trip]] = {}
        self._order = 0

    def __len__(self) -> int:
        return len(self._trips)

    def add(self, trip: Trip) -> None:
        self.put(trip.case_id, trip)

    def put(self, case_id: uuid.UUID, trip: Trip | None) -> None:
        """The case's trip is now `trip` (None: nobody is on the way any more)."""
        old = self._trips.pop(case_id, None)
        if old is not None:
            self._drop(old[1])
        if trip is None:
            return
        self._order += 1
        self._trips[case_id] = (self._order, trip)
        cell = _cell(trip.lat, trip.lon)
        for key in _keys(trip):
            self._by_key.setdefault(key, {})[case_id] = trip
            self._cells.setdefault((key, cell), {})[case_id] = trip

    def _drop(self, trip: Trip) -> None:
        cell = _cell(trip.lat, trip.lon)
        for key in _keys(trip):
            for table, k in ((self._by_key, key), (self._cells, (key, cell))):
                bucket = table.get(k)
                if bucket is not None:
                    bucket.pop(trip.case_id, None)
                    if not bucket:
                        del table[k]

    def all(self) -> list[Trip]:
        return [t for _, t in sorted(self._trips.values(), key=lambda e: e[0])]

    @staticmethod
    def goes(trip: Trip, device: Device) -> bool:
        """Whether `device` is the one on this trip (the crew's vehicle, the inspector's handset)."""
        if trip.who == arrival.INSPECTOR:
            return device.person is not None and device.person == trip.inspector
        return device.kind != HANDSET and device.unit_id in trip.units

    def _device_keys(self, device: Device) -> list[tuple[str, str]]:
        keys = [("u", device.unit_id)] if device.kind != HANDSET else []
        if device.person:
            keys.append(("p", device.person))
        return keys

    def first_for(self, device: Device) -> Trip | None:
        """The first-read trip this device is on (its current case)."""
        best: tuple[int, Trip] | None = None
        for key in self._device_keys(device):
            for case_id, trip in self._by_key.get(key, {}).items():
                entry = self._trips[case_id]
                if (best is None or entry[0] < best[0]) and self.goes(trip, device):
                    best = entry
        return best[1] if best is not None else None

    def near(self, device: Device, lat: float, lon: float, radius_m: float) -> Iterator[Trip]:
        """The device's trips in the cells within `radius_m` of the position (a superset of those within
        the radius: the caller measures)."""
        keys = self._device_keys(device)
        if not keys:
            return
        row, col = _cell(lat, lon)
        reach_lat = math.ceil(radius_m / (_M_PER_DEG_LAT * CELL_DEG))
        cos = max(math.cos(math.radians(lat)), 1e-3)
        reach_lon = math.ceil(radius_m / (_M_PER_DEG_LAT * cos * CELL_LON_DEG))
        seen: set[uuid.UUID] = set()
        for key in keys:
            for r in range(row - reach_lat, row + reach_lat + 1):
                for c in range(col - reach_lon, col + reach_lon + 1):
                    bucket = self._cells.get((key, (r, c)))
                    if not bucket:
                        continue
                    for case_id, trip in bucket.items():
                        if case_id not in seen and self.goes(trip, device):
                            seen.add(case_id)
                            yield trip
