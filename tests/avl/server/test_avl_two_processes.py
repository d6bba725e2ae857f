"""Two server processes behind a load balancer ingest positions into one database (two apps, each with its
own ingest runtime, on one PostgreSQL or SQLite database): the feed throttle and the out-of-order check hold
across them, because each device's gate is in the database (`server.avl.gate`), not in a process."""
from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from db.avl import DevicePositionRow
from server.avl import gate, store
from tests.support.sensor_support import HEADERS, KEY

TRUCK = "SAN-W01"


@pytest.fixture
def pair(make_harness, server_db_url):
    first = make_harness(server_db_url, ingest_keys=KEY, avl_feed_throttle_s=10)
    second = make_harness(server_db_url, prepare=False, ingest_keys=KEY, avl_feed_throttle_s=10)
    return first, second


def report(device_id, at, lat=30.2600, lon=120.1500) -> dict:
    return {"device_id": device_id, "time": at.isoformat(), "lat": lat, "lon": lon}


def send(srv, positions) -> dict:
    r = srv.client.post("/api/positions", json={"positions": positions}, headers=HEADERS)
    assert r.status_code == 200, r.text
    return r.json()


def counting(*servers) -> Counter:
    fed: Counter = Counter()
    for srv in servers:
        srv.ctx.position_ingest.on_fed = lambda dids, _now: fed.update(dids)
    return fed


def test_a_device_is_fed_once_per_period_whichever_process_takes_its_reports(pair, clock):
    a, b = pair
    fed = counting(a, b)
    start = clock.now
    assert send(a, [report(TRUCK, start)])["accepted"] == 1
    for i in range(1, 10):   # the rest of the period, alternately through the other process and this one
        clock.now = start + timedelta(seconds=i)
        assert send(b if i % 2 else a, [report(TRUCK, clock.now, lat=30.26 + i / 10000)])["accepted"] == 1
    assert fed[TRUCK] == 1
    clock.now = start + timedelta(seconds=10)
    send(b, [report(TRUCK, clock.now, lat=30.2612)])
    assert fed[TRUCK] == 2                                   # the period has passed: the other one feeds it
    changes = [c for c in a.changes("lead1")["changes"] if c["kind"] == "position"]
    assert [c["data"]["lat"] for c in changes] == [pytest.approx(30.2612)]
    with a.ctx.db.reader() as session:
        assert store.stored_count(session) == 11             # every report is in the track


def test_a_report_one_process_superseded_is_out_of_order_in_the_other(pair, clock):
    a, b = pair
    t = clock.now - timedelta(seconds=30)
    send(b, [report(TRUCK, t)])                               # b has seen this device: it would remember t
    assert send(a, [report(TRUCK, t + timedelta(seconds=20))])["accepted"] == 1
    late = send(b, [report(TRUCK, t + timedelta(seconds=10))])
    assert late["accepted"] == 0
    assert [r["reason"] for r in late["rejected"]] == ["out_of_order"]
    assert "latest report" in late["rejected"][0]["message"]
    again = send(b, [report(TRUCK, t + timedelta(seconds=20))])
    assert again["duplicates"] == 1 and again["accepted"] == 0
    with a.ctx.db.reader() as session:
        times = list(session.execute(select(DevicePositionRow.time).where(DevicePositionRow.device_id == TRUCK)
                                     .order_by(DevicePositionRow.received_at, DevicePositionRow.time)).scalars())
        assert times == [t, t + timedelta(seconds=20)]       # the track never steps back
        assert gate.gates(session)[TRUCK].accepted_at == t + timedelta(seconds=20)


def test_both_processes_at_once_feed_each_device_once_and_accept_each_time_once(pair, clock):
    """Both take the same devices' reports at the same moment (each report sent to both, as a device
    retrying through the load balancer would): each time is stored once, each device fed once."""
    a, b = pair
    fed = counting(a, b)
    with a.ctx.db.reader() as session:
        devices = sorted(store.load_devices(session))[:30]
    start = clock.now - timedelta(seconds=60)
    batches = [[report(d, start + timedelta(seconds=s), lat=30.26 + s / 10000) for d in devices]
               for s in range(8)]
    answers: dict[str, list[dict]] = {"a": [], "b": []}
    for srv in (a, b):  # one request each first: pydantic builds its schemas lazily, and not thread-safely
        send(srv, [])

    def run(name, srv, order):
        for s in order:
            answers[name].append(send(srv, batches[s]))

    threads = [threading.Thread(target=run, args=("a", a, range(8))),
               threading.Thread(target=run, args=("b", b, [0, 2, 1, 3, 5, 4, 7, 6]))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    total = Counter()
    for answer in answers["a"] + answers["b"]:
        total["accepted"] += answer["accepted"]
        total["duplicates"] += answer["duplicates"]
        for r in answer["rejected"]:
            assert r["reason"] == "out_of_order", json.dumps(r)
            total["out_of_order"] += 1
    assert sum(total.values()) == 2 * 8 * len(devices)        # every report answered once, by one reason
    with a.ctx.db.reader() as session:
        rows = session.execute(select(DevicePositionRow.device_id, DevicePositionRow.time)).all()
        gates = gate.gates(session)
    assert total["accepted"] == len(rows)                     # nothing accepted twice or lost
    per_device = Counter(d for d, _ in rows)
    assert set(per_device) == set(devices)
    for d in devices:
        assert gates[d].accepted_at == start + timedelta(seconds=7)
    assert set(fed) == set(devices) and max(fed.values()) == 1   # the clock stood still: one period
