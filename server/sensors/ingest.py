"""Sensor reading ingest: validation, storage, rule evaluation — one writer thread per server process.

Readings arrive from the MQTT subscriber (`server.sensors.mqtt`) and the HTTP batch endpoint
(`POST /api/sensors/readings`). Both hand them to `SensorIngest`, which checks each one on its own in
the caller's thread (`server.sensors.reading`: the one model `ReadingIn` of `app.platform.edge_types` types) and
queues them for its single writer thread; the thread collects what arrives within `sensor_batch_ms` and
writes it all in **one transaction**:

1. validation — a reading is *rejected* (counted per sensor id and reason in `sensor_rejections`, never
   stored as data) for: `malformed` (no sensor id, a time or value that is not one, a NUL character, a
   time outside years 1970–2999, true/false as a number; the message names the field), `unknown_sensor`,
   `wrong_unit` (not the sensor's unit of measure), `not_finite` (NaN/∞, or beyond a float's range),
   `impossible_value` (outside the rule's [min_valid, max_valid]: a sensor fault, and the sensor's state
   becomes `fault`), `future_time` (more than `sensor_future_s` ahead of the server clock) and `too_old`
   (older than the raw retention window);
2. raw rows, keyed (sensor_id, time), `INSERT … ON CONFLICT DO NOTHING RETURNING`: a duplicate (same
   sensor and time, in this batch or stored before) is counted, not stored again, and not aggregated;
3. per-minute aggregates (min, max, sum, count) from the rows actually inserted;
4. rule evaluation with `app.sensors.levels.ThresholdEvaluator`, one per sensor kept in memory (rebuilt from
   the last `REBUILD_S` of raw readings at start). **Out-of-order readings**: a batch is evaluated in time
   order per sensor; a reading not newer than the last one this process evaluated for its sensor is
   stored and aggregated but not evaluated (levels are never recomputed backwards, so a late reading can
   neither raise nor clear an alarm after the fact);
5. level changes go to `server.sensors.alarms` (raise / escalate / clear, episodes), the sensor's state
   row is written and put in the feed (kind `sensor`) on every level or state change and otherwise at
   most every `sensor_feed_interval_s` per sensor, then the feed changes (last, see server.feed.record).

**One reading never fails the others.** Should the batch's transaction fail all the same (the database
refuses a row), the batch is written again in halves, and each failing half in halves again, until the
reading the database refuses stands alone: it is rejected with reason `store_refused`, every other one
is stored (`server.sensors.batch_split`). The evaluators of the sensors of a failed attempt are rebuilt
from the database before the next, so nothing a rolled-back transaction evaluated is remembered. A
database that cannot be reached at all fails the whole batch (HTTP senders get a 503; MQTT readings are
counted in `stats.lost` and logged).

After the commit, cases are opened for alarms that reached alarm level (`sensor_alarms.ensure_cases`,
idempotent system commands), and the lag from each evaluated reading's time to the commit is recorded
in `stats` (the benchmark reads it).
"""
from __future__ import annotations

import logging
import math
import queue
import threading
import time
import zlib
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.refdata.entities import Sensor
from app.refdata.errors import RefDataError
from app.sensors.levels import Level, Reason, ThresholdEvaluator, Thresholds
from db.sensors import (
    SensorMinuteRow,
    SensorReadingRow,
    SensorRejectionRow,
    SensorStateRow,
)
from server.audit import chain as audit
from server.feed.record import record_changes
from server.platform.database import dialect_insert
from server.sensors import alarms as sensor_alarms
from server.sensors.batch_split import write_split
from server.sensors.reading import CheckedItem, check_item, display
from server.sensors.states import LEVEL_NAMES, state_data

if TYPE_CHECKING:
    from server.context import ServerContext

log = logging.getLogger(__name__)

