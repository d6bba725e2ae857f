"""Photos (app/photos, server/photos), against a real server process on PostgreSQL, photos in a folder:
- upload of one 3 MB photo on loopback, the console's whole upload (start, chunks, the server's checks,
  thumbnail and storage), median of 5, target < 300 ms;
- 500 photos queued offline drained by the console's uploader after reconnecting, target < 60 s;
- the server's thumbnail GET, p95 over 300 requests, target < 50 ms;
- the console's photo cache after 10,000 photos attached (each marked uploaded, as online), within its
  size limit (20 MB here, scaled down from 2 GB with the photos), target: at most the limit.
"""
from __future__ import annotations

import io
import os
import shutil
import statistics
import sys
import tempfile
import time
import traceback
import uuid
from pathlib import Path

import requests

from bench.emit import emit, percentile
from bench.harness import (
    ServerProcess,
    command_json,
    drop_stale_databases,
    fresh_database,
    log,
    login,
)
from bench.result import Row

NAME_UPLOAD = "photos: upload of a 3 MB photo (loopback)"
NAME_DRAIN = "photos: 500 queued offline, drained after reconnect"
NAME_THUMB = "photos: server thumbnail GET p95"
NAME_CACHE = "photos: console cache after 10,000 photos (limit 20 MB)"
CACHE_LIMIT = 20 * 1024 * 1024
HANDLER = "handler_water_supply"


