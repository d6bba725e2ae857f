"""The demo city's vehicles and field staff: every device of the demo's devices.json reports its position every
`PERIOD_S` through the real ingest (checked, stored, throttled into the feed, watched for arrivals).

Vehicles drive along the streets of the demo city — the edges of its grids, which is where its streets run
— at their kind's speed, turning at each corner; a vehicle of a unit with a case dispatched to it heads for
the case (the corner nearest to it, then the last metres), waits there a few minutes (the server records
the arrival) and drives on. Inspectors walk at 5 km/h straight to the case they were sent to verify or
check, or stroll around their grids.
"""
from __future__ import annotations

import logging
import math
import random
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.platform.geo import haversine_m, polygons_of

if TYPE_CHECKING:
    from server.context import ServerContext

log = logging.getLogger(__name__)

PERIOD_S = 2.0
SPEED_KMH = {"sanitation_truck": 15.0, "muck_truck": 30.0, "patrol_car": 35.0, "inspector_handset": 5.0}
WAIT_S = 240.0  # at a case before driving on
Node = tuple[float, float]  # (lat, lon), rounded


def street_graph(refdata) -> dict[Node, set[Node]]:
    """Corners and the street segments between them: every grid's outline, shared edges merged."""
    graph: dict[Node, set[Node]] = {}
    for g in refdata.grids:
        for polygon in polygons_of(g.geometry["coordinates"]):
            ring = [(round(p[1], 5), round(p[0], 5)) for p in polygon[0]]
            for a, b in zip(ring, ring[1:]):
                if a != b:
                    graph.setdefault(a, set()).add(b)
                    graph.setdefault(b, set()).add(a)
    return graph


def bearing(a: Node, b: Node) -> float:
    lat1, lat2 = math.radians(a[0]), math.radians(b[0])
    dlon = math.radians(b[1] - a[1])
    x = math.sin(dlon) * math.cos(lat2)
    y = math.cos(lat1) * math.sin(lat2) - math.sin(lat1) * math.cos(lat2) * math.cos(dlon)
    return (math.degrees(math.atan2(x, y)) + 360) % 360


@dataclass
class Mover:
    device: object
    at: Node
    towards: Node | None = None
    previous: Node | None = None
    heading: float = 0.0
    waiting_s: float = 0.0
    visited: set = field(default_factory=set)  # cases already reached (drive on afterwards)


class VehicleSimulator:
    def __init__(self, ctx: ServerContext, *, seed: int | None = None) -> None:
        self.ctx = ctx
        self.rng = random.Random(seed)
        self.graph = street_graph(ctx.refdata)
        self.nodes = sorted(self.graph)
        self.movers: list[Mover] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.ticks = 0

    def start(self) -> None:
        ingest = self.ctx.position_ingest
        if ingest is None or not self.nodes:
            log.warning("demo vehicles: no position ingest or no streets; not simulated")
            return
        self.movers = [Mover(d, self.rng.choice(self.nodes)) for d in ingest.devices.values()]
        self._thread = threading.Thread(target=self._run, name="demo-vehicles", daemon=True)
        self._thread.start()
        log.info("demo vehicles: %d devices on %d street corners", len(self.movers), len(self.nodes))

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(PERIOD_S):
            try:
                self.tick(PERIOD_S)
            except Exception:
                log.exception("demo vehicles: a step failed")

    def _target(self, mover: Mover) -> tuple[object | None, Node | None]:
        arrivals = self.ctx.position_ingest.arrivals
        arrivals.refresh()
        for trip in arrivals.trips:
            if trip.case_id not in mover.visited and arrivals.goes(trip, mover.device):
                return trip.case_id, (trip.lat, trip.lon)
        return None, None

    def tick(self, dt: float) -> list[dict]:
        """Move every device by `dt` seconds and hand the reports to the ingest; the reports."""
        now = self.ctx.now()
        reports = []
        for m in self.movers:
            kind = m.device.kind
            step = SPEED_KMH.get(kind, 20.0) / 3.6 * dt
            case_id, goal = self._target(m)
            if m.waiting_s > 0:
                m.waiting_s -= dt
                step = 0.0
                if m.waiting_s <= 0 and case_id is not None:
                    m.visited.add(case_id)
            elif goal is not None and (kind == "inspector_handset" or haversine_m(*m.at, *goal) < 150):
                m.towards = goal  # on foot (or the last metres by car): straight to the case
            elif goal is not None:
                near = min(self.graph.get(m.at, ()) or [m.at], key=lambda n: haversine_m(*n, *goal))
                # the corner nearest the case reached (no street leads closer): the last metres straight there
                m.towards = near if haversine_m(*near, *goal) < haversine_m(*m.at, *goal) else goal
            elif m.towards is None or m.towards == m.at:
                choices = [n for n in self.graph.get(m.at, ()) if n != m.previous] or list(self.graph.get(m.at, ()))
                m.towards = self.rng.choice(choices) if choices else self.rng.choice(self.nodes)
            speed = 0.0
            while step > 0 and m.towards is not None:
                left = haversine_m(*m.at, *m.towards)
                m.heading = bearing(m.at, m.towards) if left > 0.5 else m.heading
                if left <= step:
                    step -= left
                    m.previous, m.at = m.at, m.towards
                    speed = SPEED_KMH.get(kind, 20.0)
                    if goal is not None and m.at == goal:
                        m.waiting_s, m.towards = WAIT_S, None
                        break
                    if goal is not None:
                        break
                    nxt = [n for n in self.graph.get(m.at, ()) if n != m.previous]
                    m.towards = self.rng.choice(nxt) if nxt else None
                else:
                    f = step / left
                    m.at = (m.at[0] + (m.towards[0] - m.at[0]) * f, m.at[1] + (m.towards[1] - m.at[1]) * f)
                    speed, step = SPEED_KMH.get(kind, 20.0), 0.0
            if m.at not in self.graph and m.towards is None and goal is None:
                m.towards = min(self.nodes, key=lambda n: haversine_m(*n, *m.at))  # back to the streets
            reports.append({"device_id": m.device.id, "time": now.isoformat(), "lat": round(m.at[0], 6),
                            "lon": round(m.at[1], 6), "speed_kmh": round(speed, 1), "heading": round(m.heading)})
        self.ticks += 1
        if reports:
            self.ctx.position_ingest.submit(reports, source="demo")
        return reports


def vehicle_demo_hooks(*, seed: int | None = None):
    """(on_startup, on_shutdown) hooks that run the demo's vehicles and staff inside a server app."""
    holder: dict[str, VehicleSimulator] = {}

    def start(ctx) -> None:
        holder["sim"] = VehicleSimulator(ctx, seed=seed)
        holder["sim"].start()

    def stop(_ctx) -> None:
        if "sim" in holder:
            holder["sim"].stop()

    return [start], [stop]
