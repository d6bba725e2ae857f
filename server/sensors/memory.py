"""What one server process remembers of each sensor between ingest batches, and the evaluation of new
readings against it.

Each sensor has a `ThresholdEvaluator` (`app.sensors.levels`) kept in memory, rebuilt at start from the
state rows and the last `REBUILD_S` of raw readings. **Out-of-order readings**: a batch is evaluated in
time order per sensor; a reading not newer than the last one this process evaluated for its sensor is
stored and aggregated but not evaluated (levels are never recomputed backwards, so a late reading can
neither raise nor clear an alarm after the fact). A sensor's state row is written, and put in the feed,
on every level or state change and otherwise at most every `sensor_feed_interval_s`.
"""
from __future__ import annotations

import logging
import math
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.refdata.entities import Sensor
from app.refdata.errors import RefDataError
from app.sensors.levels import Reason, ThresholdEvaluator, Thresholds
from db.sensors import SensorReadingRow, SensorStateRow
from server.platform.database import dialect_insert
from server.sensors import alarms as sensor_alarms
from server.sensors.outcomes import Reading, Rejection
from server.sensors.states import LEVEL_NAMES, state_data

log = logging.getLogger(__name__)

SENSOR = "sensor"
REBUILD_S = 15 * 60       # raw history replayed into the evaluators at start
_REASON_NAMES = {int(Reason.HIGH): "high", int(Reason.LOW): "low", int(Reason.RATE): "rate"}


def epoch(dt: datetime) -> float:
    return dt.timestamp()


@dataclass
class SensorMemory:
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


class SensorMemories:
    """The memory of every sensor of one process. Used under the ingest's lock only."""

    def __init__(self, ctx, clock: Callable[[], datetime]):
        self.ctx = ctx
        self.clock = clock
        self._memory: dict[str, SensorMemory] = {}

    def mem(self, sensor: Sensor) -> SensorMemory:
        mem = self._memory.get(sensor.id)
        if mem is None:
            mem = self._memory[sensor.id] = SensorMemory(ThresholdEvaluator(Thresholds.from_rules(sensor.rules)))
        return mem

    def get(self, sensor_id: str) -> SensorMemory | None:
        return self._memory.get(sensor_id)

    def replay(self, only: set[str] | None) -> dict[str, list[tuple[float, float]]]:
        """The memory of every sensor, or of the sensors `only` (forgotten first), from the database: the
        state rows and the last REBUILD_S of raw readings replayed into the evaluators. Returns the raw
        samples (epoch seconds, value) per sensor."""
        known = {s.id: s for s in self.ctx.refdata.sensors}
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
                mem = self.mem(sensor)
                mem.last_time, mem.last_value, mem.state = row.last_time, row.last_value, row.state
                mem.level = row.level
            per_sensor: dict[str, list[tuple[float, float]]] = defaultdict(list)
            for sid, t, v in session.execute(raw):
                per_sensor[sid].append((epoch(t), v))
        for sid, samples in per_sensor.items():
            sensor = known.get(sid)
            if sensor is None:
                continue
            mem = self.mem(sensor)
            arr = np.asarray(samples, np.float64)
            levels, reasons = mem.evaluator.evaluate(arr[:, 0], arr[:, 1])
            mem.level, mem.reason = int(levels[-1]), int(reasons[-1])
        return per_sensor

    # -- evaluation

    def evaluate(self, readings: list[Reading], rejected: list[Rejection], refdata,
                 lag_times: list[float]) -> tuple[dict[str, sensor_alarms.SensorChange], int]:
        """Evaluate new readings per sensor in time order; what changed per sensor, and how many readings
        were evaluated."""
        per_sensor: dict[str, list[Reading]] = defaultdict(list)
        for r in readings:
            per_sensor[r.sensor_id].append(r)
        changes: dict[str, sensor_alarms.SensorChange] = {}
        evaluated = 0
        for sid, rs in per_sensor.items():
            sensor = refdata.sensor(sid)
            mem = self.mem(sensor)
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
            evaluated += len(rs)
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
            _fill(change, mem)
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
            mem = self.mem(sensor)
            mem.pending_rejected += 1
            if sensor.id not in changes:
                changes[sensor.id] = _fill(sensor_alarms.SensorChange(
                    sensor=sensor, old_level=mem.level, old_state=mem.state), mem)
        for sid, at in faults.items():
            change = changes.get(sid)
            mem = self._memory.get(sid)
            if change is not None and (mem.last_time is None or at >= mem.last_time):
                mem.state = change.new_state = "fault"  # the latest thing it sent was impossible
        return changes, evaluated

    def write_states(self, session: Session, changes: dict[str, sensor_alarms.SensorChange], now: datetime,
                     feed: list[tuple[str, str, dict]], interval: float) -> set[str]:
        """Upsert the state rows of sensors whose state changed or whose feed entry is due (`interval`
        seconds since the last); queue their feed entries. Returns the ids written (their rows are now
        locked by this transaction)."""
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
                                                 ch.reason, totals.get(sid, 0), now, ch.sensor.owner_unit_id,
                                                 ch.sensor.jurisdiction)))
        return set(due)

    # -- after a failed attempt

    def bookkeeping(self, items: Iterable) -> dict[str, tuple[int, float]]:
        """What the memory of the items' sensors holds that the database does not (rejections not yet in
        the state row, when its feed entry was last due), to keep it over a rebuild."""
        out: dict[str, tuple[int, float]] = {}
        for item in items:
            sid = item.reading.sensor_id if item.reading is not None else item.sensor_id
            if sid not in out:
                mem = self._memory.get(sid)
                out[sid] = (mem.pending_rejected, mem.fed_at) if mem is not None else (0, -math.inf)
        return out

    def restore(self, saved: Mapping[str, tuple[int, float]]) -> None:
        """The sensors' memory as the database has it (what a rolled-back transaction evaluated is
        forgotten), with the bookkeeping from before the attempt."""
        try:
            self.replay(set(saved))
        except Exception:
            log.exception("rebuilding the evaluators of %d sensors failed; they start from empty state", len(saved))
        for sid, (pending, fed_at) in saved.items():
            mem = self._memory.get(sid)
            if mem is not None:
                mem.pending_rejected, mem.fed_at = pending, fed_at

    def refused(self, sensor_id: str) -> None:
        """A reading of the sensor was refused by the database: into the state row's count with its next write."""
        mem = self._memory.get(sensor_id)
        if mem is not None:
            mem.pending_rejected += 1

    def forget_silence(self, sensor_id: str) -> None:
        mem = self._memory.get(sensor_id)
        if mem is not None:
            mem.state = "silent"


def _fill(change: sensor_alarms.SensorChange, mem: SensorMemory) -> sensor_alarms.SensorChange:
    change.new_level, change.new_state = mem.level, mem.state
    change.reason = _REASON_NAMES.get(mem.reason) if mem.level else None
    change.last_time, change.last_value, change.peak = mem.last_time, mem.last_value, mem.peak
    return change


def _phase(sensor_id: str) -> float:
    """A stable fraction in [0, 1) per sensor id."""
    return (zlib.crc32(sensor_id.encode()) % 1000) / 1000


def _more_extreme(peak: float | None, value: float, reason: int) -> float:
    if peak is None:
        return value
    return min(peak, value) if reason == int(Reason.LOW) else max(peak, value)
