"""Arrival on site seen from the devices: when the crew's vehicle (a device of the case's unit or a unit
below it) or the inspector's handset (its person is the inspector sent) comes within
`app.cases.arrival.ARRIVAL_RADIUS_M` of a case whose trip is under way, the server records the arrival as
the system's `arrive` command — the one pipeline, audited and in the feed like a person's.

The open trips are read from the cases table at most every `REFRESH_S` (and after each arrival), so an
ingest batch only compares its positions with what is in memory. The command id is derived from the case,
the trip's start and `arrive`, so two server processes seeing the same vehicle arrive record it once.
"""
from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.avl.positions import Position
from app.cases import arrival
from app.cases.case import Case
from app.cases.commands import Command
from app.platform.enums import Action
from app.platform.geo import haversine_m
from app.refdata.devices import Device
from db.cases import CaseRow
from server.cases.commands import apply_command, system_command_id
from server.platform.auth import SYSTEM_USER

log = logging.getLogger(__name__)

REFRESH_S = 5.0
_OPEN = [str(s) for s in arrival.SOURCES]


@dataclass(frozen=True)
class Trip:
    case_id: uuid.UUID
    who: str                 # arrival.UNIT or arrival.INSPECTOR
    units: frozenset[str]    # a unit trip: the devices of these units go (the case's unit and those below)
    inspector: str | None
    lat: float
    lon: float
    started: datetime | None


class ArrivalWatch:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self._trips: list[Trip] = []
        self._read_at = 0.0

    def refresh(self, force: bool = False) -> None:
        if not force and time.monotonic() - self._read_at < REFRESH_S:
            return
        refdata = self.ctx.refdata
        trips = []
        with self.ctx.db.reader() as session:
            for data in session.execute(select(CaseRow.data).where(CaseRow.status.in_(_OPEN))).scalars():
                case = Case.model_validate(data)
                who = arrival.trip_of(case)
                if who is None or arrival.arrived_at(case, who) is not None:
                    continue
                units: frozenset[str] = frozenset()
                if who == arrival.UNIT and case.unit_id and refdata.has_unit(case.unit_id):
                    units = frozenset((case.unit_id, *refdata.descendants(case.unit_id)))
                trips.append(Trip(case.id, who, units, arrival.traveller(case), case.location.lat,
                                  case.location.lon, arrival.trip_start(case, who)))
        self._trips = trips
        self._read_at = time.monotonic()

    @property
    def trips(self) -> list[Trip]:
        """The open trips as last read (the demo's vehicles head for them)."""
        return self._trips

    def goes(self, trip: Trip, device: Device) -> bool:
        """Whether `device` is the one on this trip (the crew's vehicle, the inspector's handset)."""
        return self._goes(trip, device)

    def current_case(self, device: Device) -> uuid.UUID | None:
        """The open case this device is on its way to (the nearest trip it belongs to)."""
        for trip in self._trips:
            if self._goes(trip, device):
                return trip.case_id
        return None

    @staticmethod
    def _goes(trip: Trip, device: Device) -> bool:
        if trip.who == arrival.INSPECTOR:
            return device.person is not None and device.person == trip.inspector
        return device.kind != "inspector_handset" and device.unit_id in trip.units

    def check(self, positions: Iterable[Position], devices: Mapping[str, Device]) -> int:
        """Record the arrivals these positions show; how many were recorded."""
        self.refresh()
        recorded = 0
        done: set[uuid.UUID] = set()
        for p in positions:
            device = devices.get(p.device_id)
            if device is None:
                continue
            for trip in self._trips:
                if trip.case_id in done or not self._goes(trip, device):
                    continue
                if trip.started is not None and p.time < trip.started:
                    continue
                distance = haversine_m(p.lat, p.lon, trip.lat, trip.lon)
                if distance > arrival.ARRIVAL_RADIUS_M:
                    continue
                done.add(trip.case_id)
                recorded += self._record(trip, device, distance, p.time)
        if done:
            self.refresh(force=True)
        return recorded

    def _record(self, trip: Trip, device: Device, distance: float, at: datetime) -> int:
        started = trip.started.isoformat() if trip.started else "?"
        command = Command(command_id=system_command_id(trip.case_id, f"arrive:{trip.who}:{started}"),
                          case_id=trip.case_id, action=Action.ARRIVE,
                          payload={"device_id": device.id, "distance_m": round(distance, 1)},
                          issued_at=self.ctx.now(), console_id="server")
        result = apply_command(self.ctx.db.writer, SYSTEM_USER, command, self.ctx.refdata, self.ctx.now,
                               before_commit=self.ctx.before_commit)
        if result.status == "accepted":
            log.info("arrival on site: %s at case %s (%.0f m)", device.id, trip.case_id, distance)
            return 1
        log.debug("arrival of %s at %s not recorded: %s", device.id, trip.case_id, result.reason)
        return 0
