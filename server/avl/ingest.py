"""Position ingest: one writer thread takes the reports of both doors (MQTT and `POST /api/positions`),
checks each on its own (`app.avl.positions.check_report`), and writes a batch in one transaction: the raw
track, each device's latest position, the refusals counted, and — at most once per device per
`avl_feed_throttle_s` — the device's latest position in the feed (kind `position`, scoped to its unit).
The out-of-order check and the throttle read each device's gate in the database (`server.avl.gate`), locked
for the transaction, so they hold across server processes (several behind a load balancer, each with its
own MQTT shared-subscription member and HTTP requests). After the commit it acknowledges the MQTT messages of the batch and looks for arrivals on site
(`server.avl.arrivals`).

Batching: the writer waits up to `BATCH_WINDOW_S` after the first report for more (at most `BATCH_MAX`),
so 2,000 devices at 1 Hz are a few transactions a second, not 2,000.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.avl.positions import POSITION, Position, Rejection, check_report, feed_data
from app.avl.throttle import FeedThrottle
from app.refdata.devices import Device
from server.avl import gate, store
from server.avl.arrivals import ArrivalWatch
from server.feed.record import record_change

log = logging.getLogger(__name__)

BATCH_WINDOW_S = 0.1
BATCH_MAX = 5000


@dataclass
class IngestOutcome:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected}


@dataclass
class _Job:
    items: list[Any]
    source: str
    on_done: Callable[[], None] | None
    done: threading.Event = field(default_factory=threading.Event)
    outcome: IngestOutcome = field(default_factory=IngestOutcome)
    error: BaseException | None = None


class PositionIngest:
    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.throttle = FeedThrottle(ctx.settings.avl_feed_throttle_s)
        self.arrivals = ArrivalWatch(ctx)
        self.devices: dict[str, Device] = {}
        self._loaded = False
        self._gated: set[str] = set()  # devices whose gate row exists (rows are never deleted)
        # called after each commit with the devices fed and the time (the bench counts the feed with it)
        self.on_fed: Callable[[list[str], datetime], None] | None = None
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self.mqtt = None
        self.counts = {"accepted": 0, "rejected": 0, "duplicates": 0, "fed": 0, "arrivals": 0}
        self.lags: list[float] = []  # seconds from a report's time to its commit (the bench reads them)
        self.keep_lags = False

    def reload_devices(self) -> None:
        with self.ctx.db.reader() as session:
            self.devices = store.load_devices(session)
        self._loaded = True

    def start(self) -> None:
        self._loaded = False
        try:
            self.reload_devices()
        except Exception as exc:  # the database is down at start: the first batch reads them (the server starts)
            log.warning("position ingest: the devices could not be read yet (%s); retrying with the first report",
                        exc)
        self._thread = threading.Thread(target=self._run, name="onegrid-avl-ingest", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=10)
            self._thread = None

    def submit(self, items: list[Any], *, source: str, on_done: Callable[[], None] | None = None) -> _Job:
        job = _Job(list(items), source, on_done)
        self._queue.put(job)
        return job

    def ingest(self, items: list[Any], *, source: str = "http") -> IngestOutcome:
        """Blocking: the reports checked and stored; their outcome (the HTTP endpoint's answer)."""
        job = self.submit(items, source=source)
        job.done.wait()
        if job.error is not None:
            raise job.error
        return job.outcome

    # -- the writer thread

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            jobs = [job]
            n = len(job.items)
            deadline = time.monotonic() + BATCH_WINDOW_S
            stop = False
            while n < BATCH_MAX:
                try:
                    more = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                jobs.append(more)
                n += len(more.items)
            try:
                self._write(jobs)
            except BaseException as exc:  # the batch failed: every waiter is told, nothing is acknowledged
                log.exception("storing %d position reports failed", n)
                for j in jobs:
                    j.error = exc
            for j in jobs:
                j.done.set()
                if j.on_done is not None and j.error is None:
                    try:
                        j.on_done()
                    except Exception:
                        log.exception("acknowledging a position message failed")
            if stop:
                return

    def _write(self, jobs: list[_Job]) -> None:
        if not self._loaded:
            self.reload_devices()
        try:  # the trips as they are now, for the fed positions' current case (cheap: the changes only)
            self.arrivals.refresh()
        except Exception:
            log.exception("reading the open trips failed")
        now = self.ctx.now()
        ids = {item["device_id"] for job in jobs for item in job.items
               if isinstance(item, dict) and isinstance(item.get("device_id"), str) and item["device_id"] in self.devices}
        positions: list[Position] = []
        refused: list[Rejection] = []
        fed: list[str] = []
        with self.ctx.db.writer() as session, session.begin():
            gates = gate.lock(session, ids, self._gated)
            latest = {d: g.accepted_at for d, g in gates.items() if g.accepted_at is not None}
            for job in jobs:
                for index, item in enumerate(job.items):
                    checked = check_report(item, self.devices, latest, now)
                    if isinstance(checked, Rejection):
                        if checked.reason == "duplicate":
                            job.outcome.duplicates += 1
                        else:
                            refused.append(checked)
                            job.outcome.rejected.append(checked.to_dict(index))
                        continue
                    latest[checked.device_id] = checked.time
                    positions.append(checked)
                    job.outcome.accepted += 1
            newest: dict[str, Position] = {}
            for p in positions:
                newest[p.device_id] = p
            fed = [did for did in sorted(newest) if self.throttle.due(gates[did].fed_at, now)]
            store.store_positions(session, positions, now)
            store.count_rejections(session, refused, now)
            gate.advance(session, {d: p.time for d, p in newest.items()}, fed, now)
            for did in fed:
                device = self.devices[did]
                case_id = self.arrivals.current_case(device)
                record_change(session, POSITION, did,
                              feed_data(device, newest[did], str(case_id) if case_id else None))
        self._gated.update(gates)  # (only once committed: a rolled-back batch's new rows are gone)
        if self.on_fed is not None and fed:
            self.on_fed(fed, now)
        if self.keep_lags:
            done = self.ctx.now()
            self.lags.extend((done - p.time).total_seconds() for p in positions)
        self.counts["accepted"] += len(positions)
        self.counts["rejected"] += len(refused)
        self.counts["fed"] += len(fed)
        self.counts["duplicates"] += sum(j.outcome.duplicates for j in jobs)
        if positions:
            try:
                self.counts["arrivals"] += self.arrivals.check(newest.values(), self.devices)
            except Exception:
                log.exception("looking for arrivals on site failed")