SENSOR = "sensor"
REBUILD_S = 15 * 60       # raw history replayed into the evaluators at start
MINUTE_GRACE_S = 5        # a minute's aggregate is written this long after the minute ends
REAGGREGATE_S = 3 * 60    # at start, the aggregates of the last minutes are recomputed from raw rows
_MESSAGE_MAX = 500

_REASON_NAMES = {int(Reason.HIGH): "high", int(Reason.LOW): "low", int(Reason.RATE): "rate"}


def utc(dt: datetime) -> datetime:
    return dt.astimezone(timezone.utc)


def epoch(dt: datetime) -> float:
    return dt.timestamp()


# ---------------------------------------------------------------------------- parsing and validation

@dataclass(frozen=True)
class Reading:
    sensor_id: str
    time: datetime
    value: float


@dataclass(frozen=True)
class Rejection:
    index: int
    sensor_id: str
    reason: str
    message: str
    time: datetime | None = None  # for `impossible_value`: when the sensor sent it (fault state)

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "sensor_id": self.sensor_id, "reason": self.reason, "message": self.message}


@dataclass
class BatchOutcome:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "duplicates": self.duplicates,
                "rejected": [r.to_dict() for r in self.rejected]}


@dataclass
class _Job:
    items: list[CheckedItem]
    source: str
    future: Future | None = None
    audit_actor: tuple[str, str] | None = None  # (username, role) of an HTTP sender, for the audit trail


# ---------------------------------------------------------------------------- per-sensor memory

@dataclass
class _Memory:
    """What this process remembers of one sensor between batches."""

    evaluator: ThresholdEvaluator
    level: int = 0
    reason: int = 0
    last_time: datetime | None = None
    last_value: float | None = None
    state: str = "unknown"
    fed_at: float = -math.inf       # monotonic time of the last feed entry
    pending_rejected: int = 0       # rejections not yet added to the state row
    peak: float | None = None       # most extreme value while the level is above normal


@dataclass
class IngestStats:
    """Counters and recent lags (seconds from a reading's time to the commit that evaluated it)."""

    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    batches: int = 0
    rejected_by: Counter = field(default_factory=Counter)  # (source, reason) → readings rejected
    lost: int = 0  # readings sent without waiting (MQTT) in batches that failed whole (database unreachable)
    lags: deque = field(default_factory=lambda: deque(maxlen=2_000_000))
    batch_seconds: deque = field(default_factory=lambda: deque(maxlen=100_000))


