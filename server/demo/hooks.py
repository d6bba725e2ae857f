"""The demo's lifespan hooks: the city simulator (`server.demo.city`) and its companions (sensors, the shift
handed over, a citizen app, vehicles, cameras and drones), started and stopped with a server app."""
from __future__ import annotations

import logging
import threading

from sqlalchemy import select

from db.cases import CaseRow
from server.demo.city import CitySimulator

log = logging.getLogger(__name__)


def demo_hooks(*, seed: int | None = None, backlog: int = 120, new_case_every_s: float = 5.0):
    """(on_startup, on_shutdown) lifespan hooks that run the simulator (and the demo sensors,
    `server.demo.sensors`) inside a server app.

    It writes through the app's own `db.writer`, whose after-commit hook wakes the long-polls, and seeds
    the backlog (in its own thread, so start-up is not held up) only when the database has no cases yet.
    """
    holder: dict[str, CitySimulator] = {}

    def start(ctx) -> None:
        from server.map.demo import import_demo_basemap

        import_demo_basemap(ctx)  # the demo's consoles draw its streets and names under the grids
        sim = CitySimulator(ctx.db, ctx.refdata, seed=seed, new_case_every_s=new_case_every_s, clock=ctx.now)
        sim.photo_ctx = ctx
        holder["sim"] = sim

        def run() -> None:
            try:
                with ctx.db.reader() as session:
                    empty = session.execute(select(CaseRow.id).limit(1)).first() is None
                if empty and backlog:
                    sim.seed_backlog(backlog)
            except Exception:
                log.exception("seeding the demo backlog failed")
            sim._run()

        sim._thread = threading.Thread(target=run, name="city-simulator", daemon=True)
        sim._thread.start()

    def stop(_ctx) -> None:
        if "sim" in holder:
            holder["sim"].stop()

    # the demo city's sensors publish their readings too (server.demo.sensors)
    from server.demo.sensors import sensor_demo_hooks

    sensor_start, sensor_stop = sensor_demo_hooks()
    # and the outgoing lead hands a shift over (server.demo.shifts)
    from server.demo.shifts import shift_demo_hooks

    shift_start, shift_stop = shift_demo_hooks()
    # and a citizen app reports through Open311 (server.demo.open311)
    from server.demo.open311 import open311_demo_hooks

    app_start, app_stop = open311_demo_hooks(seed=seed)
    # and the vehicles and inspectors move about (server.demo.vehicles)
    from server.demo.vehicles import vehicle_demo_hooks

    vehicle_start, vehicle_stop = vehicle_demo_hooks(seed=seed)
    # and the video AI cameras and the drone patrol send detections (server.demo.detections)
    from server.demo.detections import detection_demo_hooks

    detection_start, detection_stop = detection_demo_hooks(seed=seed)
    return ([start, *sensor_start, *shift_start, *app_start, *vehicle_start, *detection_start],
            [*detection_stop, *vehicle_stop, *app_stop, *shift_stop, *sensor_stop, stop])
