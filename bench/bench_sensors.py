"""Sensor ingest benchmarks on a throw-away PostgreSQL database with a synthetic city of 1,000
sensors:

1. sustained MQTT ingest: a publisher *process* sends every sensor's reading once a second (QoS 1, each
   sensor at its own phase within the second) to the local Mosquitto for ≥ 60 s; the server (its real
   app, lifespan and uvicorn, in this process) subscribes, validates, stores raw rows and minute
   aggregates, evaluates the rules (2 % of the sensors go over their alarm line, so alarms are raised and
   cases opened during the run) and feeds the changes. Lag = commit of the batch that stored and
   evaluated a reading − the reading's own time (stamped by the publisher when it sent it); p99 < 2 s.
2. a sensor's 24-hour history over HTTP (`GET /api/sensors/{id}/readings`, per-minute aggregates), with
   a day of aggregates for every sensor in the table; p95 < 100 ms.

    python -m bench sensors
    ONEGRID_BENCH_SENSORS_QUICK=1 python -m bench sensors     # 100 sensors, 15 s: for development

Timings on a shared machine are noisy; the note of each row says how busy it was.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
import traceback
import uuid
from datetime import datetime, timedelta, timezone

from bench import emit as _emit
from bench.emit import percentile
from bench.harness import (
    HOST,
    ROOT,
    CpuMeter,
    drop_stale_databases,
    free_port,
    fresh_database,
    install_sigterm_cleanup,
    log,
    login,
    password_of,
    plain_url,
    stop_process,
    wait_for_quiet,
)
from bench.result import Row

QUICK = os.environ.get("ONEGRID_BENCH_SENSORS_QUICK", "") not in ("", "0")
SENSORS = 100 if QUICK else 1000
DURATION_S = 15 if QUICK else 65
QUERIES = 20 if QUICK else 60
LAG_TARGET_S = 2.0
RATE_TARGET = SENSORS * 0.99  # readings per second sustained (what arrives, not what is sent)
HISTORY_TARGET_MS = 100.0
ALARMING_EVERY = 50     # every 50th sensor goes over its alarm line after ALARM_AFTER_S
ALARM_AFTER_S = DURATION_S // 4
BROKER = ("127.0.0.1", 1883)

NAME_LAG = f"sensors: MQTT ingest {SENSORS:,} sensors x 1 Hz into PostgreSQL, lag p99"
NAME_RATE = f"sensors: MQTT ingest {SENSORS:,} sensors x 1 Hz, sustained readings/s"
NAME_HISTORY = "sensors: 24-hour history query over HTTP (p95)"

_EMITTED: set[str] = set()


def emit(row: Row) -> None:
    _EMITTED.add(row.name)
    _emit.emit(row)


def sensor_id(i: int) -> str:
    return f"bench-{i:04d}"


def synthetic_refdata(n: int):
    """The demo city with its sensors replaced by `n` water-level gauges spread over its grids."""
    from app.refdata.loading import load_demo_refdata
    from app.refdata.model import RefData

    demo = load_demo_refdata()
    data = demo.to_dict()
    template = next(s for s in data["sensors"] if s["id"] == "wl-001")
    grids = demo.grids
    sensors = []
    for i in range(n):
        grid = grids[i % len(grids)]
        lat, lon = grid.centroid
        rules = dict(template["rules"], min_duration_s=10)
        sensors.append({**template, "id": sensor_id(i), "name": f"基准测试水位计 {i}", "name_en": f"Bench gauge {i}",
                        "lat": lat, "lon": lon, "grid_code": grid.code, "interval_s": 1, "rules": rules})
    data["sensors"] = sensors
    data.pop("version", None)
    return RefData.from_dict(data)


# ====================================================================== the publisher process

def publisher_main(argv: list[str]) -> int:
    """`python -m bench.bench_sensors publish PREFIX N SECONDS`: every sensor once a second, QoS 1."""
    import paho.mqtt.client as mqtt

    p = argparse.ArgumentParser()
    p.add_argument("prefix")
    p.add_argument("sensors", type=int)
    p.add_argument("seconds", type=float)
    args = p.parse_args(argv)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:8]}")
    client.max_inflight_messages_set(2000)
    client.max_queued_messages_set(0)
    client.connect(*BROKER)
    client.loop_start()
    rng = random.Random(7)
    topics = [f"{args.prefix}/sensors/{sensor_id(i)}/readings" for i in range(args.sensors)]
    start = time.time() + 0.5
    sent = 0
    slots = 20  # publish in 20 slices per second: each sensor at its own phase
    per_slot = max(1, args.sensors // slots)
    second = 0
    while second < args.seconds:
        for slot in range(slots):
            target = start + second + slot / slots
            delay = target - time.time()
            if delay > 0:
                time.sleep(delay)
            for i in range(slot * per_slot, min(args.sensors, (slot + 1) * per_slot) if slot < slots - 1 else args.sensors):
                over = i % ALARMING_EVERY == 0 and second >= ALARM_AFTER_S
                value = (0.42 if over else 0.05) + rng.uniform(-0.004, 0.004)
                client.publish(topics[i], json.dumps({"time": time.time(), "value": round(value, 4), "unit": "m"}), qos=1)
                sent += 1
        second += 1
    time.sleep(1.0)
    client.disconnect()
    client.loop_stop()
    print(json.dumps({"sent": sent, "seconds": time.time() - start}), flush=True)
    return 0


# ====================================================================== the server in this process

class InProcessServer:
    """The real app (lifespan: ingest writer, MQTT subscriber, maintenance) under uvicorn in a thread."""

    def __init__(self, url: str, prefix: str, refdata):
        import uvicorn

        from server.app import create_app
        from server.platform.settings import ServerSettings

        self.port = free_port()
        settings = ServerSettings(database_url=url, host=HOST, port=self.port, mqtt_url=f"mqtt://{BROKER[0]}:{BROKER[1]}",
                                  mqtt_topic_prefix=prefix, maintenance_interval_s=30,
                                  mqtt_session_expiry_s=120)  # a run-once session: not kept a day on the broker
        self.app = create_app(settings, refdata=refdata)
        self.ctx = self.app.state.ctx
        self.server = uvicorn.Server(uvicorn.Config(self.app, host=HOST, port=self.port, log_level="warning",
                                                    lifespan="on", log_config=None))
        self.thread = threading.Thread(target=self.server.run, name="bench-server", daemon=True)
        self.url = f"http://{HOST}:{self.port}"

    def __enter__(self) -> InProcessServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the bench server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(30)


# ====================================================================== 1. sustained ingest

def bench_ingest(server: InProcessServer, prefix: str) -> None:
    ingest = server.ctx.sensor_ingest
    if not ingest.mqtt.wait_connected(10):
        raise RuntimeError("the server's MQTT subscriber did not connect to 127.0.0.1:1883")
    time.sleep(0.5)
    busy = wait_for_quiet()
    before = ingest.stats.accepted
    ingest.stats.lags.clear()
    ingest.stats.batch_seconds.clear()
    pub = subprocess.Popen([sys.executable, "-m", "bench.bench_sensors", "publish", prefix, str(SENSORS),
                            str(DURATION_S)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    meter = CpuMeter(os.getpid(), others={"publisher": pub.pid})
    meter.start()
    try:
        out, err = pub.communicate(timeout=DURATION_S + 120)
    finally:
        stop_process(pub)
    if pub.returncode != 0:
        raise RuntimeError(f"the publisher failed: {err.strip()[-300:]}")
    # Kept up with = stored by the publisher's end (it stops ~1 s after its last reading); the wait below
    # only tells what arrives eventually.
    kept_up = ingest.stats.accepted - before
    report = json.loads(out.strip().splitlines()[-1])
    sent = report["sent"]
    deadline = time.monotonic() + 30
    while ingest.stats.accepted - before < sent and time.monotonic() < deadline:
        time.sleep(0.2)
    meter.stop()
    accepted = ingest.stats.accepted - before
    lags = list(ingest.stats.lags)
    batches = list(ingest.stats.batch_seconds)
    p99 = percentile(lags, 99)
    with server.ctx.db.reader() as session:
        from sqlalchemy import func, select

        from db.sensors import SensorAlarmRow, SensorReadingRow

        stored = session.execute(select(func.count()).select_from(SensorReadingRow)).scalar()
        raised = session.execute(select(func.count()).select_from(SensorAlarmRow)).scalar()
        with_case = session.execute(select(func.count()).select_from(SensorAlarmRow)
                                    .where(SensorAlarmRow.case_id.is_not(None))).scalar()
    note = (f"{SENSORS:,} sensors for {DURATION_S} s: {sent:,} sent, {accepted:,} stored+evaluated "
            f"({sent - accepted:,} missing), {stored:,} raw rows; lag p50 {percentile(lags, 50) * 1000:.0f} / "
            f"p99 {p99 * 1000:.0f} / max {max(lags, default=float('nan')) * 1000:.0f} ms; {len(batches):,} batches, "
            f"write p50 {percentile(batches, 50) * 1000:.0f} / p99 {percentile(batches, 99) * 1000:.0f} ms; "
            f"{raised} alarms, {with_case} with a case; machine busy {busy:.0%} before; {meter.describe()}")
    log(f"ingest: {note}")
    emit(Row(NAME_LAG, p99, "s", LAG_TARGET_S, note=note))
    emit(Row(NAME_RATE, kept_up / DURATION_S, "readings/s", RATE_TARGET, lower_is_better=False,
             note=f"{kept_up:,} of {sent:,} readings stored by the end of the {DURATION_S} s of publishing "
                  f"(~1 s after the last one); {accepted:,} after up to 30 s more"))


# ====================================================================== 2. 24-hour history

def seed_aggregates(url: str, end: datetime) -> int:
    """A day of per-minute aggregates for every sensor, ending before `end` (COPY: fast)."""
    import psycopg

    plain = plain_url(url)
    first = end.replace(second=0, microsecond=0) - timedelta(days=1)
    rows = 0
    with psycopg.connect(plain, autocommit=True) as conn, conn.cursor() as cur:
        with cur.copy("COPY sensor_minutes (sensor_id, minute, min, max, sum, count) FROM STDIN") as copy:
            day = []  # the same day for every sensor: formatted once
            for m in range(1440):
                minute = first + timedelta(minutes=m)
                base = 0.05 + 0.02 * ((m % 240) / 240)
                day.append(f"\t{minute.isoformat()}\t{base - 0.003:.4f}\t{base + 0.003:.4f}\t{base * 60:.4f}\t60\n")
            for i in range(SENSORS):
                sid = sensor_id(i)
                copy.write("".join(sid + line for line in day))
                rows += len(day)
        cur.execute("ANALYZE sensor_minutes")
    return rows


def bench_history(server: InProcessServer, url: str) -> None:
    import requests

    seeded_before = datetime.now(timezone.utc) - timedelta(minutes=5)
    started = time.monotonic()
    rows = seed_aggregates(url, seeded_before)
    log(f"seeded {rows:,} minute aggregates in {time.monotonic() - started:.0f} s")
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {login(server.url, 'operator1')}"
    rng = random.Random(3)
    busy = wait_for_quiet()
    times, points = [], []
    for k in range(QUERIES + 3):
        sid = sensor_id(rng.randrange(SENSORS))
        t0 = time.perf_counter()
        r = session.get(f"{server.url}/api/sensors/{sid}/readings", timeout=30)
        took = time.perf_counter() - t0
        r.raise_for_status()
        body = r.json()
        if body["resolution"] != "minute":
            raise RuntimeError(f"a 24-hour query answered at {body['resolution']} resolution")
        if k >= 3:  # the first few warm the connection and the plan cache
            times.append(took)
            points.append(len(body["times"]))
    p95 = percentile(times, 95) * 1000
    note = (f"{QUERIES} queries of random sensors, {min(points)}–{max(points)} points each (mean, min, max per minute) "
            f"from a table of {rows:,} aggregates; p50 {percentile(times, 50) * 1000:.1f} / p95 {p95:.1f} / "
            f"max {max(times) * 1000:.1f} ms (HTTP round trip, JSON); machine busy {busy:.0%} before")
    log(f"history: {note}")
    emit(Row(NAME_HISTORY, p95, "ms", HISTORY_TARGET_MS, note=note))


# ====================================================================== main

def main() -> int:
    install_sigterm_cleanup()
    import logging

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from server.admin.bootstrap import add_user, init_db

    rows = {bench_ingest: [(NAME_LAG, LAG_TARGET_S, "s", True), (NAME_RATE, RATE_TARGET, "readings/s", False)],
            bench_history: [(NAME_HISTORY, HISTORY_TARGET_MS, "ms", True)]}

    def could_not_run(specs, exc: Exception) -> None:
        for name, target, unit, lower in specs:
            if name not in _EMITTED:
                emit(Row(name, None, unit, target, lower_is_better=lower,
                         note=f"could not run: {type(exc).__name__}: {str(exc)[:200]}"))

    try:
        drop_stale_databases()
    except Exception as exc:  # noqa: BLE001 - PostgreSQL down: the rows below say so
        log(f"PostgreSQL unusable: {exc}")
    try:
        refdata = synthetic_refdata(SENSORS)
        prefix = f"onegrid-bench-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        with fresh_database("sensors") as url:
            init_db(url, refdata=refdata)
            add_user(url, "operator1", password_of("operator1"), "operator")  # the synthetic bundle has no passwords
            with InProcessServer(url, prefix, refdata) as server:
                for bench, args in ((bench_ingest, (server, prefix)), (bench_history, (server, url))):
                    started = time.monotonic()
                    try:
                        bench(*args)
                    except Exception as exc:  # noqa: BLE001 - benchmarks never fail the build
                        traceback.print_exc()
                        could_not_run(rows[bench], exc)
                    log(f"{bench.__name__}: {time.monotonic() - started:.0f} s")
    except Exception as exc:  # noqa: BLE001 - no database, no broker: say so in every row
        traceback.print_exc()
        could_not_run([spec for specs in rows.values() for spec in specs], exc)
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    if len(sys.argv) > 1 and sys.argv[1] == "publish":
        sys.exit(publisher_main(sys.argv[2:]))
    sys.exit(main())