class SensorIngest:
    """The ingest path of one server process (see the module docstring). `start()` rebuilds the
    evaluators and starts the writer thread; `submit` (fire and forget, MQTT) and `ingest` (wait for
    the answer, HTTP) queue readings; `stop()` writes what is queued and ends the thread."""

    def __init__(self, ctx: ServerContext, *, clock: Callable[[], datetime] | None = None):
        self.ctx = ctx
        self.settings = ctx.settings
        self.clock = clock or ctx.now
        self.stats = IngestStats()
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._memory: dict[str, _Memory] = {}
        self._lock = threading.Lock()  # one batch at a time (the writer thread, or a direct `process`)
        self._started = False
        self.mqtt = None  # the process's server.sensors.mqtt.MqttSubscriber, if any (set by sensor_runtime)
        # per-minute aggregates not written yet: (sensor, minute) → [min, max, sum, count]
        self._minutes: dict[tuple[str, datetime], list[float]] = {}

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

    def submit(self, readings: Iterable[Mapping[str, Any]], *, source: str = "mqtt") -> None:
        items = [check_item(i, r) for i, r in enumerate(readings)]
        if items:
            self._queue.put(_Job(items, source))

    def ingest(self, readings: list[Mapping[str, Any]], *, source: str = "http",
               actor: tuple[str, str] | None = None, timeout: float = 60.0) -> BatchOutcome:
        """Queue a batch and wait for its outcome (written by the writer thread with whatever else is
        queued). Without a running writer (not started) it is processed here."""
        job = _Job([check_item(i, r) for i, r in enumerate(readings)], source, Future(), actor)
        if not self.running:
            return self.process([job])[0]
        self._queue.put(job)
        return job.future.result(timeout)

    # -- the writer thread

    def _run(self) -> None:
        window = self.settings.sensor_batch_ms / 1000
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                break
            jobs = [first]
            deadline = time.monotonic() + window
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
            while not self._queue.empty():  # drain without waiting (behind: catch up in one batch)
                job = self._queue.get_nowait()
                if job is None:
                    stopping = True
                    break
                jobs.append(job)
            try:
                self.process(jobs)
            except Exception as exc:
                lost = sum(len(job.items) for job in jobs if job.future is None)
                self.stats.lost += lost
                log.exception("writing a batch of %d sensor reading jobs failed (%d readings that nobody waits "
                              "for, from MQTT, are lost)", len(jobs), lost)
                for job in jobs:
                    if job.future is not None and not job.future.done():
                        job.future.set_exception(exc)

    # -- evaluator state

    def _mem(self, sensor: Sensor) -> _Memory:
        mem = self._memory.get(sensor.id)
        if mem is None:
            mem = self._memory[sensor.id] = _Memory(ThresholdEvaluator(Thresholds.from_rules(sensor.rules)))
        return mem

    def memory(self, sensor_id: str) -> _Memory | None:
        return self._memory.get(sensor_id)

    def rebuild(self) -> None:
        """Evaluators from the last REBUILD_S of raw readings, states from `sensor_states`."""
        with self._lock:
            per_sensor = self._replay(None)
        if per_sensor:
            log.info("rebuilt sensor evaluators of %d sensors from %d minutes of readings",
                     len(per_sensor), REBUILD_S // 60)
        self._reaggregate(per_sensor)

    def _replay(self, only: set[str] | None) -> dict[str, list[tuple[float, float]]]:
        """The memory of every sensor, or of the sensors `only` (forgotten first), from the database: the
        state rows and the last REBUILD_S of raw readings replayed into the evaluators. Under the lock."""
        refdata = self.ctx.refdata
        known = {s.id: s for s in refdata.sensors}
        since = self.clock() - timedelta(seconds=REBUILD_S)
        states = select(SensorStateRow)
        raw = (select(SensorReadingRow.sensor_id, SensorReadingRow.time, SensorReadingRow.value)
               .where(SensorReadingRow.time >= since)
               .order_by(SensorReadingRow.sensor_id, SensorReadingRow.time))
        if only is not None:
            for sid in only:
                self._memory.pop(sid, None)
            states = states.where(SensorStateRow.sensor_id.in_(sorted(only)))
            raw = raw.where(SensorReadingRow.sensor_id.in_(sorted(only)))
        with self.ctx.db.reader() as session:
            for row in session.execute(states).scalars():
                sensor = known.get(row.sensor_id)
                if sensor is None:
                    continue
                mem = self._mem(sensor)
                mem.last_time, mem.last_value, mem.state = row.last_time, row.last_value, row.state
                mem.level = row.level
            per_sensor: dict[str, list[tuple[float, float]]] = defaultdict(list)
            for sid, t, v in session.execute(raw):
                per_sensor[sid].append((epoch(t), v))
        for sid, samples in per_sensor.items():
            sensor = known.get(sid)
            if sensor is None:
                continue
            mem = self._mem(sensor)
            arr = np.asarray(samples, np.float64)
            levels, reasons = mem.evaluator.evaluate(arr[:, 0], arr[:, 1])
            mem.level, mem.reason = int(levels[-1]), int(reasons[-1])
        return per_sensor

    def _reaggregate(self, per_sensor: Mapping[str, list[tuple[float, float]]]) -> None:
        """The last minutes' aggregates recomputed from the raw readings: a process that stopped without
        writing its pending minute buckets (killed) leaves them short; the raw rows are the truth."""
        since = (self.clock() - timedelta(seconds=REAGGREGATE_S)).replace(second=0, microsecond=0)
        buckets: dict[tuple[str, datetime], list[float]] = {}
        for sid, samples in per_sensor.items():
            for t, v in samples:
                minute = datetime.fromtimestamp(t, timezone.utc).replace(second=0, microsecond=0)
                if minute < since:
                    continue
                b = buckets.get((sid, minute))
                if b is None:
                    buckets[(sid, minute)] = [v, v, v, 1]
                else:
                    b[0], b[1], b[2], b[3] = min(b[0], v), max(b[1], v), b[2] + v, b[3] + 1
        if buckets:
            with self._lock, self.ctx.db.writer() as session, session.begin():
                self._write_minutes(session, buckets, add=False)

    # -- one batch

    def process(self, jobs: list[_Job]) -> list[BatchOutcome]:
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
        _log_rejections(jobs, outcomes)
        return outcomes

    def _validate(self, jobs: list[_Job], now: datetime, refdata) -> tuple[list[list[Reading]], list[BatchOutcome],
                                                                         list[Rejection]]:
        future_limit = now + timedelta(seconds=self.settings.sensor_future_s)
        oldest = now - timedelta(hours=self.settings.sensor_raw_retention_h)
        valid: list[list[Reading]] = []
        outcomes: list[BatchOutcome] = []
        all_rejected: list[Rejection] = []
        for job in jobs:
            outcome = BatchOutcome()
            readings: list[Reading] = []
            for item in job.items:
                rejection, reading = self._check(item, refdata, future_limit, oldest)
                if rejection is not None:
                    outcome.rejected.append(rejection)
                    all_rejected.append(rejection)
                else:
                    readings.append(reading)
            valid.append(readings)
            outcomes.append(outcome)
        return valid, outcomes, all_rejected

    def _check(self, item: CheckedItem, refdata, future_limit: datetime,
               oldest: datetime) -> tuple[Rejection | None, Reading | None]:
        """The checks that need the reference data and the clock; the reading's shape was checked when it
        arrived (`server.sensors.reading`)."""
        def reject(reason: str, message: str, at: datetime | None = None) -> tuple[Rejection, None]:
            return Rejection(item.index, item.sensor_id, reason, display(message, _MESSAGE_MAX), at), None

        r = item.reading
        if r is None:
            return reject(item.reason, item.message)
        try:
            sensor = refdata.sensor(r.sensor_id)
        except RefDataError:
            return reject("unknown_sensor", f"no sensor {r.sensor_id!r} in the reference data")
        if r.unit != sensor.unit_of_measure:
            return reject("wrong_unit", f"unit {r.unit!r} is not {sensor.id}'s unit {sensor.unit_of_measure!r}")
        t, value = utc(r.time), r.value
        rules = sensor.rules
        if (rules.min_valid is not None and value < rules.min_valid) or \
                (rules.max_valid is not None and value > rules.max_valid):
            return reject("impossible_value", f"value {value:g} {sensor.unit_of_measure} is outside {sensor.id}'s "
                                              f"valid range [{rules.min_valid}, {rules.max_valid}]", t)
        if t > future_limit:
            return reject("future_time", f"time {t.isoformat()} is more than {self.settings.sensor_future_s:g} s "
                                         f"ahead of the server clock")
        if t < oldest:
            return reject("too_old", f"time {t.isoformat()} is older than the raw retention window "
                                     f"({self.settings.sensor_raw_retention_h:g} h)")
        return None, Reading(sensor.id, t, value)

    def _process_locked(self, jobs: list[_Job]) -> tuple[list[BatchOutcome], list[float]]:
        refdata = self.ctx.refdata
        now = self.clock()
        valid, outcomes, rejected = self._validate(jobs, now, refdata)
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
            inserted = self._insert_raw(session, list(unique.values()))
            for key in unique:
                if key in inserted:
                    outcomes[owner[key]].accepted += 1
                else:
                    outcomes[owner[key]].duplicates += 1
            minutes = self._aggregate(session, [unique[k] for k in inserted], now)
            if rejected:
                self._count_rejections(session, rejected, now)
            changes = self._evaluate(list(unique.values()), rejected, refdata, lag_times)
            feed: list[tuple[str, str, dict]] = []
            due_states = self._write_states(session, changes, now, feed)
            cases_due = sensor_alarms.apply_level_changes(session, self.ctx, changes, due_states, now, feed)
            record_changes(session, feed)  # last (see server.feed.record)
            for job, outcome in zip(jobs, outcomes):
                if job.audit_actor is not None and outcome.rejected:
                    self._audit(session, job, outcome, now)
        self._minutes = minutes  # committed: what was written is no longer pending
        for job, outcome in zip(jobs, outcomes):
            self.stats.accepted += outcome.accepted
            self.stats.duplicates += outcome.duplicates
            self.stats.rejected += len(outcome.rejected)
            for r in outcome.rejected:
                self.stats.rejected_by[(job.source, r.reason)] += 1
        if cases_due:
            sensor_alarms.ensure_cases(self.ctx, cases_due)
        return outcomes, lag_times

    def _write_batch(self, jobs: list[_Job]) -> tuple[list[BatchOutcome], list[float]]:
        """The batch in one transaction; should the database refuse something in it, written in parts
        (`server.sensors.batch_split`) so that only the readings it refuses are rejected (`store_refused`)."""
        pairs = [(j, item) for j, job in enumerate(jobs) for item in job.items]
        if not pairs:
            return self._process_locked(jobs)
        saved: dict[str, tuple[int, float]] = {}

        def attempt(part: list[tuple[int, CheckedItem]]) -> tuple[list[int], list[BatchOutcome], list[float]]:
            saved.clear()
            saved.update(self._bookkeeping(item for _j, item in part))
            if len(part) == len(pairs):  # the whole batch: its own jobs, audited in the same transaction
                return list(range(len(jobs))), *self._process_locked(jobs)
            owners = sorted({j for j, _item in part})
            parts = [_Job([item for j2, item in part if j2 == j], jobs[j].source) for j in owners]
            return owners, *self._process_locked(parts)

        def forget(part, exc: BaseException) -> None:
            if len(part) == len(pairs):
                log.warning("a batch of %d sensor readings failed in the database (%s); it is written in parts "
                            "to store all but what the database refuses", len(pairs), type(exc).__name__)
            self._restore(saved)

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

    def _settle(self, jobs: list[_Job], outcomes: list[BatchOutcome],
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
            mem = self._memory.get(item.sensor_id)
            if mem is not None:
                mem.pending_rejected += 1  # into the state row's count with its next write
        for outcome in outcomes:
            outcome.rejected.sort(key=lambda r: r.index)
        try:
            with self.ctx.db.writer() as session, session.begin():
                if rejections:
                    self._count_rejections(session, rejections, now)
                for job, outcome in zip(jobs, outcomes):
                    if job.audit_actor is not None and outcome.rejected:
                        self._audit(session, job, outcome, now)
        except Exception:
            log.exception("counting %d refused sensor readings / auditing their batches failed", len(rejections))

    @staticmethod
    def _audit(session: Session, job: _Job, outcome: BatchOutcome, now: datetime) -> None:
        username, role = job.audit_actor
        audit.record(session, at=now, actor=username, role=role, action="sensor_readings",
                     entity_kind="sensor_batch", entity_id=job.source, result="rejected",
                     reason="invalid_readings",
                     detail={"accepted": outcome.accepted, "duplicates": outcome.duplicates,
                             "rejected": [r.to_dict() for r in outcome.rejected[:50]]})

    def _bookkeeping(self, items) -> dict[str, tuple[int, float]]:
        """What the memory of the items' sensors holds that the database does not (rejections not yet in
        the state row, when its feed entry was last due), to keep it over a rebuild."""
        out: dict[str, tuple[int, float]] = {}
        for item in items:
            sid = item.reading.sensor_id if item.reading is not None else item.sensor_id
            if sid not in out:
                mem = self._memory.get(sid)
                out[sid] = (mem.pending_rejected, mem.fed_at) if mem is not None else (0, -math.inf)
        return out

    def _restore(self, saved: Mapping[str, tuple[int, float]]) -> None:
        """After a failed attempt: the sensors' memory as the database has it (what the rolled-back
        transaction evaluated is forgotten), with the bookkeeping from before the attempt."""
        try:
            self._replay(set(saved))
        except Exception:
            log.exception("rebuilding the evaluators of %d sensors failed; they start from empty state", len(saved))
        for sid, (pending, fed_at) in saved.items():
            mem = self._memory.get(sid)
            if mem is not None:
                mem.pending_rejected, mem.fed_at = pending, fed_at

    # -- storage

    def _insert_raw(self, session: Session, readings: list[Reading]) -> set[tuple[str, datetime]]:
        inserted: set[tuple[str, datetime]] = set()
        insert = dialect_insert(session)
        table = SensorReadingRow.__table__
        if not readings:
            return inserted
        # executemany (SQLAlchemy's insertmanyvalues): compiled once, sent as multi-row statements
        stmt = (insert(table).on_conflict_do_nothing(index_elements=["sensor_id", "time"])
                .returning(table.c.sensor_id, table.c.time))
        result = session.connection().execute(
            stmt, [{"sensor_id": r.sensor_id, "time": r.time, "value": r.value} for r in readings])
        for sid, t in result:
            inserted.add((sid, utc(t)))
        return inserted

    def _aggregate(self, session: Session, readings: list[Reading], now: datetime | None,
                   ) -> dict[tuple[str, datetime], list[float]]:
        """Add the inserted readings to the pending minute buckets and write the buckets of minutes that
        are over (`MINUTE_GRACE_S` after their end; all of them with `now` None). A minute row is thus
        written about once instead of once per batch; a late reading for a written minute is merged
        into it (the upsert adds). Returns the buckets still pending (kept once the batch commits)."""
        pending = {k: list(b) for k, b in self._minutes.items()}
        for r in readings:
            key = (r.sensor_id, r.time.replace(second=0, microsecond=0))
            b = pending.get(key)
            if b is None:
                pending[key] = [r.value, r.value, r.value, 1]
            else:
                b[0] = min(b[0], r.value)
                b[1] = max(b[1], r.value)
                b[2] += r.value
                b[3] += 1
        if now is None:
            due, keep = pending, {}
        else:
            cutoff = now - timedelta(seconds=60 + MINUTE_GRACE_S)
            due = {k: b for k, b in pending.items() if k[1] <= cutoff}
            keep = {k: b for k, b in pending.items() if k[1] > cutoff}
        if due:
            self._write_minutes(session, due, add=True)
        return keep

    def flush_minutes(self) -> None:
        """Write every pending minute bucket (at stop)."""
        with self._lock:
            if not self._minutes:
                return
            with self.ctx.db.writer() as session, session.begin():
                self._aggregate(session, [], None)
            self._minutes = {}

    def _write_minutes(self, session: Session, buckets: dict[tuple[str, datetime], list[float]], *,
                       add: bool) -> None:
        insert = dialect_insert(session)
        table = SensorMinuteRow.__table__
        pg = session.get_bind().dialect.name == "postgresql"
        lo, hi = (func.least, func.greatest) if pg else (func.min, func.max)
        rows = [{"sensor_id": sid, "minute": minute, "min": b[0], "max": b[1], "sum": b[2], "count": b[3]}
                for (sid, minute), b in sorted(buckets.items())]
        stmt = insert(table)
        if add:
            values = {"min": lo(table.c.min, stmt.excluded.min), "max": hi(table.c.max, stmt.excluded.max),
                      "sum": table.c.sum + stmt.excluded.sum, "count": table.c.count + stmt.excluded.count}
        else:  # replace (rebuilt from the raw readings)
            values = {name: getattr(stmt.excluded, name) for name in ("min", "max", "sum", "count")}
        stmt = stmt.on_conflict_do_update(index_elements=["sensor_id", "minute"], set_=values)
        session.connection().execute(stmt, rows)

    def _count_rejections(self, session: Session, rejected: list[Rejection], now: datetime) -> None:
        grouped: dict[tuple[str, str], list[Rejection]] = defaultdict(list)
        for r in rejected:
            grouped[(r.sensor_id, r.reason)].append(r)
        insert = dialect_insert(session)
        table = SensorRejectionRow.__table__
        rows = [{"sensor_id": sid, "reason": reason, "count": len(items), "last_at": now,
                 "last_message": items[-1].message} for (sid, reason), items in sorted(grouped.items())]
        stmt = insert(table)
        stmt = stmt.on_conflict_do_update(index_elements=["sensor_id", "reason"], set_={
            "count": table.c.count + stmt.excluded.count, "last_at": stmt.excluded.last_at,
            "last_message": stmt.excluded.last_message})
        session.connection().execute(stmt, rows)

    # -- evaluation

    def _evaluate(self, readings: list[Reading], rejected: list[Rejection], refdata,
                  lag_times: list[float]) -> dict[str, sensor_alarms.SensorChange]:
        """Evaluate new readings per sensor in time order; return what changed per sensor."""
        per_sensor: dict[str, list[Reading]] = defaultdict(list)
        for r in readings:
            per_sensor[r.sensor_id].append(r)
        changes: dict[str, sensor_alarms.SensorChange] = {}
        for sid, rs in per_sensor.items():
            sensor = refdata.sensor(sid)
            mem = self._mem(sensor)
            rs.sort(key=lambda r: r.time)
            if mem.last_time is not None:
                rs = [r for r in rs if r.time > mem.last_time]
            evaluator_last = mem.evaluator.last_time
            if evaluator_last is not None:
                rs = [r for r in rs if epoch(r.time) > evaluator_last]
            if not rs:
                continue
            t = np.fromiter((epoch(r.time) for r in rs), np.float64, len(rs))
            v = np.fromiter((r.value for r in rs), np.float64, len(rs))
            levels, reasons = mem.evaluator.evaluate(t, v)
            lag_times.extend(t.tolist())
            change = sensor_alarms.SensorChange(sensor=sensor, old_level=mem.level, old_state=mem.state)
            prev = mem.level
            for i in range(len(rs)):
                lv = int(levels[i])
                if lv != prev:
                    change.transitions.append(sensor_alarms.Transition(
                        at=rs[i].time, old=prev, new=lv, reason=_REASON_NAMES.get(int(reasons[i])), value=rs[i].value))
                    prev = lv
                    mem.peak = None
                if lv > 0:
                    mem.peak = _more_extreme(mem.peak, rs[i].value, int(reasons[i]))
            mem.level, mem.reason = int(levels[-1]), int(reasons[-1])
            mem.last_time, mem.last_value = rs[-1].time, rs[-1].value
            change.back_from_silence = mem.state == "silent"
            mem.state = LEVEL_NAMES[mem.level]
            self._fill(change, mem)
            change.fresh = True
            changes[sid] = change
        faults: dict[str, datetime] = {}
        for r in rejected:
            if r.reason == "impossible_value" and r.time is not None:
                faults[r.sensor_id] = max(r.time, faults.get(r.sensor_id, r.time))
        for r in rejected:
            try:
                sensor = refdata.sensor(r.sensor_id)
            except RefDataError:
                continue
            mem = self._mem(sensor)
            mem.pending_rejected += 1
            if sensor.id not in changes:
                changes[sensor.id] = self._fill(sensor_alarms.SensorChange(
                    sensor=sensor, old_level=mem.level, old_state=mem.state), mem)
        for sid, at in faults.items():
            change = changes.get(sid)
            mem = self._memory.get(sid)
            if change is not None and (mem.last_time is None or at >= mem.last_time):
                mem.state = change.new_state = "fault"  # the latest thing it sent was impossible
        return changes

    @staticmethod
    def _fill(change: sensor_alarms.SensorChange, mem: _Memory) -> sensor_alarms.SensorChange:
        change.new_level, change.new_state = mem.level, mem.state
        change.reason = _REASON_NAMES.get(mem.reason) if mem.level else None
        change.last_time, change.last_value, change.peak = mem.last_time, mem.last_value, mem.peak
        return change

    def _write_states(self, session: Session, changes: dict[str, sensor_alarms.SensorChange], now: datetime,
                      feed: list[tuple[str, str, dict]]) -> set[str]:
        """Upsert the state rows of sensors whose state changed or whose feed entry is due; queue their
        feed entries. Returns the ids written (their rows are now locked by this transaction)."""
        interval = self.settings.sensor_feed_interval_s
        mono = time.monotonic()
        due = []
        for sid in sorted(changes):
            ch = changes[sid]
            mem = self._memory[sid]
            if ch.transitions or ch.new_state != ch.old_state or mono - mem.fed_at >= interval:
                due.append(sid)
        if not due:
            return set()
        insert = dialect_insert(session)
        table = SensorStateRow.__table__
        rows = []
        for sid in due:
            ch, mem = changes[sid], self._memory[sid]
            rows.append({"sensor_id": sid, "last_time": ch.last_time, "last_value": ch.last_value,
                         "level": ch.new_level, "state": ch.new_state, "reason": ch.reason,
                         "rejected": mem.pending_rejected, "updated_at": now, "episode_id": None,
                         "episode_case_id": None, "normal_since": None})
        stmt = insert(table)
        stmt = stmt.on_conflict_do_update(index_elements=["sensor_id"], set_={
            "last_time": stmt.excluded.last_time, "last_value": stmt.excluded.last_value,
            "level": stmt.excluded.level, "state": stmt.excluded.state, "reason": stmt.excluded.reason,
            "rejected": table.c.rejected + stmt.excluded.rejected, "updated_at": stmt.excluded.updated_at,
        }).returning(table.c.sensor_id, table.c.rejected)
        totals = dict(session.connection().execute(stmt, rows).all())
        for sid in due:
            ch, mem = changes[sid], self._memory[sid]
            mem.pending_rejected = 0
            # the first time, a phase of its own, so a thousand sensors are not all fed in the same batch
            mem.fed_at = mono if mem.fed_at > -math.inf else mono - interval * _phase(sid)
            feed.append((SENSOR, sid, state_data(sid, ch.last_time, ch.last_value, ch.new_level, ch.new_state,
                                                 ch.reason, totals.get(sid, 0), now, ch.sensor.owner_unit_id)))
        return set(due)

    def forget_silence(self, sensor_id: str) -> None:
        """Maintenance marked the sensor silent (so the next reading clears its silent alarm at once)."""
        mem = self._memory.get(sensor_id)
        if mem is not None:
            mem.state = "silent"


def _log_rejections(jobs: list[_Job], outcomes: list[BatchOutcome]) -> None:
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


def _phase(sensor_id: str) -> float:
    """A stable fraction in [0, 1) per sensor id."""
    return (zlib.crc32(sensor_id.encode()) % 1000) / 1000


def _more_extreme(peak: float | None, value: float, reason: int) -> float:
    if peak is None:
        return value
    return min(peak, value) if reason == int(Reason.LOW) else max(peak, value)


__all__ = ["SensorIngest", "BatchOutcome", "Rejection", "Reading", "SENSOR", "Level"]
