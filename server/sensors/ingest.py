"""Sensor reading ingest — one writer thread per server process.

Readings arrive from the MQTT subscriber (`server.sensors.mqtt`) and the HTTP batch endpoint
(`POST /api/sensors/readings`). Both hand them to `SensorIngest`, which checks each one's shape on its
own in the caller's thread (`server.sensors.reading`: the one model `ReadingIn` of `app.platform.edge_types`
types) and queues them for its single writer thread; the thread collects what arrives within
`sensor_batch_ms` and writes it all in **one transaction**:

1. validation (`server.sensors.validation`) — a reading is *rejected* (counted per sensor id and reason in
   `sensor_rejections`, never stored as data) for: `malformed` (no sensor id, a time or value that is not
   one, a NUL character, a time outside years 1970–2999, true/false as a number; the message names the
   field), `unknown_sensor`, `wrong_unit` (not the sensor's unit of measure), `not_finite` (NaN/∞, or
   beyond a float's range), `impossible_value` (outside the rule's [min_valid, max_valid]: a sensor fault,
   and the sensor's state becomes `fault`), `future_time` (more than `sensor_future_s` ahead of the server
   clock) and `too_old` (older than the raw retention window);
2. raw rows (`server.sensors.storage`), keyed (sensor_id, time), `INSERT … ON CONFLICT DO NOTHING
   RETURNING`: a duplicate (same sensor and time, in this batch or stored before) is counted, not stored
   again, and not aggregated;
3. per-minute aggregates from the rows actually inserted (`server.sensors.aggregation`);
4. rule evaluation against the process's memory of each sensor (`server.sensors.memory`);
5. level changes go to `server.sensors.alarms` (raise / escalate / clear, episodes), the sensor's state
   row is written and put in the feed (kind `sensor`), then the feed changes (last, see server.feed.record).

**One reading never fails the others.** Should the batch's transaction fail all the same (the database
refuses a row), the batch is written again in halves, and each failing half in halves again, until the
reading the database refuses stands alone: it is rejected with reason `store_refused`, every other one
is stored (`server.sensors.batch_split`). The memory of the sensors of a failed attempt is rebuilt from
the database before the next, so nothing a rolled-back transaction evaluated is remembered. A database
that cannot be reached at all fails the whole batch (HTTP senders get a 503; MQTT readings are counted
in `stats.lost` and logged).

After the commit, cases are opened for alarms that reached alarm level (`server.sensors.alarm_cases.ensure_cases`,
idempotent system commands), each job's `on_done` runs (MQTT acknowledges its messages then), and the
lag from each evaluated reading's time to the commit is recorded in `stats` (the benchmark reads it).
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.sensors.levels import Level
from server.feed.record import record_changes
from server.sensors import aggregation, alarm_cases
from server.sensors import alarms as sensor_alarms
from server.sensors.batch_split import write_split
from server.sensors.memory import SENSOR, SensorMemories, SensorMemory, epoch
from server.sensors.outcomes import (
    REASONS,
    BatchOutcome,
    IngestJob,
    IngestStats,
    Reading,
    Rejection,
)
from server.sensors.reading import CheckedItem, check_item
from server.sensors.storage import audit_batch, count_rejections, insert_raw
from server.sensors.validation import validate

if TYPE_CHECKING:
    from server.context import ServerContext

log = logging.getLogger(__name__)

MAX_BATCH = 5000          # readings per HTTP request


class SensorIngest:
    """The ingest path of one server process (see the module docstring). `start()` rebuilds the
    evaluators and starts the writer thread; `submit` (fire and forget, MQTT) and `ingest` (wait for
    the answer, HTTP) queue readings; `stop()` writes what is queued and ends the thread."""

    def __init__(self, ctx: ServerContext, *, clock: Callable[[], datetime] | None = None):
        self.ctx = ctx
        self.settings = ctx.settings
        self.clock = clock or ctx.now
        self.stats = IngestStats()
        self._queue: queue.Queue[IngestJob | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._memories = SensorMemories(ctx, self.clock)
        self._lock = threading.Lock()  # one batch at a time (the writer thread, or a direct `process`)
        self._started = False
        self.mqtt = None  # the process's server.sensors.mqtt.MqttSubscriber, if any (set by sensor_runtime)
        self._minutes: aggregation.Buckets = {}  # per-minute aggregates not written yet

    # -- lifecycle

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        try:
            self.rebuild()
        except Exception:
            log.exception("rebuilding the sensor evaluators failed; starting from empty state")
        self._thread = threading.Thread(target=self._run, name="sensor-ingest-writer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join(timeout)
        self._thread = None
        self._started = False
        try:
            self.flush_minutes()
        except Exception:
            log.exception("writing the last minute aggregates failed (rebuilt from raw readings at start)")

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- entry points

    def submit(self, readings: Iterable[Mapping[str, Any]], *, source: str = "mqtt",
               on_done: Callable[[], None] | None = None) -> None:
        items = [check_item(i, r) for i, r in enumerate(readings)]
        if items:
            self._queue.put(IngestJob(items, source, on_done=on_done))
        elif on_done is not None:
            on_done()

    def ingest(self, readings: list[Mapping[str, Any]], *, source: str = "http",
               actor: tuple[str, str] | None = None, timeout: float = 60.0) -> BatchOutcome:
        """Queue a batch and wait for its outcome (written by the writer thread with whatever else is
        queued). Without a running writer (not started) it is processed here."""
        job = IngestJob([check_item(i, r) for i, r in enumerate(readings)], source, Future(), actor)
        if not self.running:
            return self.process([job])[0]
        self._queue.put(job)
        return job.future.result(timeout)

    # -- the writer thread

    def _run(self) -> None:
        window = self.settings.sensor_batch_ms / 1000
        retry: list[IngestJob] = []  # MQTT jobs of a batch the database could not take: written again
        backoff = 0.0
        stopping = False
        while not stopping:
            jobs, retry = retry, []
            if not jobs:
                first = self._queue.get()
                if first is None:
                    break
                jobs.append(first)
            deadline = time.monotonic() + (backoff if jobs and backoff else window)
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    job = self._queue.get(timeout=remaining)
                except queue.Empty:
                    break
                if job is None:
                    stopping = True
                    break
                jobs.append(job)
            while not stopping and not self._queue.empty():  # drain without waiting (behind: catch up in one batch)
                job = self._queue.get_nowait()
                if job is None:
                    stopping = True
                    break
                jobs.append(job)
            try:
                self.process(jobs)
                backoff = 0.0
            except Exception as exc:
                # A reading whose message the broker will deliver again (not acknowledged yet) is kept and
                # written again, the queue meanwhile held back by the broker's in-flight limit; at stop it is
                # left unacknowledged, so the broker delivers it to the next process of this slot.
                retry = [job for job in jobs if job.future is None and job.on_done is not None]
                lost = sum(len(job.items) for job in jobs if job.future is None and job.on_done is None)
                self.stats.lost += lost
                backoff = min(max(backoff * 2, 0.5), 30.0)
                log.exception("writing a batch of %d sensor reading jobs failed (%d readings kept to write again "
                              "in %.1f s, %d that nobody waits for lost)", len(jobs),
                              sum(len(job.items) for job in retry), backoff, lost)
                for job in jobs:
                    if job.future is not None and not job.future.done():
                        job.future.set_exception(exc)
            kept = {id(job) for job in retry}
            _done([job for job in jobs if id(job) not in kept])

    # -- memory

    def memory(self, sensor_id: str) -> SensorMemory | None:
        return self._memories.get(sensor_id)

    def rebuild(self) -> None:
        """Evaluators from the last minutes of raw readings, states from `sensor_states`; the last minutes'
        aggregates recomputed from the raw rows."""
        with self._lock:
            per_sensor = self._memories.replay(None)
        if per_sensor:
            log.info("rebuilt sensor evaluators of %d sensors from recent readings", len(per_sensor))
        buckets = aggregation.recent_buckets(per_sensor, self.clock())
        if buckets:
            with self._lock, self.ctx.db.writer() as session, session.begin():
                aggregation.write_minutes(session, buckets, add=False)

    def flush_minutes(self) -> None:
        """Write every pending minute bucket (at stop)."""
        with self._lock:
            if not self._minutes:
                return
            with self.ctx.db.writer() as session, session.begin():
                aggregation.add_and_write_due(session, self._minutes, [], None)
            self._minutes = {}

    def forget_silence(self, sensor_id: str) -> None:
        """Maintenance marked the sensor silent (so the next reading clears its silent alarm at once)."""
        self._memories.forget_silence(sensor_id)

    # -- one batch

    def process(self, jobs: list[IngestJob]) -> list[BatchOutcome]:
        started = time.monotonic()
        with self._lock:
            outcomes, lag_times = self._write_batch(jobs)
        committed = self.clock()
        self.stats.lags.extend(epoch(committed) - t for t in lag_times)
        self.stats.batches += 1
        self.stats.batch_seconds.append(time.monotonic() - started)
        for job, outcome in zip(jobs, outcomes):
            if job.future is not None and not job.future.done():
                job.future.set_result(outcome)
        log_rejections(jobs, outcomes)
        return outcomes

    def _process_locked(self, jobs: list[IngestJob]) -> tuple[list[BatchOutcome], list[float]]:
        refdata = self.ctx.refdata
        now = self.clock()
        valid, outcomes, rejected = validate(jobs, now, refdata, self.settings)
        # the batch's readings, first occurrence of each key wins (later ones are duplicates)
        unique: dict[tuple[str, datetime], Reading] = {}
        owner: dict[tuple[str, datetime], int] = {}
        for j, readings in enumerate(valid):
            for r in readings:
                key = (r.sensor_id, r.time)
                if key in unique:
                    outcomes[j].duplicates += 1
                else:
                    unique[key] = r
                    owner[key] = j
        lag_times: list[float] = []
        cases_due: list[sensor_alarms.CaseDue] = []
        with self.ctx.db.writer() as session, session.begin():
            inserted = insert_raw(session, list(unique.values()))
            for key in unique:
                if key in inserted:
                    outcomes[owner[key]].accepted += 1
                else:
                    outcomes[owner[key]].duplicates += 1
            minutes = aggregation.add_and_write_due(session, self._minutes, [unique[k] for k in inserted], now)
            if rejected:
                count_rejections(session, rejected, now)
            changes, evaluated = self._memories.evaluate(list(unique.values()), rejected, refdata, lag_times)
            feed: list[tuple[str, str, dict]] = []
            due_states = self._memories.write_states(session, changes, now, feed,
                                                     self.settings.sensor_feed_interval_s)
            cases_due = sensor_alarms.apply_level_changes(session, self.ctx, changes, due_states, now, feed)
            record_changes(session, feed)  # last (see server.feed.record)
            for job, outcome in zip(jobs, outcomes):
                if job.audit_actor is not None and outcome.rejected:
                    audit_batch(session, job, outcome, now)
        self._minutes = minutes  # committed: what was written is no longer pending
        self.stats.evaluated += evaluated
        for job, outcome in zip(jobs, outcomes):
            self.stats.accepted += outcome.accepted
            self.stats.duplicates += outcome.duplicates
            self.stats.rejected += len(outcome.rejected)
            for r in outcome.rejected:
                self.stats.rejected_by[(job.source, r.reason)] += 1
        if cases_due:
            alarm_cases.ensure_cases(self.ctx, cases_due)
        return outcomes, lag_times

    def _write_batch(self, jobs: list[IngestJob]) -> tuple[list[BatchOutcome], list[float]]:
        """The batch in one transaction; should the database refuse something in it, written in parts
        (`server.sensors.batch_split`) so that only the readings it refuses are rejected (`store_refused`)."""
        pairs = [(j, item) for j, job in enumerate(jobs) for item in job.items]
        if not pairs:
            return self._process_locked(jobs)
        saved: dict[str, tuple[int, float]] = {}

        def attempt(part: list[tuple[int, CheckedItem]]) -> tuple[list[int], list[BatchOutcome], list[float]]:
            saved.clear()
            saved.update(self._memories.bookkeeping(item for _j, item in part))
            if len(part) == len(pairs):  # the whole batch: its own jobs, audited in the same transaction
                return list(range(len(jobs))), *self._process_locked(jobs)
            owners = sorted({j for j, _item in part})
            parts = [IngestJob([item for j2, item in part if j2 == j], jobs[j].source) for j in owners]
            return owners, *self._process_locked(parts)

        def forget(part, exc: BaseException) -> None:
            if len(part) == len(pairs):
                log.warning("a batch of %d sensor readings failed in the database (%s); it is written in parts "
                            "to store all but what the database refuses", len(pairs), type(exc).__name__)
            self._memories.restore(saved)

        done, refused = write_split(pairs, attempt, after_failure=forget)
        if not refused and len(done) == 1:
            return done[0][1], done[0][2]
        outcomes = [BatchOutcome() for _ in jobs]
        lag_times: list[float] = []
        for owners, sub_outcomes, lags in done:
            lag_times.extend(lags)
            for j, sub in zip(owners, sub_outcomes):
                outcomes[j].accepted += sub.accepted
                outcomes[j].duplicates += sub.duplicates
                outcomes[j].rejected.extend(sub.rejected)
        self._settle(jobs, outcomes, [(j, item, exc) for (j, item), exc in refused])
        return outcomes, lag_times

    def _settle(self, jobs: list[IngestJob], outcomes: list[BatchOutcome],
                refused: list[tuple[int, CheckedItem, BaseException]]) -> None:
        """After a batch written in parts: the readings the database refused are answered, counted and
        logged, and each HTTP sender's batch is audited once (its parts were not)."""
        now = self.clock()
        rejections = []
        for j, item, exc in refused:
            at = item.reading.time.isoformat() if item.reading is not None else None
            rejection = Rejection(item.index, item.sensor_id, "store_refused",
                                  f"the database refused to store this reading ({type(exc).__name__}); the "
                                  f"batch's other readings were written")
            outcomes[j].rejected.append(rejection)
            rejections.append(rejection)
            self.stats.rejected += 1
            self.stats.rejected_by[(jobs[j].source, "store_refused")] += 1
            log.warning("sensor reading rejected (store_refused): %s reading #%d of sensor %s at %s (%s: %s)",
                        jobs[j].source, item.index, item.sensor_id or "(no id)", at, type(exc).__name__,
                        str(getattr(exc, "orig", None) or exc).strip()[:300])
            self._memories.refused(item.sensor_id)
        for outcome in outcomes:
            outcome.rejected.sort(key=lambda r: r.index)
        try:
            with self.ctx.db.writer() as session, session.begin():
                if rejections:
                    count_rejections(session, rejections, now)
                for job, outcome in zip(jobs, outcomes):
                    if job.audit_actor is not None and outcome.rejected:
                        audit_batch(session, job, outcome, now)
        except Exception:
            log.exception("counting %d refused sensor readings / auditing their batches failed", len(rejections))


def _done(jobs: list[IngestJob]) -> None:
    for job in jobs:
        if job.on_done is not None:
            try:
                job.on_done()
            except Exception:
                log.exception("a sensor reading job's completion callback failed")



def log_rejections(jobs: list[IngestJob], outcomes: list[BatchOutcome]) -> None:
    """One line per batch: how many readings were rejected, per source and reason, with an example."""
    examples: dict[tuple[str, str], Rejection] = {}
    counts: Counter = Counter()
    for job, outcome in zip(jobs, outcomes):
        for r in outcome.rejected:
            counts[(job.source, r.reason)] += 1
            examples.setdefault((job.source, r.reason), r)
    if counts:
        log.info("rejected %d sensor readings (%s)", sum(counts.values()), "; ".join(
            f"{source} {reason}: {n}, e.g. {examples[(source, reason)].sensor_id or '(no id)'}: "
            f"{examples[(source, reason)].message[:200]}" for (source, reason), n in sorted(counts.items())))


__all__ = ["SensorIngest", "BatchOutcome", "Rejection", "Reading", "REASONS", "MAX_BATCH", "SENSOR", "Level"]