def _jpeg(width: int, height: int, quality: int, seed: int) -> bytes:
    """A drawn picture, different for each seed (a few tens of kB at 640×480)."""
    import random

    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", (width, height), (seed % 256, seed // 256 % 256, 128))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(width), rng.randrange(height)
        draw.rectangle((x, y, x + rng.randrange(1, width // 3), y + rng.randrange(1, height // 3)),
                       fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _noise_jpeg(width: int, height: int, quality: int) -> bytes:
    """A photo-sized file: noise does not compress, like a detailed street scene at high quality."""
    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, "JPEG", quality=quality)
    return out.getvalue()


def _cases_in_progress(url: str, refdata, count: int) -> list[uuid.UUID]:
    tokens = {u: login(url, u) for u in ("operator1", HANDLER)}
    lat, lon = refdata.grids[0].centroid
    ids = [uuid.uuid4() for _ in range(count)]
    steps = [("operator1", "create", lambda i: {"source": "hotline", "category_code": "C0101",
                                                "description": f"bench photo case {i}",
                                                "location": {"lat": lat, "lon": lon, "address": "bench"}}),
             ("operator1", "register", lambda i: {}), ("operator1", "dispatch", lambda i: {"unit_id": "water_supply"}),
             (HANDLER, "accept", lambda i: {})]
    for user, action, payload in steps:
        for start in range(0, count, 200):
            batch = [command_json(c, action, payload(i)) for i, c in enumerate(ids[start:start + 200])]
            r = requests.post(f"{url}/api/commands", json={"commands": batch},
                              headers={"Authorization": f"Bearer {tokens[user]}"}, timeout=60)
            r.raise_for_status()
            assert all(x["status"] == "accepted" for x in r.json()["results"]), r.text[:300]
    return ids


def _console(workdir: Path, url: str, name: str):
    from app.cache import LocalCache
    from app.photos import PhotoStore
    from app.sync.client import ServerClient
    from app.sync.engine import SyncEngine
    from app.sync.session import login_online

    cache = LocalCache(workdir / name)
    client = ServerClient(url)
    login_online(client, cache, HANDLER, f"demo-{HANDLER}")
    store = PhotoStore(workdir / name)
    engine = SyncEngine(cache, client)
    engine.use_photos(store)
    return cache, client, store, engine


def bench_upload_and_thumbs(server: ServerProcess, workdir: Path, refdata) -> None:
    cases = _cases_in_progress(server.url, refdata, 60)
    cache, client, store, engine = _console(workdir, server.url, "upload")
    try:
        times = []
        sizes = []
        for i in range(5):
            data = _noise_jpeg(1700, 1700, 95)  # about 3.4 MB
            sizes.append(len(data))
            src = workdir / f"big{i}.jpg"
            src.write_bytes(data)
            store.add(cases[i], "handled", src)
            t = time.perf_counter()
            sent = engine.photos.drain()
            times.append((time.perf_counter() - t) * 1000)
            assert sent == 1
        emit(Row(NAME_UPLOAD, round(statistics.median(times), 1), "ms", 300,
                 note=f"{statistics.mean(sizes) / 1e6:.1f} MB JPEG, 5 chunks of 768 kB; runs "
                      f"{', '.join(f'{x:.0f}' for x in times)} ms"))
        # 500 queued offline (attached with no server), then drained
        for i in range(500):
            src = workdir / "q.jpg"
            src.write_bytes(_jpeg(640, 480, 80, i))
            store.add(cases[5 + i % 55], "report", src)
        t = time.perf_counter()
        sent = engine.photos.drain()
        took = time.perf_counter() - t
        emit(Row(NAME_DRAIN, round(took, 2), "s", 60, note=f"{sent} photos sent (640×480 JPEG); "
                                                          f"{took / max(sent, 1) * 1000:.0f} ms each"))
        # thumbnails as a console on a slow link fetches them first
        token = login(server.url, "lead1")
        ids = []
        for case_id in cases[:60]:
            r = requests.get(f"{server.url}/api/cases/{case_id}/photos", headers={"Authorization": f"Bearer {token}"},
                             timeout=10)
            ids += [p["photo_id"] for p in r.json()["photos"]]
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        times = []
        for n in range(330):
            t = time.perf_counter()
            r = session.get(f"{server.url}/api/photos/{ids[n % len(ids)]}/thumbnail", timeout=10)
            if n >= 30:  # the first ones warm the connection and the server
                times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200
        emit(Row(NAME_THUMB, round(percentile(times, 95), 1), "ms", 50,
                 note=f"median {statistics.median(times):.1f} ms over {len(times)} GETs of {len(ids)} photos"))
    finally:
        cache.close()
        client.close()
        store.close()


def bench_cache_limit(workdir: Path) -> None:
    from app.photos import PhotoStore

    store = PhotoStore(workdir / "cache10k", cache_limit_bytes=CACHE_LIMIT)
    src = workdir / "small.jpg"
    t = time.perf_counter()
    peak = 0
    try:
        for i in range(10_000):
            src.write_bytes(_jpeg(96, 72, 85, i) + i.to_bytes(4, "big"))  # distinct content each (trailing bytes)
            photo = store.add(uuid.UUID(int=i // 10 + 1), "report", src)
            store.note_uploaded(photo, f"p{i}")
            if i % 500 == 0:
                peak = max(peak, store.usage_bytes())
        took = time.perf_counter() - t
        usage = store.usage_bytes()
        on_disk = sum(p.stat().st_size for p in (store.root / "blobs").rglob("*") if p.is_file()) + \
            sum(p.stat().st_size for p in (store.root / "thumbs").rglob("*") if p.is_file())
    finally:
        store.close()
    emit(Row(NAME_CACHE, round(on_disk / 1e6, 2), "MB", round(CACHE_LIMIT / 1e6, 2) + 0.001,
             note=f"index says {usage / 1e6:.2f} MB, peak sampled {peak / 1e6:.2f} MB; "
                  f"{took / 10_000 * 1000:.1f} ms per attach"))


def main() -> int:
    from app.refdata.loading import load_demo_refdata
    from server.admin.bootstrap import init_db

    try:
        drop_stale_databases()
    except Exception as exc:  # noqa: BLE001 - PostgreSQL down: the rows say so
        log(f"PostgreSQL unusable: {exc}")
    workdir = Path(tempfile.mkdtemp(prefix="onegrid-bench-photos-"))
    try:
        try:
            with fresh_database("photos") as url:
                init_db(url, demo_users=True)
                env = {"ONEGRID_PHOTO_STORAGE": str(workdir / "server-photos")}
                with ServerProcess(url, env=env) as server:
                    bench_upload_and_thumbs(server, workdir, load_demo_refdata())
        except Exception as exc:  # noqa: BLE001 - benchmarks never fail the build
            traceback.print_exc()
            for name, target, unit in ((NAME_UPLOAD, 300, "ms"), (NAME_DRAIN, 60, "s"), (NAME_THUMB, 50, "ms")):
                emit(Row(name, None, unit, target, note=f"could not run: {type(exc).__name__}: {str(exc)[:160]}"))
        try:
            bench_cache_limit(workdir)
        except Exception as exc:  # noqa: BLE001
            traceback.print_exc()
            emit(Row(NAME_CACHE, None, "MB", CACHE_LIMIT / 1e6, note=f"could not run: {exc}"))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
