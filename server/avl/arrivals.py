"""Arrival on site seen from the devices: when the crew's vehicle (a device of the case's unit or a unit
below it) or the inspector's handset (its person is the inspector sent) comes within
`app.cases.arrival.ARRIVAL_RADIUS_M` of a case whose trip is under way, the server records the arrival as
the system's `arrive` command — the one pipeline, audited and in the feed like a person's.

The open trips are kept in memory (`app.avl.trips.TripIndex`: by who goes — the crew's units, the
inspector — and by a ~100 m grid cell), so an ingest batch compares each position only with the trips of
its device near it, not with every open case. They are read whole once (and again when the reference data
changes: a crew trip names the units below the case's), then at most every `REFRESH_S` (and after each
arrival) only the cases changed since: the changes feed's case rows past the last position read (the feed's
positions follow commit order, so none is missed). The whole read (~1 s for 10,000 open cases) is the
server's first batch's; the refresh of a busy city's changes is milliseconds (`python -m bench avl`). The command id is derived from the case, the trip's start and `arrive`,
so two server processes seeing the same vehicle arrive record it once.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import func, select

from app.avl.positions import Position
from app.avl.trips import Trip, TripIndex
from app.cases import arrival
from app.cases.case import Case
from app.cases.commands import Command
from app.platform.enums import Action
from app.platform.geo import haversine_m
from app.refdata.devices import Device
from db.cases import CaseRow
from db.feed import FeedRow
from server.cases.commands import apply_command, system_command_id
from server.platform.auth import SYSTEM_USER

log = logging.getLogger(__name__)

REFRESH_S = 5.0
_OPEN = [str(s) for s in arrival.SOURCES]
_CASE_FEED = "case"


class ArrivalWatch:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self._index = TripIndex()
        self._read_at = 0.0
        self._refdata_version: str | None = None   # of the whole read
        self._cursor = 0               # the feed position up to which case changes are read
        self.last_refresh: dict = {}   # what the last refresh read and how long it took (bench, diagnostics)
        self.reads = {"full": 0, "changed_cases": 0}   # whole reads, and cases read as changed, so far
        # the ingest's writer and the demo's vehicles both read (and refresh) the index
        self._lock = threading.RLock()

    def _trip(self, case: Case) -> Trip | None:
        who = arrival.trip_of(case)
        if who is None or arrival.arrived_at(case, who) is not None:
            return None
        refdata = self.ctx.refdata
        units: frozenset[str] = frozenset()
        if who == arrival.UNIT and case.unit_id and refdata.has_unit(case.unit_id):
            units = frozenset((case.unit_id, *refdata.descendants(case.unit_id)))
        return Trip(case.id, who, units, arrival.traveller(case), case.location.lat, case.location.lon,
                    arrival.trip_start(case, who))

    def refresh(self, force: bool = False) -> None:
        with self._lock:
            now = time.monotonic()
            if not force and now - self._read_at < REFRESH_S:
                return
            started = time.perf_counter()
            with self.ctx.db.reader() as session:
                if self._refdata_version != self.ctx.refdata.version:
                    self._read_all(session)
                else:
                    self._read_changes(session)
            self.last_refresh["ms"] = (time.perf_counter() - started) * 1000
            self.last_refresh["trips"] = len(self._index)
            self._read_at = time.monotonic()

    def _read_all(self, session) -> None:
        # the cursor first: a case changed while the open ones are read is read again next time
        cursor = session.execute(select(func.coalesce(func.max(FeedRow.position), 0))).scalar_one()
        index = TripIndex()
        n = 0
        for data in session.execute(select(CaseRow.data).where(CaseRow.status.in_(_OPEN))).scalars():
            n += 1
            trip = self._trip(Case.model_validate(data))
            if trip is not None:
                index.add(trip)
        self._index, self._cursor, self._refdata_version = index, cursor, self.ctx.refdata.version
        self.last_refresh = {"full": True, "cases": n}
        self.reads["full"] += 1

    def _read_changes(self, session) -> None:
        """The cases whose feed row moved past the cursor: their trip replaced (or dropped)."""
        changed = session.execute(select(FeedRow.case_id, FeedRow.position).where(
            FeedRow.position > self._cursor, FeedRow.kind == _CASE_FEED)).all()
        ids = [c for c, _ in changed if c is not None]
        for i in range(0, len(ids), 1000):
            chunk = ids[i:i + 1000]
            rows = dict(session.execute(select(CaseRow.id, CaseRow.data).where(CaseRow.id.in_(chunk))).all())
            for case_id in chunk:
                data = rows.get(case_id)
                case = Case.model_validate(data) if data is not None else None
                self._index.put(case_id, self._trip(case) if case is not None and case.status in _OPEN else None)
        if changed:
            self._cursor = max(self._cursor, max(p for _, p in changed))
        self.last_refresh = {"full": False, "cases": len(ids)}
        self.reads["changed_cases"] += len(ids)

    @property
    def trips(self) -> list[Trip]:
        """The open trips as last read (the demo's vehicles head for them)."""
        with self._lock:
            return self._index.all()

    def goes(self, trip: Trip, device: Device) -> bool:
        """Whether `device` is the one on this trip (the crew's vehicle, the inspector's handset)."""
        return TripIndex.goes(trip, device)

    def current_case(self, device: Device) -> uuid.UUID | None:
        """The open case this device is on its way to (the first of its trips read)."""
        with self._lock:
            trip = self._index.first_for(device)
        return trip.case_id if trip is not None else None

    def check(self, positions: Iterable[Position], devices: Mapping[str, Device]) -> int:
        """Record the arrivals these positions show; how many were recorded."""
        arrived: list[tuple[Trip, Device, float, datetime]] = []
        with self._lock:
            self.refresh()
            done: set[uuid.UUID] = set()
            for p in positions:
                device = devices.get(p.device_id)
                if device is None:
                    continue
                for trip in self._index.near(device, p.lat, p.lon, arrival.ARRIVAL_RADIUS_M):
                    if trip.case_id in done:
                        continue
                    if trip.started is not None and p.time < trip.started:
                        continue
                    distance = haversine_m(p.lat, p.lon, trip.lat, trip.lon)
                    if distance > arrival.ARRIVAL_RADIUS_M:
                        continue
                    done.add(trip.case_id)
                    arrived.append((trip, device, distance, p.time))
        # (the commands outside the lock: the demo's vehicles need not wait for their writes)
        recorded = sum(self._record(*hit) for hit in arrived)
        if arrived:
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
