"""The demo city's citizen app: a few reports posted through the server's own Open311 endpoint over HTTP,
as any 311 client would, so `--demo` shows citizen-app cases arriving at `reported` by that path.

At start the app gets a fresh key (its previous demo key, if any, is revoked), then it posts `FIRST_REPORTS`
reports a few seconds apart and one more every `EVERY_S`. A report the server refuses is logged, never retried.
"""
from __future__ import annotations

import logging
import random
import threading
from datetime import datetime, timezone

import requests

from server.open311 import keys

log = logging.getLogger(__name__)

APP_NAME = "demo-citizen-app"
FIRST_REPORTS = 4
EVERY_S = 120.0
_REPORTS = [
    ("C0101", "人行道上的井盖松动，踩上去会晃", "Li", "Wei"),
    ("C0102", "污水井盖缺了一角，晚上很危险", "Zhang", "Min"),
    ("E0101", "小区门口堆了很多建筑垃圾", "Wang", "Fang"),
    ("E0102", "路边有人乱扔垃圾，已经好几天没人清理", "Chen", "Jie"),
    ("C0201", "路口的红绿灯不亮了，车辆很乱", "Liu", "Yang"),
]


class CitizenApp:
    def __init__(self, ctx, *, seed: int | None = None):
        self.ctx = ctx
        self.base = f"http://127.0.0.1:{ctx.settings.port}/open311/v2"
        self.random = random.Random(seed)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-citizen-app", daemon=True)
        self.posted: list[str] = []

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _key(self) -> str:
        now = datetime.now(timezone.utc)
        with self.ctx.db.writer() as session, session.begin():
            keys.revoke_key(session, APP_NAME, now)
            return keys.create_key(session, APP_NAME, now)

    def _run(self) -> None:
        try:
            key = self._key()
        except Exception:
            log.exception("the demo citizen app could not get its key; it posts nothing")
            return
        known = [r for r in _REPORTS if self.ctx.refdata.has_category(r[0])]
        count = 0
        while not self._stop.wait(5.0 if count < FIRST_REPORTS else EVERY_S):
            self.post(key, known[count % len(known)])
            count += 1

    def post(self, key: str, report) -> None:
        code, text, last, first = report
        grid = self.random.choice(self.ctx.refdata.grids)
        lat, lon = grid.centroid
        fields = {"api_key": key, "service_code": code, "lat": f"{lat:.6f}", "long": f"{lon:.6f}",
                  "address_string": grid.name, "description": text, "first_name": first, "last_name": last,
                  "phone": f"139{self.random.randrange(10**8):08d}", "device_id": "demo-phone"}
        try:
            answer = requests.post(f"{self.base}/requests.json", data=fields, timeout=10)
        except requests.RequestException as exc:
            log.warning("demo citizen app: the server did not answer (%s)", exc)
            return
        if answer.status_code != 201:
            log.warning("demo citizen app: report refused %s %s", answer.status_code, answer.text[:200])
            return
        self.posted.append(answer.json()[0]["service_request_id"])
        log.info("demo citizen app reported %s over Open311", self.posted[-1])


def open311_demo_hooks(*, seed: int | None = None):
    """(on_startup, on_shutdown) lifespan hooks running the demo citizen app inside a server app."""
    holder: dict[str, CitizenApp] = {}

    def start(ctx) -> None:
        holder["app"] = CitizenApp(ctx, seed=seed)
        holder["app"].start()

    def stop(_ctx) -> None:
        if "app" in holder:
            holder.pop("app").stop()

    return [start], [stop]
