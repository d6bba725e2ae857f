"""The demo's vehicles and inspectors: they move along the demo city's streets through the real ingest, and a
patrol car of the unit a case is dispatched to drives there and its arrival is recorded."""
from __future__ import annotations

from app.platform.geo import haversine_m
from server.avl import store
from server.demo.vehicles import Mover, VehicleSimulator, street_graph


def test_the_streets_are_the_grids_edges(refdata):
    graph = street_graph(refdata)
    assert len(graph) > 100 and all(len(n) >= 1 for n in graph.values())
    shared = sum(1 for n in graph.values() if len(n) >= 3)
    assert shared > 10  # grids share their edges: corners where streets meet


def test_vehicles_drive_and_a_crew_reaches_its_case(make_harness, sqlite_url, clock):
    srv = make_harness(sqlite_url, avl_feed_throttle_s=0)
    case = srv.case_at("registered")
    assert srv.do("operator1", "dispatch", case["id"], {"unit_id": "roads"})["status"] == "accepted"
    sim = VehicleSimulator(srv.ctx, seed=7)  # not started: the test steps it
    ingest = srv.ctx.position_ingest
    sim.movers = [Mover(d, sim.rng.choice(sim.nodes)) for d in ingest.devices.values()]
    goal = (case["location"]["lat"], case["location"]["lon"])
    car = next(m for m in sim.movers if m.device.id == "PAT-R1")
    start = haversine_m(*car.at, *goal)
    first = None
    for _ in range(900):  # up to 30 min of simulated driving, 2 s a step
        clock.advance(seconds=2)
        reports = sim.tick(2.0)
        first = first or reports
        if ingest.counts["arrivals"]:
            break
    ingest.ingest([])  # the last batch is written
    assert ingest.counts["arrivals"] == 1, (start, haversine_m(*car.at, *goal))
    events = srv.client.get(f"/api/cases/{case['id']}", headers=srv.login("lead1")).json()["events"]
    assert [e["payload"]["device_id"] for e in events if e["action"] == "arrive"] == ["PAT-R1"]
    with srv.ctx.db.reader() as session:
        assert store.stored_count(session) > len(sim.movers)
    truck = next(m for m in sim.movers if m.device.kind == "sanitation_truck")
    assert truck.at in sim.graph or truck.towards in sim.graph  # on the streets
    assert {r["device_id"] for r in first} == set(ingest.devices)
